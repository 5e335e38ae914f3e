"""The issue checker: every rule of ``publication.toml``, without Sphinx.

``check(paths)`` reads each issue file with the build's MyST parser, runs the
rules of :mod:`newsletter.schema.rules` and the archive-wide checks (unique numbers),
and returns the problems sorted by file and line.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from newsletter.schema import files, issuefile, rules
from newsletter.schema.issuefile import IssueFile
from newsletter.schema.problems import Problem
from newsletter.schema.publication import Publication
from newsletter.schema.rules.numbers import Numbered, duplicate_numbers
from newsletter.schema.rules.tokens import checker_parser


def check_file(path: Path, root: Path, pub: Publication) -> IssueFile:
    """Read and check one issue file; never raises."""
    shown = files.display_path(path, root)
    unread = IssueFile(path=shown)
    raw = files.read_bytes(path, root, unread.problem)
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


#: from how many files on the reading is shared among the processors
PARALLEL_FROM = 64

#: a file to check whole (True), or another file of the archive, read for its front
#: matter only (False): what :func:`read_all` does with each
Job = tuple[bool, Path]

T = TypeVar("T")
R = TypeVar("R")


def read_all(jobs: list[Job], root: Path, pub: Publication) -> list[Checked]:
    """Each file of ``jobs``, checked whole or read for its front matter only (whose
    problems are left out: a file is reported only when it is checked)."""
    return [
        Checked.of(check_file(path, root, pub))
        if whole
        else Checked(Checked.of(front_matter_of(path, root, pub)).numbered)
        for whole, path in jobs
    ]


def processes_for(jobs: int) -> int:
    """How many processes share ``jobs`` files: one below :data:`PARALLEL_FROM`, else one
    per processor, each with at least half that many files."""
    if jobs < PARALLEL_FROM or not hasattr(os, "fork"):
        return 1
    return max(1, min(os.cpu_count() or 1, jobs // (PARALLEL_FROM // 2)))


#: at most how many portions the items are cut into, for the processes to take in turn
PORTIONS = 1024


def _portions(queue: int) -> Iterator[int]:
    """The index of each portion, as the processes take them from the ``queue`` pipe."""
    while piece := os.read(queue, 4):  # (a pipe reads 4 bytes whole: one reader at a time)
        yield int.from_bytes(piece, "little")


def shared(work: Callable[[list[T]], list[R]], items: list[T], processes: int) -> list[R]:
    """``work(items)``, the items shared among ``processes`` processes; in their order.

    The other processes are forked from this one, which has imported everything
    already and does its part meanwhile: none starts Python or imports anything
    again, and nothing is sent to them but the numbers of the portions of the items (a
    file or a few) that each takes in turn from one pipe, as soon as it is done with
    the one before; so a process slowed by others on the machine takes fewer. Each
    sends its results back through a pipe of its own. (A pool of workers, as before,
    had to import ``concurrent.futures`` and ``multiprocessing`` first, 30 ms, then
    start, and be sent every file with the publication; cut into equal shares, the
    items waited for the slowest process.) What a process that fails took is done
    here instead.
    """
    if processes < 2 or len(items) < 2 or not hasattr(os, "fork"):
        return work(items)
    size = -(-len(items) // PORTIONS)
    starts = range(0, len(items), size)
    queue, queue_end = os.pipe()
    # (written whole before any process reads: 4 KB at most, which a pipe holds)
    os.write(queue_end, b"".join(start.to_bytes(4, "little") for start in starts))
    os.close(queue_end)

    def take() -> dict[int, list[R]]:
        return {start: work(items[start : start + size]) for start in _portions(queue)}

    children = []
    for _ in range(processes - 1):
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: its portions into the pipe, then out, running nothing else
            status = 1
            try:
                os.close(read_end)
                with os.fdopen(write_end, "wb") as pipe:
                    pickle.dump(take(), pipe, protocol=pickle.HIGHEST_PROTOCOL)
                status = 0
            finally:
                os._exit(status)
        os.close(write_end)
        children.append((pid, read_end))
    done = take()
    os.close(queue)
    for pid, read_end in children:
        with os.fdopen(read_end, "rb") as pipe:
            sent = pipe.read()
        _, status = os.waitpid(pid, 0)
        try:
            part = pickle.loads(sent) if os.waitstatus_to_exitcode(status) == 0 else {}
        except Exception:  # (a child that died half-way)
            part = {}
        done.update(part)
    results: list[R] = []
    for start in starts:  # (a portion that a failed process took is done here)
        results += done[start] if start in done else work(items[start : start + size])
    return results


def check(paths: Iterable[Path], root: Path, pub: Publication) -> list[Problem]:
    """Check ``paths`` (all issues when empty) and return every problem found."""
    found = files.issue_paths(root)
    archive = dict(zip(files.resolved(found), found, strict=True))
    named = {Path(p).resolve(): Path(p) for p in paths} or archive  # named twice is once
    # numbers must be unique across the whole archive, not just the files named:
    # of the other files only the front matter is read
    jobs: list[Job] = [(True, path) for path in named.values()]
    jobs += [(False, path) for key, path in archive.items() if key not in named]
    read = shared(lambda share: read_all(share, root, pub), jobs, processes_for(len(jobs)))
    checked = [issue for issue, (whole, _) in zip(read, jobs, strict=True) if whole]
    problems = [p for issue in checked for p in issue.problems]
    shown = {issue.numbered.path for issue in checked}
    numbered = [issue.numbered for issue in read]
    problems += [p for p in duplicate_numbers(numbered) if p.path in shown]
    return sorted(set(problems))
