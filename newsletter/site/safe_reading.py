"""Reading an issue into Sphinx with nothing but what an issue may use.

An issue file is a stranger's input (see ``SECURITY.md``). The checker's rules,
run by the build, report every refused construct; this module makes sure none
of it takes effect even in a build that does not stop on warnings:

1. :class:`IssueParser` reads issues with MyST's parser plus the allowlist of
   :mod:`newsletter.schema.allowed`, which drops refused directives, roles, raw HTML and
   links before MyST renders anything; and it ignores MyST's per-file settings
   in the front matter (``myst:``), through which a file could switch on
   extensions (substitutions, raw HTML images) for itself.
2. Every document is read with docutils' ``file_insertion_enabled`` and
   ``raw_enabled`` off: no directive reads a file or passes markup through.
3. After an issue is read, and before Sphinx collects its images and downloads,
   :func:`sweep` removes whatever could still emit raw HTML, read a local file
   or link to a refused scheme, and says so (H609): a second wall, should a
   future MyST or Sphinx produce such a node from allowed syntax.
"""

from __future__ import annotations

from docutils import nodes
from myst_parser.mdit_to_docutils.sphinx_ import SphinxRenderer
from myst_parser.parsers.mdit import create_md_parser
from myst_parser.parsers.sphinx_ import MystParser
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging

from newsletter.schema import allowed
from newsletter.site.environment import is_issue

logger = logging.getLogger(__name__)


class IssueParser(MystParser):
    """MyST's parser; for an issue, with the allowlist and without per-file settings."""

    def parse(self, inputstring: str, document: nodes.document) -> None:
        env = document.settings.env
        if not is_issue(env.docname):
            super().parse(inputstring, document)
            return
        parser = create_md_parser(env.myst_config, SphinxRenderer)
        parser.use(allowed.allowlist_plugin)
        parser.options["document"] = document
        parser.render(inputstring)


def safe_settings(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    """``env-before-read-docs``: no file insertion and no raw markup in any document."""
    env.settings["file_insertion_enabled"] = False
    env.settings["raw_enabled"] = False


def _unsafe(node: nodes.Node) -> str | None:
    """Why a node of an issue must go, or None."""
    if isinstance(node, nodes.raw):
        return "raw markup"
    if isinstance(node, addnodes.download_reference | addnodes.pending_xref):
        return "a reference to a file or document of the site"
    if isinstance(node, nodes.image) and not allowed.link_allowed(node.get("uri", "")):
        return f"an image from {node.get('uri', '')!r}"
    refuri = node.get("refuri") if isinstance(node, nodes.reference) else None
    if refuri is not None and not allowed.link_allowed(refuri):
        return f"a link to {refuri!r}"
    return None


def sweep(app: Sphinx, doctree: nodes.document) -> None:
    """``doctree-read``, before Sphinx's own collectors: an issue holds no unsafe node."""
    if not is_issue(app.env.docname):
        return
    for node in list(doctree.findall(nodes.Element)):
        if (why := _unsafe(node)) is None:
            continue
        logger.warning(
            "%s was removed from the issue: issues may use only what SECURITY.md lists",
            why,
            location=node,
            type="newsletter",
            subtype="H609",
        )
        text = node.astext() if isinstance(node, nodes.reference | nodes.pending_xref) else ""
        node.replace_self(nodes.Text(text) if text else [])


def setup(app: Sphinx) -> None:
    app.add_source_parser(IssueParser, override=True)
    app.connect("env-before-read-docs", safe_settings)
    app.connect("doctree-read", sweep, priority=100)
