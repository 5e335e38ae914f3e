"""The Sphinx extension: ``extensions = ["newsletter"]`` in ``conf.py``.

:func:`setup` is the one place that registers everything the publication adds
to Sphinx; each concern lives in its own module and is wired here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging

from newsletter.check import checker
from newsletter.outputs.pages import revision_pages
from newsletter.schema import blocks, issuefile, rules
from newsletter.site import safe_reading
from newsletter.site.environment import domain_of, is_issue, publication_of
from newsletter.site.records import IssueRecord, IssuesDomain

logger = logging.getLogger(__name__)


# -- reading -------------------------------------------------------------------


def read_issue(app: Sphinx, docname: str, source: list[str]) -> None:
    """``source-read``: check an issue with the checker's rules and record it.

    The problems are reported as warnings at their line, so with ``-W`` a
    broken issue fails the build with the same messages ``check`` prints.
    """
    if not is_issue(app.env, docname):
        return
    pub = publication_of(app.env)
    path = str(app.env.doc2path(docname))
    issue = issuefile.parse_text(path, source[0], pub)
    build_rules = tuple(r for r in rules.RULES if r not in rules.BUILD_REPORTS_ITSELF)
    rules.body_findings(issue, pub, build_rules)
    _report(app, docname, issue.problems)
    record = IssueRecord.from_meta(
        docname, issue.meta, pub.site, revision_pages.commits(app.env, docname)
    )
    if record is not None:
        domain_of(app.env).add(record)


def _report(app: Sphinx, docname: str, problems: list[issuefile.Problem]) -> None:
    for problem in problems:
        if problem.severity == "todo":  # a draft's placeholder: shown, not fatal
            logger.info("%s:%d: to fill: %s", problem.path, problem.line, problem.message)
            continue
        logger.warning(
            problem.message,
            location=(docname, problem.line),
            type="newsletter",
            subtype=problem.code,
        )


def screen_sources(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    """``env-before-read-docs``: keep unreadable issue files away from Sphinx.

    Sphinx stops with a traceback on a file that is not UTF-8; a binary or
    huge file is no issue either, nor is a symbolic link, which could lead to
    any file of the machine. Such a file gets its one-line diagnosis and
    is left out of the build (which then fails, as ``-W`` makes it).
    """
    for docname in list(docnames):
        if not is_issue(env, docname):
            continue
        path = env.doc2path(docname)
        issue = issuefile.IssueFile(path=str(path))
        raw = checker.read_bytes(Path(path), Path(env.srcdir), issue)
        readable = raw is not None and issuefile.decode(issue, raw) is not None
        _report(app, docname, issue.problems)  # e.g. a byte-order mark Sphinx would hide
        if not readable:
            docnames.remove(docname)
            env.found_docs.discard(docname)


def mark_orphan(app: Sphinx, doctree: Any) -> None:
    """``doctree-read``: issues are reached through the archive, not a toctree."""
    docname = app.env.docname
    if is_issue(app.env, docname):
        app.env.metadata[docname]["orphan"] = True


def check_archive(app: Sphinx, env: BuildEnvironment) -> None:
    """``env-check-consistency``: numbers are unique across the archive."""
    first: dict[int, IssueRecord] = {}
    for record in sorted(domain_of(env).issues.values(), key=lambda r: r.docname):
        if record.number in first:
            logger.warning(
                "number %d is already the number of %s",
                record.number,
                env.doc2path(first[record.number].docname, base=False),
                location=(record.docname, record.number_line),
                type="newsletter",
                subtype="M210",
            )
        else:
            first[record.number] = record


def plain_mailto_links(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    """``env-before-read-docs``: readers copy the question's address; do not cloak it."""
    env.settings["cloak_email_addresses"] = False


# -- setup ---------------------------------------------------------------------


def setup(app: Sphinx) -> dict[str, Any]:
    # what an issue is: the record of each one, kept per document
    app.add_domain(IssuesDomain)
    app.connect("source-read", read_issue)
    app.connect("doctree-read", mark_orphan)
    app.connect("env-check-consistency", check_archive)
    app.connect("env-before-read-docs", plain_mailto_links)
    app.connect("env-before-read-docs", screen_sources)
    # what an issue may make the build do: the allowlist, no file insertion, no raw markup
    safe_reading.setup(app)

    # the quote, stat and question blocks
    for name, directive in blocks.BLOCK_DIRECTIVES.items():
        app.add_directive(name, directive)
    for node in (blocks.quote_block, blocks.stat_block, blocks.question_block):
        app.add_node(node, html=(blocks.visit_block_html, blocks.depart_block_html))
    app.add_node(blocks.block_caption, html=(blocks.visit_caption_html, blocks.depart_caption_html))

    # the issue page around the issue's own sections; the archive around the issues;
    # the feeds, index and sitemap of the published issues
    from newsletter import page, theme_css
    from newsletter.outputs import feed as feeds
    from newsletter.outputs.email import builder as email_edition
    from newsletter.outputs.pages import archive, csp
    from newsletter.outputs.search import events as search
    from newsletter.site import speedups
    from newsletter.site import write_cache as generated_pages

    page.setup(app)
    generated_pages.setup(app)  # the years, topics and search pages: written when changed
    speedups.setup(app)  # compiled templates kept between builds; no collection at exit
    archive.setup(app)
    feeds.setup(app)
    search.setup(app)  # the archive's search: a Pagefind index of the issues' own text
    csp.setup(app)  # every web page's Content-Security-Policy, with its inline scripts' hashes
    theme_css.setup(app)  # the theme's stylesheet cut to what the pages use, no icon font
    # the email edition of the same issues: sphinx-build -b email
    email_edition.setup(app)
    # every earlier published text of a corrected issue: issues/YYYY/YYYY-MM-DD/revision-N
    revision_pages.setup(app)

    return {
        "version": "1",
        "env_version": 1,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
