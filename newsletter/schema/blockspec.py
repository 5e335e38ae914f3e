"""What each block of an issue is: ``quote``, ``stat`` and ``question``, without docutils.

Each block's name, arguments, options and their checks, and what its body holds, are
written here once (:data:`BLOCKS`). The checker reads a block by them (MyST's directive
parser reads them as it reads a directive's: :mod:`newsletter.schema.block_reading`) and
checks it with their checks; the build's directives are these same classes, made
docutils directives (:mod:`newsletter.schema.blocks`), which run the same checks, so the
two say the same thing. Nothing here imports docutils: the checker does without its
parsers, a tenth of what a check imports.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from newsletter.schema import validators

# -- options -------------------------------------------------------------------


def _as_written(value: str | None) -> str | None:
    return value


class _EveryOption(dict[str, Callable[[str | None], Any]]):
    """An ``option_spec`` that lets every option through as written.

    MyST and docutils would otherwise refuse an unknown option or a bad value with
    messages of their own; a block checks its options itself
    (:meth:`Block.check_options`), so that the checker and the build say the
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


# -- blocks --------------------------------------------------------------------


class Block:
    """What the three blocks share: a body (Markdown, required) and checked options.

    The attributes a docutils directive has (``has_content``, ``required_arguments``,
    ``option_spec``, ...) are the directive's (:class:`newsletter.schema.blocks.BlockDirective`)
    and what MyST's directive parser reads.
    """

    name: ClassVar[str]
    has_content: ClassVar[bool] = True
    required_arguments: ClassVar[int] = 0
    optional_arguments: ClassVar[int] = 0
    final_argument_whitespace: ClassVar[bool] = True
    option_spec: ClassVar[Mapping[str, Callable[[str | None], Any]]] = _EveryOption()
    #: each option's check: the value as written in, the value to use out (or ValueError)
    option_checks: ClassVar[dict[str, Callable[[str | None], Any]]] = {}
    #: options a published issue's block must have (a draft's is still to fill), with
    #: what they mean
    required_when_published: ClassVar[dict[str, str]] = {}
    #: options that must be given, with what they mean
    required_options: ClassVar[dict[str, str]] = {}
    #: ``(token type, description)`` of the Markdown an author may write instead of
    #: the block (a ``>`` blockquote for a quote), to say so when the block is missing
    lookalike: ClassVar[tuple[str, str] | None] = None
    body_description: ClassVar[str] = "its text"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.option_spec = _EveryOption(dict.fromkeys(cls.option_checks, _as_written))

    @classmethod
    def meant(cls, name: str) -> str | None:
        """The option a misspelt option name most likely means."""
        import difflib  # (only for a misspelt option)

        close = difflib.get_close_matches(name, list(cls.option_checks), n=1)
        return close[0] if close else None

    @classmethod
    def check_options(
        cls, given: Mapping[str, str | None]
    ) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        """The options' values to use, and ``(name, message)`` for each option that is
        unknown or has a bad value (code D401).

        Shared by the directives and the checker, so both say the same thing.
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

        Shared by the directives and the checker, so both say the same thing.
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


class Quote(Block):
    """The quote of the week: a quotation, optionally attributed and sourced."""

    name = "quote"
    body_description = "the quoted words"
    lookalike = ("blockquote_open", "a '>' blockquote")
    option_checks: ClassVar = {
        "attribution": validators.nonempty_text,
        "source": validators.http_url,
    }


class Stat(Block):
    """The number of the week: a figure and what it measures."""

    name = "stat"
    required_arguments = 1
    body_description = "what the figure measures"
    option_checks: ClassVar = {
        "source": validators.http_url,
        "as-of": validators.iso_date,
    }
    required_when_published: ClassVar = {
        "source": "the address the figure comes from (:source: https://...)",
    }


class Question(Block):
    """The question of the week, with the invitation to answer it."""

    name = "question"
    body_description = "the question put to readers"
    option_checks: ClassVar = {"submit": validators.submit_address}
    required_options: ClassVar = {
        "submit": "the email address or https URL where readers answer",
    }


#: every block, by its name (the directive's: ``:::{quote}``)
BLOCKS: dict[str, type[Block]] = {cls.name: cls for cls in (Quote, Stat, Question)}
