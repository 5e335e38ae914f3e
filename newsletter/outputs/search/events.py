"""Search in the build: what is indexed, the search page, and Pagefind's run per build.

Readers search the archive on ``search.html`` (the theme's search button and
Ctrl+K dialog submit to it as ``search.html?q=TERMS``). The page is ours
(``_templates/search.html`` and ``_static/search.js``) and queries a Pagefind
index that is written into the output when the build finishes, so every
``sphinx-build`` (``make html``, the tests, previews) produces a searchable site
that needs nothing but a static file host.

What is indexed is decided here:

- only published issues: Pagefind reads only their pages (:func:`start_index`),
  where the article alone is marked ``data-pagefind-body``; drafts, the home
  page and the lists are never found;
- only the issue's own text: the frame that every issue repeats (header,
  salutation, closing, revision line, the fixed section titles and the words
  around the blocks) is excluded by :data:`.pagefind.EXCLUDE_SELECTORS`;
- title, number and date as metadata, year and topics as filters, the date as a
  sort key: attributes of the element around the article (:func:`index_attributes`).

Sphinx's own search index is switched off: nothing reads it any more, and the
theme would otherwise load the whole ``searchindex.js`` on every page.
"""

from __future__ import annotations

import html
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.builders.html import StandaloneHTMLBuilder
from sphinx.util import logging

from newsletter.outputs.search.bundle import BUNDLE, SearchIndexError
from newsletter.outputs.search.parts import PartedIndexing, split
from newsletter.site import pages
from newsletter.site.environment import domain_of, output_file, publication_of
from newsletter.site.records import IssueRecord
from newsletter.site.write_cache import Page, build_stamp, only_changed

logger = logging.getLogger(__name__)


def builds_site(app: Sphinx) -> bool:
    """Whether this build writes the web archive (html or dirhtml)."""
    return (
        isinstance(app.builder, StandaloneHTMLBuilder) and app.builder.name in pages.SITE_BUILDERS
    )


def disable_sphinx_search(app: Sphinx) -> None:
    """``builder-inited``: no ``searchindex.js``; Sphinx's search page is replaced by ours."""
    if builds_site(app):
        app.builder.search = False  # type: ignore[attr-defined]


def index_attributes(record: IssueRecord) -> str:
    """The attributes of the element around an issue's article: Pagefind's body, with the
    issue's metadata, filters and sort key read from ``data-ftw-*`` attributes of it."""
    values = {
        "title": record.title,
        "number": str(record.number),
        "date": record.long_date,
        "day": record.date.isoformat(),
        "year": str(record.date.year),
        **{f"topic-{index}": slug for index, slug in enumerate(record.topics)},
    }
    filters = ["year[data-ftw-year]"]
    filters += [f"topic[data-ftw-topic-{index}]" for index in range(len(record.topics))]
    attributes = {
        **{f"data-ftw-{key}": value for key, value in values.items()},
        "data-pagefind-meta": "title[data-ftw-title], number[data-ftw-number], date[data-ftw-date]",
        "data-pagefind-filter": ", ".join(filters),
        "data-pagefind-sort": "date[data-ftw-day]",
    }
    return "data-pagefind-body " + " ".join(
        f'{name}="{html.escape(value)}"' for name, value in attributes.items()
    )


def mark_issue_page(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """``html-page-context``: a published issue's article is what Pagefind indexes."""
    record = domain_of(app.env).issues.get(pagename)
    if not builds_site(app) or record is None or not record.published or "body" not in context:
        return
    context["body"] = f"<div {index_attributes(record)}>{context['body']}</div>"


def search_page(app: Sphinx) -> Iterator[Page]:
    """``html-collect-pages``: ``search.html``, with the years and topics to narrow by
    (written only when it changed)."""
    return only_changed(app, "search", _search_page(app))


def _search_page(app: Sphinx) -> Iterator[Page]:
    if not builds_site(app):
        return
    pub = publication_of(app.env)
    years = sorted({r.date.year for r in domain_of(app.env).published()}, reverse=True)
    try:
        parts = list(split(_published_pages(app)))
    except SearchIndexError:  # said by start_index; the page then offers no search
        parts = []
    yield (
        "search",
        {
            "title": "Search",
            "search_years": years,
            "search_topics": list(pub.topics.items()),
            "search_bundle": f"{BUNDLE}/",
            "search_parts": parts,
            "search_topics_page": pages.TOPICS,
        },
        "search.html",
    )


def _published_pages(app: Sphinx) -> list[str]:
    site = os.path.abspath(app.builder.outdir) + os.sep
    return [
        output_file(app.builder, record.docname).removeprefix(site).replace(os.sep, "/")
        for record in domain_of(app.env).published()
    ]


def start_index(app: Sphinx) -> list[Page]:
    """``html-collect-pages``: the issue pages are written; start indexing them."""
    app.newsletter_indexing = None  # type: ignore[attr-defined]
    if not builds_site(app):
        return []
    try:
        run = PartedIndexing(
            Path(app.builder.outdir),
            _published_pages(app),
            app.config.language or "en",
            lambda part: build_stamp(app, f"search-inputs-{part}"),
        )
    except SearchIndexError as error:
        logger.warning("search index: %s", error, type="newsletter", subtype="search")
        return []
    run.start_time = time.perf_counter()  # type: ignore[attr-defined]
    if run.current:
        logger.info("search index: unchanged, %d issues", run.pages)
        return []
    try:
        run.start()
    except SearchIndexError as error:
        logger.warning("search index: %s", error, type="newsletter", subtype="search")
        return []
    app.newsletter_indexing = run  # type: ignore[attr-defined]
    return []


def build_index(app: Sphinx, exception: Exception | None) -> None:
    """``build-finished``: wait for the index started by :func:`start_index`."""
    run: PartedIndexing | None = getattr(app, "newsletter_indexing", None)
    if run is None:
        return
    app.newsletter_indexing = None  # type: ignore[attr-defined]
    if exception is not None:
        run.cancel()
        return
    try:
        run.finish()
    except SearchIndexError as error:
        logger.warning("search index: %s", error, type="newsletter", subtype="search")
        return
    logger.info(
        "search index: %d of %d issues indexed (%d of %d years) in %.1f s",
        run.pages_indexed,
        run.pages,
        len(run.outdated),
        len(run.parts),
        time.perf_counter() - run.start_time,  # type: ignore[attr-defined]
    )


def setup(app: Sphinx) -> None:
    """Wire the search into the build (called from :func:`newsletter.extension.setup`)."""
    app.connect("builder-inited", disable_sphinx_search)
    app.connect("html-page-context", mark_issue_page)
    app.connect("html-collect-pages", search_page)
    app.connect("html-collect-pages", start_index, priority=100)  # before the archive's pages
    app.connect("build-finished", build_index)
