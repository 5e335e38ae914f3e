"""The Sphinx extension: ``extensions = ["newsletter"]`` in ``conf.py``.

:func:`setup` only wires: each concern lives in its own module, which says which
events it takes; the order below is the data's way (ARCHITECTURE.md).
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx

from newsletter import page, theme_css
from newsletter.outputs import archive_json, feed, sitemap
from newsletter.outputs.email import builder as email
from newsletter.outputs.pages import archive, csp, revision_pages
from newsletter.outputs.search import events as search
from newsletter.site import (
    directives,
    parallel_build,
    reading,
    revisions,
    safe_reading,
    speedups,
    sweep,
    write_cache,
)
from newsletter.site.records import IssuesDomain


def setup(app: Sphinx) -> dict[str, Any]:
    # reading: what an issue may make the build do, its blocks, its checks and record
    app.add_domain(IssuesDomain)
    safe_reading.setup(app)  # the allowlist, no file insertion, no raw markup
    directives.setup(app)  # the quote, stat and question blocks
    revisions.setup(app)  # the published revisions of every issue, from git
    reading.setup(app)  # the checker's rules as warnings; one record per issue
    write_cache.setup(app)  # generated pages written only when they change
    speedups.setup(app)  # compiled templates kept; the collector kept off what is long-lived
    parallel_build.setup(app)  # with -j N: reading in one chunk per process; few pages here

    # the web archive: the issue pages, the lists, the revision pages
    page.setup(app)
    archive.setup(app)
    revision_pages.setup(app)
    csp.setup(app)  # every web page's Content-Security-Policy
    theme_css.setup(app)  # the theme's stylesheet cut to what the pages use
    sweep.setup(app)  # no page left of an issue, year or topic that is gone
    # what machines read, and the search
    feed.setup(app)
    archive_json.setup(app)
    sitemap.setup(app)
    search.setup(app)  # a Pagefind index of the issues' own text
    # the email edition of the same issues: sphinx-build -b email
    email.setup(app)

    return {
        "version": "1",
        "env_version": 2,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
