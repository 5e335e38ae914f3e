"""An issue's doctree as plain text: the text part of the email edition.

Paragraphs are wrapped at 72 columns; every web link becomes a numbered
reference, ``text [1]``, listed at the end; the quote, stat and question read
as what they are. Nodes marked ``ftw-email-skip`` are left out.
"""

from __future__ import annotations

import re
import textwrap

from docutils import nodes

from newsletter.schema import blocks

WIDTH = 72


class Links:
    """The numbered references of one document, each URL numbered once."""

    def __init__(self) -> None:
        self.urls: list[str] = []

    def number(self, url: str) -> int:
        if url not in self.urls:
            self.urls.append(url)
        return self.urls.index(url) + 1

    def render(self) -> str:
        return "\n".join(f"[{n}] {url}" for n, url in enumerate(self.urls, 1))


def inline_text(node: nodes.Node, links: Links) -> str:
    """The text of an inline run, with ``[n]`` after each web link; a superscript after a
    ``^`` (10^6, not 106), an abbreviation with its expansion."""
    if isinstance(node, nodes.Text):
        return re.sub(r"\s+", " ", str(node))
    if isinstance(node, nodes.superscript):
        return "^" + "".join(inline_text(child, links) for child in node.children)
    if isinstance(node, nodes.abbreviation) and node.get("explanation"):
        words = "".join(inline_text(child, links) for child in node.children)
        return f"{words} ({node['explanation']})"
    if isinstance(node, nodes.reference):
        text = "".join(inline_text(child, links) for child in node.children).strip()
        url = node.get("refuri", "")
        if not url or url.startswith("mailto:") or text == url:
            return text  # the address is already in the words
        return f"{text} [{links.number(url)}]"
    return "".join(inline_text(child, links) for child in node.children)


def fill(text: str, indent: str = "", first: str | None = None) -> str:
    """``text`` wrapped at :data:`WIDTH` columns, its white space collapsed."""
    return textwrap.fill(
        " ".join(text.split()),
        width=WIDTH,
        initial_indent=indent if first is None else first,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    )


def blocks_of(node: nodes.Node, links: Links, indent: str = "") -> list[str]:
    """The text blocks (paragraph-sized strings) of ``node``, in order."""
    if isinstance(node, nodes.Element) and "ftw-email-skip" in node.get("classes", ()):
        return []
    if isinstance(node, (nodes.comment, nodes.target, nodes.raw, nodes.system_message)):
        return []
    if isinstance(node, nodes.title):
        text = inline_text(node, links).strip()
        depth = sum(1 for a in _ancestors(node) if isinstance(a, nodes.section))
        rule = "=" if depth <= 1 else "-"
        return [f"{text.upper() if depth <= 1 else text}\n{rule * min(len(text), WIDTH)}"]
    if isinstance(node, (nodes.paragraph, nodes.line)):
        return [fill(inline_text(node, links), indent)]
    if isinstance(node, (nodes.bullet_list, nodes.enumerated_list)):
        found = []
        for number, item in enumerate(node.children, 1):
            marker = "- " if isinstance(node, nodes.bullet_list) else f"{number}. "
            inner = "\n".join(blocks_of(item, links)).split("\n")
            text = " ".join(line.strip() for line in inner)
            found.append(fill(text, indent + " " * len(marker), indent + marker))
        return ["\n".join(found)]
    if isinstance(node, blocks.stat_block):
        figure, *rest = node.children
        head = f"{indent}>> {inline_text(figure, links).strip()} <<"
        return [head, *(b for child in rest for b in blocks_of(child, links, indent))]
    if isinstance(node, nodes.block_quote):
        return [b for child in node.children for b in blocks_of(child, links, indent + "    ")]
    if isinstance(node, nodes.Element):
        return [b for child in node.children for b in blocks_of(child, links, indent)]
    return []


def _ancestors(node: nodes.Node) -> list[nodes.Node]:
    found = []
    while node.parent is not None:
        node = node.parent
        found.append(node)
    return found


def render(doctree: nodes.Node, header: str = "", footer: str = "") -> str:
    """The whole document as wrapped plain text, links listed at the end; ``header``
    before it, ``footer`` after a ``--`` line at the very end."""
    links = Links()
    parts = [header] if header else []
    parts += [b for b in blocks_of(doctree, links) if b.strip()]
    if links.urls:
        parts.append("Links:\n" + links.render())
    if footer:
        parts.append(f"--\n{footer}")
    return "\n\n".join(parts).rstrip() + "\n"
