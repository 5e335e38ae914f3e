"""The rules an issue's body must follow, each a small generator.

A rule takes the parsed :class:`~newsletter.issuefile.IssueFile` and the
:class:`~newsletter.publication.Publication` and yields ``(line, code,
message)`` for every problem it finds. The required sections and what each
must hold come from ``publication.toml``; nothing about them is written here.
"""

from __future__ import annotations

import fnmatch
import functools
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from markdown_it.token import Token
from myst_parser.parsers.directives import (
    DirectiveParsingResult,
    MarkupError,
    parse_directive_text,
)

from newsletter.schema import allowed, markup, validators
from newsletter.schema.blocks import BLOCK_DIRECTIVES, BlockDirective, option_line
from newsletter.schema.issuefile import IssueFile
from newsletter.schema.publication import Publication

Finding = tuple[int, str, str]
Rule = Callable[[IssueFile, Publication], Iterator[Finding]]

_DIRECTIVE_INFO = re.compile(r"^\{(?P<name>[^}\s]+)\}\s*(?P<argument>.*)$")


def _line(token: Token, default: int = 1) -> int:
    return token.map[0] + 1 if token.map else default


def directive_of(token: Token) -> tuple[str, str] | None:
    """``(name, first line)`` when a fence token is a MyST directive."""
    if token.type not in ("fence", "colon_fence"):
        return None
    match = _DIRECTIVE_INFO.match(token.info.strip())
    return (match["name"], match["argument"]) if match else None


@dataclass
class Section:
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


def split_sections(issue: IssueFile) -> tuple[list[Token], list[Section]]:
    """The body's tokens before the first H2, and its H2 sections."""
    preamble: list[Token] = []
    sections: list[Section] = []
    tokens = [t for t in issue.tokens if t.type != "front_matter"]
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag == "h2" and token.level == 0:
            title = tokens[index + 1].content.strip() if index + 1 < len(tokens) else ""
            sections.append(Section(title, _line(token)))
        elif sections:
            sections[-1].tokens.append(token)
        else:
            preamble.append(token)
    return preamble, sections


@functools.lru_cache(maxsize=64)
def _read_block(
    name: str, first_line: str, content: str, line: int
) -> DirectiveParsingResult | MarkupError:
    """MyST's reading of a block (read once, though several rules look at each block)."""
    try:
        return parse_directive_text(BLOCK_DIRECTIVES[name], first_line, content, line=line)
    except MarkupError as error:
        return error


def parse_block(token: Token) -> tuple[type[BlockDirective], DirectiveParsingResult] | None:
    """A quote/stat/question fence as MyST reads it (None: no block, or no argument)."""
    found = directive_of(token)
    if not found or found[0] not in BLOCK_DIRECTIVES:
        return None
    parsed = _read_block(*found, token.content, _line(token))
    if isinstance(parsed, MarkupError):
        return None
    return BLOCK_DIRECTIVES[found[0]], parsed


@functools.lru_cache(maxsize=64)
def _parse_body(text: str) -> list[Token]:
    return markup.markdown_parser().parse(text)


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


def texts(tokens: list[Token], first_line: int = 1, depth: int = 0) -> Iterator[Text]:
    """Every paragraph and heading of ``tokens`` (whose line 1 is ``first_line``), and of
    the bodies of the blocks among them, which are Markdown too."""
    for index, token in enumerate(tokens):
        if token.type == "inline" and index and token.map:
            kind = tokens[index - 1].type
            yield Text(first_line + token.map[0], kind, token)
        elif depth < 3 and (block := parse_block(token)):  # (a block in a block, no deeper)
            parsed = block[1]
            start = first_line + (token.map[0] if token.map else 0) + 1 + parsed.body_offset
            yield from texts(_parse_body("\n".join(parsed.body)), start, depth + 1)


def _words(text: str) -> tuple[str, ...]:
    """The words of a text, whatever its case, character widths, spacing and punctuation."""
    return tuple(re.sub(r"[\W_]+", " ", unicodedata.normalize("NFKC", text).casefold()).split())


_setting_words = functools.lru_cache(maxsize=16)(_words)


#: How many of the closing paragraph's first words make a paragraph a typed closing.
CLOSING_WORDS = 8


def boilerplate(text: Text, pub: Publication) -> str | None:
    """``salutation`` or ``closing`` when a paragraph is one of them, typed into the issue."""
    if text.kind != "paragraph_open":
        return None
    salutation = _setting_words(pub.site.salutation)
    closing = _setting_words(pub.site.closing)[:CLOSING_WORDS]
    # (only its beginning counts: that is all that is read of a long paragraph)
    start = len(pub.site.salutation) + len(" ".join(pub.site.closing.split()[:CLOSING_WORDS]))
    words = _words(text.inline.content[: 2 * start + 100])
    if salutation and words[: len(salutation)] == salutation:
        return "salutation"
    if closing and words[: len(closing)] == closing:
        return "closing"
    return None


# -- the rules -----------------------------------------------------------------


def title_is_not_repeated(issue: IssueFile, pub: Publication) -> Iterator[Finding]:
    for token in issue.tokens:
        if token.type == "heading_open" and token.tag == "h1":
            yield (
                _line(token),
                "S306",
                "the title comes from the front matter; remove this '#' heading",
            )


def nothing_before_first_section(issue: IssueFile, pub: Publication) -> Iterator[Finding]:
    if not issue.front_matter_closed:
        return  # the unclosed front matter was reported; its lines are not "text"
    preamble, _ = split_sections(issue)
    typed = {text.line for text in texts(preamble) if boilerplate(text, pub)}  # that is S310
    for token in preamble:
        if token.level == 0 and token.map and not token.type.startswith("heading"):
            if _line(token) in typed:
                continue
            first = pub.section_titles[0]
            yield (
                _line(token),
                "S305",
                f'text before the first section "{first}": an issue starts with its first '
                f'section ("## {first}"); move this text into a section or delete it',
            )
            return


def salutation_and_closing_are_not_typed(issue: IssueFile, pub: Publication) -> Iterator[Finding]:
    """They are the same in every issue and added from publication.toml: typed, they show twice."""
    if not issue.front_matter_closed:
        return
    body = [t for t in issue.tokens if t.type != "front_matter"]
    for text in texts(body):
        which = boilerplate(text, pub)
        if which == "salutation":
            yield (
                text.line,
                "S310",
                f'the salutation "{pub.site.salutation}" is added to every issue from '
                "publication.toml; delete this line",
            )
        elif which == "closing":
            opening = " ".join(pub.site.closing.split()[:CLOSING_WORDS])
            yield (
                text.line,
                "S310",
                f'the closing paragraph ("{opening} ...") is added to every issue from '
                "publication.toml; delete this paragraph",
            )


def sections_present_and_in_order(issue: IssueFile, pub: Publication) -> Iterator[Finding]:
    _, sections = split_sections(issue)
    expected = pub.section_titles
    seen: dict[str, int] = {}
    for section in sections:
        if section.title not in expected:
            yield (
                section.line,
                "S303",
                f'unexpected section "{section.title}" '
                f"(an issue has these sections: {', '.join(expected)})",
            )
        elif section.title in seen:
            yield (section.line, "S304", f'section "{section.title}" appears twice')
        else:
            seen[section.title] = section.line
    # order: each present section must come after those listed before it
    latest: tuple[int, str] | None = None
    for title in expected:
        if title not in seen:
            continue
        if latest and seen[title] < latest[0]:
            yield (seen[title], "S302", f'section "{title}" must come after "{latest[1]}"')
        else:
            latest = (seen[title], title)
    for position, title in enumerate(expected):
        if title in seen:
            continue
        later = [seen[t] for t in expected[position + 1 :] if t in seen]
        yield (later[0] if later else issue.last_line, "S301", f'missing section "{title}"')


def sections_hold_what_they_must(issue: IssueFile, pub: Publication) -> Iterator[Finding]:
    _, sections = split_sections(issue)
    rules = {section.title: section.holds for section in pub.sections}
    for section in sections:
        for thing, count in rules.get(section.title, ()):
            found = section.count(thing)
            if not count.accepts(found):
                noun = "block" if thing in BLOCK_DIRECTIVES else ""
                what = f"{thing} {noun}".strip()
                message = (
                    f'section "{section.title}" must hold {count.describe(what)}, found {found}'
                )
                yield _lookalike(section, thing, found < count.n) or (section.line, "S307", message)


def _lookalike(section: Section, thing: str, too_few: bool) -> Finding | None:
    """S307 at the Markdown written where a block belongs (a '>' blockquote for a quote)."""
    directive = BLOCK_DIRECTIVES.get(thing)
    if not too_few or directive is None or directive.lookalike is None:
        return None
    token_type, description = directive.lookalike
    for token in section.tokens:
        if token.type == token_type and token.level == 0:
            return (
                _line(token, section.line),
                "S307",
                f'section "{section.title}": write the {thing} as a block: '
                f":::{{{thing}}} ... ::: ({description} is not the {thing} block)",
            )
    return None


def fences_are_closed(issue: IssueFile, pub: Publication) -> Iterator[Finding]:
    lines = issue.text.splitlines()
    for token in issue.tokens:
        if token.type in ("fence", "colon_fence") and token.map:
            start, end = token.map
            closing = lines[end - 1].strip() if end - 1 < len(lines) else ""
            if end - 1 <= start or not closing.startswith(token.markup[:3]):
                yield (
                    _line(token),
                    "S308",
                    f"the '{token.markup}' fence opened here is never closed",
                )


def blocks_are_well_formed(issue: IssueFile, pub: Publication) -> Iterator[Finding]:
    """Validate each quote/stat/question with MyST's own directive parser."""
    for token in issue.tokens:
        found = directive_of(token)
        if not found or found[0] not in BLOCK_DIRECTIVES:
            continue
        name, first_line = found
        directive = BLOCK_DIRECTIVES[name]
        line = _line(token)
        parsed = _read_block(name, first_line, token.content, line)
        if isinstance(parsed, MarkupError):
            yield (line, "D403", f'the "{name}" block: {parsed}')
            continue
        for warning in parsed.warnings:  # (the options block itself is malformed)
            yield (warning.lineno or line, "D401", f'the "{name}" block: {warning.msg}')
        for option, message in directive.check_options(parsed.options)[1]:
            # (the fence's line, then its content: the lines the directive reads)
            yield (line + option_line("\n" + token.content, option), "D401", message)
        # an option given with a bad value was reported above: it is not also missing
        for message in directive.usage_problems(parsed.options, "\n".join(parsed.body)):
            yield (line, "D402", message)


def published_blocks_are_complete(issue: IssueFile, pub: Publication) -> Iterator[Finding]:
    """A block's options that may wait in a draft (to fill) but not once it is published."""
    for token in issue.tokens:
        if not (block := parse_block(token)):
            continue
        directive, parsed = block
        given = {*parsed.options}
        given |= {directive.meant(n) for n in given if n not in directive.option_checks}  # D401
        for name, meaning in directive.required_when_published.items():
            if name in given:
                continue
            if issue.meta.published:
                message = (
                    f'the "{directive.name}" block of a published issue needs a ":{name}:" '
                    f"option: {meaning}"
                )
                yield (_line(token), "D404", message)
            else:
                message = f'the "{directive.name}" block\'s ":{name}:" option: {meaning}'
                yield (_line(token), "D405", message)


#: A placeholder left by ``python -m newsletter new``: ``[[FILL: what goes here]]``.
PLACEHOLDER = re.compile(r"\[\[FILL(?::\s*(?P<what>[^\]]*?))?\s*\]\]")


def placeholders_are_filled(issue: IssueFile, pub: Publication) -> Iterator[Finding]:
    """In a draft a placeholder is work to do (T701); a published issue may hold none."""
    for number, text in enumerate(issue.text.splitlines(), 1):
        for match in PLACEHOLDER.finditer(text):
            if issue.meta.published:
                yield (number, "T702", f"a published issue still holds the placeholder {match[0]}")
            else:
                yield (number, "T701", match["what"] or "a placeholder")


def headings_are_not_too_deep(issue: IssueFile, pub: Publication) -> Iterator[Finding]:
    deepest = pub.max_heading_level
    for token in issue.tokens:
        if token.type == "heading_open" and int(token.tag[1:]) > deepest:
            yield (
                _line(token),
                "S309",
                f"heading level {token.tag[1:]} is deeper than an issue allows "
                f"(at most {'#' * deepest})",
            )


def _inline_line(issue: IssueFile, token: Token, needle: str, first_line: int = 1) -> int:
    """The line of ``needle`` within a block token's lines (its first line if absent);
    ``first_line`` is the file's line of the token's line 1 (a block body's tokens)."""
    start = first_line - 1
    if token.map:
        lines = issue.text.splitlines()
        for number in range(start + token.map[0], min(start + token.map[1], len(lines))):
            if needle and needle in lines[number]:
                return number + 1
    return _line(token) + start


def every_token(issue: IssueFile) -> Iterator[tuple[Token, int]]:
    """Every block token of the body, and of the bodies of its blocks (Markdown too), with
    the file's line of the token's line 1: rules about links and markup see them all."""

    def walk(tokens: list[Token], first_line: int, depth: int) -> Iterator[tuple[Token, int]]:
        for token in tokens:
            yield token, first_line
            if depth < 3 and (block := parse_block(token)):  # (a block in a block, no deeper)
                parsed = block[1]
                start = first_line + (token.map[0] if token.map else 0) + 1 + parsed.body_offset
                yield from walk(_parse_body("\n".join(parsed.body)), start, depth + 1)

    yield from walk([t for t in issue.tokens if t.type != "front_matter"], 1, 0)


def links(issue: IssueFile) -> Iterator[tuple[int, str, str]]:
    """``(line, url, kind)`` of every link, image and block ``:source:``/``:submit:``."""
    for token, first in every_token(issue):
        for child in token.children or ():
            if child.type == "link_open":
                url = str(child.attrs.get("href", ""))
                yield (_inline_line(issue, token, url, first), url, "link")
            elif child.type == "image":
                url = str(child.attrs.get("src", ""))
                yield (_inline_line(issue, token, url, first), url, "image")
        found = directive_of(token)
        if found and found[0] in BLOCK_DIRECTIVES:
            for offset, text in enumerate(token.content.splitlines(), 1):
                match = re.match(r"^\s*:(source|submit):\s*(\S+)", text)
                if match:
                    url = match[2]
                    if match[1] == "submit" and validators.is_email(url):
                        url = f"mailto:{url}"
                    yield (_line(token) + first - 1 + offset, url, f":{match[1]}:")


def _tracking(url: str, patterns: tuple[str, ...]) -> list[str]:
    parts = validators.split_url(url)
    query = parts.query if parts else ""
    names = [name for name, _ in parse_qsl(query, keep_blank_values=True)]
    return [n for n in names if any(fnmatch.fnmatchcase(n.lower(), p) for p in patterns)]


def _link_form(url: str, kind: str) -> tuple[str, str] | None:
    """``(code, message)`` when a link is not absolute and well formed."""
    parts = validators.split_url(url)
    if parts is None:
        return ("L502", f"{kind} {url!r} is not a well-formed address")
    scheme = parts.scheme.lower()
    if not scheme:
        return ("L501", f"{kind} {url!r} is relative: links in an issue are absolute (https://...)")
    if scheme not in allowed.LINK_SCHEMES:
        *others, last = (f"{s}:" for s in allowed.LINK_SCHEMES)
        schemes = f"{', '.join(others)} and {last}"
        return ("L501", f"{kind} {url!r} uses {scheme}:, only {schemes} are allowed")
    if scheme == "mailto" and not validators.is_email(parts.path):
        return ("L502", f"{kind} {url!r} is not a well-formed email address")
    if scheme != "mailto" and (not parts.hostname or "." not in parts.hostname or " " in url):
        return ("L502", f"{kind} {url!r} is not a well-formed web address")
    return None


def links_are_sound(issue: IssueFile, pub: Publication) -> Iterator[Finding]:
    """Absolute, well formed, untracked, and each given once."""
    first_seen: dict[str, int] = {}
    for line, url, kind in links(issue):
        # a block's :source:/:submit: form is checked by the block's own validator
        if not kind.startswith(":") and (bad := _link_form(url, kind)):
            yield (line, *bad)
            continue
        for name in _tracking(url, pub.tracking_parameters):
            yield (
                line,
                "L503",
                f"{kind} {url!r} carries the tracking parameter {name!r}; remove it",
            )
        key = url.rstrip("/")
        if kind != "image" and key in first_seen:
            yield (line, "L504", f"link {url!r} is already given on line {first_seen[key]}")
        first_seen.setdefault(key, line)


def images_have_alt_text(issue: IssueFile, pub: Publication) -> Iterator[Finding]:
    for token, first in every_token(issue):
        for child in token.children or ():
            if child.type == "image" and not (child.content or "").strip():
                src = str(child.attrs.get("src", ""))
                yield (
                    _inline_line(issue, token, src, first),
                    "L505",
                    f"image {src!r} needs alt text: ![what it shows]({src})",
                )


#: ``https://...`` or ``www.example.org``, not within a word or an email address
_BARE_ADDRESS = re.compile(r"(?<![@.])\b(?:https?://|www\.\w)[^\s<>]*", re.IGNORECASE)


def addresses_are_links(issue: IssueFile, pub: Publication) -> Iterator[Finding]:
    """An address written as text is shown as text (MyST's linkify is not enabled)."""
    body = [t for t in issue.tokens if t.type != "front_matter"]
    for text in texts(body):
        depth = 0
        for child in text.inline.children or ():
            depth += {"link_open": 1, "link_close": -1}.get(child.type, 0)
            if depth or child.type != "text":
                continue
            for match in _BARE_ADDRESS.finditer(child.content):
                url = match[0].rstrip(".,;:!?'\"")
                if url.endswith(")") and "(" not in url:
                    url = url.rstrip(")")
                href = url if "://" in url else f"https://{url}"
                yield (
                    text.line_of(child),
                    "L506",
                    f"a bare address is shown as plain text; write it as a link: "
                    f"[what it is]({href})",
                )


_EVENT_HANDLER = re.compile(r"<[^>]*\son\w+\s*=", re.IGNORECASE)


def no_raw_html(issue: IssueFile, pub: Publication) -> Iterator[Finding]:
    """Issues are Markdown: raw HTML reaches web pages and inboxes unchecked."""
    for token, first in every_token(issue):
        pieces = [(token, token.content)] if token.type == "html_block" else []
        pieces += [(token, c.content) for c in token.children or () if c.type == "html_inline"]
        for block, html in pieces:
            needle = html.strip().splitlines()[0] if html.strip() else ""
            line = _inline_line(issue, block, needle, first)
            if re.search(r"<\s*script", html, re.IGNORECASE):
                yield (line, "H602", "raw HTML <script> is not allowed in an issue")
            elif _EVENT_HANDLER.search(html):
                yield (line, "H603", "raw HTML with an event handler (on...=) is not allowed")
            else:
                yield (
                    line,
                    "H601",
                    f"raw HTML {html.strip()[:40]!r} is not allowed in an issue; write Markdown "
                    "(and % for a comment)",
                )


def only_what_an_issue_may_use(issue: IssueFile, pub: Publication) -> Iterator[Finding]:
    """Directives and roles outside the allowlist of :mod:`newsletter.allowed`."""
    for token, first in every_token(issue):
        for block, role, message in allowed.refusals([token]):
            if role is None:
                yield (_line(block) + first - 1, "H604", message)
            else:
                needle = "{" + str(role.meta.get("name", "")) + "}"
                yield (_inline_line(issue, block, needle, first), "H605", message)


#: Every rule, in the order their findings are most useful to read.
RULES: tuple[Rule, ...] = (
    title_is_not_repeated,
    nothing_before_first_section,
    salutation_and_closing_are_not_typed,
    sections_present_and_in_order,
    sections_hold_what_they_must,
    fences_are_closed,
    blocks_are_well_formed,
    published_blocks_are_complete,
    headings_are_not_too_deep,
    links_are_sound,
    addresses_are_links,
    images_have_alt_text,
    no_raw_html,
    only_what_an_issue_may_use,
    placeholders_are_filled,
)

#: Rules whose findings the Sphinx build reports itself (the directives
#: validate their own options), so the build skips them to say things once.
BUILD_REPORTS_ITSELF: frozenset[Rule] = frozenset({blocks_are_well_formed})


def body_findings(issue: IssueFile, pub: Publication, rules: tuple[Rule, ...] = RULES) -> None:
    """Run ``rules`` over a parsed issue, adding their findings to its problems."""
    if not issue.tokens:
        return
    for rule in rules:
        for line, code, message in rule(issue, pub):
            issue.problem(line, code, message)
