"""Lighthouse on the archive, as a static host serves it.

npm's ``lighthouse`` (pinned in package.json; ``make test`` installs it) audits the home
page, an issue, a year, a topic and the search page in its mobile preset, and the issue in
its desktop preset too (the frame's sidebar, which phones fold away: every page has the
same frame), in Debian's Chromium headless shell, the site served compressing text with gzip. Every
accessibility, best-practices and SEO audit passes; the search page fails only "Page is blocked from
indexing", on purpose (it is ``noindex``: a results page is no page to find in a search
engine). A deliberately broken page fails audits of each category, to prove the test can.
Performance is timing-based: ``python -m benchmarks.lighthouse`` reports it, for every
page in both presets.

The runs go one after the other in one browser and one Node process
(:func:`benchmarks.lighthouse.audit`; the other core runs the other tests, and a second
Node process loads Lighthouse again: 5 s more of CPU), with Lighthouse's short settings
for these categories (:data:`~benchmarks.lighthouse.QUICK`; every page but the search page
without quiet windows, :data:`WHOLE_AT_LOAD`), by ``tests/lighthouse.mjs``:
the benchmark's script without Lighthouse's second of busy loops per run that measures
the machine for the performance category alone.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

import benchmarks.lighthouse
from benchmarks.lighthouse import QUICK, Job, audit

from .conftest import FIXTURES, served

PAGES = {
    "home": "index.html",
    "issue": "issues/2026/2026-01-23.html",
    "year": "years/2026.html",
    "topic": "topics/trade.html",
    "search": "search.html?q=Greenland",
}
#: the runs: every page on a phone, the issue on a desktop too
RUNS = [*((page, "mobile") for page in PAGES), ("issue", "desktop")]
#: the audits a page may fail, on purpose
ALLOWED = {"search": {("seo", "is-crawlable")}}
#: Lighthouse's settings for a page that is whole at its load event (every page but the
#: search page, whose search answers after it): no quiet windows after the load, which took
#: 0.8 of a run's 2.5 s. What a page logs or asks for after its load is test_frame's
#: (every page, until it has settled).
WHOLE_AT_LOAD = {"pauseAfterLoadMs": 0, "networkQuietThresholdMs": 0, "cpuQuietThresholdMs": 0}


@pytest.fixture(scope="session")
def site(seed_site: Path) -> Path:
    """The seed issue (No. 1, 23 January 2026) between others, so that its page links to a
    previous and a next issue (conftest's ``seed_site``)."""
    return seed_site


#: benchmarks/lighthouse.mjs without Lighthouse's measure of the machine (see the script)
SCRIPT = Path(__file__).with_name("lighthouse.mjs")


@pytest.fixture(scope="module")
def results(site: Path) -> dict[str, dict[str, Any]]:
    with (
        pytest.MonkeyPatch.context() as patch,
        served(site, gzip=True) as base,
        served(FIXTURES, gzip=True) as fixtures,
    ):
        patch.setattr(benchmarks.lighthouse, "SCRIPT", SCRIPT)
        jobs = [
            Job(
                f"{name} {preset}",
                base + PAGES[name],
                preset,
                settings=None if name == "search" else WHOLE_AT_LOAD,
            )
            for name, preset in RUNS
        ]
        jobs.append(Job("broken mobile", fixtures + "broken-page.html", "mobile", WHOLE_AT_LOAD))
        started = time.perf_counter()
        found = audit(jobs, settings=QUICK, processes=1)
        print(f"lighthouse: {len(jobs)} runs in {time.perf_counter() - started:.1f} s")
    return found


def failed(result: dict[str, Any]) -> dict[tuple[str, str], str]:
    return {
        (f["category"], f["id"]): f"{f['title']}: {f['error'] or f['items']}"
        for f in result["failed"]
    }


@pytest.mark.parametrize(("page", "preset"), RUNS)
def test_every_audit_passes(results: dict[str, dict[str, Any]], page: str, preset: str) -> None:
    result = results[f"{page} {preset}"]
    assert result["runtimeError"] is None
    found = failed(result)
    assert set(found) == ALLOWED.get(page, set()), found
    for category, score in result["categories"].items():
        if not ALLOWED.get(page):
            assert score == 1, (category, score)


def test_lighthouse_fails_a_broken_page(results: dict[str, dict[str, Any]]) -> None:
    found = set(failed(results["broken mobile"]))
    assert {
        ("accessibility", "image-alt"),  # an image without alt text
        ("accessibility", "html-has-lang"),
        ("best-practices", "errors-in-console"),  # the missing image's 404
        ("seo", "meta-description"),
    } <= found, found
