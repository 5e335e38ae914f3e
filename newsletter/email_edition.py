"""The email edition: ``make email`` (``sphinx-build -b email``).

From the same sources and the same resolved doctrees as the web archive, the
``email`` builder writes for each issue ``YYYY-MM-DD.html`` (one self-contained
document, every style inlined by css-inline, every link absolute),
``YYYY-MM-DD.txt`` (the plain-text alternative) and ``YYYY-MM-DD.eml`` (both,
as a ``multipart/alternative`` message ready for any mailing service).

Every published issue is built, unless ``newsletter_email_issue`` (``make email
ISSUE=YYYY-MM-DD``) names one; a draft is built only when named, and its
subject then starts with ``[DRAFT]``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterator, Set
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, parseaddr
from pathlib import Path
from typing import Any

import css_inline
from docutils import nodes
from sphinx.builders.html import StandaloneHTMLBuilder
from sphinx.util import logging

from . import plaintext
from .domain import IssueRecord
from .extension import domain_of, is_issue, publication_of

logger = logging.getLogger(__name__)

STYLESHEET = Path("_static") / "email.css"
TEMPLATE = "email/issue.html"
_HEADERLINK = re.compile(r'<a class="headerlink"[^>]*>.*?</a>')
#: the files of one issue's edition
_EDITION = re.compile(r"\d{4}-\d{2}-\d{2}\.(?:html|txt|eml)")


class EmailBuilder(StandaloneHTMLBuilder):
    """Writes the email edition of issues (see the module's documentation)."""

    name = "email"
    format = "html"
    epilog = "The email edition is in %(outdir)s."
    search = False
    use_index = False
    copysource = False
    supported_image_types = ["image/png", "image/jpeg", "image/gif"]  # noqa: RUF012

    # -- which issues ------------------------------------------------------------

    def chosen(self) -> list[IssueRecord]:
        """The issues to write, from the records read (see the module's documentation)."""
        records = domain_of(self.env).in_date_order()
        wanted = self.config.newsletter_email_issue
        if not wanted:
            return [r for r in records if r.published]
        found = [r for r in records if r.date.isoformat() == wanted]
        if not found:
            logger.warning(
                "no issue is dated %s (ISSUE= takes the date of an issue, YYYY-MM-DD)",
                wanted,
                type="newsletter",
                subtype="email",
            )
        return found

    def get_outdated_docs(self) -> Iterator[str]:
        """Every issue document: each email is remade on every run (it is cheap)."""
        yield from (d for d in sorted(self.env.found_docs) if is_issue(self.env, d))

    # -- links are absolute: they are read in an inbox -----------------------------

    def get_target_uri(self, docname: str, typ: str | None = None) -> str:
        return docname + ".html"

    def get_relative_uri(self, from_: str, to: str, typ: str | None = None) -> str:
        return publication_of(self.env).site.base_url + self.get_target_uri(to)

    # -- writing -------------------------------------------------------------------

    def copy_assets(self) -> None:
        """An email carries no separate files."""

    def write_doc_serialized(self, docname: str, doctree: nodes.document) -> None:
        """No search index, no images to copy."""

    def finish(self) -> None:
        """No index pages, no static files; when every issue was written, no email
        of an issue that is no longer published (or no longer there) is left."""
        if self.config.newsletter_email_issue:
            return
        wanted = {r.date.isoformat() for r in self.chosen()}
        for path in sorted(Path(self.outdir).glob("*.*")):
            if _EDITION.fullmatch(path.name) and path.name.split(".")[0] not in wanted:
                path.unlink()

    def prepare_writing(self, docnames: Set[str]) -> None:
        super().prepare_writing(docnames)
        self.stylesheet = (Path(self.srcdir) / STYLESHEET).read_text(encoding="utf-8")
        self.chosen_docnames = {r.docname for r in self.chosen()}

    def write_doc(self, docname: str, doctree: nodes.document) -> None:
        if docname not in self.chosen_docnames:
            return
        record = domain_of(self.env).issues[docname]
        for node in list(doctree.findall(nodes.Element)):
            if "ftw-revision" in node["classes"]:
                node.parent.remove(node)  # source and history links belong on the web
        doctree.settings = self.docsettings
        self.current_docname = docname
        self.secnumbers, self.fignumbers = {}, {}
        visitor = self.create_translator(doctree, self)
        doctree.walkabout(visitor)
        body = _HEADERLINK.sub("", "".join(visitor.fragment))

        edition = Edition(self, record)
        html = edition.html(body)
        text = edition.text(doctree)
        out = Path(self.outdir)
        out.mkdir(parents=True, exist_ok=True)
        stem = record.date.isoformat()
        (out / f"{stem}.html").write_text(html, encoding="utf-8")
        (out / f"{stem}.txt").write_text(text, encoding="utf-8")
        (out / f"{stem}.eml").write_bytes(edition.message(html, text))


class Edition:
    """The three renderings of one issue."""

    def __init__(self, builder: EmailBuilder, record: IssueRecord) -> None:
        self.builder = builder
        self.record = record
        self.pub = publication_of(builder.env)
        site = self.pub.site
        self.page_url = site.base_url + builder.get_target_uri(record.docname)
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
                "page_url": self.page_url,
                "home_url": site.base_url,
                "feed_url": site.base_url + "feed.xml",
                "site_title": site.title,
                "body": body,
            },
        )
        return css_inline.inline(page)

    def text(self, doctree: nodes.document) -> str:
        header = f"View in your browser: {self.page_url}"
        return plaintext.render(doctree, header)

    def message(self, html: str, text: str) -> bytes:
        message = EmailMessage(policy=SMTP)
        message["Subject"] = self.subject
        message["From"] = self.pub.email_sender
        sent = dt.datetime.combine(self.record.date, dt.time(), tzinfo=dt.UTC)
        message["Date"] = format_datetime(sent)
        domain = parseaddr(self.pub.email_sender)[1].partition("@")[2] or "localhost"
        message["Message-ID"] = f"<focus-this-week-{self.record.date.isoformat()}@{domain}>"
        message.set_content(text)
        message.add_alternative(html, subtype="html")
        # the same issue gives the same bytes (the library would draw a random boundary)
        digest = hashlib.sha256(f"{text}\0{html}".encode()).hexdigest()[:32]
        message.set_boundary(f"=_focus-this-week-{digest}")
        return bytes(message)


def setup(app: Any) -> None:
    app.add_config_value("newsletter_email_issue", "", "", types=frozenset({str}))
    app.add_builder(EmailBuilder)
