"""Every earlier published text of a corrected issue, readable on the site.

Each revision but the latest (which is the issue page itself) gets a page,
``issues/YYYY/YYYY-MM-DD/revision-N``: its date, the corrections note that came
with the next one, the text as it then stood, and a word-level diff against the
following revision. The pages are ``noindex`` and stay out of the search index,
the feed, the sitemap and every list; like the years and topics pages they are
rewritten only when they change (:func:`newsletter.site.write_cache.only_changed`).
The revisions are read by :mod:`newsletter.site.revisions`.
"""

from __future__ import annotations

import html
import itertools
from collections.abc import Iterator
from typing import Any

from sphinx.application import Sphinx

from newsletter.history import revisions
from newsletter.history.revisions import Block, Revision
from newsletter.schema import dates
from newsletter.site import pages
from newsletter.site.environment import domain_of, publication_of
from newsletter.site.records import IssueRecord
from newsletter.site.revisions import of
from newsletter.site.write_cache import Page, only_changed

TEMPLATE = "newsletter/revision.html"

#: an issue's headings one level down: the page's own are h1 and h2
_TAGS = {"h1": "h3", "h2": "h3", "h3": "h4", "h4": "h5", "p": "p", "block": "p"}


def _blocks_html(blocks: tuple[Block, ...]) -> str:
    return "\n".join(
        f"<{_TAGS.get(kind, 'p')}>{html.escape(text)}</{_TAGS.get(kind, 'p')}>"
        for kind, text in blocks
        if kind != "h1"
    )


def _diff_html(before: tuple[Block, ...], after: tuple[Block, ...]) -> str:
    marks = {"=": "{}", "-": "<del>{}</del>", "+": "<ins>{}</ins>"}
    out = []
    for kind, segments in revisions.word_diff(before, after):
        if kind == "h1" and all(op == "=" for op, _ in segments):
            continue  # the title, unchanged: it heads the page already
        tag = _TAGS.get(kind, "p")
        words = " ".join(marks[op].format(html.escape(text)) for op, text in segments)
        out.append(f"<{tag}>{words}</{tag}>")
    return "\n".join(out)


def revision_pages(app: Sphinx) -> Iterator[Page]:
    env = app.env
    site = publication_of(env).site
    repository = site.repository_url.rstrip("/")
    for record in domain_of(env).published():
        found = of(env, record.docname) or ()
        for this, following in itertools.pairwise(found):
            yield (
                pages.revision(record.docname, this.number),
                _context(record, this, following, repository, site.language),
                TEMPLATE,
            )


def _context(
    record: IssueRecord,
    this: Revision,
    following: Revision,
    repository: str,
    language: str,
) -> dict[str, Any]:
    # what the page shows never changes once written, whatever revisions come later
    return {
        "title": f"No. {record.number}: {record.title}, revision {this.number}",
        "metatags": '<meta name="robots" content="noindex">\n',
        "revision": {
            "issue": record.docname,
            "issue_title": record.title,
            "number": record.number,
            "index": this.number,
            "earlier": pages.revision(record.docname, this.number - 1) if this.number > 1 else None,
            "date": dates.long_date(this.date, language),
            "first": this.number == 1,
            "notes": [(dates.long_date(c.date, language), c.text) for c in this.notes],
            "commit": this.commit,
            "commit_short": this.commit[:12],
            "commit_url": f"{repository}/commit/{this.commit}",
            "text": _blocks_html(this.blocks),
            "next": {
                "index": following.number,
                "date": dates.long_date(following.date, language),
                "notes": [(dates.long_date(c.date, language), c.text) for c in following.notes],
            },
            "diff": _diff_html(this.blocks, following.blocks),
        },
    }


def revision_pages_to_write(app: Sphinx) -> Iterator[Page]:
    """``html-collect-pages``: the revision pages that are new or changed."""
    if app.builder.name not in pages.SITE_BUILDERS:
        return iter(())
    return only_changed(app, "revisions", revision_pages(app))


def setup(app: Sphinx) -> None:
    app.connect("html-collect-pages", revision_pages_to_write)
