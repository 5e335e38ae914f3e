"""Value checks shared by the directives' option specs and the checker.

Each takes the raw option text and returns the cleaned value, or raises
``ValueError`` with a message that reads well after "invalid value: ".
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from urllib.parse import SplitResult, urlsplit

_EMAIL = re.compile(r"^[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}$")


#: a web address of printable ASCII without spaces, its host of letters, digits, dots and
#: hyphens (no port, no user): which ``urlsplit`` splits as this does (tested)
_PLAIN_URL = re.compile(r"(https?)://([A-Za-z0-9.-]+)(/[^?#]*)?(?:\?([^#]*))?(?:#(.*))?")


@functools.lru_cache(maxsize=256)  # (the rules ask it of each address twice or more)
def split_url(text: str) -> SplitResult | None:
    """``urlsplit`` that answers None, instead of raising, for text like ``https://[``.

    A plain address (:data:`_PLAIN_URL`) is split at once, as ``urlsplit`` splits it
    (which checks and cleans it first, character by character; its host and port are
    then read without error): most addresses of an issue, a sixth of its rules' work."""
    if text.isascii() and text.isprintable() and " " not in text:
        plain = _PLAIN_URL.fullmatch(text)
        if plain:
            scheme, netloc, path, query, fragment = plain.groups()
            return SplitResult(scheme, netloc, path or "", query or "", fragment or "")
    try:
        parts = urlsplit(text)
        parts.hostname  # noqa: B018 (parsing the host is what raises)
        parts.port  # noqa: B018
    except ValueError:
        return None
    return parts


def http_url(value: str | None) -> str:
    """An absolute ``http://`` or ``https://`` URL with a host."""
    text = (value or "").strip()
    parts = split_url(text)
    if (
        parts is None
        or parts.scheme not in ("http", "https")
        or not parts.netloc
        or any(map(str.isspace, text))
    ):
        raise ValueError(f"{text!r} is not an http(s) URL")
    return text


def submit_address(value: str | None) -> str:
    """An email address or an ``https://`` URL where readers send answers."""
    text = (value or "").strip()
    if _EMAIL.match(text):
        return text
    parts = split_url(text)
    if (
        parts is not None
        and parts.scheme == "https"
        and parts.netloc
        and not any(map(str.isspace, text))
    ):
        return text
    raise ValueError(f"{text!r} is neither an email address nor an https URL")


def iso_date(value: str | None) -> str:
    """A calendar date written ``YYYY-MM-DD``."""
    text = (value or "").strip()
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a date written YYYY-MM-DD") from None
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise ValueError(f"{text!r} is not a date written YYYY-MM-DD")
    return text


def nonempty_text(value: str | None) -> str:
    text = (value or "").strip()
    if not text:
        raise ValueError("it is empty")
    return text


def is_email(text: str) -> bool:
    return bool(_EMAIL.match(text))


def link_label(url: str) -> str:
    """A short readable name for a link: its host without ``www.``."""
    parts = split_url(url)
    host = (parts.hostname if parts else None) or url
    return host.removeprefix("www.")
