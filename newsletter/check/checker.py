"""The issue checker: every rule of ``publication.toml``, without Sphinx.

``check(paths)`` reads each issue file with the build's MyST parser, runs the
rules of :mod:`newsletter.schema.rules` and the archive-wide checks (unique numbers),
and returns the problems sorted by file and line.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from newsletter.processes import processes_for, shared
from newsletter.schema import files, issuefile, rules
from newsletter.schema.issuefile import IssueFile
from newsletter.schema.problems import Problem
from newsletter.schema.publication import Publication
from newsletter.schema.rules.numbers import Numbered, duplicate_numbers
from newsletter.schema.rules.parsing import checker_parser


def check_file(
    path: Path, root: Path, pub: Publication, real: tuple[Path, Path] | None = None
) -> IssueFile:
    """Read and check one issue file; never raises. ``real``: ``(path.resolve(),
    root.resolve())``, where they are known (:func:`newsletter.schema.files.read_bytes`)."""
    shown = files.display_path(path, root)
    unread = IssueFile(path=shown)
    raw = files.read_bytes(path, root, unread.problem, real)
    if raw is None:
        return unread
    issue = issuefile.read(shown, raw, pub, checker_parser())
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


#: a file to check whole (True), or another file of the archive, read for its front
#: matter only (False): what :func:`read_all` does with each; and the file's path resolved
Job = tuple[bool, Path, Path]


def read_all(
    jobs: list[Job], root: Path, pub: Publication, real_root: Path | None = None
) -> list[Checked]:
    """Each file of ``jobs``, checked whole or read for its front matter only (whose
    problems are left out: a file is reported only when it is checked); ``real_root``:
    ``root.resolve()``, where it is known."""
    real_root = root.resolve() if real_root is None else real_root
    return [
        Checked.of(check_file(path, root, pub, (real, real_root)))
        if whole
        else Checked(Checked.of(front_matter_of(path, root, pub)).numbered)
        for whole, path, real in jobs
    ]


def check(
    paths: Iterable[Path], root: Path, pub: Publication, found: list[Path] | None = None
) -> list[Problem]:
    """Check ``paths`` (all issues when empty) and return every problem found; ``found``:
    :func:`newsletter.schema.files.issue_paths`, where the caller has it already."""
    found = files.issue_paths(root) if found is None else found
    archive = dict(zip(files.resolved(found), found, strict=True))
    named = {Path(p).resolve(): Path(p) for p in paths} or archive  # named twice is once
    # numbers must be unique across the whole archive, not just the files named:
    # of the other files only the front matter is read
    jobs: list[Job] = [(True, path, real) for real, path in named.items()]
    jobs += [(False, path, real) for real, path in archive.items() if real not in named]
    real_root = root.resolve()
    read = shared(
        lambda share: read_all(share, root, pub, real_root), jobs, processes_for(len(jobs))
    )
    checked = [issue for issue, (whole, *_) in zip(read, jobs, strict=True) if whole]
    problems = [p for issue in checked for p in issue.problems]
    shown = {issue.numbered.path for issue in checked}
    numbered = [issue.numbered for issue in read]
    problems += [p for p in duplicate_numbers(numbered) if p.path in shown]
    return sorted(set(problems))
