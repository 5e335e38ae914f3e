"""The email edition: ``make email`` (``sphinx-build -b email``).

From the same sources and the same resolved doctrees as the web archive, the
``email`` builder writes for each issue ``YYYY-MM-DD.html`` (one self-contained
document, every style inlined by css-inline, every link absolute),
``YYYY-MM-DD.txt`` (the plain-text alternative) and ``YYYY-MM-DD.eml`` (both,
as a ``multipart/alternative`` message ready for any mailing service).

The HTML is written for mail clients, not browsers (:mod:`.html`), inside an
Outlook-only 600 px table, with the issue's summary as the hidden preheader; the
text part is Sphinx's text writer's (:mod:`.text`); the message (:mod:`.message`)
carries both.

Every published issue is built, unless ``newsletter_email_issue`` (``make email
ISSUE=YYYY-MM-DD``) names one; a draft is built only when named, and its
subject then starts with ``[DRAFT]``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Set
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.builders.html import StandaloneHTMLBuilder
from sphinx.util import logging

from newsletter.outputs.email.html import EmailTranslator, dark_style
from newsletter.outputs.email.message import Edition
from newsletter.site import pages
from newsletter.site.environment import domain_of, is_issue
from newsletter.site.records import IssueRecord

logger = logging.getLogger(__name__)

STYLESHEET = Path("_static") / "email.css"
#: the dark palette: the rules of the one <style> the email keeps
DARK_STYLESHEET = Path("_static") / "email-dark.css"
#: the files of one issue's edition
_EDITION = re.compile(r"\d{4}-\d{2}-\d{2}\.(?:html|txt|eml)")


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
        yield from (d for d in sorted(self.env.found_docs) if is_issue(d))

    # -- links are absolute: they are read in an inbox -----------------------------

    def get_target_uri(self, docname: str, typ: str | None = None) -> str:
        return docname + ".html"

    def get_relative_uri(self, from_: str, to: str, typ: str | None = None) -> str:
        return pages.url(self, to)

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


def setup(app: Any) -> None:
    app.add_config_value("newsletter_email_issue", "", "", types=frozenset({str}))
    app.add_builder(EmailBuilder)
