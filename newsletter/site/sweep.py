"""The output sweep: a build of the web archive leaves no page it did not make.

Sphinx leaves the page of an issue whose file is gone (and no longer knows it after
``-E``), of a year with no issue left, of a topic taken out of the vocabulary, or
another builder's layout of the same pages. After a successful build of the web
archive, every page in :data:`OWN_FOLDERS` that neither an issue nor a generated
page (:func:`newsletter.site.write_cache.pages_made`) accounts for is removed.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from sphinx.application import Sphinx

from newsletter.schema.files import ISSUES_FOLDER
from newsletter.site import pages
from newsletter.site.write_cache import pages_made

#: the folders of the web archive in which every page is one this build makes
OWN_FOLDERS = (ISSUES_FOLDER, pages.YEARS.split("/")[0], pages.TOPICS.split("/")[0])


def sweep(app: Sphinx, generated: Iterable[str]) -> None:
    """Remove the pages in :data:`OWN_FOLDERS` that this build did not make."""
    builder = app.builder
    made = {Path(builder.get_outfilename(name)).resolve() for name in generated}
    made |= {Path(builder.get_outfilename(doc)).resolve() for doc in app.env.found_docs}
    for folder in OWN_FOLDERS:
        root = Path(builder.outdir) / folder
        for path in sorted(root.rglob("*"), reverse=True) if root.is_dir() else ():
            if path.is_dir():
                if not any(path.iterdir()):
                    path.rmdir()
            elif path.suffix == ".html" and path.resolve() not in made:
                path.unlink()


def sweep_after_build(app: Sphinx, exception: Exception | None) -> None:
    """``build-finished``: sweep after a successful build of the web archive."""
    generated = pages_made(app)
    if exception is None and generated is not None and app.builder.name in pages.SITE_BUILDERS:
        sweep(app, generated)


def setup(app: Sphinx) -> None:
    app.connect("build-finished", sweep_after_build)
