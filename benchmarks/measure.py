"""Run one command and measure it: wall-clock time and peak memory.

:func:`timed` starts the command with :class:`subprocess.Popen` (its output to
temporary files, not pipes, so nothing but :func:`os.wait4` reaps it) and gives

- ``seconds``: wall-clock time (``time.perf_counter``) from start to exit, Python's
  and Sphinx's start-up included;
- ``cpu``: the CPU time (user + system) of the command and every descendant it
  reaped, from the same ``rusage`` as ``maxrss``: what the work costs whatever else
  the machine runs at the time (wall-clock time grows with the machine's load);
- ``maxrss``: the kernel's peak resident set size of the command's process tree, from
  the ``rusage`` that ``os.wait4(pid, 0)`` returns for that one child. On Linux this
  is the largest ``ru_maxrss`` of the child itself and of every descendant it reaped
  (a child's peak is folded into its parent's when the parent waits for it, as the
  build waits for Pagefind): a maximum over processes, not their sum, and per
  command, whatever ran before. (``getrusage(RUSAGE_CHILDREN)`` would not do: its
  ``ru_maxrss`` is the largest of all the children this process ever reaped, a
  maximum that no earlier larger build lets fall, and not a delta.)
- ``treerss``: the largest memory held at once by the process and all its
  descendants alive, sampled every :data:`SAMPLE` seconds from ``/proc``
  (``/proc/PID/task/*/children``; the RSS from ``statm`` while there is one
  process, the sum of the PSS from ``smaps_rollup`` while there are several, so
  that shared pages count once): what the machine holds while the build's Python
  waits for Pagefind. Sampling can miss a peak shorter than the interval, which
  grows with what a sample costs (:data:`SHARE`).
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

#: seconds between two samples of the process tree's memory, at least
SAMPLE = 0.05
#: the share of one processor the sampler may take: it waits at least this many times as
#: long as its last sample took. Reading ``smaps_rollup`` walks a process's page tables,
#: holding the lock of its memory map: at 5,200 issues one sample of the build took 21
#: to 28 ms of CPU (its processes held 0.4 to 0.7 GB), and every 50 ms that was a third
#: of one of this machine's two processors, taken from the build it measured.
SHARE = 0.05
PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


@dataclass
class Run:
    seconds: float
    returncode: int
    stdout: str
    stderr: str
    #: seconds of CPU, user + system, of the process and its reaped descendants
    cpu: float = 0.0
    #: bytes: the largest peak RSS of one process of the tree (the kernel's, via wait4)
    maxrss: int = 0
    #: bytes: the largest sampled sum of the RSS of the tree's processes alive at once
    treerss: int = 0

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    @property
    def peak(self) -> int:
        """Bytes: the larger of the two measures of peak memory."""
        return max(self.maxrss, self.treerss)


def descendants(pid: int) -> list[int]:
    """``pid`` and every process below it, from ``/proc/PID/task/TID/children``."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            tasks = os.listdir(f"/proc/{current}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                children = Path(f"/proc/{current}/task/{task}/children").read_text()
            except OSError:
                continue
            todo.extend(int(child) for child in children.split())
    return found


def rss(pid: int) -> int:
    """Bytes: the resident set size of ``pid`` now (0 when gone), from ``statm``."""
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE
    except (OSError, IndexError, ValueError):
        return 0


def pss(pid: int) -> int:
    """Bytes: the proportional set size of ``pid`` now (its share of each page it shares),
    from ``smaps_rollup``; its RSS where that file cannot be read."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except (OSError, IndexError, ValueError):
        pass
    return rss(pid)


def tree_rss(pid: int) -> int:
    """Bytes: the memory ``pid`` and its descendants hold now (0 when gone).

    One process: its RSS (``statm``, cheap). Several: the sum of their PSS
    (``smaps_rollup``), so that pages they share count once: a child forked by the
    build (Pagefind is started with a ``preexec_fn``, so with ``fork``) shares all of
    the build's memory until it runs ``exec``, and the sum of RSS would count it twice.
    """
    processes = descendants(pid)
    if len(processes) == 1:
        return rss(pid)
    return sum(pss(process) for process in processes)


class TreeSampler(threading.Thread):
    """Samples :func:`tree_rss` of ``pid`` until stopped; ``peak`` is the largest."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak = pid, 0
        self.done = threading.Event()

    def run(self) -> None:
        if not Path("/proc/self/statm").exists():
            return
        while not self.done.is_set():
            started = time.perf_counter()
            self.peak = max(self.peak, tree_rss(self.pid))
            took = time.perf_counter() - started
            self.done.wait(max(SAMPLE, took * (1 / SHARE - 1)))

    def stop(self) -> int:
        self.done.set()
        self.join()
        return self.peak


def timed(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> Run:
    """Run ``command`` in ``cwd``; its time, exit code, output and peak memory."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=err)
        sampler = TreeSampler(process.pid)
        sampler.start()
        # wait for the exit without reaping, so that the sampler never reads a reused pid
        os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOWAIT)
        seconds = time.perf_counter() - start
        treerss = sampler.stop()
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)  # reaped: Popen must not wait
        out.seek(0)
        err.seek(0)
        return Run(
            seconds,
            process.returncode,
            out.read().decode("utf-8", "replace"),
            err.read().decode("utf-8", "replace"),
            cpu=usage.ru_utime + usage.ru_stime,
            maxrss=usage.ru_maxrss * 1024,  # KiB on Linux
            treerss=treerss,
        )
