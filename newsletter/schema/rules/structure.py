"""The rules of an issue's shape: its sections, headings and fences, and what is not typed.

The required sections and what each must hold come from ``publication.toml``;
nothing about them is written here. The salutation and the closing are added to
every issue from there too, so typing them is a mistake (S310).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterator

from newsletter.schema.blockspec import BLOCKS
from newsletter.schema.issuefile import IssueFile
from newsletter.schema.publication import Publication
from newsletter.schema.rules.tokens import (
    BodySection,
    Finding,
    Text,
    body_sections,
    issue_texts,
    line_of,
    texts,
)


def _words(text: str) -> tuple[str, ...]:
    """The words of a text, whatever its case, character widths, spacing and punctuation."""
    return tuple(re.sub(r"[\W_]+", " ", unicodedata.normalize("NFKC", text).casefold()).split())


#: what ``[\W_]+`` leaves of ASCII text: its words
_ASCII_WORD = re.compile(r"[A-Za-z0-9]+")


def _first_word_is_none_of(text: str, words: tuple[str, ...]) -> bool:
    """True when the first of :func:`_words` of ``text`` is surely none of ``words``
    (False: it may be), told faster than by normalizing the text: in ASCII text, which
    normalizing leaves as it is, the first word is the first run of letters and digits,
    lower-cased."""
    if not text.isascii():
        return False
    first = _ASCII_WORD.search(text)
    return first is None or first[0].lower() not in words


#: How many of the closing paragraph's first words make a paragraph a typed closing.
CLOSING_WORDS = 8


@functools.lru_cache(maxsize=16)
def _boilerplate_words(
    salutation_text: str, closing_text: str
) -> tuple[tuple[str, ...], tuple[str, ...], int]:
    """The salutation's words, the closing's first words, and how much of a paragraph to
    read: worked out once, not for every paragraph."""
    salutation = _words(salutation_text)
    closing = _words(closing_text)[:CLOSING_WORDS]
    # (only its beginning counts: that is all that is read of a long paragraph)
    start = len(salutation_text) + len(" ".join(closing_text.split()[:CLOSING_WORDS]))
    return salutation, closing, 2 * start + 100


def boilerplate(text: Text, pub: Publication) -> str | None:
    """``salutation`` or ``closing`` when a paragraph is one of them, typed into the issue."""
    if text.kind != "paragraph_open":
        return None
    salutation, closing, length = _boilerplate_words(pub.site.salutation, pub.site.closing)
    head = text.inline.content[:length]
    if _first_word_is_none_of(head, salutation[:1] + closing[:1]):
        return None  # (most paragraphs: told without normalizing them)
    words = _words(head)
    if salutation and words[: len(salutation)] == salutation:
        return "salutation"
    if closing and words[: len(closing)] == closing:
        return "closing"
    return None


def title_is_not_repeated(issue: IssueFile, pub: Publication) -> Iterator[Finding]:
    for token in issue.tokens:
        if token.type == "heading_open" and token.tag == "h1":
            yield (
                line_of(token),
                "S306",
                "the title comes from the front matter; remove this '#' heading",
            )


def nothing_before_first_section(issue: IssueFile, pub: Publication) -> Iterator[Finding]:
    if not issue.front_matter_closed:
        return  # the unclosed front matter was reported; its lines are not "text"
    preamble, _ = body_sections(issue)
    typed = {
        text.line for text in texts(preamble, parser=issue.parser) if boilerplate(text, pub)
    }  # that is S310
    for token in preamble:
        if token.level == 0 and token.map and not token.type.startswith("heading"):
            if line_of(token) in typed:
                continue
            first = pub.section_titles[0]
            yield (
                line_of(token),
                "S305",
                f'text before the first section "{first}": an issue starts with its first '
                f'section ("## {first}"); move this text into a section or delete it',
            )
            return


def salutation_and_closing_are_not_typed(issue: IssueFile, pub: Publication) -> Iterator[Finding]:
    """They are the same in every issue and added from publication.toml: typed, they show twice."""
    if not issue.front_matter_closed:
        return
    for text in issue_texts(issue):
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
    _, sections = body_sections(issue)
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
    _, sections = body_sections(issue)
    rules = {section.title: section.holds for section in pub.sections}
    for section in sections:
        for thing, count in rules.get(section.title, ()):
            found = section.count(thing)
            if not count.accepts(found):
                noun = "block" if thing in BLOCKS else ""
                what = f"{thing} {noun}".strip()
                message = (
                    f'section "{section.title}" must hold {count.describe(what)}, found {found}'
                )
                yield _lookalike(section, thing, found < count.n) or (section.line, "S307", message)


def _lookalike(section: BodySection, thing: str, too_few: bool) -> Finding | None:
    """S307 at the Markdown written where a block belongs (a '>' blockquote for a quote)."""
    directive = BLOCKS.get(thing)
    if not too_few or directive is None or directive.lookalike is None:
        return None
    token_type, description = directive.lookalike
    for token in section.tokens:
        if token.type == token_type and token.level == 0:
            return (
                line_of(token, section.line),
                "S307",
                f'section "{section.title}": write the {thing} as a block: '
                f":::{{{thing}}} ... ::: ({description} is not the {thing} block)",
            )
    return None


def fences_are_closed(issue: IssueFile, pub: Publication) -> Iterator[Finding]:
    lines = issue.lines
    for token in issue.tokens:
        if token.type in ("fence", "colon_fence") and token.map:
            start, end = token.map
            closing = lines[end - 1].strip() if end - 1 < len(lines) else ""
            if end - 1 <= start or not closing.startswith(token.markup[:3]):
                yield (
                    line_of(token),
                    "S308",
                    f"the '{token.markup}' fence opened here is never closed",
                )


def headings_are_not_too_deep(issue: IssueFile, pub: Publication) -> Iterator[Finding]:
    deepest = pub.max_heading_level
    for token in issue.tokens:
        if token.type == "heading_open" and int(token.tag[1:]) > deepest:
            yield (
                line_of(token),
                "S309",
                f"heading level {token.tag[1:]} is deeper than an issue allows "
                f"(at most {'#' * deepest})",
            )


#: A placeholder left by ``python -m newsletter new``: ``[[FILL: what goes here]]``.
PLACEHOLDER = re.compile(r"\[\[FILL(?::\s*(?P<what>[^\]]*?))?\s*\]\]")


def placeholders_are_filled(issue: IssueFile, pub: Publication) -> Iterator[Finding]:
    """In a draft a placeholder is work to do (T701); a published issue may hold none."""
    if "[[FILL" not in issue.text:  # (what every placeholder starts with: a quick no)
        return
    for number, text in enumerate(issue.lines, 1):
        for match in PLACEHOLDER.finditer(text):
            if issue.meta.published:
                yield (number, "T702", f"a published issue still holds the placeholder {match[0]}")
            else:
                yield (number, "T701", match["what"] or "a placeholder")
