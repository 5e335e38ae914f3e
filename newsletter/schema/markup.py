"""The MyST settings of the publication, shared by ``conf.py`` and the checker.

The checker parses issues with the very Markdown parser the Sphinx build
uses, configured from these constants, so the two cannot disagree about
where a section, a link or a directive is.
"""

from __future__ import annotations

from functools import cache

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from mdit_py_plugins.front_matter import front_matter_plugin
from myst_parser.config.main import MdParserConfig
from myst_parser.parsers.mdit import create_md_parser

from newsletter.schema import allowed

#: ``myst_enable_extensions``: colon fences for the blocks, nothing that
#: changes the meaning of ``$`` (figures such as "$900.6 billion").
ENABLE_EXTENSIONS: tuple[str, ...] = ("colon_fence",)
#: ``myst_title_to_header``: the title is written once, in the front matter.
TITLE_TO_HEADER = True
#: ``myst_heading_anchors``: stable ids for the sections (#quote-of-the-week).
HEADING_ANCHORS = 2


def parser_config() -> MdParserConfig:
    return MdParserConfig(
        enable_extensions=set(ENABLE_EXTENSIONS),
        title_to_header=TITLE_TO_HEADER,
        heading_anchors=HEADING_ANCHORS,
    )


@cache
def markdown_parser() -> MarkdownIt:
    """The MyST block/inline parser with the build's settings (every link a link token,
    as the build reads issues: :func:`newsletter.schema.allowed.accept_every_link`)."""
    return new_markdown_parser()


def new_markdown_parser() -> MarkdownIt:
    """A parser of its own, as :func:`markdown_parser` (which is made once): for a reader
    that changes one of its rules (:func:`newsletter.schema.rules.parsing.checker_parser`)."""
    parser = create_md_parser(parser_config(), RendererHTML)
    parser.validateLink = allowed.accept_every_link
    # MyST counts the words of every parse for its substitutions; no rule reads the count
    parser.core.ruler.disable("wordcount")
    return parser


@cache
def front_matter_parser() -> MarkdownIt:
    """A parser that finds the front matter exactly as :func:`markdown_parser` does, and
    reads nothing else of the file (for what one issue needs of the others)."""
    parser = MarkdownIt("zero").use(front_matter_plugin)
    parser.disable("inline")
    return parser
