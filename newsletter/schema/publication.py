"""The publication's one description, read from ``publication.toml``.

Everything that says what an issue must contain (front-matter limits, the
required sections and what each holds), the topics vocabulary and the site's
settings is defined in that file; this module only loads and validates it, so
that the checker, the Sphinx extension and ``conf.py`` share one source.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from newsletter.schema import dates

FILENAME = "publication.toml"

_COUNT = re.compile(r"^(?P<n>\d+)(?P<more>\+?)$")


class PublicationError(Exception):
    """``publication.toml`` is missing or malformed."""


@dataclass(frozen=True)
class Count:
    """How many of a thing a section must hold: exactly ``n`` or at least ``n``."""

    n: int
    at_least: bool

    @classmethod
    def parse(cls, text: str) -> Count:
        match = _COUNT.match(str(text).strip())
        if not match:
            raise PublicationError(f'a count is "N" or "N+", not {text!r}')
        return cls(int(match["n"]), bool(match["more"]))

    def accepts(self, found: int) -> bool:
        return found >= self.n if self.at_least else found == self.n

    def describe(self, thing: str) -> str:
        noun = thing if self.n == 1 else f"{thing}s"
        return f"at least {self.n} {noun}" if self.at_least else f"exactly {self.n} {noun}"


@dataclass(frozen=True)
class Section:
    title: str
    holds: tuple[tuple[str, Count], ...]


@dataclass(frozen=True)
class Site:
    title: str
    publisher: str
    description: str
    language: str
    base_url: str
    repository_url: str
    repository_branch: str
    #: when an issue is published on its date: ``HH:MM`` in the IANA ``time_zone``
    publication_time: str
    time_zone: str
    salutation: str
    closing: str


@dataclass(frozen=True)
class Publication:
    root: Path
    site: Site
    question_invitation: str
    question_submit: str
    question_default_submit: str
    email_sender: str
    #: where a reader unsubscribes (List-Unsubscribe, and the footer's link of both parts),
    #: with the mailing service's merge tag for the reader's address in place of
    #: ``{subscriber}``
    unsubscribe_mailto: str
    unsubscribe_url: str
    summary_max_length: int
    max_heading_level: int
    tracking_parameters: tuple[str, ...]
    sections: tuple[Section, ...]
    topics: dict[str, str]

    @property
    def section_titles(self) -> tuple[str, ...]:
        return tuple(section.title for section in self.sections)


def _unsubscribe(email: dict, key: str, scheme: str) -> str:
    """``[email].key``, an address starting with ``scheme``, with ``{subscriber}`` replaced
    by ``[email].subscriber_tag``; fit for a ``<...>`` of the List-Unsubscribe header."""
    address = str(email[key]).replace("{subscriber}", str(email["subscriber_tag"]))
    if not address.startswith(scheme) or re.search(r"[\s<>,\"]", address):
        raise ValueError(f"[email] {key} must be one {scheme} address without spaces, <, >, "
                         f"commas or quotes, not {email[key]!r}")  # fmt: skip
    return address


def find_root(start: Path | None = None) -> Path:
    """The nearest directory at or above ``start`` that holds ``publication.toml``."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / FILENAME).is_file():
            return folder
    raise PublicationError(f"no {FILENAME} in {here} or above it")


@cache
def load(root: Path) -> Publication:
    """Read and validate ``root/publication.toml`` (cached per root)."""
    path = root / FILENAME
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise PublicationError(f"{path}: {error}") from None
    try:
        site = Site(**{key: str(value) for key, value in data["site"].items()})
        base_url = site.base_url if site.base_url.endswith("/") else site.base_url + "/"
        site = Site(**{**site.__dict__, "base_url": base_url})
        dates.check_settings(site.publication_time, site.time_zone)
        sections = tuple(
            Section(
                title=str(entry["title"]),
                holds=tuple((str(k), Count.parse(v)) for k, v in entry.get("holds", {}).items()),
            )
            for entry in data["issue"]["sections"]
        )
        return Publication(
            root=root,
            site=site,
            question_invitation=str(data["question"]["invitation"]),
            question_submit=str(data["question"]["submit"]),
            question_default_submit=str(data["question"]["default_submit"]),
            email_sender=str(data["email"]["sender"]),
            unsubscribe_mailto=_unsubscribe(data["email"], "unsubscribe_mailto", "mailto:"),
            unsubscribe_url=_unsubscribe(data["email"], "unsubscribe_url", "https://"),
            summary_max_length=int(data["issue"]["summary_max_length"]),
            max_heading_level=int(data["issue"]["max_heading_level"]),
            tracking_parameters=tuple(str(p) for p in data["issue"]["tracking_parameters"]),
            sections=sections,
            topics={str(slug): str(label) for slug, label in data["topics"].items()},
        )
    except (KeyError, TypeError, ValueError) as error:
        raise PublicationError(f"{path}: missing or malformed setting: {error}") from None
