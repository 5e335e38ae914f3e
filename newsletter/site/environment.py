"""What every part of the Sphinx extension asks of the build environment.

The issues' records (the ``newsletter`` domain), the publication, and whether a
document is an issue. Here, not in :mod:`newsletter.extension`, so that the
modules :func:`newsletter.extension.setup` wires never import back from it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sphinx.environment import BuildEnvironment

from newsletter.schema import files, publication
from newsletter.site.records import IssueRecord, IssuesDomain


def domain_of(env: BuildEnvironment) -> IssuesDomain:
    return env.domains["newsletter"]  # type: ignore[return-value]


def publication_of(env: BuildEnvironment) -> publication.Publication:
    return publication.load(Path(env.srcdir))


def is_issue(docname: str) -> bool:
    return bool(files.PATH_PATTERN.search(f"/{docname}.md"))


def newest_first(env: BuildEnvironment) -> list[IssueRecord]:
    """The published issues, newest first: what the feed, the sitemap and
    ``archive.json`` list."""
    return list(reversed(domain_of(env).published()))


def output_file(builder: Any, pagename: str) -> str:
    """The absolute path of ``pagename``'s output file, as the builder names it
    (``get_outfilename``), asked once per page and build: the write cache, the sweep and
    the search index each ask it of every page they know, and Sphinx's answer is a path
    object made anew each time."""
    known: dict[str, str] = builder.__dict__.setdefault("_newsletter_output_files", {})
    found = known.get(pagename)
    if found is None:
        found = known[pagename] = os.path.abspath(builder.get_outfilename(pagename))
    return found
