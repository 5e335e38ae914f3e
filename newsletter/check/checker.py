"""The issue checker: every rule of ``publication.toml``, without Sphinx.

``check(paths)`` reads each issue file with the build's MyST parser, runs the
rules of :mod:`newsletter.rules` and the archive-wide checks (unique numbers),
and returns the problems sorted by file and line.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from newsletter.schema import issuefile, rules
from newsletter.schema.issuefile import IssueFile, Problem
from newsletter.schema.publication import Publication

#: where the issue files are, under the root: issues/**/*.md
ISSUES_FOLDER = "issues"


def issue_paths(root: Path) -> list[Path]:
    """Every issue file of the archive (``issues/**/*.md``), in path (that is, date) order.

    Linked folders are followed, each real folder once, so that an issue reached
    through a link out of the repository is found and refused (F108), not skipped.
    """
    found: list[Path] = []
    seen: set[str] = set()
    for folder, folders, files in os.walk(root / ISSUES_FOLDER, followlinks=True):
        real = os.path.realpath(folder)
        if real in seen:
            folders[:] = []
            continue
        seen.add(real)
        found += (Path(folder) / name for name in files if name.endswith(".md"))
    return sorted(found)


def display_path(path: Path, root: Path) -> str:
    """The path as messages show it: relative to the repository when inside it (links
    are not followed: a link is shown where it is, not where it leads)."""
    try:
        return Path(os.path.abspath(path)).relative_to(os.path.abspath(root)).as_posix()
    except ValueError:
        try:
            return path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            return path.as_posix()


def read_bytes(path: Path, root: Path, issue: IssueFile) -> bytes | None:
    """The bytes of an issue file, or None with its problem (F100, F108).

    An issue is a regular file inside the repository: a symbolic link (which git
    stores as such, pointing anywhere) is not followed, nor is a path that leads
    out of the repository through a linked folder.
    """
    inside = path.resolve().is_relative_to(root.resolve())
    if path.is_symlink() or not inside:
        where = "a symbolic link" if path.is_symlink() else "outside the repository"
        issue.problem(
            1, "F108", f"an issue file is a regular file in issues/, not {where}; replace it"
        )
        return None
    try:
        return path.read_bytes()
    except OSError as error:
        issue.problem(1, "F100", f"cannot read the file: {error.strerror or error}")
        return None


def check_file(path: Path, root: Path, pub: Publication) -> IssueFile:
    """Read and check one issue file; never raises."""
    shown = display_path(path, root)
    unread = IssueFile(path=shown)
    raw = read_bytes(path, root, unread)
    if raw is None:
        return unread
    issue = issuefile.read(shown, raw, pub)
    rules.body_findings(issue, pub)
    return issue


def front_matter_of(path: Path, root: Path, pub: Publication) -> IssueFile:
    """The front matter of an issue file that is not checked itself; never raises."""
    try:
        raw = path.read_bytes()
    except OSError:
        return IssueFile(path=display_path(path, root))
    return issuefile.read_front_matter(display_path(path, root), raw, pub)


@dataclass(frozen=True)
class Checked:
    """What the archive-wide checks need of a file, and the file's own problems."""

    path: str
    number: int | None
    number_line: int
    problems: tuple[Problem, ...] = ()

    @classmethod
    def of(cls, issue: IssueFile) -> Checked:
        meta = issue.meta
        return cls(issue.path, meta.number, meta.lines.get("number", 1), tuple(issue.problems))


def duplicate_numbers(issues: Iterable[Checked]) -> Iterator[Problem]:
    """A problem for every issue whose number an earlier issue (by path) already has."""
    first: dict[int, str] = {}
    for issue in sorted(issues, key=lambda i: i.path):
        if issue.number is None:
            continue
        if issue.number in first:
            yield Problem(
                issue.path,
                issue.number_line,
                "M210",
                f"number {issue.number} is already the number of {first[issue.number]}",
            )
        else:
            first[issue.number] = issue.path


#: from how many files on the checking is shared among the processors
PARALLEL_FROM = 64


def _check_one(job: tuple[Path, Path, Publication]) -> Checked:
    return Checked.of(check_file(*job))


def check_files(paths: list[Path], root: Path, pub: Publication) -> list[Checked]:
    """Check every file of ``paths``, in worker processes when there are many of them."""
    jobs = [(path, root, pub) for path in paths]
    workers = min(os.cpu_count() or 1, len(jobs) // (PARALLEL_FROM // 2))
    if len(jobs) < PARALLEL_FROM or workers < 2:
        return [_check_one(job) for job in jobs]
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        return list(pool.map(_check_one, jobs, chunksize=16))


def check(paths: Iterable[Path], root: Path, pub: Publication) -> list[Problem]:
    """Check ``paths`` (all issues when empty) and return every problem found."""
    archive = {p.resolve(): p for p in issue_paths(root)}
    named = {Path(p).resolve(): Path(p) for p in paths} or archive  # named twice is once
    chosen = list(named.values())
    checked = check_files(chosen, root, pub)
    problems = [p for issue in checked for p in issue.problems]
    # numbers must be unique across the whole archive, not just the files named:
    # of the other files only the front matter is read
    others = (
        Checked.of(front_matter_of(p, root, pub)) for key, p in archive.items() if key not in named
    )
    shown = {issue.path for issue in checked}
    problems += [p for p in duplicate_numbers([*checked, *others]) if p.path in shown]
    return sorted(set(problems))
