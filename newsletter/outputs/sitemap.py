"""``sitemap.xml``: every page a search engine should know, with when it last changed."""

from __future__ import annotations

import datetime as dt
from xml.etree import ElementTree as ET

from sphinx.application import Sphinx

from newsletter.schema import dates
from newsletter.site import pages
from newsletter.site.environment import publication_of
from newsletter.site.records import IssueRecord
from newsletter.site.write_cache import file_writer

FILENAME = "sitemap.xml"
SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"


def sitemap(app: Sphinx, newest_first: list[IssueRecord]) -> bytes:
    pub = publication_of(app.env)
    ET.register_namespace("", SITEMAP)
    urlset = ET.Element(f"{{{SITEMAP}}}urlset")

    def add(docname: str, lastmod: dt.datetime | None = None) -> None:
        url = ET.SubElement(urlset, f"{{{SITEMAP}}}url")
        ET.SubElement(url, f"{{{SITEMAP}}}loc").text = pages.url(app.builder, docname)
        if lastmod is not None:
            ET.SubElement(url, f"{{{SITEMAP}}}lastmod").text = dates.day(lastmod)

    add(app.config.root_doc, newest_first[0].last_updated if newest_first else None)
    add(pages.YEARS)
    for year in sorted({r.date.year for r in newest_first}, reverse=True):
        add(pages.year(year))
    add(pages.TOPICS)
    for slug in pub.topics:
        add(pages.topic(slug))
    for record in newest_first:
        add(record.docname, record.last_updated)
    ET.indent(urlset)
    return ET.tostring(urlset, encoding="utf-8", xml_declaration=True) + b"\n"


def setup(app: Sphinx) -> None:
    app.connect("build-finished", file_writer(FILENAME, sitemap))
