"""The issue checker: every rule of ``publication.toml``, without Sphinx.

``check(paths)`` reads each issue file with the build's MyST parser, runs the
rules of :mod:`newsletter.schema.rules` and the archive-wide checks (unique numbers),
and returns the problems sorted by file and line.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from newsletter.schema import files, issuefile, rules
from newsletter.schema.issuefile import IssueFile
from newsletter.schema.problems import Problem
from newsletter.schema.publication import Publication
from newsletter.schema.rules.numbers import Numbered, duplicate_numbers


def check_file(path: Path, root: Path, pub: Publication) -> IssueFile:
    """Read and check one issue file; never raises."""
    shown = files.display_path(path, root)
    unread = IssueFile(path=shown)
    raw = files.read_bytes(path, root, unread.problem)
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
        return IssueFile(path=files.display_path(path, root))
    return issuefile.read_front_matter(files.display_path(path, root), raw, pub)


@dataclass(frozen=True)
class Checked:
    """What the archive-wide rule needs of a file, and the file's own problems."""

    numbered: Numbered
    problems: tuple[Problem, ...] = ()

    @classmethod
    def of(cls, issue: IssueFile) -> Checked:
        meta = issue.meta
        numbered = Numbered(issue.path, meta.number, meta.lines.get("number", 1))
        return cls(numbered, tuple(issue.problems))


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
    archive = {p.resolve(): p for p in files.issue_paths(root)}
    named = {Path(p).resolve(): Path(p) for p in paths} or archive  # named twice is once
    chosen = list(named.values())
    checked = check_files(chosen, root, pub)
    problems = [p for issue in checked for p in issue.problems]
    # numbers must be unique across the whole archive, not just the files named:
    # of the other files only the front matter is read
    others = (
        Checked.of(front_matter_of(p, root, pub)) for key, p in archive.items() if key not in named
    )
    shown = {issue.numbered.path for issue in checked}
    numbered = [issue.numbered for issue in (*checked, *others)]
    problems += [p for p in duplicate_numbers(numbered) if p.path in shown]
    return sorted(set(problems))
