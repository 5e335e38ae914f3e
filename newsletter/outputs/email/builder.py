"""The email edition: ``make email`` (``sphinx-build -b email``).

From the same sources and the same resolved doctrees as the web archive, the
``email`` builder writes for each issue ``YYYY-MM-DD.html`` (one self-contained
document, every style inlined by css-inline, every link absolute),
``YYYY-MM-DD.txt`` (the plain-text alternative) and ``YYYY-MM-DD.eml`` (both,
as a ``multipart/alternative`` message ready for any mailing service).

The HTML is written for mail clients, not browsers (``tests/test_email.py`` checks
it against caniemail's support data): the blocks and every other box are one-cell
``role="presentation"`` tables whose cell carries the background, border and
padding (Outlook for Windows draws them only on table cells; Outlook.com and Yahoo
drop ``<figure>``), inside an Outlook-only 600 px table; the issue's summary is the
hidden preheader; the dark palette (``_static/email-dark.css``) is the one
``<style>`` kept, for clients that honour ``prefers-color-scheme`` and for
Outlook.com, which marks what it darkens with ``data-ogsc``/``data-ogsb``. The
message names where to unsubscribe (``List-Unsubscribe``, one-click) and keeps its
quoted-printable lines to RFC 2045's 76 characters.

Every published issue is built, unless ``newsletter_email_issue`` (``make email
ISSUE=YYYY-MM-DD``) names one; a draft is built only when named, and its
subject then starts with ``[DRAFT]``.
"""

from __future__ import annotations

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
from sphinx.writers.html5 import HTML5Translator

from newsletter.outputs.email import text as plaintext
from newsletter.schema import blocks
from newsletter.site.environment import domain_of, is_issue, publication_of
from newsletter.site.records import IssueRecord

logger = logging.getLogger(__name__)

STYLESHEET = Path("_static") / "email.css"
#: the dark palette: the rules of the one <style> the email keeps
DARK_STYLESHEET = Path("_static") / "email-dark.css"
TEMPLATE = "email/issue.html"
#: RFC 2045: quoted-printable lines of at most 76 characters (the library's default is 78)
POLICY = SMTP.clone(max_line_length=76)
#: the nodes drawn as a box, by class: one-cell table around them (see EmailTranslator)
BOXED = ("ftw-draft", "ftw-corrections", "ftw-closing")
#: what Outlook.com's dark mode sets on an element whose colour / background it changed
MARKS = ("ogsc", "ogsb")
_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
#: the files of one issue's edition
_EDITION = re.compile(r"\d{4}-\d{2}-\d{2}\.(?:html|txt|eml)")


class EmailTranslator(HTML5Translator):
    """An issue's HTML for mail clients: the web page's markup where every target client
    keeps it, table cells where some drop or misdraw it.

    No ``<section>`` (the section is its heading); each box is a one-cell
    ``role="presentation"`` table whose cell (``ftw-cell NAME-cell``) carries the
    background, border and padding: the quote, stat and question blocks (the table has
    the block's classes; no ``<figure>``/``<figcaption>``, the caption is a plain
    ``<div class="ftw-caption">``), a section heading over its rule (``ftw-heading``), and
    the nodes of a class in :data:`BOXED`.
    """

    def visit_section(self, node: nodes.section) -> None:
        self.section_level += 1

    def depart_section(self, node: nodes.section) -> None:
        self.section_level -= 1

    def open_box(self, name: str, classes: str = "") -> None:
        """A one-cell table of class ``classes`` (else ``name``), its cell of class
        ``ftw-cell NAME-cell``."""
        self.body.append(
            f'<table role="presentation" class="{classes or name}" width="100%" cellpadding="0" '
            f'cellspacing="0" border="0"><tr><td class="ftw-cell {name}-cell">'
        )

    def close_box(self) -> None:
        self.body.append("</td></tr></table>\n")

    # the blocks
    def visit_block(self, node: blocks.block) -> None:
        name = next(c for c in node["classes"] if c != "ftw-block")  # ftw-quote, ...
        self.open_box(name, " ".join(node["classes"]))

    def depart_block(self, node: blocks.block) -> None:
        self.close_box()

    visit_quote_block = visit_stat_block = visit_question_block = visit_block
    depart_quote_block = depart_stat_block = depart_question_block = depart_block

    def visit_block_caption(self, node: blocks.block_caption) -> None:
        self.body.append(self.starttag(node, "div", "", CLASS="ftw-caption"))

    def depart_block_caption(self, node: blocks.block_caption) -> None:
        self.body.append("</div>\n")

    def visit_block_quote(self, node: nodes.block_quote) -> None:
        self.body.append(self.starttag(node, "blockquote", ""))

    def depart_block_quote(self, node: nodes.block_quote) -> None:
        self.body.append("</blockquote>\n")

    # a section's heading over its rule
    def _ruled(self, node: nodes.title) -> bool:
        return isinstance(node.parent, nodes.section) and self.section_level == 2

    def visit_title(self, node: nodes.title) -> None:
        if self._ruled(node):
            self.open_box("ftw-heading")
        super().visit_title(node)

    def depart_title(self, node: nodes.title) -> None:
        super().depart_title(node)
        if self._ruled(node):
            self.close_box()

    # the boxed notices and the closing
    @staticmethod
    def _boxed(node: nodes.Element) -> str | None:
        return next((c for c in BOXED if c in node["classes"]), None)

    def visit_paragraph(self, node: nodes.paragraph) -> None:
        if name := self._boxed(node):
            self.open_box(name, f"{name}-box")
        super().visit_paragraph(node)

    def depart_paragraph(self, node: nodes.paragraph) -> None:
        super().depart_paragraph(node)
        if self._boxed(node):
            self.close_box()

    def visit_container(self, node: nodes.container) -> None:
        if name := self._boxed(node):
            self.open_box(name, f"{name}-box")
        super().visit_container(node)

    def depart_container(self, node: nodes.container) -> None:
        super().depart_container(node)
        if self._boxed(node):
            self.close_box()


class EmailBuilder(StandaloneHTMLBuilder):
    """Writes the email edition of issues (see the module's documentation)."""

    name = "email"
    format = "html"
    epilog = "The email edition is in %(outdir)s."
    default_translator_class = EmailTranslator
    add_permalinks = False
    search = False
    use_index = False
    copysource = False
    supported_image_types = ["image/png", "image/jpeg", "image/gif"]  # noqa: RUF012

    def create_translator(self, *args: Any) -> nodes.NodeVisitor:
        """The email translator, with its own visitors: Sphinx puts the visitors registered
        for the ``html`` format (the blocks' ``<figure>``) on every HTML translator it
        makes, over the class's own methods."""
        translator = super().create_translator(*args)
        for name in [n for n in vars(translator) if n.startswith(("visit_", "depart_"))]:
            if hasattr(EmailTranslator, name):
                delattr(translator, name)
        return translator

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
        dark = (Path(self.srcdir) / DARK_STYLESHEET).read_text(encoding="utf-8")
        self.dark_style = dark_style(dark)
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
        body = "".join(visitor.fragment)

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
                "dark_css": self.builder.dark_style,
                "preheader": self.record.summary,
                "page_url": self.page_url,
                "home_url": site.base_url,
                "feed_url": site.base_url + "feed.xml",
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
        header = f"{plaintext.fill(self.record.summary)}\n\nView in your browser: {self.page_url}"
        footer = (
            f"The archive of every issue: {site.base_url}\n"
            f"Atom feed: {site.base_url}feed.xml\n"
            f"Unsubscribe: {self.pub.unsubscribe_url}"
        )
        return plaintext.render(doctree, header, footer)

    def message(self, html: str, text: str) -> bytes:
        message = EmailMessage(policy=POLICY)
        message["Subject"] = self.subject
        message["From"] = self.pub.email_sender
        message["Date"] = format_datetime(self.record.published_at)  # (always English)
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


def dark_style(css: str) -> str:
    """The one ``<style>`` the email keeps: the dark palette's rules (``css``, flat rules),
    for clients that say they are dark (``prefers-color-scheme``) and for Outlook.com,
    which darkens the colours itself and marks each element it changed with ``data-ogsc``
    (colour) or ``data-ogsb`` (background): the palette's rules win there too."""
    rules = [(sel.strip(), decl.strip()) for sel, decl in _RULE.findall(_COMMENT.sub("", css))]
    media = "".join(f"{sel}{{{decl}}}" for sel, decl in rules)
    marked = "".join(
        ",".join(f"[data-{mark}] {one.strip()}" for mark in MARKS for one in sel.split(","))
        + f"{{{decl}}}"
        for sel, decl in rules
    )
    return f"@media (prefers-color-scheme: dark){{{media}}}\n{marked}"


def setup(app: Any) -> None:
    app.add_config_value("newsletter_email_issue", "", "", types=frozenset({str}))
    app.add_builder(EmailBuilder)
