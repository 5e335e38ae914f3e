"""An issue's HTML for mail clients: the web page's markup where every target client
keeps it, one-cell tables where some drop or misdraw it; and the dark palette's style.

``tests/test_email.py`` checks the result against caniemail's support data: the
blocks and every other box are one-cell ``role="presentation"`` tables whose cell
carries the background, border and padding (Outlook for Windows draws them only on
table cells; Outlook.com and Yahoo drop ``<figure>``); the dark palette
(``_static/email-dark.css``) is the one ``<style>`` kept, for clients that honour
``prefers-color-scheme`` and for Outlook.com, which marks what it darkens with
``data-ogsc``/``data-ogsb``.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from docutils import nodes
from sphinx.writers.html5 import HTML5Translator

from newsletter.schema import blocks

#: the nodes drawn as a box, by class: one-cell table around them (see EmailTranslator)
BOXED = ("ftw-draft", "ftw-corrections", "ftw-closing")
#: what Outlook.com's dark mode sets on an element whose colour / background it changed
MARKS = ("ogsc", "ogsb")
_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")


def _boxed(kind: str) -> tuple[Callable[..., None], Callable[..., None]]:
    """The visitor and departure of ``kind`` nodes (paragraph, container): HTML5's, in a
    box when the node has a class of :data:`BOXED`."""
    visit_html, depart_html = (
        getattr(HTML5Translator, f"visit_{kind}"),
        getattr(HTML5Translator, f"depart_{kind}"),
    )

    def box_of(node: nodes.Element) -> str | None:
        return next((c for c in BOXED if c in node["classes"]), None)

    def visit(self: EmailTranslator, node: nodes.Element) -> None:
        if name := box_of(node):
            self.open_box(name, f"{name}-box")
        visit_html(self, node)

    def depart(self: EmailTranslator, node: nodes.Element) -> None:
        depart_html(self, node)
        if box_of(node):
            self.close_box()

    return visit, depart


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

    # the boxed notices and the closing: paragraphs and containers of a class in BOXED
    visit_paragraph, depart_paragraph = _boxed("paragraph")
    visit_container, depart_container = _boxed("container")


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
