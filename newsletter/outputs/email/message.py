"""One issue's email: its HTML page, its text part, and the message that carries both.

The message names where to unsubscribe (``List-Unsubscribe``, one-click), keeps its
quoted-printable lines to RFC 2045's 76 characters, and is the same bytes for the
same issue.
"""

from __future__ import annotations

import hashlib
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import parseaddr
from typing import Any

import css_inline
from docutils import nodes

from newsletter.outputs.email.text import fill, plain_text
from newsletter.schema import dates
from newsletter.site import pages
from newsletter.site.environment import publication_of
from newsletter.site.records import IssueRecord

TEMPLATE = "email/issue.html"
#: RFC 2045: quoted-printable lines of at most 76 characters (the library's default is 78)
POLICY = SMTP.clone(max_line_length=76)


class Edition:
    """The three renderings of one issue."""

    def __init__(self, builder: Any, record: IssueRecord) -> None:
        self.builder = builder
        self.record = record
        self.pub = publication_of(builder.env)
        site = self.pub.site
        self.page_url = pages.url(builder, record.docname)
        prefix = "" if record.published else "[DRAFT] "
        self.subject = f"{prefix}{site.title} No. {record.number}: {record.title}"

    def html(self, body: str) -> str:
        site = self.pub.site
        page = self.builder.templates.render(
            TEMPLATE,
            {
                "language": site.language,
                "subject": self.subject,
                "css": self.builder.stylesheet,
                "dark_css": self.builder.dark_style,
                "preheader": self.record.summary,
                "page_url": self.page_url,
                "home_url": site.base_url,
                "feed_url": site.base_url + pages.FEED,
                "unsubscribe_url": self.pub.unsubscribe_url,
                "site_title": site.title,
                "body": body,
            },
        )
        # every rule inlined; the dark palette's <style data-css-inline="keep"> stays
        inlined = css_inline.inline(page)
        return inlined.replace('<style data-css-inline="keep">', "<style>", 1)

    def text(self, doctree: nodes.document) -> str:
        site = self.pub.site
        header = f"{fill(self.record.summary)}\n\nView in your browser: {self.page_url}"
        footer = (
            f"The archive of every issue: {site.base_url}\n"
            f"Atom feed: {site.base_url}{pages.FEED}\n"
            f"Unsubscribe: {self.pub.unsubscribe_url}"
        )
        return plain_text(doctree, self.builder, header, footer)

    def message(self, html: str, text: str) -> bytes:
        message = EmailMessage(policy=POLICY)
        message["Subject"] = self.subject
        message["From"] = self.pub.email_sender
        message["Date"] = dates.email_date(self.record.published_at)
        domain = parseaddr(self.pub.email_sender)[1].partition("@")[2] or "localhost"
        message["Message-ID"] = f"<focus-this-week-{self.record.date.isoformat()}@{domain}>"
        # RFC 2369 and RFC 8058: the mail client's own Unsubscribe, one click
        unsubscribe = [self.pub.unsubscribe_mailto, self.pub.unsubscribe_url]
        message["List-Unsubscribe"] = AddressList("List-Unsubscribe", unsubscribe)
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        message.set_content(text, cte="quoted-printable")
        message.add_alternative(html, subtype="html", cte="quoted-printable")
        # the same issue gives the same bytes (the library would draw a random boundary)
        digest = hashlib.sha256(f"{text}\0{html}".encode()).hexdigest()[:32]
        message.set_boundary(f"=_focus-this-week-{digest}")
        return bytes(message)


class AddressList(str):
    """A header of ``<address>``es, folded after each comma and never encoded.

    The email library would write an address too long for the rest of a line as
    RFC 2047 encoded words, which no mail client reads as an address; a value with a
    ``name`` and a ``fold`` is written as it folds itself (``email.policy.EmailPolicy``).
    """

    def __new__(cls, name: str, addresses: list[str]) -> AddressList:
        value = super().__new__(cls, ", ".join(f"<{a}>" for a in addresses))
        value.name = name
        value.addresses = addresses
        return value

    def fold(self, *, policy: Any) -> str:
        lines = ("," + policy.linesep + " ").join(f"<{a}>" for a in self.addresses)
        return f"{self.name}: {lines}{policy.linesep}"
