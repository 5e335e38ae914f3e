"""The published revisions of every issue, read from git once per build.

The revisions themselves are :mod:`newsletter.history.revisions`; this module reads
them when the builder starts, before Sphinx decides what to read
(``env-get-outdated``): an issue whose revisions changed is read again, since its
record keeps their commits and its corrections notice links to them. In a shallow
clone git cannot tell the revisions: the build says so in one line and makes no
revision page; every date shown stays right, being editorial.
"""

from __future__ import annotations

from pathlib import Path

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging

from newsletter.history import revisions
from newsletter.history.revisions import Revision
from newsletter.schema import dates
from newsletter.site.environment import domain_of, publication_of

logger = logging.getLogger(__name__)

#: the parsed versions of issue files, kept between builds (in the doctree folder)
CACHE = "newsletter-revisions.pickle"


class ThisBuildOnly(dict):
    """The revisions on the environment, for this build only: they are read from git at
    every build (:func:`read_revisions`), so they are never pickled with it. Their text
    blocks are most of the environment (3.4 of 5.5 MB at 520 issues), which Sphinx
    writes after every build, loads before the next and, reading with ``-j``, sends back
    from every process it forks."""

    def __reduce__(self) -> tuple[type, tuple[()]]:
        return (ThisBuildOnly, ())


def of(env: BuildEnvironment, docname: str) -> tuple[Revision, ...] | None:
    """The revisions of an issue (None: git cannot tell)."""
    found = getattr(env, "newsletter_revisions", None)
    if found is None:
        return None
    return found.get(str(env.doc2path(docname, base=False)), ())


def commits(env: BuildEnvironment, docname: str) -> tuple[str, ...] | None:
    """What an issue's record keeps of its revisions: their commits."""
    found = of(env, docname)
    return None if found is None else tuple(r.commit for r in found)


def read_revisions(app: Sphinx) -> None:
    """``builder-inited``: the revisions of every issue, from git, once per build."""
    env = app.env
    found = revisions.published_revisions(
        Path(env.srcdir), publication_of(env), cache=Path(app.doctreedir) / CACHE
    )
    if found is None:
        logger.info(
            "revision pages: not built, git cannot tell the revisions here (a shallow clone, "
            "or no repository); 'git fetch --unshallow' brings them"
        )
    env.newsletter_revisions = None if found is None else ThisBuildOnly(found)  # type: ignore[attr-defined]
    zone = publication_of(env).site.time_zone
    for path, made in (found or {}).items():
        for revision in made:
            for note in revision.late:
                logger.warning(
                    "correction dated %s is later than the commit that added it (%s, %s): "
                    "date it the day the correction was made",
                    note.date.isoformat(),
                    revision.commit[:12],
                    dates.local_date(revision.committed, zone).isoformat(),
                    location=(env.path2doc(str(Path(env.srcdir) / path)) or path, 1),
                    type="newsletter",
                    subtype="M213",
                )


def changed_revisions(
    app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str], removed: set[str]
) -> list[str]:
    """``env-get-outdated``: the issues whose revisions changed, to be read again."""
    return sorted(
        docname
        for docname, record in domain_of(env).issues.items()
        if record.revisions != commits(env, docname)
    )


def setup(app: Sphinx) -> None:
    app.connect("builder-inited", read_revisions)
    app.connect("env-get-outdated", changed_revisions)
