"""The search index in parts, one Pagefind bundle per year, so that an edit re-indexes a year.

Pagefind has no incremental mode: a run reads and indexes every page it is given,
and an edit to one issue of a ten-year archive would pay for all of them (1.3 s of
the 3.3 s an editor waited at 520 issues). Each year's issues are therefore
indexed into a bundle of their own, ``pagefind/<year>/``; a build runs Pagefind
only for the years whose pages changed (:class:`Indexing` keeps a fingerprint of
each part's pages), a full build runs the parts side by side on every core, and
the years that no longer have a published issue are removed.

The search page loads the newest year's bundle and merges the others into it
(Pagefind's ``mergeIndex``: one WebAssembly module, each year's metadata and the
word chunks a query needs). A part is an ordinary bundle, made reproducible and
pruned like a whole one, so the parts an incremental build leaves are those a
clean build writes.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path, PurePosixPath

from newsletter.outputs.search.bundle import BUNDLE, SearchIndexError
from newsletter.outputs.search.pagefind import Indexing
from newsletter.schema.files import ISSUES_FOLDER


def part_of(page: str) -> str:
    """The part an issue's page is indexed in: its year, the folder after ``issues/``
    (``issues/2026/2026-01-23.html`` and ``issues/2026/2026-01-23/index.html`` alike;
    the checker holds the folder to the issue's year, F106)."""
    parts = PurePosixPath(page).parts
    if len(parts) < 3 or parts[0] != ISSUES_FOLDER or not re.fullmatch(r"[\w-]+", parts[1]):
        # a folder name is written into the search page and names a bundle's folder
        raise SearchIndexError(f"not the page of an issue in a year's folder: {page!r}")
    return parts[1]


def split(pages: Iterable[str]) -> dict[str, list[str]]:
    """The pages by part, newest part first (the order the search page merges them in)."""
    found: dict[str, list[str]] = {}
    for page in pages:
        found.setdefault(part_of(page), []).append(page)
    return {part: found[part] for part in sorted(found, reverse=True)}


class PartedIndexing:
    """The runs of Pagefind over the parts whose pages changed, in the background.

    ``stamp(part)`` is where each part's fingerprint is kept between builds. At most
    one Pagefind runs per core: each is itself multi-threaded, and a fourteen-year
    archive would otherwise hold fourteen indexes in memory at once.
    """

    def __init__(
        self, site: Path, pages: Iterable[str], language: str, stamp: Callable[[str], Path]
    ) -> None:
        self.site = site
        self.parts = split(pages)
        self.runs = {
            part: Indexing(site, listed, language, stamp(part), f"{BUNDLE}/{part}")
            for part, listed in self.parts.items()
        }
        self.outdated = [part for part, run in self.runs.items() if not run.current]
        self.pool: ThreadPoolExecutor | None = None
        self.futures: list[Future[None]] = []

    @property
    def current(self) -> bool:
        return not self.outdated and not self._stale_entries()

    @property
    def pages(self) -> int:
        return sum(len(listed) for listed in self.parts.values())

    @property
    def pages_indexed(self) -> int:
        return sum(len(self.parts[part]) for part in self.outdated)

    def _stale_entries(self) -> list[Path]:
        """What ``pagefind/`` holds besides the parts: the years that have no published
        issue any more, or the single bundle of an earlier layout."""
        root = self.site / BUNDLE
        if not root.is_dir():
            return []
        return [path for path in sorted(root.iterdir()) if path.name not in self.parts]

    def start(self) -> None:
        for path in self._stale_entries():
            if path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink()
        if not self.outdated:
            return
        workers = min(len(self.outdated), os.cpu_count() or 1)
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="pagefind")
        # each worker thread starts its Pagefind and waits for it, so the thread that
        # asked Linux to end the process with the build outlives it (pagefind.launch)
        self.futures = [self.pool.submit(self._run, self.runs[part]) for part in self.outdated]

    @staticmethod
    def _run(run: Indexing) -> None:
        run.start()
        run.finish()

    def finish(self) -> None:
        """Wait for every part; raise the first part's failure."""
        if self.pool is None:
            return
        try:
            for future in self.futures:
                future.result()
        finally:
            self.pool.shutdown(wait=True)
            self.pool = None

    def cancel(self) -> None:
        """The build failed: stop what has not started, end what runs."""
        if self.pool is None:
            return
        for future in self.futures:
            future.cancel()
        for run in self.runs.values():
            if run.process is not None and run.process.poll() is None:
                run.process.kill()
        self.pool.shutdown(wait=True)
        self.pool = None


def index_site(site: Path, pages: list[str], language: str = "en") -> None:
    """Write the index of ``pages`` (issue pages, relative to ``site``) into
    ``site/pagefind``, one bundle per year, reproducibly.

    The previous index is removed first, so an issue that is no longer published
    leaves nothing behind; with no pages there is no index (the search page then
    says that search is not available). The binary comes from the ``pagefind-bin``
    package, a dependency pinned to the minor version the bundle code knows.
    Raises :class:`SearchIndexError` when Pagefind fails.
    """
    shutil.rmtree(site / BUNDLE, ignore_errors=True)
    with tempfile.TemporaryDirectory(prefix="ftw-stamp-") as folder:
        run = PartedIndexing(site, pages, language, lambda part: Path(folder) / part)
        run.start()
        run.finish()
