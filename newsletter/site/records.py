"""The build environment's record of every issue.

While Sphinx reads an issue it stores one :class:`IssueRecord` here (from the
same parse the checker makes); archive pages, feeds and the issue pages'
neighbours are all computed from these records, never by re-reading doctrees.
Being a Domain, the records are purged when a document is re-read or removed
(``clear_doc``) and merged back from parallel readers (``merge_domaindata``),
so incremental and ``-j N`` builds see exactly what a clean build sees.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Set
from dataclasses import dataclass
from typing import Any

from sphinx.domains import Domain

from newsletter.schema import dates
from newsletter.schema.frontmatter import FIELDS, IssueMeta
from newsletter.schema.publication import Site


@dataclass(frozen=True)
class IssueRecord:
    """What the archive needs to know of one issue.

    Its front-matter fields (``title``, ``date``, ``number``, ...) are read from its
    :class:`~newsletter.schema.frontmatter.IssueMeta`: they are listed once, there.
    """

    docname: str
    meta: IssueMeta
    #: when it was published: its date at the publication's time of day (``dates.moment``)
    published_at: dt.datetime
    #: when it was last updated: its latest correction's date, or None
    updated_at: dt.datetime | None
    #: its date as readers read it ("23 January 2026")
    long_date: str
    #: the commits of its published revisions (None: git cannot tell), so that an issue
    #: whose revisions changed is read again and links to the right revision pages
    revisions: tuple[str, ...] | None = None

    def __getattr__(self, name: str) -> Any:
        if name in FIELDS:  # (only called for names the record does not have itself)
            return getattr(self.meta, name)
        raise AttributeError(name)

    @property
    def published(self) -> bool:
        return self.meta.published

    @property
    def number_line(self) -> int:
        """The line of the ``number:`` key, for messages about duplicates."""
        return self.meta.lines.get("number", 1)

    @property
    def last_updated(self) -> dt.datetime:
        """When it last changed for readers: its latest correction, else its publication."""
        return self.updated_at or self.published_at

    @classmethod
    def from_meta(
        cls, docname: str, meta: IssueMeta, site: Site, revisions: tuple[str, ...] | None = None
    ) -> IssueRecord | None:
        """A record, or None when the front matter is too broken to list the issue."""
        if meta.date is None or meta.number is None or not meta.title:
            return None

        def moment(day: dt.date) -> dt.datetime:
            return dates.moment(day, site.publication_time, site.time_zone)

        latest = max((c.date for c in meta.corrections), default=None)
        return cls(
            docname=docname,
            meta=meta,
            published_at=moment(meta.date),
            updated_at=moment(latest) if latest is not None and latest > meta.date else None,
            long_date=dates.long_date(meta.date, site.language),
            revisions=revisions,
        )


class IssuesDomain(Domain):
    """Holds the :class:`IssueRecord` of every issue read, by docname."""

    name = "newsletter"
    label = "Newsletter issues"
    #: ``issues``: the record of each issue document, purged and merged per document.
    #: ``pages``: what each issue page showed of the rest of the archive when last
    #: written (its neighbours); computed after reading, in the main process only.
    #: ``home``: what the home page showed when last written; likewise.
    #: ``generation``: a new random token whenever an issue is read again or removed (None
    #: before any), so that what is made from the records knows when they changed.
    initial_data: dict[str, Any] = {"issues": {}, "pages": {}, "home": None, "generation": None}  # noqa: RUF012
    data_version = 6

    @property
    def issues(self) -> dict[str, IssueRecord]:
        return self.data["issues"]

    def add(self, record: IssueRecord) -> None:
        self.issues[record.docname] = record

    @property
    def generation(self) -> str | None:
        """The records' generation: equal in two builds only if no document was read
        again or removed between them (Sphinx clears a document in the main process
        before it reads it again, serially or in parallel, and when its file is gone)."""
        return self.data.get("generation")

    def clear_doc(self, docname: str) -> None:
        self.issues.pop(docname, None)
        self.data["generation"] = secrets.token_hex(8)

    def merge_domaindata(self, docnames: Set[str], otherdata: dict[str, Any]) -> None:
        for docname, record in otherdata["issues"].items():
            if docname in docnames:
                self.issues[docname] = record

    def resolve_any_xref(self, *args: Any, **kwargs: Any) -> list[Any]:
        return []

    # -- views of the archive ---------------------------------------------------

    def in_date_order(self) -> list[IssueRecord]:
        return sorted(self.issues.values(), key=_order)

    def published(self) -> list[IssueRecord]:
        """Published issues, oldest first."""
        return [r for r in self.in_date_order() if r.published]


def _order(record: IssueRecord) -> tuple[dt.date, int, str]:
    return (record.date, record.number, record.docname)
