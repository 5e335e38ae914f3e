"""The rules of an issue's addresses: links, images, and a block's ``:source:``/``:submit:``.

Every address is absolute and well formed, carries no tracking parameter and is
given once; an image has alt text; an address is written as a link, not as text.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterator
from urllib.parse import parse_qsl

from newsletter.schema import allowed, validators
from newsletter.schema.issuefile import IssueFile
from newsletter.schema.publication import Publication
from newsletter.schema.rules.parsing import may_hold_address
from newsletter.schema.rules.tokens import (
    Finding,
    inline_line,
    issue_texts,
    links,
    marked_tokens,
)


def _tracking(url: str, patterns: tuple[str, ...]) -> list[str]:
    parts = validators.split_url(url)
    query = parts.query if parts else ""
    if not query:
        return []  # (most addresses: told without parsing a query)
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
    host = parts.hostname  # (parsed from the address each time it is asked)
    if scheme != "mailto" and (not host or "." not in host or " " in url):
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
    for token, first in marked_tokens(issue):
        for child in token.children or ():
            if child.type == "image" and not (child.content or "").strip():
                src = str(child.attrs.get("src", ""))
                yield (
                    inline_line(issue, token, src, first),
                    "L505",
                    f"image {src!r} needs alt text: ![what it shows]({src})",
                )


#: ``https://...`` or ``www.example.org``, not within a word or an email address
_BARE_ADDRESS = re.compile(r"(?<![@.])\b(?:https?://|www\.\w)[^\s<>]*", re.IGNORECASE)


#: (where the rules' reading of an inline token can tell, :mod:`.tokens`)
_may_hold_address = may_hold_address


def addresses_are_links(issue: IssueFile, pub: Publication) -> Iterator[Finding]:
    """An address written as text is shown as text (MyST's linkify is not enabled)."""
    for text in issue_texts(issue):
        depth = 0
        for child in text.inline.children or ():
            if child.type == "link_open":
                depth += 1
            elif child.type == "link_close":
                depth -= 1
            if depth or child.type != "text" or not _may_hold_address(child.content):
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
