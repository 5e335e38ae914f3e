"""The rules an issue's body must follow, each a small generator.

A rule takes the parsed :class:`~newsletter.issuefile.IssueFile` and the
:class:`~newsletter.publication.Publication` and yields ``(line, code,
message)`` for every problem it finds. The required sections and what each
must hold come from ``publication.toml``; nothing about them is written here.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from markdown_it.token import Token
from myst_parser.parsers.directives import MarkupError, parse_directive_text

from . import validators
from .blocks import BLOCK_DIRECTIVES
from .issuefile import IssueFile
from .publication import Publication

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
    for token in preamble:
        if token.level == 0 and token.map and not token.type.startswith("heading"):
            yield (
                _line(token),
                "S305",
                f'text before the first section "{pub.section_titles[0]}": the salutation '
                "and the closing come from publication.toml, not from the issue",
            )
            return


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
                yield (
                    section.line,
                    "S307",
                    f'section "{section.title}" must hold {count.describe(what)}, found {found}',
                )


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
        try:
            parsed = parse_directive_text(directive, first_line, token.content, line=line)
        except MarkupError as error:
            yield (line, "D403", f'the "{name}" block: {error}')
            continue
        for warning in parsed.warnings:
            yield (warning.lineno or line, "D401", f'the "{name}" block: {warning.msg}')
        # an option given with a bad value was reported above: it is not also missing
        given = parsed.options
        if parsed.warnings:  # (only the names count: they are all there when none was bad)
            given = parse_directive_text(
                directive, first_line, token.content, line=line, validate_options=False
            ).options
        for message in directive.usage_problems(given, "\n".join(parsed.body)):
            yield (line, "D402", message)


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


def _inline_line(issue: IssueFile, token: Token, needle: str) -> int:
    """The line of ``needle`` within a block token's lines (its first line if absent)."""
    if token.map:
        lines = issue.text.splitlines()
        for number in range(token.map[0], min(token.map[1], len(lines))):
            if needle and needle in lines[number]:
                return number + 1
    return _line(token)


def links(issue: IssueFile) -> Iterator[tuple[int, str, str]]:
    """``(line, url, kind)`` of every link, image and block ``:source:``/``:submit:``."""
    for token in issue.tokens:
        for child in token.children or ():
            if child.type == "link_open":
                url = str(child.attrs.get("href", ""))
                yield (_inline_line(issue, token, url), url, "link")
            elif child.type == "image":
                url = str(child.attrs.get("src", ""))
                yield (_inline_line(issue, token, url), url, "image")
        found = directive_of(token)
        if found and found[0] in BLOCK_DIRECTIVES:
            for offset, text in enumerate(token.content.splitlines(), 1):
                match = re.match(r"^\s*:(source|submit):\s*(\S+)", text)
                if match:
                    url = match[2]
                    if match[1] == "submit" and validators.is_email(url):
                        url = f"mailto:{url}"
                    yield (_line(token) + offset, url, f":{match[1]}:")


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
    if scheme not in ("http", "https", "mailto"):
        return (
            "L501",
            f"{kind} {url!r} uses {scheme}:, only https:, http: and mailto: are allowed",
        )
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
    for token in issue.tokens:
        for child in token.children or ():
            if child.type == "image" and not (child.content or "").strip():
                src = str(child.attrs.get("src", ""))
                yield (
                    _inline_line(issue, token, src),
                    "L505",
                    f"image {src!r} needs alt text: ![what it shows]({src})",
                )


_EVENT_HANDLER = re.compile(r"<[^>]*\son\w+\s*=", re.IGNORECASE)


def no_raw_html(issue: IssueFile, pub: Publication) -> Iterator[Finding]:
    """Issues are Markdown: raw HTML reaches web pages and inboxes unchecked."""
    for token in issue.tokens:
        pieces = [(token, token.content)] if token.type == "html_block" else []
        pieces += [(token, c.content) for c in token.children or () if c.type == "html_inline"]
        for block, html in pieces:
            line = _inline_line(issue, block, html.strip().splitlines()[0] if html.strip() else "")
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


#: Every rule, in the order their findings are most useful to read.
RULES: tuple[Rule, ...] = (
    title_is_not_repeated,
    nothing_before_first_section,
    sections_present_and_in_order,
    sections_hold_what_they_must,
    fences_are_closed,
    blocks_are_well_formed,
    headings_are_not_too_deep,
    links_are_sound,
    images_have_alt_text,
    no_raw_html,
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
