"""The write cache: what is made from the issue records is written only when it would change.

The years, topics and search pages are not documents: they come from
``html-collect-pages`` handlers, and Sphinx renders every page such a handler
yields, on every build. On a ten-year archive that is some thirty full theme
pages listing over a thousand issues in all, rendered again after an edit that
changed none of them.

:func:`only_changed` passes a handler's pages through, and drops each one whose
rendering inputs are exactly those of the page already in the output: its
name, template and context (what the handler computed from the records), and
the frame every page shares (:func:`frame_digest`: the configuration and tags,
the templates, the versions of the packages that render it, our own code, and
the stylesheets and scripts whose checksums the page links carry). What was
written is remembered in the doctree directory when the build succeeds, so a
failed build or a missing output file always gets a fresh page: the output is
the same as a clean build's, only written less often.

When the records themselves are those the last successful build made its
outputs from (:func:`records_unchanged`), nothing made from them can differ: the
handlers' pages are not computed at all, and the files made from the records (the
feed, the sitemap, ``archive.json``) are not made again. The records are the same
when no issue was read again or removed since (:attr:`IssuesDomain.generation
<newsletter.site.records.IssuesDomain.generation>`, a build that changed nothing:
at 520 issues, side by side, it took 1.05 s instead of 1.15, medians of eight), or
when those read again gave the same records, with the same publication
(:func:`records_digest`): an edit of an issue's text, which changes its page, its
search records and the feed (whose entries carry the newest issues' text: its
``also``), and no list.

What this build made is also what :mod:`newsletter.site.sweep` keeps
(:func:`pages_made`).
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Callable, Iterable, Iterator
from importlib import import_module
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx

from newsletter.site import pages as site_pages
from newsletter.site.environment import domain_of, newest_first, output_file, publication_of
from newsletter.site.records import IssueRecord

#: what the last successful build made its outputs from, kept by :func:`build_stamp`:
#: the records' generation and digest, the frame's digest, and the digest of the inputs of
#: every page each handler made (handler -> page name -> digest)
STAMP = "written-pages.json"
#: the packages whose code renders a page's frame (their modules, which the build imports)
RENDERERS = (
    "sphinx",
    "docutils",
    "jinja2",
    "myst_parser",
    "pydata_sphinx_theme",
    "sphinx_book_theme",
)

Page = tuple[str, dict[str, Any], str]


def _package_versions() -> str:
    """Their versions as the modules say them (importlib.metadata would search the
    installed distributions for each: a tenth of a second of every build)."""
    found = []
    for name in RENDERERS:
        try:
            found.append(f"{name}=={getattr(import_module(name), '__version__', '?')}")
        except ImportError:
            found.append(f"{name} missing")
    return "\n".join(found)


def frame_digest(app: Sphinx) -> str:
    """A digest of what every page's frame is rendered from, beyond its own context."""
    builder = app.builder
    digest = hashlib.sha256()

    def add(label: str, value: str | bytes) -> None:
        data = value.encode() if isinstance(value, str) else value
        digest.update(f"{label}:{len(data)}:".encode() + data)

    add("builder", builder.name)
    info = getattr(builder, "build_info", None)
    add("build info", f"{getattr(info, 'config_hash', '')} {getattr(info, 'tags_hash', '')}")
    extensions = sorted(f"{name} {ext.version}" for name, ext in app.extensions.items())
    add("extensions", "\n".join(extensions))  # (not part of Sphinx's configuration hash)
    templates = getattr(builder, "templates", None)
    if templates is not None:
        add("templates", str(templates.newest_template_mtime()))
    for folder in app.config.templates_path:  # a template override removed, too
        root = Path(app.srcdir, folder)
        for path in sorted(root.rglob("*")) if root.is_dir() else ():
            if path.is_file():
                add(path.relative_to(root).as_posix(), str(path.stat().st_mtime_ns))
    context = getattr(builder, "globalcontext", {})
    scalars = {
        key: value
        for key, value in context.items()
        if isinstance(value, str | int | float | bool) or value is None
    }
    add("global context", json.dumps(scalars, sort_keys=True))
    # what extensions add, with its attributes: the lists every page starts from (the
    # context's lists also hold what the page rendered last added for itself, such as the
    # theme's DOCUMENTATION_OPTIONS.pagename script)
    originals = {"css_files": "_orig_css_files", "script_files": "_orig_js_files"}
    for key, original in originals.items():
        assets = [
            f"{asset} {sorted(getattr(asset, 'attributes', {}).items())}"
            for asset in getattr(builder, original, context.get(key, ()))
        ]
        add(key, "\n".join(assets))
    add("packages", _package_versions())
    package = Path(__file__).parents[1]
    for source in sorted(package.rglob("*.py")):
        add(source.relative_to(package).as_posix(), source.read_bytes())
    static = Path(builder.outdir) / "_static"
    for asset in sorted(static.rglob("*")):
        if asset.suffix in {".css", ".js"} and asset.is_file():
            add(asset.relative_to(static).as_posix(), str(zlib.crc32(asset.read_bytes())))
    return digest.hexdigest()


def records_digest(app: Sphinx) -> str:
    """A digest of every issue record and of the publication they are shown with: what
    the archive's lists, the search page, the revision pages, the sitemap and
    ``archive.json`` are made from (the revision pages also from the commits the records
    name, whose content never changes). Their ``repr`` holds every field, and is the
    same in every process for the same values (strings, numbers, dates, tuples and
    dicts; a set's order would differ between processes, which only makes the outputs
    be made again)."""
    records = domain_of(app.env).issues
    digest = hashlib.sha256(repr(publication_of(app.env)).encode())
    for docname in sorted(records):
        digest.update(f"\n{records[docname]!r}".encode())
    return digest.hexdigest()


def build_stamp(app: Sphinx, name: str) -> Path:
    """Where a record of what this build wrote into its output directory is kept.

    It lives in the doctree directory, so that it is not published, once per
    output directory: builds into two output directories from one doctree
    directory keep apart, and two builders writing into one output directory
    share it (what each wrote is told apart by what it records).
    """
    target = str(Path(app.builder.outdir).resolve())
    key = hashlib.sha256(target.encode()).hexdigest()[:12]
    return Path(app.doctreedir) / f"newsletter-{key}-{name}"


class WrittenPages:
    """What the last successful build made its outputs from, and what this one makes them from."""

    def __init__(self, app: Sphinx) -> None:
        self.app = app
        self.stamp = build_stamp(app, STAMP)
        try:
            last = json.loads(self.stamp.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            last = None
        last = last if isinstance(last, dict) else {}
        self.last_records, self.last_frame = last.get("records"), last.get("frame")
        self.last_digest = last.get("records_digest")
        self.written: dict[str, dict[str, str]] = last.get("pages", {})
        self.files: dict[str, str] = last.get("files", {})
        # from here on the outputs on disk may be neither the old nor the new ones, until
        # :func:`remember` records the new ones: a build stopped halfway leaves no record
        self.stamp.unlink(missing_ok=True)
        self.now: dict[str, dict[str, str]] = {}
        self.files_now: dict[str, str] = {}
        self._frame: str | None = None
        self._digest: str | None = None

    @property
    def frame(self) -> str:
        if self._frame is None:
            self._frame = frame_digest(self.app)
        return self._frame

    @property
    def digest_of_records(self) -> str:
        if self._digest is None:
            same = domain_of(self.app.env).generation == self.last_records
            # (records that no build changed since are those the last digest was made of)
            known = self.last_digest if same and self.last_records is not None else None
            self._digest = known or records_digest(self.app)
        return self._digest

    @property
    def records_unchanged(self) -> bool:
        """Are the records and the frame those the last successful build made its outputs from?"""
        generation = domain_of(self.app.env).generation
        if generation is None or self.frame != self.last_frame:
            return False
        return generation == self.last_records or self.digest_of_records == self.last_digest

    def digest(self, page: Page) -> str:
        pagename, context, template = page
        inputs = json.dumps([pagename, template, context], sort_keys=True, default=str)
        return hashlib.sha256(f"{self.frame}\n{inputs}".encode()).hexdigest()

    def _output(self, pagename: str) -> Path:
        return Path(output_file(self.app.builder, pagename))

    def changed(self, handler: str, pages: Iterable[Page]) -> Iterator[Page]:
        # a generator: Sphinx iterates what the ``html-collect-pages`` handlers return
        # after calling them all, so the frame is digested after each has done its part
        # (the theme's cut stylesheet is written by one)
        written = self.written.get(handler, {})
        now = self.now[handler] = {}
        if self.records_unchanged and all(self._output(name).is_file() for name in written):
            now.update(written)  # the same pages from the same records: none is computed
            return
        for page in pages:
            key = now[page[0]] = self.digest(page)
            if written.get(page[0]) != key or not self._output(page[0]).is_file():
                yield page

    def file_changed(self, filename: str, also: str, path: Path) -> bool:
        self.files_now[filename] = also
        return not (path.is_file() and self.records_unchanged and self.files.get(filename) == also)

    def save(self) -> None:
        self.stamp.parent.mkdir(parents=True, exist_ok=True)
        made = {
            "records": domain_of(self.app.env).generation,
            "records_digest": self.digest_of_records,
            "frame": self.frame,
            "pages": self.now,
            "files": self.files_now,
        }
        self.stamp.write_text(json.dumps(made, indent=0, sort_keys=True), encoding="utf-8")


def _pages(app: Sphinx) -> WrittenPages:
    pages = getattr(app, "newsletter_written_pages", None)
    if pages is None:
        pages = app.newsletter_written_pages = WrittenPages(app)  # type: ignore[attr-defined]
    return pages


def only_changed(app: Sphinx, handler: str, pages: Iterable[Page]) -> Iterator[Page]:
    """The pages of ``pages`` whose output would differ from the page already written.

    ``handler`` names the maker of ``pages`` (one name per ``html-collect-pages``
    handler); ``pages`` is not iterated at all when the records are unchanged, so that
    a generator computes nothing.
    """
    return _pages(app).changed(handler, pages)


def records_unchanged(app: Sphinx) -> bool:
    """Whether what is made from the records now would be exactly what the last
    successful build made (see :meth:`WrittenPages.records_unchanged`)."""
    return _pages(app).records_unchanged


def file_writer(
    filename: str,
    render: Callable[[Sphinx, list[IssueRecord]], bytes],
    also: Callable[[Sphinx], str] | None = None,
) -> Callable[[Sphinx, Exception | None], None]:
    """A ``build-finished`` handler that writes ``filename`` at the root of the web archive
    from the published issues, newest first, after a successful build: unless the file is
    there, made from these records, and from the same ``also`` (what else it shows,
    such as the commit checked out)."""

    def write(app: Sphinx, exception: Exception | None) -> None:
        if exception is not None or app.builder.name not in site_pages.SITE_BUILDERS:
            return
        path = Path(app.outdir) / filename
        if _pages(app).file_changed(filename, also(app) if also else "", path):
            path.write_bytes(render(app, newest_first(app.env)))

    return write


def pages_made(app: Sphinx) -> set[str] | None:
    """The names of every page that passed through :func:`only_changed` in this build,
    written or not (None before the first)."""
    pages: WrittenPages | None = getattr(app, "newsletter_written_pages", None)
    return None if pages is None else {name for made in pages.now.values() for name in made}


def remember(app: Sphinx, exception: Exception | None) -> None:
    """``build-finished``, after every other handler: after a successful build, record
    what the generated pages were made from."""
    pages: WrittenPages | None = getattr(app, "newsletter_written_pages", None)
    app.newsletter_written_pages = None  # type: ignore[attr-defined]
    if pages is not None and exception is None:
        pages.save()


def setup(app: Sphinx) -> None:
    app.connect("build-finished", remember, priority=900)
