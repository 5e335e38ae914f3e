"""Running Pagefind: one index of the published issues' pages, in the background.

The binary comes from the ``pagefind-bin`` package; its configuration says what is
indexed (:data:`EXCLUDE_SELECTORS`), its process is tied to the build's
(:func:`launch`), and its bundle is made reproducible and pruned when it ends
(:mod:`.bundle`).
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable
from functools import cache
from importlib.metadata import version
from pathlib import Path
from typing import Any

from newsletter.outputs.search.bundle import (
    BUNDLE,
    SearchIndexError,
    make_reproducible,
    prune_bundle,
)
from newsletter.site import pages

#: what is not the issue's own text: the frame page.py adds (``no-search``), the
#: heading anchors, the fixed section titles, and the publication's words around
#: the blocks (the question's invitation and "Submit your thoughts", "Source: ...")
EXCLUDE_SELECTORS = (
    ".no-search",
    f".{pages.HEADERLINK}",
    "h2",
    ".ftw-question figcaption",
    ".ftw-question-submit",
    ".ftw-stat-source",
)


#: prctl(2): the signal a process gets when its parent ends
PR_SET_PDEATHSIG = 1


def launch(command: list[str], cwd: str) -> subprocess.Popen[str]:
    """Start ``command`` in the background, its output captured.

    On Linux it is killed with the build: a ``sphinx-build`` stopped by SIGKILL (a CI
    timeout, the out-of-memory killer) cannot stop it itself, and a Pagefind left
    running would go on writing into the bundle that the next build writes afresh.
    (Ctrl+C reaches both anyway: they share the terminal's process group.) Linux ties
    this to the thread that starts it, so that thread must outlive it: the build's
    main thread, which waits for it, does.
    """
    return subprocess.Popen(
        command,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_die_with_parent(os.getpid()) if sys.platform == "linux" else None,
    )


def _die_with_parent(parent: int) -> Callable[[], None]:
    """What the child runs before it starts: ask Linux for SIGKILL when ``parent`` ends.

    libc is loaded here, in the parent: a forked child should not load libraries.
    """
    prctl = ctypes.CDLL(None, use_errno=True).prctl

    def arrange() -> None:
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != parent:  # the parent ended before the request was made
            os._exit(1)

    return arrange


def pagefind_config(
    site: Path, pages: list[str], language: str, bundle: str = BUNDLE
) -> dict[str, Any]:
    """Pagefind's configuration: index exactly ``pages`` (paths relative to ``site``)
    into ``site/bundle``.

    The pages are listed rather than matched by a pattern, so an issue whose page is
    left over in an output directory from an earlier build is not found either.
    """
    return {
        "site": str(site.resolve()),
        "output_subdir": bundle,
        "glob": pages[0] if len(pages) == 1 else "{" + ",".join(pages) + "}",
        "force_language": language,
        "exclude_selectors": list(EXCLUDE_SELECTORS),
        "quiet": True,
    }


class Indexing:
    """One run of Pagefind over the published issues' pages, started in the background.

    Pagefind only reads issue pages, which are all written by the time the
    archive's own pages are made: it runs while those are rendered, and the
    build waits for it at the end. When the pages and the settings are exactly
    those of the index already there, nothing runs at all.

    Pagefind names its fragments and chunks after their content and does not
    compress and write again a file that is already there, which is most of its
    work: after an edit to one issue only that issue's fragment and the chunks
    of the words that changed are new. So the previous bundle is kept for it
    when the previous run finished (its stamp says so), and what the new index
    no longer refers to is removed afterwards (:func:`prune_bundle`): the bundle
    is the one a run into an empty directory writes.
    """

    def __init__(
        self, site: Path, pages: list[str], language: str, stamp: Path, bundle: str = BUNDLE
    ) -> None:
        self.site, self.pages, self.language, self.stamp = site, pages, language, stamp
        self.bundle = bundle
        self.folder: tempfile.TemporaryDirectory[str] | None = None
        self.process: subprocess.Popen[str] | None = None
        self.fingerprint = self._fingerprint()

    def _fingerprint(self) -> str:
        """The pages as files: their names, sizes and times of writing.

        Sphinx writes a page again only when it may have changed, so a page not written
        since the last run is the one indexed then; one written again is indexed again,
        even if its bytes came out the same. Reading every page instead (140 MB at
        5,200 issues) took seconds of every build, incremental ones included.
        """
        digest = hashlib.sha256(f"{self.language}\n{pagefind_version()}\n{self.bundle}\n".encode())
        for page in self.pages:
            stat = os.stat(self.site / page)
            digest.update(f"{page}\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode())
        return digest.hexdigest()

    @property
    def current(self) -> bool:
        """Is the index in ``site`` already the index of these pages?"""
        entry = self.site / self.bundle / "pagefind-entry.json"
        stamp = self.stamp.read_text(encoding="utf-8") if self.stamp.is_file() else ""
        return bool(self.pages) and entry.is_file() and stamp == self.fingerprint

    def start(self) -> None:
        import pagefind_bin

        if not self.stamp.is_file() or not self.pages:
            # the last run did not finish (or there is nothing to index): start afresh
            shutil.rmtree(self.site / self.bundle, ignore_errors=True)
        self.stamp.unlink(missing_ok=True)
        if not self.pages:
            return
        unsafe = [page for page in self.pages if not re.fullmatch(r"[\w/.-]+", page)]
        if unsafe:
            raise SearchIndexError(f"page names Pagefind's pattern cannot list: {unsafe}")
        # Pagefind reads its configuration from pagefind.json in its working directory:
        # no command line limits the length of the list of pages.
        self.folder = tempfile.TemporaryDirectory(prefix="ftw-pagefind-")
        config = pagefind_config(self.site, self.pages, self.language, self.bundle)
        (Path(self.folder.name) / "pagefind.json").write_text(json.dumps(config), encoding="utf-8")
        self.process = launch([str(pagefind_bin.get_executable())], cwd=self.folder.name)

    def finish(self) -> None:
        """Wait for Pagefind, then make its output reproducible and remember its inputs."""
        if self.process is None:
            return
        out, err = self.process.communicate()
        if self.folder is not None:
            self.folder.cleanup()
        if self.process.returncode != 0:
            output = (err or out).strip()[-2000:]
            raise SearchIndexError(f"pagefind failed (exit {self.process.returncode}): {output}")
        make_reproducible(self.site / self.bundle)
        prune_bundle(self.site / self.bundle)
        self.stamp.parent.mkdir(parents=True, exist_ok=True)
        self.stamp.write_text(self.fingerprint, encoding="utf-8")


@cache
def pagefind_version() -> str:
    """(Asked for each year's part: importlib.metadata searches every installed
    distribution each time.)"""
    return version("pagefind-bin")
