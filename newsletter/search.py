"""Search: a static Pagefind index of the published issues' own text, and its page.

Readers search the archive on ``search.html`` (the theme's search button and
Ctrl+K dialog submit to it as ``search.html?q=TERMS``). The page is ours
(``_templates/search.html`` and ``_static/search.js``) and queries a Pagefind
index that is written into the output when the build finishes, so every
``sphinx-build`` (``make html``, the tests, previews) produces a searchable site
that needs nothing but a static file host.

What is indexed is decided here:

- only published issues: Pagefind reads only their pages (:func:`index_site`),
  where the article alone is marked ``data-pagefind-body``; drafts, the home
  page and the lists are never found;
- only the issue's own text: the frame that every issue repeats (header,
  salutation, closing, revision line, the fixed section titles and the words
  around the blocks) is excluded by :data:`EXCLUDE_SELECTORS`;
- title, number and date as metadata, year and topics as filters, the date as a
  sort key: attributes of the element around the article (:func:`index_attributes`).

Sphinx's own search index is switched off: nothing reads it any more, and the
theme would otherwise load the whole ``searchindex.js`` on every page.
"""

from __future__ import annotations

import ctypes
import gzip
import hashlib
import html
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.builders.html import StandaloneHTMLBuilder
from sphinx.util import logging

from .archive import TOPICS
from .domain import IssueRecord
from .environment import domain_of, publication_of
from .generated_pages import SITE_BUILDERS, build_stamp, only_changed

logger = logging.getLogger(__name__)

#: where the index is written, relative to the output directory
BUNDLE = "pagefind"
#: what is not the issue's own text: the frame page.py adds (``no-search``), the
#: heading anchors, the fixed section titles, and the publication's words around
#: the blocks (the question's invitation and "Submit your thoughts", "Source: ...")
EXCLUDE_SELECTORS = (
    ".no-search",
    ".headerlink",
    "h2",
    ".ftw-question figcaption",
    ".ftw-question-submit",
    ".ftw-stat-source",
)


#: prctl(2): the signal a process gets when its parent ends
PR_SET_PDEATHSIG = 1


class SearchIndexError(Exception):
    """Pagefind failed, or wrote a bundle laid out otherwise than expected."""


class BundleFormatError(SearchIndexError):
    """The Pagefind bundle is not laid out as this module expects."""


def builds_site(app: Sphinx) -> bool:
    """Whether this build writes the web archive (html or dirhtml)."""
    return isinstance(app.builder, StandaloneHTMLBuilder) and app.builder.name in SITE_BUILDERS


def disable_sphinx_search(app: Sphinx) -> None:
    """``builder-inited``: no ``searchindex.js``; Sphinx's search page is replaced by ours."""
    if builds_site(app):
        app.builder.search = False  # type: ignore[attr-defined]


def index_attributes(record: IssueRecord) -> str:
    """The attributes of the element around an issue's article: Pagefind's body, with the
    issue's metadata, filters and sort key read from ``data-ftw-*`` attributes of it."""
    values = {
        "title": record.title,
        "number": str(record.number),
        "date": record.long_date,
        "day": record.date.isoformat(),
        "year": str(record.date.year),
        **{f"topic-{index}": slug for index, slug in enumerate(record.topics)},
    }
    filters = ["year[data-ftw-year]"]
    filters += [f"topic[data-ftw-topic-{index}]" for index in range(len(record.topics))]
    attributes = {
        **{f"data-ftw-{key}": value for key, value in values.items()},
        "data-pagefind-meta": "title[data-ftw-title], number[data-ftw-number], date[data-ftw-date]",
        "data-pagefind-filter": ", ".join(filters),
        "data-pagefind-sort": "date[data-ftw-day]",
    }
    return "data-pagefind-body " + " ".join(
        f'{name}="{html.escape(value)}"' for name, value in attributes.items()
    )


def mark_issue_page(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """``html-page-context``: a published issue's article is what Pagefind indexes."""
    record = domain_of(app.env).issues.get(pagename)
    if not builds_site(app) or record is None or not record.published or "body" not in context:
        return
    context["body"] = f"<div {index_attributes(record)}>{context['body']}</div>"


def search_page(app: Sphinx) -> Iterator[tuple[str, dict[str, Any], str]]:
    """``html-collect-pages``: ``search.html``, with the years and topics to narrow by
    (written only when it changed)."""
    return only_changed(app, _search_page(app))


def _search_page(app: Sphinx) -> Iterator[tuple[str, dict[str, Any], str]]:
    if not builds_site(app):
        return
    pub = publication_of(app.env)
    years = sorted({r.date.year for r in domain_of(app.env).published()}, reverse=True)
    yield (
        "search",
        {
            "title": "Search",
            "search_years": years,
            "search_topics": list(pub.topics.items()),
            "search_bundle": f"{BUNDLE}/pagefind.js",
            "search_topics_page": TOPICS,
        },
        "search.html",
    )


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


def pagefind_config(site: Path, pages: list[str], language: str) -> dict[str, Any]:
    """Pagefind's configuration: index exactly ``pages`` (paths relative to ``site``).

    The pages are listed rather than matched by a pattern, so an issue whose page is
    left over in an output directory from an earlier build is not found either.
    """
    return {
        "site": str(site.resolve()),
        "output_subdir": BUNDLE,
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

    def __init__(self, site: Path, pages: list[str], language: str, stamp: Path) -> None:
        self.site, self.pages, self.language, self.stamp = site, pages, language, stamp
        self.folder: tempfile.TemporaryDirectory[str] | None = None
        self.process: subprocess.Popen[str] | None = None
        self.fingerprint = self._fingerprint()

    def _fingerprint(self) -> str:
        digest = hashlib.sha256(f"{self.language}\n{pagefind_version()}\n".encode())
        for page in self.pages:
            digest.update(page.encode() + b"\0")
            digest.update((self.site / page).read_bytes())
        return digest.hexdigest()

    @property
    def current(self) -> bool:
        """Is the index in ``site`` already the index of these pages?"""
        entry = self.site / BUNDLE / "pagefind-entry.json"
        stamp = self.stamp.read_text(encoding="utf-8") if self.stamp.is_file() else ""
        return bool(self.pages) and entry.is_file() and stamp == self.fingerprint

    def start(self) -> None:
        import pagefind_bin

        if not self.stamp.is_file() or not self.pages:
            # the last run did not finish (or there is nothing to index): start afresh
            shutil.rmtree(self.site / BUNDLE, ignore_errors=True)
        self.stamp.unlink(missing_ok=True)
        if not self.pages:
            return
        unsafe = [page for page in self.pages if not re.fullmatch(r"[\w/.-]+", page)]
        if unsafe:
            raise SearchIndexError(f"page names Pagefind's pattern cannot list: {unsafe}")
        # Pagefind reads its configuration from pagefind.json in its working directory:
        # no command line limits the length of the list of pages.
        self.folder = tempfile.TemporaryDirectory(prefix="ftw-pagefind-")
        config = pagefind_config(self.site, self.pages, self.language)
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
        make_reproducible(self.site / BUNDLE)
        prune_bundle(self.site / BUNDLE)
        self.stamp.parent.mkdir(parents=True, exist_ok=True)
        self.stamp.write_text(self.fingerprint, encoding="utf-8")


def pagefind_version() -> str:
    from importlib.metadata import version

    return version("pagefind-bin")


def index_site(site: Path, pages: list[str], language: str = "en") -> None:
    """Write the Pagefind index of ``pages`` into ``site/pagefind``, reproducibly.

    The previous index is removed first, so an issue that is no longer published
    leaves nothing behind; with no pages there is no index (the search page then
    says that search is not available). The binary comes from the ``pagefind-bin``
    package, a dependency pinned to the minor version :func:`make_reproducible` knows.
    Raises :class:`SearchIndexError` when Pagefind fails.
    """
    with tempfile.TemporaryDirectory(prefix="ftw-stamp-") as folder:
        run = Indexing(site, pages, language, Path(folder) / "stamp")
        run.start()
        run.finish()


def _published_pages(app: Sphinx) -> list[str]:
    site = Path(app.builder.outdir)
    return [
        Path(app.builder.get_outfilename(record.docname)).relative_to(site).as_posix()
        for record in domain_of(app.env).published()
    ]


def start_index(app: Sphinx) -> list[tuple[str, dict[str, Any], str]]:
    """``html-collect-pages``: the issue pages are written; start indexing them."""
    app.newsletter_indexing = None  # type: ignore[attr-defined]
    if not builds_site(app):
        return []
    run = Indexing(
        Path(app.builder.outdir),
        _published_pages(app),
        app.config.language or "en",
        build_stamp(app, "search-inputs"),
    )
    run.start_time = time.perf_counter()  # type: ignore[attr-defined]
    if run.current:
        logger.info("search index: unchanged, %d issues", len(run.pages))
        return []
    try:
        run.start()
    except SearchIndexError as error:
        logger.warning("search index: %s", error, type="newsletter", subtype="search")
        return []
    app.newsletter_indexing = run  # type: ignore[attr-defined]
    return []


def build_index(app: Sphinx, exception: Exception | None) -> None:
    """``build-finished``: wait for the index started by :func:`start_index`."""
    run: Indexing | None = getattr(app, "newsletter_indexing", None)
    if run is None:
        return
    app.newsletter_indexing = None  # type: ignore[attr-defined]
    if exception is not None:
        if run.process is not None:
            run.process.kill()
            run.process.communicate()
        return
    try:
        run.finish()
    except SearchIndexError as error:
        logger.warning("search index: %s", error, type="newsletter", subtype="search")
        return
    logger.info(
        "search index: %d issues in %.1f s",
        len(run.pages),
        time.perf_counter() - run.start_time,  # type: ignore[attr-defined]
    )


# -- a reproducible index ------------------------------------------------------
#
# Pagefind (1.5) writes its filter index and the metadata file that lists the
# filters in hash-map order, which changes from run to run, and names the files
# after their content: two builds of the same site differ. These files are
# gzip-compressed CBOR after a signature; the functions below put their lists
# in sorted order and name them after the new content, so the same site always
# gives the same bytes. Everything else Pagefind writes is already stable.

SIGNATURE = b"pagefind_dcd"


class _Raw(bytes):
    """A CBOR item kept as it was encoded (floats, tags, simple values)."""


def _cbor_head(major: int, value: int) -> bytes:
    if value < 24:
        return bytes([major << 5 | value])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if value < 1 << (8 * size):
            return bytes([major << 5 | info]) + value.to_bytes(size, "big")
    raise BundleFormatError(f"integer too large for CBOR: {value}")


def cbor_decode(data: bytes, pos: int = 0) -> tuple[Any, int]:
    """One CBOR item of ``data`` at ``pos``, and the position after it."""
    start = pos
    major, info = data[pos] >> 5, data[pos] & 31
    pos += 1
    if info < 24:
        value = info
    elif info < 28:
        size = 1 << (info - 24)
        value = int.from_bytes(data[pos : pos + size], "big")
        pos += size
    else:
        raise BundleFormatError("indefinite-length CBOR is not expected")
    if major == 0:
        return value, pos
    if major == 1:
        return -1 - value, pos
    if major in (2, 3):
        chunk = data[pos : pos + value]
        return (chunk.decode("utf-8") if major == 3 else bytes(chunk)), pos + value
    if major == 4:
        items = []
        for _ in range(value):
            item, pos = cbor_decode(data, pos)
            items.append(item)
        return items, pos
    if major == 5:
        mapping = {}
        for _ in range(value):
            key, pos = cbor_decode(data, pos)
            mapping[key], pos = cbor_decode(data, pos)
        return mapping, pos
    if major == 6:
        _, pos = cbor_decode(data, pos)
    return _Raw(data[start:pos]), pos


def cbor_encode(item: Any) -> bytes:
    """The CBOR encoding of what :func:`cbor_decode` returns."""
    if isinstance(item, _Raw):
        return bytes(item)
    if isinstance(item, bool) or item is None:
        raise BundleFormatError(f"unexpected CBOR value {item!r}")
    if isinstance(item, int):
        return _cbor_head(0, item) if item >= 0 else _cbor_head(1, -1 - item)
    if isinstance(item, bytes):
        return _cbor_head(2, len(item)) + item
    if isinstance(item, str):
        encoded = item.encode("utf-8")
        return _cbor_head(3, len(encoded)) + encoded
    if isinstance(item, list):
        return _cbor_head(4, len(item)) + b"".join(map(cbor_encode, item))
    if isinstance(item, dict):
        parts = (cbor_encode(k) + cbor_encode(v) for k, v in item.items())
        return _cbor_head(5, len(item)) + b"".join(parts)
    raise BundleFormatError(f"unexpected CBOR value {item!r}")


def read_chunk(path: Path) -> Any:
    """The content of one of Pagefind's gzip-compressed CBOR files."""
    try:
        data = gzip.decompress(path.read_bytes())
    except (OSError, EOFError) as error:
        raise BundleFormatError(f"{path.name} is not gzip-compressed: {error}") from None
    if not data.startswith(SIGNATURE):
        raise BundleFormatError(f"{path.name} has no Pagefind signature")
    item, end = cbor_decode(data, len(SIGNATURE))
    if end != len(data):
        raise BundleFormatError(f"{path.name} has trailing data")
    return item


def write_chunk(folder: Path, language: str, digits: int, suffix: str, item: Any) -> str:
    """Write ``item`` as a chunk named after its content; return the name's hash part."""
    data = gzip.compress(SIGNATURE + cbor_encode(item), compresslevel=9, mtime=0)
    name = f"{language}_{hashlib.sha256(data).hexdigest()[:digits]}"
    (folder / f"{suffix.format(name)}").write_bytes(data)
    return name


def make_reproducible(bundle: Path) -> None:
    """Sort the filter chunks and the metadata of every language; rename them to match."""
    entry_path = bundle / "pagefind-entry.json"
    entry = json.loads(entry_path.read_text(encoding="utf-8"))
    for language, info in entry["languages"].items():
        meta_path = bundle / f"pagefind.{info['hash']}.pf_meta"
        meta = read_chunk(meta_path)
        filters = meta[3] if isinstance(meta, list) and len(meta) == 6 else None
        if not isinstance(filters, list) or not all(
            isinstance(f, list) and len(f) == 2 and all(isinstance(x, str) for x in f)
            for f in filters
        ):
            raise BundleFormatError(
                f"unexpected layout of {meta_path.name} (Pagefind {entry.get('version')})"
            )
        renamed = []
        for name, chunk_hash in sorted(filters):
            chunk_path = bundle / "filter" / f"{chunk_hash}.pf_filter"
            chunk = read_chunk(chunk_path)
            if not (isinstance(chunk, list) and len(chunk) == 2 and isinstance(chunk[1], list)):
                raise BundleFormatError(f"unexpected layout of {chunk_path.name}")
            chunk[1].sort(key=lambda value: cbor_encode(value[0]))
            chunk_path.unlink()
            renamed.append(
                [name, write_chunk(bundle / "filter", language, 7, "{}.pf_filter", chunk)]
            )
        meta[3] = renamed
        meta_path.unlink()
        info["hash"] = write_chunk(bundle, language, 10, "pagefind.{}.pf_meta", meta)
    entry_path.write_text(
        json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8"
    )


#: the index files in the bundle's folders, which the index refers to by name
INDEX_FOLDERS = {"fragment": ".pf_fragment", "index": ".pf_index", "filter": ".pf_filter"}


def referenced_files(bundle: Path) -> set[Path]:
    """The files of the index that ``pagefind-entry.json`` leads to: the metadata and the
    WebAssembly of each language, and the fragments, word chunks and filter chunks listed."""
    entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))

    def listed(folder: str, names: Iterable[str]) -> Iterator[Path]:
        return (bundle / folder / f"{name}{INDEX_FOLDERS[folder]}" for name in names)

    found = {bundle / "pagefind-entry.json", bundle / "wasm.unknown.pagefind"}
    for info in entry["languages"].values():
        if info.get("wasm"):
            found.add(bundle / f"wasm.{info['wasm']}.pagefind")
        meta_path = bundle / f"pagefind.{info['hash']}.pf_meta"
        meta = read_chunk(meta_path)
        try:
            found.add(meta_path)
            found.update(listed("fragment", (page[0] for page in meta[1])))
            found.update(listed("index", (chunk[2] for chunk in meta[2])))
            found.update(listed("filter", (f[1] for f in meta[3])))
        except (IndexError, KeyError, TypeError) as error:
            raise BundleFormatError(f"unexpected layout of {meta_path.name}: {error}") from None
    return found


#: Pagefind's own code that the search page loads (``_static/search.js``); its ready-made
#: interfaces, highlighter and worker script, written on every run, are not used
CODE_USED = ("pagefind.js",)


def prune_bundle(bundle: Path) -> None:
    """Leave in the bundle only what the search page can load.

    Index files that the index just written does not refer to are left from an
    earlier index (Pagefind names them after their content, writes those that are
    missing and removes nothing); the scripts and styles of Pagefind's own
    interfaces are written on every run and never loaded.
    """
    keep = referenced_files(bundle) | {bundle / name for name in CODE_USED}
    for path in sorted(bundle.iterdir()):
        if path.is_file() and path not in keep:
            path.unlink()
    for folder, suffix in INDEX_FOLDERS.items():
        if not (bundle / folder).is_dir():
            continue
        for path in sorted((bundle / folder).glob(f"*{suffix}")):
            if path not in keep:
                path.unlink()
        if not any((bundle / folder).iterdir()):
            (bundle / folder).rmdir()


def setup(app: Sphinx) -> None:
    """Wire the search into the build (called from :func:`newsletter.extension.setup`)."""
    app.connect("builder-inited", disable_sphinx_search)
    app.connect("html-page-context", mark_issue_page)
    app.connect("html-collect-pages", search_page)
    app.connect("html-collect-pages", start_index, priority=100)  # before the archive's pages
    app.connect("build-finished", build_index)
