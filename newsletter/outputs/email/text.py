"""The text part of the email: an issue's doctree through Sphinx's own text writer.

:class:`EmailTextTranslator` is Sphinx's :class:`~sphinx.writers.text.TextTranslator`
(code blocks, image alt text, tables and lists as Sphinx writes them) with what an
email's plain text needs besides:

- lines wrapped at :data:`WIDTH` (72) columns, tables too;
- every web link a numbered reference, ``text [1]``, each address numbered once and
  listed at the end (an image's address too, after its alt text);
- the issue's own title in capitals over ``=``, its sections over ``-``;
- the three blocks read as what they are: the quote's words indented, the figure of
  the stat as ``>> $900.6 billion <<``, the question and its caption as paragraphs;
- words as a reader reads them in the HTML part: emphasis, strong and code without
  marks, a subscript as it is (H2O), a superscript after a ``^`` (10^6), an
  abbreviation with its expansion.

Sphinx's text writer depends on its translator's internals (``states``,
``stateindent``), so Sphinx is pinned to one major version in ``pyproject.toml``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from docutils import nodes
from docutils.utils import column_width
from sphinx.writers.text import TextTranslator, TextWrapper

WIDTH = 72
#: how far the quoted words stand in
QUOTE_INDENT = 4
#: a table's column is never wrapped narrower
MIN_COLUMN = 8
#: around the figure of a stat block
FIGURE_MARKS = (">> ", " <<")


def wrap_lines(text: str, width: int = WIDTH) -> list[str]:
    """Sphinx's wrapping (which counts wide characters as two columns), broken only at
    spaces: never inside a hyphenated word or an address."""
    wrapper = TextWrapper(width=width, break_long_words=False, break_on_hyphens=False)
    return wrapper.wrap(text)


class EmailTextTranslator(TextTranslator):
    """Sphinx's text writer, for the text part of the email (see the module)."""

    def __init__(self, document: nodes.document, builder: Any) -> None:
        super().__init__(document, builder)
        self.sectionchars = "=" + "-" * 8  # the title, then its sections
        self.add_secnumbers = False
        #: the addresses of the numbered references, in order
        self.links: list[str] = []

    def reference_number(self, url: str) -> int:
        if url not in self.links:
            self.links.append(url)
        return self.links.index(url) + 1

    # -- 72 columns: Sphinx's end_state, which wraps at its module's 70 ------------

    def end_state(
        self, wrap: bool = True, end: Sequence[str] | None = ("",), first: str | None = None
    ) -> None:
        content = self.states.pop()
        maxindent = sum(self.stateindent)
        indent = self.stateindent.pop()
        result: list[tuple[int, list[str]]] = []
        toformat: list[str] = []

        def do_format() -> None:
            if not toformat:
                return
            if wrap:
                lines = wrap_lines("".join(toformat), WIDTH - maxindent)
            else:
                lines = "".join(toformat).splitlines()
            result.append((indent, [*lines, *(end or ())]))

        for itemindent, item in content:
            if itemindent == -1:
                toformat.append(item)  # type: ignore[arg-type]
            else:
                do_format()
                result.append((indent + itemindent, item))  # type: ignore[arg-type]
                toformat = []
        do_format()
        if first is not None and result:
            newindent = result[0][0] - indent
            if result[0][1] == [""]:
                result.insert(0, (newindent, [first]))
            else:
                result.insert(0, (newindent, [first + result[0][1].pop(0)]))
        self.states[-1].extend(result)

    def visit_transition(self, node: nodes.Element) -> None:
        self.new_state(0)
        self.add_text("=" * (WIDTH - sum(self.stateindent)))
        self.end_state()
        raise nodes.SkipNode

    # -- tables: as Sphinx draws them, each column as wide as it needs within 72 ------------

    def depart_table(self, node: nodes.Element) -> None:
        table = self.table
        widths = [1] * len(table.colwidth)
        for cell in table.cells:
            if cell.colspan == 1 and cell.col is not None:
                lines = cell.text.splitlines() or [""]
                widths[cell.col] = max(widths[cell.col], *map(column_width, lines))
        budget = WIDTH - sum(self.stateindent) - 3 * len(widths) - 1  # (borders and padding)
        while sum(widths) > budget and max(widths) > MIN_COLUMN:
            widths[widths.index(max(widths))] -= 1  # the widest column wraps first
        table.colwidth = widths
        super().depart_table(node)

    # -- titles ------------------------------------------------------------------

    def depart_title(self, node: nodes.Element) -> None:
        if isinstance(node.parent, nodes.section) and self.sectionlevel == 1:
            self.states[-1] = [(i, t.upper() if i == -1 else t) for i, t in self.states[-1]]
        super().depart_title(node)

    # -- links and images ----------------------------------------------------------

    def depart_reference(self, node: nodes.Element) -> None:
        url = node.get("refuri", "")
        if url and not url.startswith("mailto:") and node.astext().strip() != url:
            self.add_text(f" [{self.reference_number(url)}]")

    def visit_image(self, node: nodes.Element) -> None:
        alt = " ".join(str(node.get("alt", "")).split())
        self.add_text(f"[image: {alt}]" if alt else "[image]")
        if (url := node.get("uri", "")).startswith(("http://", "https://")):
            self.add_text(f" [{self.reference_number(url)}]")
        raise nodes.SkipNode

    # -- lists: an item of one paragraph is one line or a few, the list one block --------

    def _ends_list_item(self, node: nodes.Element) -> bool:
        return isinstance(node.parent, nodes.list_item) and node is node.parent[-1]

    def depart_bullet_list(self, node: nodes.Element) -> None:
        super().depart_bullet_list(node)
        self.states[-1].append((0, [""]))

    def depart_enumerated_list(self, node: nodes.Element) -> None:
        super().depart_enumerated_list(node)
        self.states[-1].append((0, [""]))

    # -- the blocks ------------------------------------------------------------------

    def visit_block_quote(self, node: nodes.Element) -> None:
        self.new_state(QUOTE_INDENT)

    def visit_paragraph(self, node: nodes.Element) -> None:
        super().visit_paragraph(node)
        if "ftw-stat-figure" in node["classes"]:
            self.add_text(FIGURE_MARKS[0])

    def depart_paragraph(self, node: nodes.Element) -> None:
        if "ftw-stat-figure" in node["classes"]:
            self.add_text(FIGURE_MARKS[1])
        if self._ends_list_item(node):
            self.end_state(end=None)  # (the list is followed by a blank line)
        else:
            super().depart_paragraph(node)

    # -- words as the HTML part shows them ----------------------------------------------

    def _unmarked(self, node: nodes.Element) -> None:
        pass

    visit_emphasis = depart_emphasis = visit_strong = depart_strong = _unmarked
    visit_literal = depart_literal = visit_subscript = depart_subscript = _unmarked

    def visit_system_message(self, node: nodes.Element) -> None:
        raise nodes.SkipNode  # a build's warning, not the text


def plain_text(doctree: nodes.document, builder: Any, header: str, footer: str) -> str:
    """The whole issue as the email's text part: ``header``, the issue, its links, and
    ``footer`` after a ``--`` line at the very end."""
    translator = EmailTextTranslator(doctree, builder)
    doctree.walkabout(translator)
    body = re.sub(r"\n{3,}", "\n\n", translator.body).strip("\n")  # one blank line between blocks
    parts = [header, body]
    if translator.links:
        listed = "\n".join(f"[{n}] {url}" for n, url in enumerate(translator.links, 1))
        parts.append(f"Links:\n{listed}")
    parts.append(f"--\n{footer}")
    return "\n\n".join(part for part in parts if part.strip()).rstrip() + "\n"


def fill(text: str) -> str:
    """``text`` wrapped at :data:`WIDTH` columns (the summary above the issue)."""
    return "\n".join(wrap_lines(" ".join(text.split())))
