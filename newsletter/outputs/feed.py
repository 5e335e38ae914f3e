"""What machines read: the Atom feed, ``archive.json`` and ``sitemap.xml``.

All three are made from the issue records in the environment when the build
finishes. The feed's full content is each issue's rendered body, kept when the
page is written (``html-page-context``) in a small cache next to the doctrees:
a page that is not rewritten has not changed, so its cached body is current,
and no doctree is ever read back to make the feed.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urljoin
from xml.etree import ElementTree as ET

from sphinx.application import Sphinx

from newsletter.history import checkout
from newsletter.outputs.pages.archive import TOPICS, YEARS
from newsletter.schema import dates
from newsletter.site.environment import domain_of, publication_of
from newsletter.site.records import IssueRecord

FEED_ENTRIES = 20
ATOM = "http://www.w3.org/2005/Atom"
SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"

_URL_ATTRIBUTE = re.compile(r'\b(href|src)="([^"]*)"')
_HEADERLINK = re.compile(r'<a class="headerlink"[^>]*>.*?</a>')


def _bodies(app: Sphinx) -> Path:
    return Path(app.doctreedir) / "newsletter-bodies"


def absolute_links(body: str, page_url: str) -> str:
    """The body with every relative ``href``/``src`` resolved against the page's URL."""
    body = _HEADERLINK.sub("", body)
    return _URL_ATTRIBUTE.sub(lambda m: f'{m[1]}="{urljoin(page_url, m[2])}"', body)


def page_url(app: Sphinx, docname: str) -> str:
    return publication_of(app.env).site.base_url + app.builder.get_target_uri(docname)


def keep_body(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """``html-page-context``: keep a published issue's body for the feed."""
    record = domain_of(app.env).issues.get(pagename)
    if record is None or not record.published or "body" not in context:
        return
    path = _bodies(app) / f"{pagename}.html"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(absolute_links(context["body"], page_url(app, pagename)), encoding="utf-8")


def _updated(record: IssueRecord) -> dt.datetime:
    return record.updated_at or record.published_at


def atom_feed(app: Sphinx, newest_first: list[IssueRecord]) -> bytes:
    site = publication_of(app.env).site
    pub = publication_of(app.env)
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
    add(feed, "link", rel="self", type="application/atom+xml", href=site.base_url + "feed.xml")
    add(feed, "link", rel="alternate", type="text/html", href=site.base_url)
    newest = max((_updated(r) for r in entries), default=dt.datetime(1970, 1, 1, tzinfo=dt.UTC))
    add(feed, "updated", dates.timestamp(newest))
    author = add(feed, "author")
    add(author, "name", site.publisher)
    for record in entries:
        url = page_url(app, record.docname)
        entry = add(feed, "entry")
        add(entry, "title", f"No. {record.number}: {record.title}")
        add(entry, "id", url)
        add(entry, "link", rel="alternate", type="text/html", href=url)
        add(entry, "published", dates.timestamp(record.published_at))
        add(entry, "updated", dates.timestamp(_updated(record)))
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


def archive_index(app: Sphinx, newest_first: list[IssueRecord]) -> bytes:
    site = publication_of(app.env).site
    version = checkout.version(Path(app.env.srcdir))
    data = {
        "title": site.title,
        "home": site.base_url,
        "feed": site.base_url + "feed.xml",
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
                "url": page_url(app, r.docname),
                "first_published": dates.timestamp(r.published_at),
                "last_updated": dates.timestamp(_updated(r)),
            }
            for r in newest_first
        ],
    }
    return json.dumps(data, indent=2, ensure_ascii=False).encode("utf-8") + b"\n"


def sitemap(app: Sphinx, newest_first: list[IssueRecord]) -> bytes:
    pub = publication_of(app.env)
    ET.register_namespace("", SITEMAP)
    urlset = ET.Element(f"{{{SITEMAP}}}urlset")

    def add(docname: str, lastmod: dt.datetime | None = None) -> None:
        url = ET.SubElement(urlset, f"{{{SITEMAP}}}url")
        ET.SubElement(url, f"{{{SITEMAP}}}loc").text = page_url(app, docname)
        if lastmod is not None:
            ET.SubElement(url, f"{{{SITEMAP}}}lastmod").text = dates.day(lastmod)

    add(app.config.root_doc, _updated(newest_first[0]) if newest_first else None)
    add(YEARS)
    for year in sorted({r.date.year for r in newest_first}, reverse=True):
        add(f"years/{year}")
    add(TOPICS)
    for slug in pub.topics:
        add(f"topics/{slug}")
    for record in newest_first:
        add(record.docname, _updated(record))
    ET.indent(urlset)
    return ET.tostring(urlset, encoding="utf-8", xml_declaration=True) + b"\n"


def write_feeds(app: Sphinx, exception: Exception | None) -> None:
    """``build-finished``: write feed.xml, archive.json and sitemap.xml."""
    if exception is not None or app.builder.name not in ("html", "dirhtml"):
        return
    newest_first = list(reversed(domain_of(app.env).published()))
    out = Path(app.outdir)
    (out / "feed.xml").write_bytes(atom_feed(app, newest_first))
    (out / "archive.json").write_bytes(archive_index(app, newest_first))
    (out / "sitemap.xml").write_bytes(sitemap(app, newest_first))


def setup(app: Sphinx) -> None:
    app.connect("html-page-context", keep_body)
    app.connect("build-finished", write_feeds)
