"""How a build with ``-j N`` shares its work: reading linear in the archive, one chunk of
documents per process; an edit's few documents read and written in the main process.

Sphinx's own parallel read (``Builder._read_parallel``) deals the documents into chunks
of about √(10·D/N) each (``sphinx.util.parallel.make_chunks``), forks one process per
chunk, N at a time, each from the main process as it is after merging the chunks
before, and each sends its whole environment back, pickled: every table of contents
read so far, again and again. The chunks grow in number with the archive, and so does
what each sends, so the read grows as D^1.5. Measured with ``-j auto`` on two cores
(make bench): 16.4 s at 520 issues, 254.6 s and 324.9 s of CPU at 5,200, where the
serial build grows linearly.

Here the documents are dealt into N chunks, one per process, all forked before any
merge: each sends back its own documents and what the environment held before, and
the main process merges each once. The rest is Sphinx's: its reading, its
``merge_info_from`` (each extension's ``env-merge-info`` and domain merges), its tasks.

A read that would not pay for its forks, an edit's few documents or a small share of a
large archive (whose processes would each send back the whole environment), is
Sphinx's serial one; so is the writing of fewer than :data:`PARALLEL_FROM` pages. Without
``-j``, Sphinx reads and writes serially and none of this runs.
"""

from __future__ import annotations

import pickle

from sphinx.application import Sphinx
from sphinx.builders.html import StandaloneHTMLBuilder
from sphinx.locale import __
from sphinx.util import logging
from sphinx.util.display import status_iterator
from sphinx.util.parallel import ParallelTasks

logger = logging.getLogger(__name__)

#: fewer documents than this are read, and fewer pages written, in the main process: an
#: issue takes some 20 ms to read or write, about what forking a process costs
PARALLEL_FROM = 8


def read_in_parallel(to_read: int, known: int) -> bool:
    """Whether ``to_read`` documents of an archive of ``known`` are worth the forks: each
    process sends back what the environment already held, so only when they are many
    and at least half of the archive (a clean build, new settings)."""
    return to_read >= PARALLEL_FROM and 2 * to_read >= known


class ParallelBuild:
    """A builder's parallel read in one chunk per process, and a few pages written in the
    main process (a mixin for Sphinx builders)."""

    def _read_parallel(self, docnames: list[str], nproc: int) -> None:
        env = self.env  # type: ignore[attr-defined]
        if not read_in_parallel(len(docnames), len(env.found_docs)):
            self._read_serial(docnames)  # type: ignore[attr-defined]
            return
        app = self._app  # type: ignore[attr-defined]
        for docname in docnames:  # as Sphinx's: clear every outdated document at once
            app.events.emit("env-purge-doc", env, docname)
            env.clear_doc(docname)
        # dealt, not cut: the years' issues differ in length
        chunks = [docnames[start::nproc] for start in range(nproc) if docnames[start::nproc]]
        progress = status_iterator(
            chunks, __("reading sources... "), "purple", len(chunks), app.config.verbosity
        )

        def read(docs: list[str]) -> bytes:
            for docname in docs:
                self.read_doc(docname, _cache=False)  # type: ignore[attr-defined]
            return pickle.dumps(env, pickle.HIGHEST_PROTOCOL)

        def merge(docs: list[str], pickled: bytes) -> None:
            env.merge_info_from(docs, pickle.loads(pickled), app)
            next(progress)

        tasks = ParallelTasks(nproc)
        for chunk in chunks:
            tasks.add_task(read, chunk, merge)
        tasks.join()
        logger.info("")

    def write_documents(self, docnames: set[str]) -> None:
        if len(docnames) < PARALLEL_FROM:
            self.parallel_ok = False  # (Sphinx decides it anew at every build)
        super().write_documents(docnames)  # type: ignore[misc]


class HTMLBuilder(ParallelBuild, StandaloneHTMLBuilder):
    """Sphinx's HTML builder, sharing the work of ``-j N`` as this module says."""


def setup(app: Sphinx) -> None:
    app.add_builder(HTMLBuilder, override=True)
