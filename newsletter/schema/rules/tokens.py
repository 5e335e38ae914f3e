"""How the rules see an issue's body: its tokens, sections, texts, blocks and links.

What several rules need is computed here once: the body split at its H2 headings
(:func:`body_sections`, kept on the issue), a block read as MyST's own directive parser
reads it (:func:`parse_block`, cached: :mod:`newsletter.schema.block_reading`), every
paragraph and heading (:func:`texts`) and every token (:func:`every_token`) of the body
and of the bodies of its blocks, and every address an issue gives (:func:`links`).
The checker's parser, which reads them, is :mod:`.parsing`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import repeat

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
    """The body's tokens before the first H2, and its H2 sections (each the tokens after
    its heading's opening, up to the next one's: cut whole, not appended one by one)."""
    tokens = [t for t in issue.tokens if t.type != "front_matter"]
    starts = [
        index
        for index, token in enumerate(tokens)
        if token.type == "heading_open" and token.tag == "h2" and token.level == 0
    ]
    sections = [
        BodySection(
            tokens[start + 1].content.strip() if start + 1 < len(tokens) else "",
            line_of(tokens[start]),
            tokens[start + 1 : end],
        )
        for start, end in zip(starts, [*starts[1:], len(tokens)][: len(starts)], strict=True)
    ]
    return tokens[: starts[0]] if starts else tokens, sections


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
    HTML inline: :func:`.parsing.children_read`); a few of each issue's, picked once for the rules
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
