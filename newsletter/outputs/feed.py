"""The Atom feed (``feed.xml``): the newest published issues with their full content.

It is made from the issue records when the build finishes. Each entry's content is
the issue's rendered body, kept when the page is written (``html-page-context``) in
a small cache next to the doctrees: a page that is not rewritten has not changed, so
its cached body is current, and no doctree is ever read back to make the feed. Those
bodies are what the feed shows besides the records (:func:`shown_bodies`): an edit of
an issue's text, which changes no record, makes the feed again when the feed shows it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path
from typing import Any
from urllib.parse import urljoin
from xml.etree import ElementTree as ET

from sphinx.application import Sphinx

from newsletter.schema import dates
from newsletter.site import pages
from newsletter.site.environment import domain_of, newest_first, publication_of
from newsletter.site.records import IssueRecord
from newsletter.site.write_cache import file_writer

FEED_ENTRIES = 20
ATOM = "http://www.w3.org/2005/Atom"

_URL_ATTRIBUTE = re.compile(r'\b(href|src)="([^"]*)"')
#: the ``¶`` anchors of the headings: the page's, not the issue's
_HEADERLINK = re.compile(rf'<a class="{pages.HEADERLINK}"[^>]*>.*?</a>')


def _bodies(app: Sphinx) -> Path:
    return Path(app.doctreedir) / "newsletter-bodies"


def absolute_links(body: str, page_url: str) -> str:
    """The body with every relative ``href``/``src`` resolved against the page's URL."""
    body = _HEADERLINK.sub("", body)
    return _URL_ATTRIBUTE.sub(lambda m: f'{m[1]}="{urljoin(page_url, m[2])}"', body)


def keep_body(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """``html-page-context``: keep a published issue's body for the feed."""
    record = domain_of(app.env).issues.get(pagename)
    if record is None or not record.published or "body" not in context:
        return
    path = _bodies(app) / f"{pagename}.html"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        absolute_links(context["body"], pages.url(app.builder, pagename)), encoding="utf-8"
    )


def shown_bodies(app: Sphinx) -> str:
    """A digest of the bodies the feed shows (its ``also``: see :func:`file_writer`)."""
    digest = hashlib.sha256()
    for record in newest_first(app.env)[:FEED_ENTRIES]:
        body = _bodies(app) / f"{record.docname}.html"
        digest.update(f"{record.docname}\0".encode())
        digest.update(body.read_bytes() if body.is_file() else b"\0missing")
    return digest.hexdigest()


def atom_feed(app: Sphinx, newest_first: list[IssueRecord]) -> bytes:
    pub = publication_of(app.env)
    site = pub.site
    entries = newest_first[:FEED_ENTRIES]
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed", {"xml:lang": site.language})

    def add(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
        element.text = text
        return element

    add(feed, "title", site.title)
    add(feed, "subtitle", site.description)
    add(feed, "id", site.base_url)
    add(
        feed,
        "link",
        rel="self",
        type="application/atom+xml",
        href=pages.site_url(app.builder, pages.FEED),
    )
    add(feed, "link", rel="alternate", type="text/html", href=site.base_url)
    newest = max((r.last_updated for r in entries), default=dt.datetime(1970, 1, 1, tzinfo=dt.UTC))
    add(feed, "updated", dates.timestamp(newest))
    author = add(feed, "author")
    add(author, "name", site.publisher)
    for record in entries:
        url = pages.url(app.builder, record.docname)
        entry = add(feed, "entry")
        add(entry, "title", f"No. {record.number}: {record.title}")
        add(entry, "id", url)
        add(entry, "link", rel="alternate", type="text/html", href=url)
        add(entry, "published", dates.timestamp(record.published_at))
        add(entry, "updated", dates.timestamp(record.last_updated))
        for editor in record.editors:
            add(add(entry, "author"), "name", editor)
        for slug in record.topics:
            add(entry, "category", term=slug, label=pub.topics.get(slug, slug))
        add(entry, "summary", record.summary)
        body = _bodies(app) / f"{record.docname}.html"
        if body.is_file():
            add(entry, "content", body.read_text(encoding="utf-8"), type="html")
    ET.indent(feed)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True) + b"\n"


def setup(app: Sphinx) -> None:
    app.connect("html-page-context", keep_body)
    app.connect("build-finished", file_writer(pages.FEED, atom_feed, also=shown_bodies))
