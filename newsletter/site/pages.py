"""The pages of the web archive besides the issues': their names, and every page's address.

The lists (:data:`YEARS`, :data:`TOPICS`, :func:`year`, :func:`topic`), the revision
pages (:func:`revision`) and the feed (:data:`FEED`) are named here once; the issue
pages, the home page and the sitemap link to them by these names, and every output
that gives a page's address to a reader outside the site (the feed, the sitemap,
``archive.json``, the sharing tags, the email) makes it with :func:`url`. No Sphinx
is imported here: Pagefind's configuration reads :data:`HEADERLINK` without it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from newsletter.schema import publication

#: the builders that write the web archive (the email builder, HTML too, has its own layout)
SITE_BUILDERS = frozenset({"html", "dirhtml"})

YEARS = "years/index"
TOPICS = "topics/index"
#: the Atom feed, at the root of the site
FEED = "feed.xml"
#: the class of the ``¶`` anchor Sphinx puts in each heading: not the issue's text
HEADERLINK = "headerlink"


def year(number: int) -> str:
    return f"years/{number}"


def topic(slug: str) -> str:
    return f"topics/{slug}"


def revision(docname: str, number: int) -> str:
    """The page of an issue's revision ``number`` (issues/YYYY/YYYY-MM-DD/revision-N)."""
    return f"{docname}/revision-{number}"


def site_url(builder: Any, path: str = "") -> str:
    """The absolute address of a file of the site, such as the feed (``site_url(b, FEED)``)."""
    return publication.load(Path(builder.env.srcdir)).site.base_url + path


def url(builder: Any, docname: str) -> str:
    """The absolute address of a page of the site (of ``docname``'s page as published)."""
    return site_url(builder, builder.get_target_uri(docname))
