"""The three block directives of an issue: ``quote``, ``stat`` and ``question``.

What each block is (its arguments, options and their checks, its body) is
:mod:`newsletter.schema.blockspec`'s, which the checker reads without docutils; here
each is made a docutils directive that builds its node. One base class holds what
the directives share (the node they build, their helpers); each block only says
what is particular to it. The nodes subclass ``container`` so that every Sphinx
builder without a visitor of its own (text, man, LaTeX, ...) falls back to rendering
their children as plain blocks; the HTML builder gets semantic
``<figure>``/``<figcaption>`` markup from the visitors of the build.

This module needs only docutils: the directives check their options and body with
the very functions the checker runs (:meth:`~newsletter.schema.blockspec.Block.check_options`,
:meth:`~newsletter.schema.blockspec.Block.usage_problems`), so the two say the same thing.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import ClassVar

from docutils import nodes
from docutils.parsers.rst import Directive

from newsletter.schema import blockspec, dates, publication, validators
from newsletter.schema.blockspec import Block, option_line

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


# -- directives ----------------------------------------------------------------


class BlockDirective(Block, Directive):
    """What the three directives share.

    A block (:class:`~newsletter.schema.blockspec.Block`: a body, parsed as
    Markdown/reST and required, and checked options) builds one ``node_class`` node
    carrying the ``ftw-block`` and ``ftw-<name>`` classes. Subclasses implement
    :meth:`fill`.
    """

    node_class: ClassVar[type[block]]

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


class QuoteDirective(blockspec.Quote, BlockDirective):
    """The quote of the week: the quoted words, then "— attribution (source)"."""

    node_class = quote_block

    def fill(self, node: block) -> None:
        node += nodes.block_quote("", *self.parse_body())
        attribution = self.options.get("attribution")
        source = self.options.get("source")
        if attribution or source:  # "— Name, role (source)"
            before = [nodes.Text("— "), *self.inline(attribution)] if attribution else []
            node += block_caption("", self.source_line("ftw-quote-attribution", source, before))


class StatDirective(blockspec.Stat, BlockDirective):
    """The number of the week: the figure, then what it measures and where it comes from."""

    node_class = stat_block

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


class QuestionDirective(blockspec.Question, BlockDirective):
    """The question of the week, between the invitation and where to answer it."""

    node_class = question_block

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


#: the directives, by name (:data:`newsletter.schema.blockspec.BLOCKS`'s, each made one)
BLOCK_DIRECTIVES: dict[str, type[BlockDirective]] = {
    cls.name: cls for cls in (QuoteDirective, StatDirective, QuestionDirective)
}
assert BLOCK_DIRECTIVES.keys() == blockspec.BLOCKS.keys()
