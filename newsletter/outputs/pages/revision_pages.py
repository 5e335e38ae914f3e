"""Every earlier published text of a corrected issue, readable on the site.

The revisions come from git (:mod:`newsletter.revisions`), read once per build
before Sphinx decides what to read (``env-get-outdated``): an issue whose
revisions changed is read again, since its corrections notice links to them.
Each revision but the latest (which is the issue page itself) gets a page,
``issues/YYYY/YYYY-MM-DD/revision-N``: its date, the corrections note that came
with the next one, the text as it then stood, and a word-level diff against the
following revision. The pages are ``noindex`` and stay out of the search index,
the feed, the sitemap and every list; like the years and topics pages they are
rewritten only when they change (:func:`newsletter.generated_pages.only_changed`).

In a shallow clone git cannot tell the revisions: the build says so in one line
and makes no revision page; every date shown stays right, being editorial.
"""

from __future__ import annotations

import html
import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging

from newsletter.history import revisions
from newsletter.history.revisions import Block, Revision
from newsletter.schema import dates
from newsletter.site.environment import domain_of, publication_of
from newsletter.site.records import IssueRecord
from newsletter.site.write_cache import only_changed

logger = logging.getLogger(__name__)

#: the parsed versions of issue files, kept between builds (in the doctree folder)
CACHE = "newsletter-revisions.pickle"
TEMPLATE = "newsletter/revision.html"


def page_name(docname: str, number: int) -> str:
    return f"{docname}/revision-{number}"


def of(env: BuildEnvironment, docname: str) -> tuple[Revision, ...] | None:
    """The revisions of an issue (None: git cannot tell)."""
    found = getattr(env, "newsletter_revisions", None)
    if found is None:
        return None
    return found.get(str(env.doc2path(docname, base=False)), ())


def commits(env: BuildEnvironment, docname: str) -> tuple[str, ...] | None:
    """What an issue's record keeps of its revisions: their commits."""
    found = of(env, docname)
    return None if found is None else tuple(r.commit for r in found)


def read_revisions(app: Sphinx) -> None:
    """``builder-inited``: the revisions of every issue, from git, once per build."""
    env = app.env
    found = revisions.published_revisions(
        Path(env.srcdir), publication_of(env), cache=Path(app.doctreedir) / CACHE
    )
    if found is None:
        logger.info(
            "revision pages: not built, git cannot tell the revisions here (a shallow clone, "
            "or no repository); 'git fetch --unshallow' brings them"
        )
    env.newsletter_revisions = found  # type: ignore[attr-defined]
    zone = publication_of(env).site.time_zone
    for path, made in (found or {}).items():
        for revision in made:
            for note in revision.late:
                logger.warning(
                    "correction dated %s is later than the commit that added it (%s, %s): "
                    "date it the day the correction was made",
                    note.date.isoformat(),
                    revision.commit[:12],
                    dates.local_date(revision.committed, zone).isoformat(),
                    location=(env.path2doc(str(Path(env.srcdir) / path)) or path, 1),
                    type="newsletter",
                    subtype="M213",
                )


def changed_revisions(
    app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str], removed: set[str]
) -> list[str]:
    """``env-get-outdated``: the issues whose revisions changed, to be read again."""
    return sorted(
        docname
        for docname, record in domain_of(env).issues.items()
        if record.revisions != commits(env, docname)
    )


# -- the pages -----------------------------------------------------------------------

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


def revision_pages(app: Sphinx) -> Iterator[tuple[str, dict[str, Any], str]]:
    env = app.env
    site = publication_of(env).site
    repository = site.repository_url.rstrip("/")
    for record in domain_of(env).published():
        found = of(env, record.docname) or ()
        for this, following in itertools.pairwise(found):
            yield (
                page_name(record.docname, this.number),
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
            "earlier": page_name(record.docname, this.number - 1) if this.number > 1 else None,
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


def revision_pages_to_write(app: Sphinx) -> Iterator[tuple[str, dict[str, Any], str]]:
    """``html-collect-pages``: the revision pages that are new or changed."""
    if app.builder.name not in ("html", "dirhtml"):
        return iter(())
    return only_changed(app, revision_pages(app))


def setup(app: Sphinx) -> None:
    app.connect("builder-inited", read_revisions)
    app.connect("env-get-outdated", changed_revisions)
    app.connect("html-collect-pages", revision_pages_to_write)
