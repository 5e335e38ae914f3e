"""The frame of an issue page: what every issue shows around its own sections.

The issue header (number, date, topics), the DRAFT banner, the corrections
notice, the salutation and the closing are added when the page is written
(``doctree-resolved``), from the issue's record and ``publication.toml``, so
no issue file repeats them and the stored doctree stays the issue's own. They
carry the ``no-search`` class: searching for "Hong Kong" should not find every
issue because the closing names it.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx

from newsletter.schema import dates
from newsletter.site import pages, revisions
from newsletter.site.environment import domain_of, publication_of
from newsletter.site.records import IssueRecord


def _paragraph(text: str, *classes: str) -> nodes.paragraph:
    return nodes.paragraph(text, text, classes=[*classes, "no-search"])


def issue_header(app: Sphinx, docname: str, record: IssueRecord) -> nodes.paragraph:
    pub = publication_of(app.env)
    header = nodes.paragraph(classes=["ftw-issue-meta", "no-search"])
    header += nodes.inline("", f"No. {record.number}", classes=["ftw-issue-number"])
    header += nodes.Text(" · ")
    header += nodes.inline("", record.long_date, classes=["ftw-issue-date"])
    for index, slug in enumerate(record.topics):
        header += nodes.Text(" · " if index == 0 else ", ")
        uri = app.builder.get_relative_uri(docname, pages.topic(slug))
        header += nodes.reference("", pub.topics.get(slug, slug), refuri=uri)
    return header


def frame_issue(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """``doctree-resolved``: put the issue's sections in their frame."""
    record = domain_of(app.env).issues.get(docname)
    top = next(iter(doctree.findall(nodes.section)), None)
    if record is None or top is None or not isinstance(top[0], nodes.title):
        return
    pub = publication_of(app.env)
    opening: list[nodes.Node] = [issue_header(app, docname, record)]
    if not record.published:
        banner = nodes.container(classes=["ftw-draft", "no-search"])
        banner += _paragraph(
            "DRAFT: this issue is not published. It is listed nowhere and "
            "appears in no feed; do not share this page."
        )
        opening.append(banner)
    if record.corrections:
        opening.append(corrections_notice(app, docname, record))
    opening.append(_paragraph(pub.site.salutation, "ftw-salutation"))
    top[1:1] = opening
    top += _paragraph(pub.site.closing, "ftw-closing")
    top += revision_line(app, docname, record)


def corrections_notice(app: Sphinx, docname: str, record: IssueRecord) -> nodes.container:
    """Each correction, and a link to the text it corrected (its revision page)."""
    language = publication_of(app.env).site.language
    before: dict[tuple[dt.date, str], int] = {}  # each entry: the revision before it
    for revision in revisions.of(app.env, docname) or ():
        for note in revision.notes:
            before.setdefault((note.date, note.text), revision.number - 1)
    notice = nodes.container(classes=["ftw-corrections", "no-search"])
    for correction in record.corrections:
        when = dates.long_date(correction.date, language)
        line = _paragraph(f"Correction, {when}: {correction.text}")
        if revision := before.get((correction.date, correction.text)):
            target = pages.revision(docname, revision)
            line += nodes.Text(" ")
            line += nodes.reference(
                "",
                "See the text before this correction.",
                refuri=app.builder.get_relative_uri(docname, target),
            )
        notice += line
    return notice


def revision_line(app: Sphinx, docname: str, record: IssueRecord) -> nodes.paragraph:
    """First published, last updated, and links to the source and its history."""
    site = publication_of(app.env).site
    line = nodes.paragraph(classes=["ftw-revision", "no-search"])
    line += nodes.Text("First published ")
    line += nodes.inline("", record.long_date, classes=["ftw-published"])
    if record.updated_at is not None:
        latest = max(c.date for c in record.corrections)
        line += nodes.Text(" · last updated ")
        line += nodes.inline("", dates.long_date(latest, site.language), classes=["ftw-updated"])
    path = str(app.env.doc2path(docname, base=False))
    repository = site.repository_url.rstrip("/")
    branch = site.repository_branch
    line += nodes.Text(" · ")
    line += nodes.reference("", "source", refuri=f"{repository}/blob/{branch}/{path}")
    line += nodes.Text(" · ")
    line += nodes.reference("", "history", refuri=f"{repository}/commits/{branch}/{path}")
    return line


def page_meta(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """``html-page-context``: the description and sharing tags of every page.

    An issue is described by its summary and shared as an article; the archive's other
    pages (home, years, topics, search) by the publication's description (``[site]
    description`` in ``publication.toml``) as the website. Drafts are not indexed, and
    neither is the search page. Docutils' own viewport tag goes: the layout has one.
    """
    site = publication_of(app.env).site
    record = domain_of(app.env).issues.get(pagename)
    url = pages.url(app.builder, pagename)
    title = html.unescape(re.sub(r"<[^>]+>", "", str(context.get("title") or "")))
    common = {
        "og:site_name": site.title,
        "og:url": url,
        "og:image": site.base_url + SHARING_IMAGE,
    }
    if record is not None:
        tags = {
            "description": record.summary,
            "og:type": "article",
            "og:title": record.title,
            "og:description": record.summary,
            **common,
            "article:published_time": dates.timestamp(record.published_at),
            **(
                {"article:modified_time": dates.timestamp(record.updated_at)}
                if record.updated_at
                else {}
            ),
            "twitter:card": "summary",
            "twitter:title": record.title,
            "twitter:description": record.summary,
        }
        if not record.published:
            tags = {"robots": "noindex"}
    else:
        title = title if title and title != site.title else site.title
        tags = {
            **({"robots": "noindex"} if pagename == "search" else {}),
            "description": site.description,
            "og:type": "website",
            "og:title": title,
            "og:description": site.description,
            **common,
            "twitter:card": "summary",
            "twitter:title": title,
            "twitter:description": site.description,
        }
    markup = "".join(
        f"<meta {'property' if ':' in key and not key.startswith('twitter') else 'name'}="
        f'"{key}" content="{html.escape(value)}">\n'
        for key, value in tags.items()
    )
    docutils_tags = _VIEWPORT.sub("", context.get("metatags", ""))
    context["metatags"] = docutils_tags + markup


#: the image shared with a page (the publication's icon), relative to the site's address
SHARING_IMAGE = "_static/apple-touch-icon.png"
#: docutils writes a viewport tag into every document's head; the layout writes its own
_VIEWPORT = re.compile(r'<meta name="viewport"[^>]*>\s*')


#: Sphinx's table of contents of a page with a title and plain sections, as its HTML
#: writer writes it (``toc`` in the page's context): anything it escaped holds a "&"
_PLAIN_TOC = re.compile(
    r'<ul>\n<li><a class="reference internal" href="#">[^<]*</a>'
    r'(?:<ul>\n((?:<li><a class="reference internal" href="#[\w-]+">[^<&]*</a></li>\n)+)</ul>\n)?'
    r"</li>\n</ul>\n"
)


def sidebar_list(toc: str, show_toc_level: int) -> str | None:
    """What pydata-sphinx-theme's ``generate_toc_html()`` prints for a page whose table of
    contents is ``toc``, if it is a title and plain sections (else None): the sections'
    list, lifted out of the title's, with the theme's classes on each list, item and link."""
    match = _PLAIN_TOC.fullmatch(toc)
    if match is None:
        return None
    if not match[1]:
        return ""  # a title alone: no list
    items = match[1].replace("<li>", '<li class="toc-h2 nav-item toc-entry">')
    items = items.replace('<a class="reference internal"', '<a class="reference internal nav-link"')
    shown = "pst-show_toc_level " if show_toc_level >= 1 else ""
    return f'<ul class="{shown}nav section-nav flex-column">\n{items}</ul>'


def page_toc(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """``html-page-context``, before the theme's: ``newsletter_page_toc()``, the sidebar's
    list of a page's sections, for our templates (page-toc.html, toggle-secondary-sidebar.html).

    The theme makes it with BeautifulSoup (``generate_toc_html``) and every page asks for it
    four times, twice to see whether a template would be empty: 2.5 ms a page, a twentieth
    of a clean build's CPU. An issue's table of contents is always a title and the schema's
    sections, whose list is written here from Sphinx's own as :func:`sidebar_list` says
    (tested against the theme's); any other page gets the theme's function.
    """
    plain = sidebar_list(str(context.get("toc", "")), int(context.get("theme_show_toc_level", 1)))

    def newsletter_page_toc(kind: str = "html") -> Any:
        if plain is not None and kind == "html":
            return plain
        theirs = context.get("newsletter_theme_toc") or context["generate_toc_html"]
        return theirs(kind)

    context["newsletter_page_toc"] = newsletter_page_toc


def theme_page_toc(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """``html-page-context``, after the theme's: the theme's templates, which print the list
    (the book theme's print-only contents), get ours too."""
    if "newsletter_page_toc" in context and "generate_toc_html" in context:
        context["newsletter_theme_toc"] = context["generate_toc_html"]
        context["generate_toc_html"] = context["newsletter_page_toc"]


def setup(app: Sphinx) -> None:
    app.connect("doctree-resolved", frame_issue)
    app.connect("html-page-context", page_meta)
    app.connect("html-page-context", page_toc, priority=499)
    app.connect("html-page-context", theme_page_toc, priority=600)
