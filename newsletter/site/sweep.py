"""The output sweep: a build of the web archive leaves no page it did not make.

Sphinx leaves the page of an issue whose file is gone (and no longer knows it after
``-E``), of a year with no issue left, of a topic taken out of the vocabulary, or
another builder's layout of the same pages. After a successful build of the web
archive, every page in :data:`OWN_FOLDERS` that neither an issue nor a generated
page (:func:`newsletter.site.write_cache.pages_made`) accounts for is removed.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from sphinx.application import Sphinx

from newsletter.schema.files import ISSUES_FOLDER
from newsletter.site import pages
from newsletter.site.environment import output_file
from newsletter.site.write_cache import pages_made, records_unchanged

#: the folders of the web archive in which every page is one this build makes
OWN_FOLDERS = (ISSUES_FOLDER, pages.YEARS.split("/")[0], pages.TOPICS.split("/")[0])


def sweep(app: Sphinx, generated: Iterable[str]) -> None:
    """Remove the pages in :data:`OWN_FOLDERS` that this build did not make.

    Paths are compared as normalised strings under the output directory (both sides
    are made from it), not resolved one by one: a ten-year archive has thousands.
    """
    builder = app.builder
    outdir = os.path.abspath(builder.outdir)
    names = [*generated, *app.env.found_docs]
    made = {output_file(builder, name) for name in names}
    for folder in OWN_FOLDERS:
        root = os.path.join(outdir, folder)
        for here, _subfolders, files in os.walk(root, topdown=False):
            for name in files:
                path = os.path.join(here, name)
                if name.endswith(".html") and path not in made:
                    os.unlink(path)
            if here != root and not os.listdir(here):
                os.rmdir(here)


def sweep_after_build(app: Sphinx, exception: Exception | None) -> None:
    """``build-finished``: sweep after a successful build of the web archive (unless the
    records are those of the last successful build, which made the same pages and swept)."""
    generated = pages_made(app)
    if (
        exception is None
        and generated is not None
        and app.builder.name in pages.SITE_BUILDERS
        and not records_unchanged(app)
    ):
        sweep(app, generated)


def setup(app: Sphinx) -> None:
    app.connect("build-finished", sweep_after_build)
