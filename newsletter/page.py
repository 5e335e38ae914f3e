"""The frame of an issue page: what every issue shows around its own sections.

The issue header (number, date, topics), the DRAFT banner, the corrections
notice, the salutation and the closing are added when the page is written
(``doctree-resolved``), from the issue's record and ``publication.toml``, so
no issue file repeats them and the stored doctree stays the issue's own. They
carry the ``no-search`` class: searching for "Hong Kong" should not find every
issue because the closing names it.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx.application import Sphinx

from .domain import IssueRecord
from .extension import domain_of, publication_of


def long_date(record: IssueRecord) -> str:
    return f"{record.date.day} {record.date:%B %Y}"


def _paragraph(text: str, *classes: str) -> nodes.paragraph:
    return nodes.paragraph(text, text, classes=[*classes, "no-search"])


def issue_header(app: Sphinx, docname: str, record: IssueRecord) -> nodes.paragraph:
    pub = publication_of(app.env)
    header = nodes.paragraph(classes=["ftw-issue-meta", "no-search"])
    header += nodes.inline("", f"No. {record.number}", classes=["ftw-issue-number"])
    header += nodes.Text(" · ")
    header += nodes.inline("", long_date(record), classes=["ftw-issue-date"])
    for index, slug in enumerate(record.topics):
        header += nodes.Text(" · " if index == 0 else ", ")
        uri = app.builder.get_relative_uri(docname, f"topics/{slug}")
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
        notice = nodes.container(classes=["ftw-corrections", "no-search"])
        for correction in record.corrections:
            when = f"{correction.date.day} {correction.date:%B %Y}"
            notice += _paragraph(f"Correction, {when}: {correction.text}")
        opening.append(notice)
    opening.append(_paragraph(pub.site.salutation, "ftw-salutation"))
    top[1:1] = opening
    top += _paragraph(pub.site.closing, "ftw-closing")


def page_context(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """``html-page-context``: issue neighbours for the theme's previous/next links."""
    domain = domain_of(app.env)
    record = domain.issues.get(pagename)
    if record is None:
        return
    before, after = neighbours(domain.published(), record)
    context["prev"] = _link(app, pagename, before, "Previous issue")
    context["next"] = _link(app, pagename, after, "Next issue")
    context["newsletter_issue"] = record
    if not record.published:
        context["metatags"] = context.get("metatags", "") + (
            '<meta name="robots" content="noindex">\n'
        )


def neighbours(
    published: list[IssueRecord], record: IssueRecord
) -> tuple[IssueRecord | None, IssueRecord | None]:
    """The published issues just before and just after ``record`` in date order."""
    key = (record.date, record.number)
    earlier = [r for r in published if (r.date, r.number) < key]
    later = [r for r in published if (r.date, r.number) > key]
    return (earlier[-1] if earlier else None, later[0] if later else None)


def _link(
    app: Sphinx, pagename: str, record: IssueRecord | None, label: str
) -> dict[str, str] | None:
    if record is None:
        return None
    return {
        "link": app.builder.get_relative_uri(pagename, record.docname),
        "title": f"No. {record.number}: {record.title}",
    }


def setup(app: Sphinx) -> None:
    app.connect("doctree-resolved", frame_issue)
    app.connect("html-page-context", page_context)
