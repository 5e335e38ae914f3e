"""The three block directives of an issue: ``quote``, ``stat`` and ``question``.

One base class holds what they share (option validation, the required body,
the node they build); each block only says what is particular to it. The
nodes subclass ``container`` so that every Sphinx builder without a visitor of
its own (text, man, LaTeX, ...) falls back to rendering their children as
plain blocks; the HTML builder gets semantic ``<figure>``/``<figcaption>``
markup from the visitors at the end of this module.

This module needs only docutils: the checker imports the directive classes to
read a block with MyST's own parser, without Sphinx, and to check its options
and body with the very functions the directives run (:meth:`BlockDirective.check_options`,
:meth:`BlockDirective.usage_problems`), so the two say the same thing.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import Directive

from newsletter.schema import dates, publication, validators

# -- nodes ---------------------------------------------------------------------


class block(nodes.container):
    """Base node of the issue blocks: a figure in HTML, plain blocks elsewhere."""


class quote_block(block):
    pass


class stat_block(block):
    pass


class question_block(block):
    pass


class block_caption(nodes.container):
    """The caption of a block: ``<figcaption>`` in HTML."""


# -- options -------------------------------------------------------------------


def _as_written(value: str | None) -> str | None:
    return value


class _EveryOption(dict[str, Callable[[str | None], Any]]):
    """An ``option_spec`` that lets every option through as written.

    MyST and docutils would otherwise refuse an unknown option or a bad value with
    messages of their own; a block checks its options itself
    (:meth:`BlockDirective.check_options`), so that the checker and the build say the
    same thing about them, under the same code.
    """

    def __missing__(self, name: str) -> Callable[[str | None], Any]:
        return _as_written


def option_line(text: str, name: str) -> int:
    """The index of the line of ``text`` (a directive's lines, from its first) that gives
    option ``name`` (``:name: value``, or ``name: value`` in a ``---`` block); 0 (the
    directive's own line) when none does."""
    pattern = re.compile(rf"^\s*(?::{re.escape(name)}:|{re.escape(name)}\s*:)")
    for index, line in enumerate(text.splitlines()):
        if pattern.match(line):
            return index
    return 0


# -- directives ----------------------------------------------------------------


class BlockDirective(Directive):
    """What the three blocks share.

    A block has a body (parsed as Markdown/reST and required), validated
    options, and builds one ``node_class`` node carrying the ``ftw-block``
    and ``ftw-<name>`` classes. Subclasses implement :meth:`fill`.
    """

    name: ClassVar[str]
    node_class: ClassVar[type[block]]
    has_content = True
    final_argument_whitespace = True
    #: each option's check: the value as written in, the value to use out (or ValueError)
    option_checks: ClassVar[dict[str, Callable[[str | None], Any]]] = {}
    #: options a published issue's block must have (a draft's is still to fill), with
    #: what they mean
    required_when_published: ClassVar[dict[str, str]] = {}
    #: ``(token type, description)`` of the Markdown an author may write instead of
    #: the block (a ``>`` blockquote for a quote), to say so when the block is missing
    lookalike: ClassVar[tuple[str, str] | None] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.option_spec = _EveryOption(dict.fromkeys(cls.option_checks, _as_written))

    @classmethod
    def meant(cls, name: str) -> str | None:
        """The option a misspelt option name most likely means."""
        close = difflib.get_close_matches(name, list(cls.option_checks), n=1)
        return close[0] if close else None

    @classmethod
    def check_options(
        cls, given: Mapping[str, str | None]
    ) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        """The options' values to use, and ``(name, message)`` for each option that is
        unknown or has a bad value (code D401).

        Shared by :meth:`run` and the checker, so both say the same thing.
        """
        values: dict[str, Any] = {}
        problems: list[tuple[str, str]] = []
        for name, text in given.items():
            check = cls.option_checks.get(name)
            if check is None:
                guess = f'; did you mean ":{meant}:"?' if (meant := cls.meant(name)) else ""
                listed = ", ".join(cls.option_checks) or "none"
                problems.append(
                    (name, f'the "{cls.name}" block has no option ":{name}:"{guess} '
                           f"(options: {listed})")
                )  # fmt: skip
                continue
            try:
                values[name] = check(text)
            except (ValueError, TypeError) as error:
                message = f'the "{cls.name}" block\'s ":{name}:" is not valid: {error}'
                problems.append((name, message))
        return values, problems

    @classmethod
    def usage_problems(cls, options: dict[str, Any], body: str) -> list[str]:
        """What is wrong with a use of the block beyond its options' names and values.

        Shared by :meth:`run` and the checker, so both say the same thing.
        """
        problems = []
        if not body.strip():
            problems.append(f'the "{cls.name}" block needs a body: {cls.body_description}')
        # a misspelt option was reported with what it most likely means (D401)
        meant = {cls.meant(name) for name in options if name not in cls.option_checks}
        problems.extend(
            f'the "{cls.name}" block needs a ":{name}:" option: {meaning}'
            for name, meaning in cls.required_options.items()
            if name not in options and name not in meant
        )
        return problems

    #: options that must be given, with what they mean
    required_options: ClassVar[dict[str, str]] = {}

    def run(self) -> list[nodes.Node]:
        values, bad_options = self.check_options(self.options)
        for name, message in bad_options:
            self.report(self.lineno + option_line(self.block_text, name), "D401", message)
        problems = self.usage_problems(self.options, "\n".join(self.content))
        if problems:
            raise self.error("; ".join(problems))
        if any(name not in values for name in self.required_options):
            return []  # given, but not valid: reported above
        self.options = values
        node = self.node_class(classes=["ftw-block", f"ftw-{self.name}"])
        node.source, node.line = self.state_machine.get_source_and_line(self.lineno)
        self.add_name(node)
        self.fill(node)
        return [node]

    body_description: ClassVar[str] = "its text"

    def report(self, line: int, code: str, message: str) -> None:
        """A warning at ``line``: docutils' own; the Sphinx build's directives say it as the
        build says the checker's findings (:mod:`newsletter.site.directives`)."""
        self.state.document.reporter.warning(message, line=line)

    def fill(self, node: block) -> None:
        raise NotImplementedError

    # helpers for subclasses

    def parse_body(self) -> list[nodes.Node]:
        holder = nodes.Element()
        self.state.nested_parse(self.content, self.content_offset, holder)
        return list(holder.children)

    def inline(self, text: str) -> list[nodes.Node]:
        parsed, messages = self.state.inline_text(text, self.lineno)
        return [*parsed, *messages]

    def source_line(
        self, classes: str, source: str | None, before: list[nodes.Node], after: str = ""
    ) -> nodes.paragraph:
        """``Source: <link>AFTER``, or ``BEFORE (<link>)AFTER`` when something comes before
        it: where a quote or a figure comes from, said one way in every block."""
        line = nodes.paragraph("", "", *before, classes=[classes])
        if source:
            line += nodes.Text(" (" if before else "Source: ")
            line += self.link(source)
            if before:
                line += nodes.Text(")")
        if after:
            line += nodes.Text(after)
        return line

    @staticmethod
    def link(url: str, text: str | None = None) -> nodes.reference:
        if validators.is_email(url):
            return nodes.reference("", text or url, refuri=f"mailto:{url}")
        return nodes.reference("", text or validators.link_label(url), refuri=url)

    def publication(self) -> publication.Publication:
        env = getattr(self.state.document.settings, "env", None)
        root = Path(env.srcdir) if env is not None else publication.find_root()
        return publication.load(root)

    def language(self) -> str:
        return self.publication().site.language


class QuoteDirective(BlockDirective):
    """The quote of the week: a quotation, optionally attributed and sourced."""

    name = "quote"
    node_class = quote_block
    body_description = "the quoted words"
    lookalike = ("blockquote_open", "a '>' blockquote")
    option_checks: ClassVar = {
        "attribution": validators.nonempty_text,
        "source": validators.http_url,
    }

    def fill(self, node: block) -> None:
        node += nodes.block_quote("", *self.parse_body())
        attribution = self.options.get("attribution")
        source = self.options.get("source")
        if attribution or source:  # "— Name, role (source)"
            before = [nodes.Text("— "), *self.inline(attribution)] if attribution else []
            node += block_caption("", self.source_line("ftw-quote-attribution", source, before))


class StatDirective(BlockDirective):
    """The number of the week: a figure and what it measures."""

    name = "stat"
    node_class = stat_block
    required_arguments = 1
    body_description = "what the figure measures"
    option_checks: ClassVar = {
        "source": validators.http_url,
        "as-of": validators.iso_date,
    }
    required_when_published: ClassVar = {
        "source": "the address the figure comes from (:source: https://...)",
    }

    def fill(self, node: block) -> None:
        figure = nodes.paragraph(classes=["ftw-stat-figure"])
        figure.extend(self.inline(self.arguments[0]))
        node += figure
        caption = block_caption("", *self.parse_body())
        source = self.options.get("source")
        as_of = self.options.get("as-of")
        if source or as_of:
            when = as_of and dates.long_date(dt.date.fromisoformat(as_of), self.language())
            after = (f"{', as' if source else 'As'} of {when}" if when else "") + "."
            caption += self.source_line("ftw-stat-source", source, [], after)
        node += caption


class QuestionDirective(BlockDirective):
    """The question of the week, with the invitation to answer it."""

    name = "question"
    node_class = question_block
    body_description = "the question put to readers"
    option_checks: ClassVar = {"submit": validators.submit_address}
    required_options: ClassVar = {
        "submit": "the email address or https URL where readers answer",
    }

    def fill(self, node: block) -> None:
        pub = self.publication()
        node += block_caption("", nodes.paragraph(pub.question_invitation, pub.question_invitation))
        node += nodes.container("", *self.parse_body(), classes=["ftw-question-text"])
        before, _, after = pub.question_submit.partition("{submit}")
        address = self.options["submit"]
        node += nodes.paragraph(
            "",
            "",
            nodes.Text(before),
            self.link(address, address),
            nodes.Text(after),
            classes=["ftw-question-submit"],
        )


BLOCK_DIRECTIVES: dict[str, type[BlockDirective]] = {
    cls.name: cls for cls in (QuoteDirective, StatDirective, QuestionDirective)
}
