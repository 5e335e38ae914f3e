"""Work shared among processes forked from this one: the checker's files, the versions
of issues a build reads from git. No Sphinx here, and nothing of the newsletter's.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable, Iterator
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


#: from how many items on the work is shared among the processors
PARALLEL_FROM = 64


def processes_for(jobs: int) -> int:
    """How many processes share ``jobs`` items: one below :data:`PARALLEL_FROM`, else one
    per processor, each with at least half that many items."""
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
