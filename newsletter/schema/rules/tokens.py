"""How the rules see an issue's body: its tokens, sections, texts, blocks and links.

What several rules need is computed here once: the body split at its H2 headings
(:func:`body_sections`, kept on the issue), a block read as MyST's own directive parser
reads it (:func:`parse_block`, cached: :mod:`newsletter.schema.block_reading`), every
paragraph and heading (:func:`texts`) and every token (:func:`every_token`) of the body
and of the bodies of its blocks, and every address an issue gives (:func:`links`).
"""

from __future__ import annotations

import functools
import re
import types
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import repeat

from markdown_it import MarkdownIt, helpers
from markdown_it.common.normalize_url import normalizeLink
from markdown_it.common.utils import unescapeAll
from markdown_it.helpers.parse_link_destination import _Result, parseLinkDestination
from markdown_it.rules_core import StateCore
from markdown_it.rules_core.normalize import normalize
from markdown_it.token import Token

from newsletter.schema import block_reading, markup, validators
from newsletter.schema.block_reading import Reading, Unreadable
from newsletter.schema.blockspec import BLOCKS, Block
from newsletter.schema.issuefile import IssueFile, Parser
from newsletter.schema.publication import Publication

#: ``(line, code, message)``: what a rule yields for every problem it finds
Finding = tuple[int, str, str]


Rule = Callable[[IssueFile, Publication], Iterator[Finding]]

_DIRECTIVE_INFO = re.compile(r"^\{(?P<name>[^}\s]+)\}\s*(?P<argument>.*)$")


def line_of(token: Token, default: int = 1) -> int:
    return token.map[0] + 1 if token.map else default


def directive_of(token: Token) -> tuple[str, str] | None:
    """``(name, first line)`` when a fence token is a MyST directive."""
    if token.type not in ("fence", "colon_fence"):
        return None
    match = _DIRECTIVE_INFO.match(token.info.strip())
    return (match["name"], match["argument"]) if match else None


@dataclass
class BodySection:
    """The tokens of one H2 section of the body."""

    title: str
    line: int
    tokens: list[Token] = field(default_factory=list)

    def count(self, thing: str) -> int:
        if thing == "paragraph":
            return sum(1 for t in self.tokens if t.type == "paragraph_open" and t.level == 0)
        if thing == "link":
            return sum(
                1
                for t in self.tokens
                if t.type == "inline"
                for child in t.children or ()
                if child.type == "link_open"
            )
        return sum(1 for t in self.tokens if (d := directive_of(t)) and d[0] == thing)


def split_sections(issue: IssueFile) -> tuple[list[Token], list[BodySection]]:
    """The body's tokens before the first H2, and its H2 sections."""
    preamble: list[Token] = []
    sections: list[BodySection] = []
    tokens = [t for t in issue.tokens if t.type != "front_matter"]
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag == "h2" and token.level == 0:
            title = tokens[index + 1].content.strip() if index + 1 < len(tokens) else ""
            sections.append(BodySection(title, line_of(token)))
        elif sections:
            sections[-1].tokens.append(token)
        else:
            preamble.append(token)
    return preamble, sections


def body_sections(issue: IssueFile) -> tuple[list[Token], list[BodySection]]:
    """:func:`split_sections` of the issue, made once however many rules ask."""
    if issue.body_sections is None:
        issue.body_sections = split_sections(issue)
    return issue.body_sections


@functools.lru_cache(maxsize=64)
def read_block(name: str, first_line: str, content: str, line: int) -> Reading | Unreadable:
    """MyST's reading of a block (read once, though several rules look at each block)."""
    return block_reading.read(BLOCKS[name], first_line, content, line)


def parse_block(token: Token) -> tuple[type[Block], Reading] | None:
    """A quote/stat/question fence as MyST reads it (None: no block, or no argument)."""
    if token.type not in FENCES:
        return None  # (most tokens: told before anything else is asked of them)
    found = directive_of(token)
    if not found or found[0] not in BLOCKS:
        return None
    parsed = read_block(*found, token.content, line_of(token))
    if isinstance(parsed, Unreadable):
        return None
    return BLOCKS[found[0]], parsed


@functools.lru_cache(maxsize=64)
def parse_body(text: str, parser: Parser | None = None) -> list[Token]:
    """A block's body, read by ``parser`` (:func:`markup.markdown_parser` when None)."""
    return (parser or markup.markdown_parser()).parse(text)


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


@dataclass(frozen=True)
class Text:
    """A paragraph, list item or heading of the body, or of a block's body."""

    line: int
    #: ``paragraph_open`` or ``heading_open``
    kind: str
    inline: Token

    def line_of(self, child: Token) -> int:
        """The line of one of the inline token's children (each line break is one line)."""
        breaks = 0
        for other in self.inline.children or ():
            if other is child:
                break
            breaks += other.type in ("softbreak", "hardbreak")
        return self.line + breaks


def texts(
    tokens: list[Token],
    first_line: int = 1,
    depth: int = 0,
    parser: Parser | None = None,
) -> Iterator[Text]:
    """Every paragraph and heading of ``tokens`` (whose line 1 is ``first_line``), and of
    the bodies of the blocks among them, which are Markdown too (read by ``parser``)."""
    for index, token in enumerate(tokens):
        if token.type == "inline" and index and token.map:
            kind = tokens[index - 1].type
            yield Text(first_line + token.map[0], kind, token)
        elif depth < 3 and (block := parse_block(token)):  # (a block in a block, no deeper)
            parsed = block[1]
            start = first_line + (token.map[0] if token.map else 0) + 1 + parsed.body_offset
            body = parse_body("\n".join(parsed.body), parser)
            yield from texts(body, start, depth + 1, parser)


def inline_line(issue: IssueFile, token: Token, needle: str, first_line: int = 1) -> int:
    """The line of ``needle`` within a block token's lines (its first line if absent);
    ``first_line`` is the file's line of the token's line 1 (a block body's tokens)."""
    start = first_line - 1
    if token.map:
        lines = issue.lines
        for number in range(start + token.map[0], min(start + token.map[1], len(lines))):
            if needle and needle in lines[number]:
                return number + 1
    return line_of(token) + start


#: the tokens of a fence, of which a block is one
FENCES = ("fence", "colon_fence")


def _walk(
    tokens: list[Token], first_line: int, depth: int, parser: Parser | None, walked: list
) -> None:
    """:func:`every_token`'s walk, into ``walked``: the tokens, each followed by those of
    its block's body. (A function of the module, not one defined in :func:`every_token`:
    a function that calls itself by its name from there holds itself in a cycle, which
    kept every issue and its tokens until the cyclic garbage collector came by, instead
    of freeing them as soon as the issue is checked.)"""
    done = 0
    for index, token in enumerate(tokens):
        if token.type not in FENCES or depth >= 3:  # (a block in a block, no deeper)
            continue
        if not (block := parse_block(token)):
            continue
        walked.extend(zip(tokens[done : index + 1], repeat(first_line)))
        done = index + 1
        parsed = block[1]
        start = first_line + (token.map[0] if token.map else 0) + 1 + parsed.body_offset
        _walk(parse_body("\n".join(parsed.body), parser), start, depth + 1, parser, walked)
    walked.extend(zip(tokens[done:], repeat(first_line)))


def every_token(issue: IssueFile) -> list[tuple[Token, int]]:
    """Every block token of the body, and of the bodies of its blocks (Markdown too), with
    the file's line of the token's line 1: rules about links and markup see them all.
    Walked once per issue, however many rules ask."""
    if issue.walked is None:
        body = [t for t in issue.tokens if t.type != "front_matter"]
        issue.walked = []
        _walk(body, 1, 0, issue.parser, issue.walked)
    return issue.walked


def marked_tokens(issue: IssueFile) -> list[tuple[Token, int]]:
    """Those of :func:`every_token` in which a rule may find markup: a fence (a directive),
    raw HTML, or a token whose inline children were read (a link, an image, a role, raw
    HTML inline: :func:`children_read`); a few of each issue's, picked once for the rules
    that look for these (each passed over every token before)."""
    if issue.marked is None:
        issue.marked = [
            (token, first)
            for token, first in every_token(issue)
            if token.children or token.type in FENCES or token.type == "html_block"
        ]
    return issue.marked


def issue_texts(issue: IssueFile) -> Iterator[Text]:
    """:func:`texts` of the whole body, from :func:`every_token`'s one walk (made once,
    however many rules ask)."""
    if issue.texts is None:
        walked = every_token(issue)
        issue.texts = [
            Text(first + token.map[0], walked[index - 1][0].type, token)
            for index, (token, first) in enumerate(walked)
            if token.type == "inline" and index and token.map
        ]
    return iter(issue.texts)


_ADDRESS_OPTION = re.compile(r"^\s*:(source|submit):\s*(\S+)")


def links(issue: IssueFile) -> Iterator[tuple[int, str, str]]:
    """``(line, url, kind)`` of every link, image and block ``:source:``/``:submit:``."""
    for token, first in marked_tokens(issue):
        for child in token.children or ():
            if child.type == "link_open":
                url = str(child.attrs.get("href", ""))
                yield (inline_line(issue, token, url, first), url, "link")
            elif child.type == "image":
                url = str(child.attrs.get("src", ""))
                yield (inline_line(issue, token, url, first), url, "image")
        if token.type not in FENCES:
            continue  # (most tokens: told before anything else is asked of them)
        found = directive_of(token)
        if found and found[0] in BLOCKS:
            for offset, text in enumerate(token.content.splitlines(), 1):
                match = _ADDRESS_OPTION.match(text)
                if match:
                    url = match[2]
                    if match[1] == "submit" and validators.is_email(url):
                        url = f"mailto:{url}"
                    yield (line_of(token) + first - 1 + offset, url, f":{match[1]}:")
