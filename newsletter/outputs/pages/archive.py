"""The archive: home page, years, topics, and what each issue page links to.

Every list is computed from the issue records in the environment when pages
are written, so a no-change rebuild shows the same lists as a clean build.
Incremental builds stay exact because Sphinx is told precisely which pages
must be rewritten: every issue is re-read when ``publication.toml`` changed
(``env-get-outdated``); an issue whose neighbours changed, and the home page,
are rewritten (``env-get-updated``). Nothing else depends on other issues:
the navigation is a fixed list of links, so the cost of an issue page does not
grow with the archive.
"""

from __future__ import annotations

import bisect
import hashlib
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment

from newsletter.history import checkout
from newsletter.schema import dates, publication
from newsletter.site import pages
from newsletter.site.environment import domain_of, is_issue, publication_of
from newsletter.site.records import IssueRecord
from newsletter.site.write_cache import Page, only_changed

RECENT_ON_HOME = 10

Neighbours = tuple[tuple[str, str] | None, tuple[str, str] | None]


def label(record: IssueRecord) -> str:
    return f"No. {record.number}: {record.title}"


# -- what to read and what to rewrite ------------------------------------------


def outdated_issues(
    app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str], removed: set[str]
) -> list[str]:
    """``env-get-outdated``: re-read every issue when the publication changed."""
    digest = hashlib.sha256((Path(env.srcdir) / publication.FILENAME).read_bytes()).hexdigest()
    previous = getattr(env, "newsletter_publication_digest", None)
    env.newsletter_publication_digest = digest  # type: ignore[attr-defined]
    if previous is not None and previous != digest:
        return sorted(env.found_docs)  # salutation, vocabulary, rules: every page changes
    return []


def neighbour_map(
    records: list[IssueRecord], published: list[IssueRecord]
) -> dict[str, Neighbours]:
    """For every issue, the published issues just before and after it in date order."""
    keys = [(r.date, r.number) for r in published]
    found: dict[str, Neighbours] = {}
    for record in records:
        key = (record.date, record.number)
        low = bisect.bisect_left(keys, key)
        high = bisect.bisect_right(keys, key)
        before = published[low - 1] if low > 0 else None
        after = published[high] if high < len(published) else None
        found[record.docname] = (
            (before.docname, label(before)) if before else None,
            (after.docname, label(after)) if after else None,
        )
    return found


def pages_to_rewrite(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """``env-get-updated``: issues whose neighbours changed, and the home page when what
    it shows changed.

    A build that changed nothing returns nothing, so Sphinx neither pickles the
    environment again nor writes a page (half a second at 520 issues, growing with
    the archive).
    """
    domain = domain_of(env)
    now = neighbour_map(list(domain.issues.values()), domain.published())
    before: dict[str, Neighbours] = domain.data["pages"]
    domain.data["pages"] = now
    changed = {d for d, links in now.items() if before.get(d) != links}
    home = home_context(env)
    if domain.data["home"] != home:
        domain.data["home"] = home
        changed.add(env.config.root_doc)
    return sorted(changed)


# -- the lists -----------------------------------------------------------------


def entry(record: IssueRecord, pub: publication.Publication) -> dict[str, Any]:
    """What the list templates show of an issue."""
    return {
        "docname": record.docname,
        "number": record.number,
        "date": record.date.isoformat(),
        "long_date": record.long_date,
        "title": record.title,
        "summary": record.summary,
        "topics": [(pub.topics[s], pages.topic(s)) for s in record.topics if s in pub.topics],
    }


def archive_pages(app: Sphinx) -> Iterator[Page]:
    """The years and topics pages, from the records."""
    pub = publication_of(app.env)
    newest_first = list(reversed(domain_of(app.env).published()))
    by_year: dict[int, list[IssueRecord]] = {}
    for record in newest_first:
        by_year.setdefault(record.date.year, []).append(record)
    yield (
        pages.YEARS,
        {
            "title": "Archive by year",
            "years": [(year, len(items), pages.year(year)) for year, items in by_year.items()],
        },
        "newsletter/years.html",
    )
    for year, items in by_year.items():
        yield (
            pages.year(year),
            {"title": f"Issues of {year}", "issues": [entry(r, pub) for r in items]},
            "newsletter/issues.html",
        )
    counts = Counter(slug for record in newest_first for slug in record.topics)
    yield (
        pages.TOPICS,
        {
            "title": "Topics",
            "topics": [
                (name, counts[slug], pages.topic(slug)) for slug, name in pub.topics.items()
            ],
        },
        "newsletter/topics.html",
    )
    for slug, name in pub.topics.items():
        items = [r for r in newest_first if slug in r.topics]
        yield (
            pages.topic(slug),
            {"title": f"Topic: {name}", "issues": [entry(r, pub) for r in items]},
            "newsletter/issues.html",
        )


def archive_pages_to_write(app: Sphinx) -> Iterator[Page]:
    """``html-collect-pages``: those of :func:`archive_pages` that changed."""
    return only_changed(app, "archive", archive_pages(app))


# -- the page contexts ---------------------------------------------------------


def home_context(env: BuildEnvironment) -> dict[str, Any]:
    """What the home page shows: the latest issue, the ones before it, the version."""
    pub = publication_of(env)
    newest_first = list(reversed(domain_of(env).published()))
    version = checkout.version(Path(env.srcdir))
    return {
        "latest": entry(newest_first[0], pub) if newest_first else None,
        "recent": [entry(r, pub) for r in newest_first[1 : 1 + RECENT_ON_HOME]],
        "version": version,
        "version_date": dates.utc_minute(version.date) if version else None,
    }


def page_context(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> str | None:
    """``html-page-context``: the home page's lists; an issue's neighbours."""
    env = app.env
    domain = domain_of(env)
    context["newsletter_nav"] = [
        ("Latest issues", env.config.root_doc),
        ("Archive by year", pages.YEARS),
        ("Topics", pages.TOPICS),
    ]
    if pagename == env.config.root_doc:
        context["newsletter_home"] = home_context(env)
        return "newsletter/home.html"
    if is_issue(pagename) and pagename in domain.issues:
        before, after = domain.data["pages"].get(pagename, (None, None))
        for key, link in (("prev", before), ("next", after)):
            context[key] = (
                {"link": app.builder.get_relative_uri(pagename, link[0]), "title": link[1]}
                if link
                else None
            )
    return None


def setup(app: Sphinx) -> None:
    app.connect("env-get-outdated", outdated_issues)
    app.connect("env-get-updated", pages_to_rewrite)
    app.connect("html-collect-pages", archive_pages_to_write)
    app.connect("html-page-context", page_context)
