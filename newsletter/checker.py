"""The issue checker: every rule of ``publication.toml``, without Sphinx.

``check(paths)`` reads each issue file with the build's MyST parser, runs the
rules of :mod:`newsletter.rules` and the archive-wide checks (unique numbers),
and returns the problems sorted by file and line.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from . import issuefile, rules
from .issuefile import IssueFile, Problem
from .publication import Publication

ISSUES_GLOB = "issues/**/*.md"


def issue_paths(root: Path) -> list[Path]:
    """Every issue file of the archive, in path (that is, date) order."""
    return sorted(root.glob(ISSUES_GLOB))


def display_path(path: Path, root: Path) -> str:
    """The path as messages show it: relative to the repository when inside it."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def check_file(path: Path, root: Path, pub: Publication) -> IssueFile:
    """Read and check one issue file; never raises."""
    shown = display_path(path, root)
    try:
        raw = path.read_bytes()
    except OSError as error:
        issue = IssueFile(path=shown)
        issue.problem(1, "F100", f"cannot read the file: {error.strerror or error}")
        return issue
    issue = issuefile.read(shown, raw, pub)
    rules.body_findings(issue, pub)
    return issue


def duplicate_numbers(issues: Iterable[IssueFile]) -> Iterator[Problem]:
    """A problem for every issue whose number an earlier issue (by path) already has."""
    first: dict[int, str] = {}
    for issue in sorted(issues, key=lambda i: i.path):
        number = issue.meta.number
        if number is None:
            continue
        if number in first:
            yield Problem(
                issue.path,
                issue.meta.lines.get("number", 1),
                "M210",
                f"number {number} is already the number of {first[number]}",
            )
        else:
            first[number] = issue.path


def check(paths: Iterable[Path], root: Path, pub: Publication) -> list[Problem]:
    """Check ``paths`` (all issues when empty) and return every problem found."""
    archive = {p.resolve(): p for p in issue_paths(root)}
    chosen = [Path(p) for p in paths] or list(archive.values())
    checked = {path.resolve(): check_file(path, root, pub) for path in chosen}
    problems = [p for issue in checked.values() for p in issue.problems]
    # numbers must be unique across the whole archive, not just the files named
    others = (check_file(path, root, pub) for key, path in archive.items() if key not in checked)
    shown = {issue.path for issue in checked.values()}
    problems += [p for p in duplicate_numbers([*checked.values(), *others]) if p.path in shown]
    return sorted(set(problems))
