"""How a block's text is read: as MyST's directive parser reads a directive's.

A block (``:::{quote}`` ... ``:::``) is its first line (the argument: a stat's figure),
its options (``:name: value`` lines) and its body. MyST reads them with its directive
parser (``myst_parser.parsers.directives.parse_directive_text``), whose options are a
restricted YAML read character by character, and which imports docutils' reST parser
with it: a fifth of the reading of an issue and a tenth of what a check imports, for
what is nearly always a few ``:name: value`` lines of plain text. So :func:`read` tells
such a block at once (:func:`read_at_once`), to the same result (tested against MyST's
on many blocks, made up and real), and hands every other block to MyST's parser
(:func:`read_by_myst`), imported then: a quoted, folded or commented value, a tab, a
``---`` options block, a warning to give, an error.
"""

from __future__ import annotations

import functools
import re
import sys
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from newsletter.schema.blockspec import Block, _as_written


@dataclass
class Reading:
    """A block as MyST's directive parser reads it: what the rules read of its
    ``DirectiveParsingResult``."""

    arguments: list[str]
    options: dict[str, Any]
    #: the lines of the body
    body: list[str]
    #: the body's first line, counted from the line after the block's first
    body_offset: int
    #: MyST's ``ParseWarnings`` (``msg``, ``lineno``): an options block it could not read
    warnings: list[Any] = field(default_factory=list)


@dataclass(frozen=True)
class Unreadable:
    """A block MyST's directive parser refuses (its ``MarkupError``: a stat without its
    figure), with MyST's message."""

    message: str

    def __str__(self) -> str:
        return self.message


def read(block: type[Block], first_line: str, content: str, line: int) -> Reading | Unreadable:
    """``block`` (:data:`newsletter.schema.blockspec.BLOCKS`) as MyST reads it, from the
    text after its name on its first line (its ``line``), and ``content``, its lines after
    that one."""
    return read_at_once(block, first_line, content) or read_by_myst(
        block, first_line, content, line
    )


def read_by_myst(
    block: type[Block], first_line: str, content: str, line: int
) -> Reading | Unreadable:
    """The block read by MyST's directive parser."""
    parse_directive_text, markup_error = _myst_directive_parser()
    try:
        parsed = parse_directive_text(block, first_line, content, line=line)
    except markup_error as error:
        return Unreadable(str(error))
    return Reading(
        parsed.arguments, parsed.options, parsed.body, parsed.body_offset, parsed.warnings
    )


#: an option's name that MyST's options reader reads as it is written, up to its colon
_NAME = re.compile(r"[A-Za-z0-9_.-]+")
#: what makes MyST read an option's value otherwise than as its text, spaces stripped: a
#: comment, a tab (an error), what it reads as the end of the text or skips
_NOT_PLAIN = ("#", "\t", "\x00", "\ufeff")
#: the first characters of a value MyST reads as YAML does: a block or a quoted scalar
_NOT_PLAIN_FIRST = ("|", ">", "'", '"')


def read_at_once(block: type[Block], first_line: str, content: str) -> Reading | None:
    """The block as :func:`read_by_myst` reads it, where it is plain; None where it is not.

    Plain: options that are ``:name: value`` lines (or none), each name made of letters,
    digits, ``_``, ``-`` and ``.``, each value of any text without ``#``, a tab, NUL or
    BOM, not opening as a quoted or block scalar; and nothing MyST would warn about or
    refuse. MyST reads such a value as its text without its spaces around; an option
    without one is None (its ``option_spec`` lets every value through as written).
    """
    spec = block.option_spec
    if not spec or content.startswith("---"):
        return None  # (no options read at all; a YAML options block)
    lines = content.splitlines()
    options: dict[str, Any] = {}
    count = 0
    if content.lstrip().startswith(":"):
        for text in lines:
            stripped = text.lstrip()
            if not stripped.startswith(":") or stripped.startswith(":::"):
                break
            name, colon, value = stripped[1:].partition(":")
            if (
                not colon
                or not _NAME.fullmatch(name)
                or value[:1] not in ("", " ")
                or any(mark in value for mark in _NOT_PLAIN)
            ):
                return None
            value = value.strip(" ")
            if value[:1] in _NOT_PLAIN_FIRST or spec[name] is not _as_written:
                return None
            options[name] = value or None
            count += 1
        if not count:
            return None  # (an options block that opens with no option)
        lines = "\n".join(lines[count:]).splitlines()
    body, offset = lines, count
    if not (block.required_arguments or block.optional_arguments):
        if first_line.strip():
            if count and any(body):
                return None  # (MyST warns of a body split between the first line and after)
            body.insert(0, first_line)
            offset -= 1
        arguments = []
    else:
        arguments = first_line.split()
        most = block.required_arguments + block.optional_arguments
        if len(arguments) < block.required_arguments:
            return None  # (MyST refuses it)
        if len(arguments) > most:
            if not block.final_argument_whitespace:
                return None
            arguments = first_line.split(None, most - 1)
    if body and not body[0].strip():
        body = body[1:]
        offset += 1
    if body and not block.has_content:
        return None
    return Reading(arguments, options, body, offset, [])


@functools.cache
def _myst_directive_parser() -> tuple[Callable[..., Any], type[Exception]]:
    """MyST's ``parse_directive_text`` and ``MarkupError``, imported when first needed."""
    _import_docutils_misc_without_urllib_request()
    from myst_parser.parsers.directives import MarkupError, parse_directive_text

    return parse_directive_text, MarkupError


def _import_docutils_misc_without_urllib_request() -> None:
    """docutils' misc directives, which MyST's directive parser imports, import
    urllib.request at once for its ``urlopen``, which only an include of a URL calls:
    with http.client, email and ssl, 30 ms, for what no issue may do (the allowlist
    refuses include). They are imported here with a stand-in for urllib.request whose
    ``urlopen`` imports the real one when it is called; the stand-in is then taken away,
    so that whatever imports urllib.request afterwards gets the real module (tested)."""
    if "urllib.request" in sys.modules or "docutils.parsers.rst.directives.misc" in sys.modules:
        return

    def urlopen(*args: Any, **kwargs: Any) -> Any:
        from urllib.request import urlopen as real_urlopen

        return real_urlopen(*args, **kwargs)

    stand_in = types.ModuleType("urllib.request")
    stand_in.urlopen = urlopen  # type: ignore[attr-defined]
    sys.modules["urllib.request"] = stand_in
    try:
        import docutils.parsers.rst.directives.misc  # noqa: F401
    finally:
        if sys.modules.get("urllib.request") is stand_in:
            del sys.modules["urllib.request"]
