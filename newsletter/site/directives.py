"""The quote, stat and question blocks in the Sphinx build.

The directives are :mod:`newsletter.schema.blocks`'s: here each says what is wrong
with a block as the build says the checker's findings (a warning of type
``newsletter`` and the checker's code), and the HTML builders draw a block as a
``<figure>`` with its ``<figcaption>``.
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx
from sphinx.util import logging

from newsletter.schema import blocks

logger = logging.getLogger(__name__)


class _BuildReports:
    """Mixed into a block directive: its warnings are the build's."""

    def report(self, line: int, code: str, message: str) -> None:
        env = self.state.document.settings.env  # type: ignore[attr-defined]
        logger.warning(message, location=(env.docname, line), type="newsletter", subtype=code)


#: the directives the build registers, by name
DIRECTIVES = {
    name: type(directive.__name__, (_BuildReports, directive), {})
    for name, directive in blocks.BLOCK_DIRECTIVES.items()
}


def visit_block_html(self: Any, node: blocks.block) -> None:
    self.body.append(self.starttag(node, "figure"))


def depart_block_html(self: Any, node: blocks.block) -> None:
    self.body.append("</figure>\n")


def visit_caption_html(self: Any, node: blocks.block_caption) -> None:
    self.body.append(self.starttag(node, "figcaption"))


def depart_caption_html(self: Any, node: blocks.block_caption) -> None:
    self.body.append("</figcaption>\n")


def setup(app: Sphinx) -> None:
    for name, directive in DIRECTIVES.items():
        app.add_directive(name, directive)
    for node in (blocks.quote_block, blocks.stat_block, blocks.question_block):
        app.add_node(node, html=(visit_block_html, depart_block_html))
    app.add_node(blocks.block_caption, html=(visit_caption_html, depart_caption_html))
