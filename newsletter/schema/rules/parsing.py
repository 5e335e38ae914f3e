"""The checker's parser: MyST's, which does less for the same tokens (:class:`CheckerParser`).

The checker reads an issue with the build's parser
(:func:`newsletter.schema.markup.markdown_parser`), made to do less where the rules find
nothing more: it leaves unparsed the inline tokens
where no rule finds anything (:func:`children_read`), leaves out the block rules that
cannot start a block in the text at hand, reads and normalizes addresses at once where
they are plain, does not log, normalizes only a text that needs it, and makes a block's
body of one line of prose at once. Every piece is tested against markdown-it's own.
"""

from __future__ import annotations

import functools
import re
import types
from collections.abc import Callable

from markdown_it import MarkdownIt, helpers
from markdown_it.common.normalize_url import normalizeLink
from markdown_it.common.utils import unescapeAll
from markdown_it.helpers.parse_link_destination import _Result, parseLinkDestination
from markdown_it.ruler import Ruler
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.rules_core.normalize import normalize
from markdown_it.token import Token

from newsletter.schema import markup


def may_hold_address(text: str) -> bool:
    """False when no bare address (:data:`newsletter.schema.rules.links._BARE_ADDRESS`)
    can be in ``text``, told faster than by trying it at every position: it needs "://",
    or "www." in any case (no character but w and W matches w, ignoring case, nor
    lower-cases to one)."""
    return "://" in text or "www." in text.lower()


#: What the text of a paragraph or heading holds wherever a rule finds something in its
#: inline tokens (its children): a link or an image ("[", and "<" for an autolink), raw
#: HTML ("<"), a role ("{"), a footnote reference ("["); and a bare address in a text
#: token (:func:`may_hold_address`), whose text is a piece of the source unless a
#: backslash escape or an entity ("\\", "&") made it.
_CHILDREN_READ_MARKS = ("[", "<", "{", "\\", "&")


def children_read(content: str) -> bool:
    """False when no rule finds anything in the inline tokens of an inline token whose
    text is ``content``: the checker then leaves them unparsed (:func:`checker_parser`).
    True for about a paragraph in five of an issue, its links. (A loop, not ``any()``
    over a generator: half the time, for every paragraph.)"""
    for mark in _CHILDREN_READ_MARKS:
        if mark in content:
            return True
    return may_hold_address(content)


def _inline_where_read(state: StateCore) -> None:
    """markdown-it's core rule "inline" (which parses each inline token's children),
    for only the tokens where :func:`children_read`: the others keep no children."""
    for token in state.tokens:
        if token.type == "inline":
            if token.children is None:
                token.children = []
            if children_read(token.content):
                state.md.inline.parse(token.content, state.md, state.env, token.children)


#: an address that markdown-it's ``normalizeLink`` gives back as it is (tested): a web or
#: mail address of letters, digits and a few marks, which it has nothing to encode in
_PLAIN_ADDRESS = re.compile(
    r"(?:https?://|mailto:)[A-Za-z0-9][A-Za-z0-9.\-]*(?:/[A-Za-z0-9\-._~/]*)?"
    r"(?:\?[A-Za-z0-9\-._~/=&]*)?(?:#[A-Za-z0-9\-._~/]*)?"
)


def normalize_link(url: str) -> str:
    """markdown-it's ``normalizeLink`` (which parses, re-assembles and percent-encodes an
    address, character by character: a tenth of the parse of an issue's links), told
    at once for a plain address (:data:`_PLAIN_ADDRESS`), which it leaves as it is."""
    return url if _PLAIN_ADDRESS.fullmatch(url) else normalizeLink(url)


#: Block rules of the parser, each with the marks that a text must hold somewhere for it
#: to start a block (read from markdown-it's and MyST's rules): a table's head row holds
#: "|"; raw HTML opens with "<", a footnote with "[^", a comment with "%", a block break
#: is "+++" (spaced or not), a target ends in ")=", a quote opens with ">", indented
#: code is four columns of white space (spaces or a tab) deeper than its container, a
#: code fence opens with three backticks or tildes, and a link reference definition's
#: label ends in "]:".
_BLOCK_RULE_MARKS: dict[str, tuple[str, ...]] = {
    "table": ("|",),
    "html_block": ("<",),
    "footnote_def": ("[^",),
    "myst_line_comment": ("%",),
    "myst_block_break": ("+",),
    "myst_target": (")=",),
    "blockquote": (">",),
    "code": ("    ", "\t"),
    "fence": ("```", "~~~"),
    "reference": ("]:",),
}


#: every rule of :data:`_BLOCK_RULE_MARKS`, and ``(mark, rule)`` for each of its marks
_BLOCK_RULES = frozenset(_BLOCK_RULE_MARKS)
_BLOCK_MARKS = tuple((mark, rule) for rule, marks in _BLOCK_RULE_MARKS.items() for mark in marks)


class _Silent:
    """A logger that says nothing, at once."""

    __slots__ = ()

    @staticmethod
    def debug(*args: object) -> None:
        pass


def silenced(rule: Callable[..., bool]) -> Callable[..., bool]:
    """markdown-it's block ``rule`` as a function of its own whose ``LOGGER`` says nothing.

    Each block rule of markdown-it opens with ``LOGGER.debug(...)``: at every line where a
    block may start, every rule asks the logging module whether it is to log (115,000
    times at 520 issues, 60 ms, for nothing). The copy runs the rule's own code, with its
    module's names but a silent ``LOGGER``; markdown-it's module and its logger are left
    as they are, and so is every other parser."""
    code = getattr(rule, "__code__", None)
    if code is None or "LOGGER" not in code.co_names or "LOGGER" not in rule.__globals__:
        return rule
    copy = types.FunctionType(
        code, {**rule.__globals__, "LOGGER": _Silent()}, rule.__name__, rule.__defaults__,
        rule.__closure__,
    )  # fmt: skip
    copy.__kwdefaults__ = rule.__kwdefaults__
    return copy


def _normalize_where_needed(state: StateCore) -> None:
    """markdown-it's core rule "normalize" (line endings to "\\n", NUL to U+FFFD), which
    rebuilds the text with two regular expressions: only for a text that holds a "\\r"
    or a NUL, the others are left as they are."""
    if "\r" in state.src or "\0" in state.src:
        normalize(state)


#: the characters of a link's address that markdown-it's ``parseLinkDestination`` reads
#: one by one to no effect: all but controls, space, backslash and brackets
_PLAIN_DESTINATION = re.compile(r"[^\x00-\x20\x7f\\()]*")


def parse_link_destination(string: str, pos: int, maximum: int) -> _Result:
    """markdown-it's ``parseLinkDestination``, which reads a link's address character by
    character (a tenth of the parse of an issue), told at once for an address that does
    not open with "<" and holds no backslash or "(" before its end (a space, a control
    character, a ")" or ``maximum``)."""
    if string[pos : pos + 1] == "<":
        return parseLinkDestination(string, pos, maximum)
    end = _PLAIN_DESTINATION.match(string, pos, maximum).end()  # type: ignore[union-attr]
    if end < maximum and string[end] in "\\(":
        return parseLinkDestination(string, pos, maximum)
    result = _Result()
    if end > pos:
        result.str = unescapeAll(string[pos:end])
        result.pos = end
        result.ok = True
    return result


@functools.cache
def _parser_without(rules: frozenset[str]) -> MarkdownIt:
    """:func:`markup.markdown_parser` as the checker reads with it (:class:`CheckerParser`),
    without the block ``rules``."""
    parser = markup.new_markdown_parser()
    parser.core.ruler.at("normalize", _normalize_where_needed)
    parser.core.ruler.at("inline", _inline_where_read)
    parser.normalizeLink = normalize_link  # type: ignore[method-assign]
    parser.helpers = types.SimpleNamespace(  # type: ignore[assignment]
        parseLinkLabel=helpers.parseLinkLabel,
        parseLinkDestination=parse_link_destination,
        parseLinkTitle=helpers.parseLinkTitle,
    )
    for rule in parser.block.ruler.__rules__:
        parser.block.ruler.at(rule.name, silenced(rule.fn), {"alt": rule.alt})
    if rules:
        parser.block.ruler.disable(sorted(rules))
    parser.block.tokenize = _tokenizer(parser.block.ruler)  # type: ignore[method-assign]
    return parser


#: The block rules that start a block only at a line whose first character (after its
#: indentation) is one of these (read from markdown-it's and MyST's rules: each returns
#: at once, changing nothing, at any other); the others (a front matter, a table, indented
#: code, a target, a setext heading, a paragraph) are tried at every line.
_FIRST_MARKS: dict[str, str] = {
    "colon_fence": ":",
    "fence": "`~",
    "myst_line_comment": "%",
    "blockquote": ">",
    "myst_block_break": "+",
    "hr": "*-_",
    "list": "*-+0123456789",
    "footnote_def": "[",
    "reference": "[",
    "html_block": "<",
    "heading": "#",
}


def _tokenizer(ruler: Ruler) -> Callable[[StateBlock, int, int], None]:
    """markdown-it's ``ParserBlock.tokenize`` (of markdown-it-py 4.3, constraints.txt),
    which tries every block rule in turn at each line where a block starts: trying only
    those that can start a block with the line's first character (:data:`_FIRST_MARKS`),
    in the same order, and the front matter's on a text's line 0 only. Eleven rules of
    seventeen open with one mark, and each was called, to return at once, at every block
    of an issue (the tokens are the same: tested)."""
    enabled = [(rule.name, rule.fn) for rule in ruler.__rules__ if rule.enabled]

    def by_first_mark(rules: list[tuple[str, Callable]]) -> dict[str | None, list[Callable]]:
        table: dict[str | None, list[Callable]] = {
            mark: [fn for name, fn in rules if mark in _FIRST_MARKS.get(name, mark)]
            for mark in "".join(_FIRST_MARKS.get(name, "") for name, _ in rules)
        }
        table[None] = [fn for name, fn in rules if name not in _FIRST_MARKS]
        return table

    # (a front matter starts on a text's line 0 only: its rule says no at once elsewhere)
    at_start = by_first_mark(enabled)
    after_start = by_first_mark([(name, fn) for name, fn in enabled if name != "front_matter"])

    def tokenize(state: StateBlock, startLine: int, endLine: int) -> None:
        line = startLine
        maxNesting = state.md.options.maxNesting
        hasEmptyLines = False

        while line < endLine:
            state.line = line = state.skipEmptyLines(line)
            if line >= endLine:
                break
            if state.sCount[line] < state.blkIndent:
                # Termination condition for nested calls.
                break
            if state.level >= maxNesting:
                # If nesting level exceeded - skip tail to the end.
                state.line = endLine
                break

            ok = False
            first = state.src[state.bMarks[line] + state.tShift[line]]
            table = after_start if line else at_start
            for rule in table.get(first) or table[None]:
                ok = rule(state, line, endLine, False)
                if ok:
                    if state.line <= line:
                        raise RuntimeError("block rule didn't increment state.line")
                    break

            if not ok:
                raise RuntimeError("none of the block rules matched")

            state.tight = not hasEmptyLines
            line = state.line
            if (line - 1) < endLine and state.isEmpty(line - 1):
                hasEmptyLines = True
            if line < endLine and state.isEmpty(line):
                hasEmptyLines = True
                line += 1
                state.line = line

    return tokenize


class CheckerParser:
    """The checker's parser: :func:`markup.markdown_parser`, which parses the inline
    tokens of a paragraph or heading only where a rule could find something in them
    (:func:`children_read`). Inline parsing is most of the parse of an issue's prose, and
    four paragraphs in five hold no link; the rules find the same in the tokens it gives
    as in the full parse's (tested on every rule's cases). Its links' addresses are read
    and normalized as markdown-it does, faster (:func:`parse_link_destination`,
    :func:`normalize_link`); it leaves out the
    block rules that cannot start a block in the text at hand, which holds none of their
    marks (:data:`_BLOCK_RULE_MARKS`): each is tried at every line, and a rule that
    cannot start a block cannot end one either; its block rules do not log
    (:func:`silenced`), and a text with no "\\r" or NUL is not normalized
    (:func:`_normalize_where_needed`). The tokens are the same (tested). Measured in
    instructions (callgrind, 100 issues of the benchmark's archive), this parses in 30%
    fewer than without the last four: normalizing 12%, reading addresses 10%, fences and
    link references left out 5%, the silent rules 4%."""

    def parse(self, text: str) -> list[Token]:
        if (paragraph := one_plain_paragraph(text)) is not None:
            return paragraph
        # (one set of the marks found, not a generator for each rule: a seventh of the
        # time, for a block's body)
        unused = _BLOCK_RULES - {rule for mark, rule in _BLOCK_MARKS if mark in text}
        return _parser_without(unused).parse(text)


#: quotation marks that may open a paragraph of prose (no block rule starts with one)
_QUOTES = frozenset("\"'“‘«„")


def one_plain_paragraph(text: str) -> list[Token] | None:
    """The tokens the checker's parser gives for ``text`` where it is one line of prose
    that opens with a letter or a quotation mark (which starts no block but a paragraph),
    holds no mark of inline markup (:func:`children_read`: the checker leaves its inline
    token unparsed) and nothing markdown-it normalizes: a paragraph, its inline token and
    its end, made at once; None for any other text. Most blocks' bodies are such a line,
    and parsing one took five times as long: 23 us, 36 ms at 520 issues (tested against
    the parse)."""
    if not text or not (text[0].isalpha() or text[0] in _QUOTES):
        return None
    if "\n" in text or "\r" in text or "\0" in text:
        return None
    content = text.strip()
    if children_read(content):
        return None
    return [
        Token("paragraph_open", "p", 1, map=[0, 1], level=0, block=True),
        Token("inline", "", 0, map=[0, 1], level=1, children=[], content=content, block=True),
        Token("paragraph_close", "p", -1, level=0, block=True),
    ]


@functools.cache
def checker_parser() -> CheckerParser:
    """The checker's parser (:class:`CheckerParser`), made once."""
    return CheckerParser()
