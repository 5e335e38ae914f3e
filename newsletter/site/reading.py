"""How the build reads an issue: the checker's rules, then one record per issue.

Every issue is read with the checker's own reader and rules
(:mod:`newsletter.schema`); their problems are the build's warnings, at their line,
of type ``newsletter`` and the checker's code, so with ``-W`` a broken issue fails
the build with the messages ``check`` prints. What the outputs need of the issue is
kept as its :class:`~newsletter.site.records.IssueRecord`.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging

from newsletter.schema import files, issuefile, rules
from newsletter.schema.problems import Problem
from newsletter.schema.rules.numbers import Numbered, duplicate_numbers
from newsletter.schema.rules.parsing import checker_parser
from newsletter.site import revisions
from newsletter.site.environment import domain_of, is_issue, publication_of
from newsletter.site.records import IssueRecord

logger = logging.getLogger(__name__)

#: the rules the build runs: the blocks' own are said by the directives (D401-D403)
BUILD_RULES = tuple(r for r in rules.RULES if r not in rules.BUILD_REPORTS_ITSELF)


def read_issue(app: Sphinx, docname: str, source: list[str]) -> None:
    """``source-read``: check an issue with the checker's rules and record it."""
    if not is_issue(docname):
        return
    pub = publication_of(app.env)
    path = str(app.env.doc2path(docname))
    # the checker's parser: its rules find what they find with the full one (tested), and
    # the build keeps nothing else of these tokens (MyST reads the issue for the page)
    issue = issuefile.parse_text(path, source[0], pub, checker_parser())
    rules.body_findings(issue, pub, BUILD_RULES)
    report(docname, issue.problems)
    record = IssueRecord.from_meta(
        docname, issue.meta, pub.site, revisions.commits(app.env, docname)
    )
    if record is not None:
        domain_of(app.env).add(record)


def report(docname: str, problems: Iterable[Problem]) -> None:
    """The build's warnings for ``problems`` of ``docname`` (a draft's placeholder is said,
    not fatal)."""
    for problem in problems:
        if problem.severity == "todo":
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
        if not is_issue(docname):
            continue
        path = env.doc2path(docname)
        issue = issuefile.IssueFile(path=str(path))
        raw = files.read_bytes(Path(path), Path(env.srcdir), issue.problem)
        readable = raw is not None and files.decode(raw, issue.problem) is not None
        report(docname, issue.problems)  # e.g. a byte-order mark Sphinx would hide
        if not readable:
            docnames.remove(docname)
            env.found_docs.discard(docname)


def mark_orphan(app: Sphinx, doctree: Any) -> None:
    """``doctree-read``: issues are reached through the archive, not a toctree."""
    docname = app.env.docname
    if is_issue(docname):
        app.env.metadata[docname]["orphan"] = True


def check_archive(app: Sphinx, env: BuildEnvironment) -> None:
    """``env-check-consistency``: numbers are unique across the archive (the checker's rule)."""
    docnames = {str(env.doc2path(d, base=False)): d for d in domain_of(env).issues}
    numbered = (
        Numbered(path, record.number, record.number_line)
        for path, record in ((p, domain_of(env).issues[d]) for p, d in docnames.items())
    )
    for problem in duplicate_numbers(numbered):
        report(docnames[problem.path], [problem])


def plain_mailto_links(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    """``env-before-read-docs``: readers copy the question's address; do not cloak it."""
    env.settings["cloak_email_addresses"] = False


def setup(app: Sphinx) -> None:
    app.connect("source-read", read_issue)
    app.connect("doctree-read", mark_orphan)
    app.connect("env-check-consistency", check_archive)
    app.connect("env-before-read-docs", plain_mailto_links)
    app.connect("env-before-read-docs", screen_sources)
