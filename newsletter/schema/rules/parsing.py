"""The checker's parser: MyST's, which does less for the same tokens (:class:`CheckerParser`).

The checker reads an issue with the build's parser
(:func:`newsletter.schema.markup.markdown_parser`), made to do less where the rules find
nothing more: it leaves unparsed the inline tokens where no rule finds anything
(:func:`children_read`), leaves out the block rules that cannot start a block in the text
at hand and tries the others only where they can (:mod:`.blockrules`, which also keeps
them from logging), reads and normalizes addresses at once where they are plain,
normalizes only a text that needs it, and makes a block's body of one line of prose, and
a paragraph's plain links, at once. Every piece is tested against markdown-it's own.
"""

from __future__ import annotations

import functools
import re
import types

from markdown_it import MarkdownIt, helpers
from markdown_it.common.normalize_url import normalizeLink
from markdown_it.common.utils import unescapeAll
from markdown_it.helpers.parse_link_destination import _Result, parseLinkDestination
from markdown_it.rules_core import StateCore
from markdown_it.rules_core.normalize import normalize
from markdown_it.token import Token

from newsletter.schema import markup
from newsletter.schema.rules.blockrules import silenced, tokenizer


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
    for only the tokens where :func:`children_read`: the others keep no children. A text
    of plain links is read at once (:func:`plain_links`)."""
    for token in state.tokens:
        if token.type == "inline":
            if token.children is None:
                token.children = []
            if children_read(token.content):
                if (links := plain_links(token.content, state.md)) is not None:
                    token.children.extend(links)
                else:
                    state.md.inline.parse(token.content, state.md, state.env, token.children)


#: text that markdown-it's inline rules read as text, and one text token: no line break,
#: escape, role, code, emphasis, link, image, autolink, raw HTML or entity opens in it
_PLAIN_TEXT = r"[^\n\\{}`*_\[\]!<>&]"
#: plain text, then a link: a label of plain text (not a footnote's), and an address that
#: :func:`parse_link_destination` reads at once, up to the ")"
_PLAIN_LINK = re.compile(
    rf"({_PLAIN_TEXT}*)\[(?!\^)({_PLAIN_TEXT}+)\]\((?!<)([^\x00-\x20\x7f\\()]+)\)"
)
_PLAIN_REST = re.compile(rf"{_PLAIN_TEXT}*")


def plain_links(content: str, md: MarkdownIt) -> list[Token] | None:
    """The inline tokens markdown-it gives for ``content`` where it is plain text and
    links ``[label](address)`` of plain text (:data:`_PLAIN_LINK`): each text, and each
    link's opening (its address normalized by ``md``), label and end, made at once; None
    for any other text. Most paragraphs whose inline tokens the rules read are such text,
    and markdown-it's inline parse of one took five times as long (tested against it)."""
    tokens: list[Token] = []
    position = 0
    while link := _PLAIN_LINK.match(content, position):
        before, label, address = link.groups()
        if before:
            tokens.append(Token("text", "", 0, content=before))
        tokens += [
            Token("link_open", "a", 1, attrs={"href": md.normalizeLink(address)}),
            Token("text", "", 0, content=label, level=1),
            Token("link_close", "a", -1),
        ]
        position = link.end()
    if not tokens or not _PLAIN_REST.fullmatch(content, position):
        return None
    if position < len(content):
        tokens.append(Token("text", "", 0, content=content[position:]))
    return tokens


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
    parser.block.tokenize = tokenizer(parser.block.ruler)  # type: ignore[method-assign]
    return parser


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
    (:func:`.blockrules.silenced`), and a text with no "\\r" or NUL is not normalized
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
