"""Lighthouse on the archive's pages: what the tests judge and what the benchmark reports.

    python -m benchmarks.lighthouse [--size 52] [--seed 1] [--work DIR]

Lighthouse is npm's ``lighthouse``, pinned in ``package.json`` (12.2.3: later versions
want Node 22), run by ``benchmarks/lighthouse.mjs`` in Debian's Chromium headless shell
(``CHROME_PATH``: :mod:`benchmarks.browser`'s, with its flags). :func:`audit` runs a
list of page × preset jobs in :data:`PROCESSES` Node processes at once, each with one
Chrome that runs its share of the jobs one after the other (Lighthouse audits one page
at a time in a browser).

``tests/test_lighthouse.py`` runs the accessibility, best-practices and SEO categories
and fails on any failed audit. Performance is timing-based, so it stays out of the
tests: this benchmark builds a synthetic archive (:mod:`benchmarks.generate`), serves it
compressing text with gzip as static hosts do, and prints, for the home page, an issue,
a year, a topic and the search page in the mobile and desktop presets, the performance
score, the Largest Contentful Paint and the bytes transferred; then the issue page's
requests, largest first, each with what it is for (:data:`PARTS`).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .browser import CHROMIUM, CHROMIUM_ARGS

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = Path(__file__).with_name("lighthouse.mjs")
LIGHTHOUSE = ROOT / "node_modules" / "lighthouse" / "package.json"
#: Lighthouse's Chrome: the flags every browser of the tests gets (the headless shell is
#: headless by itself; ``--headless`` keeps a whole Chromium put in its place so)
CHROME_FLAGS = ["--headless", *CHROMIUM_ARGS]
#: the categories the tests judge (performance is reported by the benchmark only)
JUDGED = ("accessibility", "best-practices", "seo")
PRESETS = ("mobile", "desktop")
#: Node's young generation 64 MB a half instead of 16: Lighthouse makes many short-lived
#: objects, and collected them in 1.6 s of its 7 s of CPU on the tests' six runs (measured
#: side by side, three runs each: 7.0 s of CPU instead of 7.8)
NODE_FLAGS = ["--max-semi-space-size=64"]
#: Node processes, each with its own Chrome, running at once (the machines have 2 cores)
PROCESSES = min(2, os.cpu_count() or 1)
#: Lighthouse's settings for the judged categories alone, on a static site served from
#: this machine: no screenshots, and quarter-second quiet windows after the page loads
#: instead of one second each (nothing on these pages keeps loading). Performance runs
#: keep Lighthouse's defaults.
QUICK = {
    "disableFullPageScreenshot": True,
    "pauseAfterFcpMs": 0,
    "pauseAfterLoadMs": 250,
    "networkQuietThresholdMs": 250,
    "cpuQuietThresholdMs": 250,
}


@dataclass(frozen=True)
class Job:
    name: str
    url: str
    preset: str  # "mobile" or "desktop"
    #: this job's settings over :func:`audit`'s (``None``: those alone)
    settings: dict[str, Any] | None = None


class LighthouseError(Exception):
    """Lighthouse could not run (not installed, or it failed)."""


def audit(
    jobs: list[Job],
    categories: tuple[str, ...] = JUDGED,
    processes: int = PROCESSES,
    settings: dict[str, Any] | None = None,
) -> dict[str, dict[str, Any]]:
    """Each job's result (see lighthouse.mjs), by job name: its jobs are shared out among
    ``processes`` Node processes, longest queue first."""
    if not LIGHTHOUSE.is_file():
        raise LighthouseError(f"{LIGHTHOUSE.parent} is missing: make test installs it with npm")
    shares = [jobs[index::processes] for index in range(processes)]
    with tempfile.TemporaryDirectory(prefix="ftw-lighthouse-") as folder:

        def run(share: list[Job], index: int) -> dict[str, Any]:
            if not share:
                return {}
            spec = Path(folder) / f"jobs-{index}.json"
            spec.write_text(
                json.dumps(
                    {
                        "chrome": str(CHROMIUM),
                        "flags": CHROME_FLAGS,
                        "categories": list(categories),
                        "settings": settings or {},
                        "jobs": [job.__dict__ for job in share],
                    }
                ),
                encoding="utf-8",
            )
            result = subprocess.run(
                ["node", *NODE_FLAGS, str(SCRIPT), str(spec)],
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=False,
                env={**os.environ, "CHROME_PATH": str(CHROMIUM)},
            )
            if result.returncode != 0:
                raise LighthouseError(result.stderr.strip()[-3000:] or f"exit {result.returncode}")
            return json.loads(result.stdout)

        with ThreadPoolExecutor(processes) as pool:
            parts = list(pool.map(run, shares, range(processes)))
    merged: dict[str, dict[str, Any]] = {}
    for part in parts:
        merged.update(part)
    return merged


# -- the benchmark -------------------------------------------------------------------

#: what each kind of request of an issue page is for: the parts named in the table
PARTS = {
    "document": "the issue itself (its HTML page)",
    "newsletter-theme.css": (
        "the theme's stylesheet cut to what the archive's pages can use "
        "(newsletter/theme_css.py): Bootstrap's grid, buttons, dropdown and dialog, "
        "and the theme's layout, in light and dark"
    ),
    "bootstrap.js": (
        "the theme's Bootstrap bundle: the light/dark menu (dropdown), the tooltips of the "
        "header buttons, the back-to-top button; the theme ships it as one file"
    ),
    "pydata-sphinx-theme.js": (
        "the theme's script: light/dark mode, the search dialog and Ctrl+K, the sidebars"
    ),
    "sphinx-book-theme.css": "sphinx-book-theme's layout on top of pydata-sphinx-theme",
    "sphinx_highlight.js": "marks the words a search result was found by (?highlight=)",
    "doctools.js": "Sphinx's page helpers, which sphinx_highlight.js needs",
    "pygments.css": "Sphinx's code colours (an issue may hold a code block)",
    "newsletter.css": "the issue's blocks, lists, icons and print styles (ours)",
    "sphinx-book-theme.js": "sphinx-book-theme's sidebar toggle and scroll shadow",
    "documentation_options.js": "Sphinx's page settings, read by its scripts",
}


def pages_of(site: Path) -> dict[str, str]:
    """The pages measured: home, an issue in the middle, its year, a topic, the search."""
    issues = sorted(site.glob("issues/*/*.html"))
    issue = issues[len(issues) // 2].relative_to(site).as_posix()
    year = issue.split("/")[1]
    topics = sorted(p for p in site.glob("topics/*.html") if p.name != "index.html")
    topic = topics[0].relative_to(site).as_posix()
    return {
        "home": "index.html",
        "issue": issue,
        "year": f"years/{year}.html",
        "topic": topic,
        "search": "search.html?q=china",
    }


def kb(n: float) -> str:
    return f"{n / 1024:.1f} kB"


def main(argv: list[str] | None = None) -> int:
    from .generate import generate
    from .search import build, log, serve

    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.lighthouse",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--size", type=int, default=52, help="issues in the archive (52)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the synthetic archive (1)")
    parser.add_argument("--work", type=Path, help="keep the project and build in DIR")
    args = parser.parse_args(argv)
    if not CHROMIUM.exists():
        parser.error(f"{CHROMIUM} is needed (make chromium installs it)")
    with tempfile.TemporaryDirectory(prefix="ftw-lighthouse-bench-") as tmp:
        work = args.work or Path(tmp)
        src, site = work / "src", work / "html"
        if not (src / "issues").is_dir():
            log(f"generating {args.size} issues in {work}")
            generate(src, args.size, args.seed)
        log("building")
        build(src, site)
        pages = pages_of(site)
        with serve(site, compress=True) as (base, _):
            jobs = [
                Job(f"{name} {preset}", base + path, preset)
                for name, path in pages.items()
                for preset in PRESETS
            ]
            log(f"lighthouse: {len(jobs)} runs in {PROCESSES} browsers")
            started = time.perf_counter()
            results = audit(jobs, ("performance", *JUDGED))
            elapsed = time.perf_counter() - started
    print(report(pages, results, args.size, elapsed))
    return 0


def report(
    pages: dict[str, str], results: dict[str, dict[str, Any]], size: int, elapsed: float
) -> str:
    lines = [
        f"## Lighthouse {lighthouse_version()}, {size}-issue archive, served with gzip",
        "",
        "| page | preset | performance | LCP | FCP | TBT | CLS | transferred | requests |"
        " accessibility | best practices | SEO |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for name in pages:
        for preset in PRESETS:
            result = results[f"{name} {preset}"]
            perf = result["performance"]
            scores = result["categories"]
            lines.append(
                f"| {name} | {preset} | {round(perf['score'] * 100)} | {perf['lcp'] / 1000:.2f} s"
                f" | {perf['fcp'] / 1000:.2f} s | {perf['tbt']:.0f} ms | {perf['cls']:.3f}"
                f" | {kb(perf['bytes'])} | {len(perf['requests'])}"
                + "".join(f" | {round(scores[c] * 100)}" for c in JUDGED)
                + " |"
            )
    lines += ["", f"{len(results)} runs in {elapsed:.0f} s.", ""]
    issue = results["issue mobile"]["performance"]["requests"]
    total = kb(sum(request["transferSize"] for request in issue))
    lines += [
        f"### The issue page ({pages['issue']}), mobile: {total} transferred, largest first",
        "",
        "| request | type | transferred | uncompressed | what it is for |",
        "|---|---|--:|--:|---|",
    ]
    for request in sorted(issue, key=lambda r: -r["transferSize"]):
        name = request["url"].split("?")[0].rsplit("/", 1)[-1] or "index.html"
        purpose = PARTS.get("document" if request["type"] == "Document" else name, "")
        lines.append(
            f"| {name} | {request['type']} | {kb(request['transferSize'])}"
            f" | {kb(request['resourceSize'])} | {purpose} |"
        )
    failed = [
        f"- {name}: {f['category']} {f['id']} ({f['title']})"
        for name, result in results.items()
        for f in result["failed"]
    ]
    if failed:
        lines += ["", "Failed audits:", *failed]
    return "\n".join(lines)


def lighthouse_version() -> str:
    return json.loads(LIGHTHOUSE.read_text(encoding="utf-8"))["version"]


if __name__ == "__main__":
    sys.exit(main())
