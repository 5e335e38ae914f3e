"""``archive.json``: every published issue, for programs, with the archive's version."""

from __future__ import annotations

import json
from pathlib import Path

from sphinx.application import Sphinx

from newsletter.history import checkout
from newsletter.schema import dates
from newsletter.site import pages
from newsletter.site.environment import publication_of
from newsletter.site.records import IssueRecord
from newsletter.site.write_cache import file_writer

FILENAME = "archive.json"


def archive_index(app: Sphinx, newest_first: list[IssueRecord]) -> bytes:
    site = publication_of(app.env).site
    version = checkout.version(Path(app.env.srcdir))
    data = {
        "title": site.title,
        "home": site.base_url,
        "feed": pages.site_url(app.builder, pages.FEED),
        "version": {"commit": version.commit, "date": dates.timestamp(version.date)}
        if version
        else None,
        "issues": [
            {
                "number": r.number,
                "date": r.date.isoformat(),
                "title": r.title,
                "summary": r.summary,
                "topics": list(r.topics),
                "url": pages.url(app.builder, r.docname),
                "first_published": dates.timestamp(r.published_at),
                "last_updated": dates.timestamp(r.last_updated),
            }
            for r in newest_first
        ],
    }
    return json.dumps(data, indent=2, ensure_ascii=False).encode("utf-8") + b"\n"


def commit(app: Sphinx) -> str:
    """The commit ``archive.json`` names (besides what the records give)."""
    version = checkout.version(Path(app.env.srcdir))
    return version.commit if version else ""


def setup(app: Sphinx) -> None:
    app.connect("build-finished", file_writer(FILENAME, archive_index, also=commit))
