"""What a reader's browser downloads to search the archive: ours against stock Sphinx.

    python -m benchmarks.search [--size 520] [--seed 1] [--work DIR]

For a synthetic archive of N issues (:mod:`benchmarks.generate`) this builds

ours
    this repository's project: the Pagefind index written at the end of the build
    (``newsletter/search.py``) and the search page ``search.html`` (``_static/search.js``);
plain
    the same issues as a plain Sphinx + sphinx-book-theme project with a global toctree
    (:func:`benchmarks.run.make_plain`), searched by the theme's stock Sphinx search;

serves each on 127.0.0.1 with a static file server that counts every byte it sends
(headers included), and opens ``search.html?q=WORD`` in a fresh headless Chromium
context (empty cache) until the results are shown: the first query on a fresh page,
everything the page loads counted. Three words are chosen from the archive's text: one
in a few issues, one in just enough issues to fill our first page of results (ten), and
one in nearly all. The server runs twice: as a plain static server (like the tests'),
and compressing text files with gzip as static hosts do. It also times the Pagefind
indexing step alone over the built site, weighs both indexes, and loads an issue page
(the stock theme loads Sphinx's whole search index on every page).

The plain project takes minutes to build (each of its pages lists every issue); with
``--work DIR`` the builds are kept there and reused by the next run.

Progress goes to stderr; the result is a Markdown table on stdout.
"""

from __future__ import annotations

import argparse
import collections
import functools
import gzip
import http.server
import io
import os
import platform
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from .generate import ROOT, generate
from .run import make_plain

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
#: what a static host compresses (GitHub Pages, Netlify, Read the Docs: text types)
COMPRESSED = {".html", ".css", ".js", ".json", ".svg", ".xml", ".txt", ".map"}
#: when each search page has shown its results
DONE = {
    "ours": "() => document.querySelector('#ftw-search')?.getAttribute('aria-busy') === 'false'",
    "plain": (
        "() => { const s = document.querySelector('#search-results .search-summary');"
        " return !!s && /found|did not match/i.test(s.textContent); }"
    ),
}
#: how many results each page shows
SHOWN = {
    "ours": (
        "() => { const m = /^(\\d+) issues? match/.exec("
        "document.querySelector('#ftw-s-status').textContent); return m ? +m[1] : 0; }"
    ),
    "plain": "() => document.querySelectorAll('#search-results li').length",
}


def log(message: str) -> None:
    """Progress, on stderr."""
    print(message, file=sys.stderr, flush=True)


# -- the archive and its two builds ------------------------------------------------


def build(src: Path, out: Path, *options: str) -> float:
    """Build ``src`` like ``make html`` (but with the given options); the seconds it took."""
    command = [sys.executable, "-m", "sphinx", "-b", "html", "-W", "--keep-going", "-n", "-q"]
    command += [*options, "-d", str(out.parent / f"{out.name}-doctrees"), str(src), str(out)]
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    start = time.perf_counter()
    done = subprocess.run(command, cwd=src, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"building {src} failed:\n{done.stderr[-3000:]}")
    return time.perf_counter() - start


def index_time(site: Path) -> float:
    """Seconds to index the built ``site`` again, as the build does (newsletter.search)."""
    from newsletter import search

    pages = sorted(p.relative_to(site).as_posix() for p in (site / "issues").glob("*/*.html"))
    start = time.perf_counter()
    search.index_site(site, pages)
    return time.perf_counter() - start


def words_of(text: str) -> set[str]:
    """The lower-case words of five letters or more of ``text``."""
    return {word.lower() for word in re.findall(r"[A-Za-z]{5,}", text)}


def this_week(issue: Path) -> str:
    """The "This Week" section of an issue: text that both engines index."""
    return issue.read_text(encoding="utf-8").split("## This Week", 1)[1].split("\n## ", 1)[0]


def choose_words(issues: list[Path]) -> dict[str, str]:
    """Three query words: in about 3 issues, in the fewest issues that fill a page of
    results (ten), and in the most issues.

    Each is a whole word that begins no other word of the archive, so that prefix
    matching (ours) and stemming (Sphinx) find the same issues.
    """
    frequency = collections.Counter(w for issue in issues for w in words_of(this_week(issue)))
    everything = set().union(*(words_of(issue.read_text(encoding="utf-8")) for issue in issues))
    prefixes = {w[:n] for w in everything for n in range(5, len(w))}
    usable = [w for w in frequency if w not in prefixes]

    def near(target: int) -> str:
        return min(usable, key=lambda w: (abs(frequency[w] - target), w))

    page = min((w for w in usable if frequency[w] >= 10), key=lambda w: (frequency[w], w))
    common = max(usable, key=lambda w: (frequency[w], -len(w), w))
    return {"few issues": near(3), "enough to fill a page": page, "most issues": common}


# -- serving, counting ----------------------------------------------------------------


class Counter:
    """What the server sent: requests and bytes (status lines, headers and bodies)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.requests = 0
        self.bytes = 0

    def add(self, requests: int = 0, sent: int = 0) -> None:
        with self.lock:
            self.requests += requests
            self.bytes += sent


class _CountingWriter(io.RawIOBase):
    def __init__(self, raw: BinaryIO, counter: Counter) -> None:
        self.raw, self.counter = raw, counter

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        written = self.raw.write(data)
        self.counter.add(sent=len(data))
        return written if written is not None else len(data)

    def flush(self) -> None:
        self.raw.flush()


class Handler(http.server.SimpleHTTPRequestHandler):
    """A static file server that counts what it sends and can compress text like a host."""

    counter: Counter
    compress: bool

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def setup(self) -> None:
        super().setup()
        self.wfile = _CountingWriter(self.wfile, self.counter)  # type: ignore[assignment]

    def send_head(self) -> BinaryIO | None:  # type: ignore[override]
        self.counter.add(requests=1)
        path = Path(self.translate_path(self.path))
        wants_gzip = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (self.compress and wants_gzip and path.is_file() and path.suffix in COMPRESSED):
            return super().send_head()
        body = gzip.compress(path.read_bytes(), compresslevel=6, mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)


@contextmanager
def serve(site: Path, compress: bool) -> Iterator[tuple[str, Counter]]:
    """Serve ``site`` on 127.0.0.1 in a thread: (base URL, what it sends)."""
    counter = Counter()
    handler = type("Counting", (Handler,), {"counter": counter, "compress": compress})
    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(site))
    )
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/", counter
    finally:
        httpd.shutdown()
        thread.join()


@dataclass
class Load:
    requests: int
    bytes: int
    seconds: float
    shown: int | None = None


def load(browser: Any, site: Path, path: str, kind: str | None, compress: bool) -> Load:
    """Open ``path`` in a fresh context; count everything until the results are shown."""
    with serve(site, compress) as (base, counter):
        context = browser.new_context()
        page = context.new_page()
        start = time.perf_counter()
        page.goto(base + path)
        if kind is not None:
            page.wait_for_function(DONE[kind], timeout=600_000)
        page.wait_for_load_state("networkidle")
        seconds = time.perf_counter() - start
        shown = page.evaluate(SHOWN[kind]) if kind else None
        context.close()
        return Load(counter.requests, counter.bytes, seconds, shown)


# -- the report -----------------------------------------------------------------------


def kb(n: float) -> str:
    """Bytes as kB or MB."""
    return f"{n / 1000:,.1f} kB" if n < 1_000_000 else f"{n / 1_000_000:,.2f} MB"


def main(argv: list[str] | None = None) -> int:
    """Build, serve and measure; print the table."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.search",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--size", type=int, default=520, help="issues in the archive (520)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the synthetic archive (1)")
    parser.add_argument(
        "--work",
        type=Path,
        help="keep the projects and builds in DIR and reuse the builds found there",
    )
    args = parser.parse_args(argv)
    if not CHROMIUM.exists():
        parser.error(f"{CHROMIUM} is needed (apt-get install chromium)")

    with tempfile.TemporaryDirectory(prefix="ftw-search-bench-") as tmp:
        work = args.work or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        ours_src, plain_src = work / "ours", work / "plain"
        if not (ours_src / "issues").is_dir():
            log(f"generating {args.size} issues in {work}")
            generate(ours_src, args.size, args.seed)
            make_plain(ours_src, plain_src)
        issues = sorted((ours_src / "issues").glob("*/*.md"))
        builds: dict[str, float | None] = {}
        for kind, src in (("ours", ours_src), ("plain", plain_src)):
            out = work / f"{kind}-html"
            if out.is_dir() and args.work:
                log(f"{kind}: reusing {out}")
                builds[kind] = None
            else:
                log(f"{kind}: building (plain takes minutes: each of its pages lists every issue)")
                builds[kind] = build(src, out, "-j", "auto")
                log(f"{kind}: built in {builds[kind]:.1f} s")
        ours, plain = work / "ours-html", work / "plain-html"
        log("ours: indexing again with Pagefind, alone")
        indexing = min(index_time(ours) for _ in range(3))
        words = choose_words(issues)
        issue_page = issues[len(issues) // 2].relative_to(ours_src).with_suffix(".html").as_posix()

        from playwright.sync_api import sync_playwright

        rows: dict[str, dict[str, Load]] = {}
        with sync_playwright() as driver:
            browser = driver.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            for compress in (False, True):
                served = "gzip" if compress else "plain"
                for label, path, searched in (
                    *(
                        (f"search “{word}” ({what})", f"search.html?q={word}", True)
                        for what, word in words.items()
                    ),
                    ("an issue page", issue_page, False),
                ):
                    key = f"{label}, {served} server"
                    rows[key] = {}
                    for kind, site in (("ours", ours), ("plain", plain)):
                        log(f"{kind}: {key}")
                        rows[key][kind] = load(
                            browser, site, path, kind if searched else None, compress
                        )
            browser.close()
        pagefind_files = [p for p in (ours / "pagefind").rglob("*") if p.is_file()]
        pagefind_bytes = sum(p.stat().st_size for p in pagefind_files)
        searchindex_bytes = (plain / "searchindex.js").stat().st_size

    import pagefind_bin
    import sphinx

    version = subprocess.run(
        [str(pagefind_bin.get_executable()), "--version"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    print(
        f"## Search benchmark: {args.size} issues (seed {args.seed}), Python "
        f"{platform.python_version()}, Sphinx {sphinx.__version__}, {version}, "
        f"{os.cpu_count()} CPU(s)\n"
    )
    print("Everything a fresh browser context downloads (bytes on the wire, headers included)")
    print(
        "until the results are shown; ours = Pagefind + search.html, plain = stock Sphinx search.\n"
    )
    print("| what | ours | plain | ours/plain |")
    print("|---|---:|---:|---:|")
    for key, result in rows.items():
        a, b = result["ours"], result["plain"]
        print(f"| {key}: bytes | {kb(a.bytes)} | {kb(b.bytes)} | {a.bytes / b.bytes:.3f} |")
        print(f"| {key}: requests | {a.requests} | {b.requests} | |")
        if a.shown is not None:
            print(f"| {key}: results | {a.shown} | {b.shown} | |")
            print(f"| {key}: time to results | {a.seconds:.2f} s | {b.seconds:.2f} s | |")
    print(
        f"| index on disk | {kb(pagefind_bytes)} (pagefind/, {len(pagefind_files)} files) | "
        f"{kb(searchindex_bytes)} (searchindex.js) | |"
    )
    print(
        f"| time to index (Pagefind over the built site, best of 3) | {indexing:.2f} s | "
        "(inside the build) | |"
    )
    if builds["ours"] is not None and builds["plain"] is not None:
        print(
            f"| clean build, -j auto | {builds['ours']:.1f} s | {builds['plain']:.1f} s | "
            f"{builds['ours'] / builds['plain']:.2f} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
