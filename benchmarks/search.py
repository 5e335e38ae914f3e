"""What a reader's browser downloads to search the archive: ours against stock Sphinx.

    python -m benchmarks.search [--size 520] [--seed 1] [--work DIR]

For a synthetic archive of N issues (:mod:`benchmarks.generate`) this builds

ours
    this repository's project: the Pagefind index written at the end of the build
    (``newsletter/outputs/search/``) and the search page ``search.html`` (``_static/search.js``);
plain
    the same issues as a plain Sphinx + sphinx-book-theme project with a global toctree
    (:func:`benchmarks.plain.make_plain`), searched by the theme's stock Sphinx search;

serves each on 127.0.0.1 with a static file server that counts every byte it sends
(headers included), and opens ``search.html?q=WORD`` in a fresh headless Chromium
context (empty cache) until the results are shown: the first query on a fresh page,
everything the page loads counted. The query words are chosen from the archive's text
for a range of hits (:data:`HITS`: from one issue to every issue), and ours is split into
what every query loads, the index chunks of its word and the text of each result shown
(:func:`part_of`). The server runs twice: as a plain static server (like the tests'),
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

from .browser import CHROMIUM, chromium
from .generate import ROOT, generate
from .plain import make_plain

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
#: how many issues a query matched, on each search page
MATCHED = {
    "ours": (
        "() => { const m = /^(\\d+) issues? match/.exec("
        "document.querySelector('#ftw-s-status').textContent); return m ? +m[1] : 0; }"
    ),
    "plain": "() => document.querySelectorAll('#search-results li').length",
}
#: how many results each search page shows (the stock search lists every match)
SHOWN = {
    "ours": "() => document.querySelectorAll('#ftw-s-results > li').length",
    "plain": MATCHED["plain"],
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
    """Seconds to index the built ``site`` again, as the build does (newsletter.outputs.search)."""
    from newsletter.outputs import search

    pages = sorted(p.relative_to(site).as_posix() for p in (site / "issues").glob("*/*.html"))
    start = time.perf_counter()
    search.index_site(site, pages)
    return time.perf_counter() - start


def words_of(text: str) -> set[str]:
    """The lower-case words of five letters or more of ``text``."""
    return {word.lower() for word in re.findall(r"[A-Za-z]{5,}", text)}


def indexed_text(markdown: str) -> str:
    """What both searches index of an issue file: its body without the front matter, the
    link targets, the blocks' fences and their options (a name only in an attribution or
    a word only in a URL would be found by neither search)."""
    if markdown.startswith("---\n"):
        markdown = markdown.split("\n---\n", 1)[-1]
    markdown = re.sub(r"\]\([^)]*\)", "]", markdown)
    return re.sub(r"^(:::|:[\w-]+:).*$", "", markdown, flags=re.MULTILINE)


#: the numbers of hits the query words are chosen for: from one issue to every issue
HITS = (1, 3, 10, 30, 100, 300, None)


def choose_words(issues: list[Path]) -> dict[int, str]:
    """Query words by the number of issues they are in: for each of :data:`HITS` the
    word nearest to it (``None``: the word in the most issues), keyed by that number.

    Each is a whole word of the text both searches index (:func:`indexed_text`) that
    begins no other word of the archive, so that prefix matching (ours) and stemming
    (Sphinx) find the same issues, and that is not one of the stop words the stock
    search ignores ("after", "which").
    """
    from sphinx.search.en import SearchEnglish

    texts = [words_of(indexed_text(issue.read_text(encoding="utf-8"))) for issue in issues]
    frequency = collections.Counter(w for words in texts for w in words)
    prefixes = {w[:n] for words in texts for w in words for n in range(5, len(w))}
    usable = sorted(w for w in frequency if w not in prefixes and w not in SearchEnglish.stopwords)
    chosen: dict[int, str] = {}
    for target in HITS:
        if target is None:
            word = max(usable, key=lambda w: (frequency[w], -len(w)))
        else:
            word = min(usable, key=lambda w: (abs(frequency[w] - target), len(w)))
        chosen.setdefault(frequency[word], word)
    return chosen


# -- serving, counting ----------------------------------------------------------------


#: a file of one year's Pagefind bundle (``/pagefind/2020/index/en_1a2b3c4.pf_index``)
BUNDLE_FILE = re.compile(r"/pagefind/(?:[^/]+/)?(?P<folder>fragment|index|filter)/")


def part_of(path: str) -> str:
    """Which part of a search a requested file is (see :class:`Counter`): the bundles'
    metadata and filters count as index, since each year's bundle adds its own."""
    found = BUNDLE_FILE.search(path)
    if (found and found["folder"] == "fragment") or path.startswith("/_sources/"):
        return "per result"
    if found or path.endswith(("/searchindex.js", ".pf_meta", "/pagefind-entry.json")):
        return "index"
    return "per result" if path.startswith("/issues/") else "fixed"


class Counter:
    """What the server sent: requests and bytes (status lines, headers and bodies), in
    all and by part of the search: ``index`` (Pagefind's word chunks, Sphinx's
    searchindex.js), ``per result`` (the text of each result shown: Pagefind fragments,
    the pages or sources the stock search fetches for its excerpts) and ``fixed``
    (everything else: the page, its code and styles, Pagefind's engine and metadata)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.requests = 0
        self.bytes = 0
        self.parts: collections.Counter[str] = collections.Counter()

    def add(self, requests: int = 0, sent: int = 0, part: str = "fixed") -> None:
        with self.lock:
            self.requests += requests
            self.bytes += sent
            self.parts[part] += sent


class _CountingWriter(io.RawIOBase):
    def __init__(self, raw: BinaryIO, counter: Counter) -> None:
        self.raw, self.counter = raw, counter
        self.part = "fixed"

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        written = self.raw.write(data)
        self.counter.add(sent=len(data), part=self.part)
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
        self.wfile.part = part_of(self.path.split("?", 1)[0])  # type: ignore[attr-defined]
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
    matched: int | None = None
    shown: int | None = None
    parts: dict[str, int] | None = None


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
        matched = page.evaluate(MATCHED[kind]) if kind else None
        shown = page.evaluate(SHOWN[kind]) if kind else None
        context.close()
        return Load(counter.requests, counter.bytes, seconds, matched, shown, dict(counter.parts))


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
        parser.error(f"{CHROMIUM} is needed (make chromium installs it)")

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

        queries: dict[bool, dict[str, dict[str, Load]]] = {False: {}, True: {}}
        pages: dict[bool, dict[str, Load]] = {}
        with chromium() as browser:
            for compress in (False, True):
                served = "gzip" if compress else "plain"
                for word in words.values():
                    queries[compress][word] = {}
                    for kind, site in (("ours", ours), ("plain", plain)):
                        log(f"{kind}: search “{word}”, {served} server")
                        queries[compress][word][kind] = load(
                            browser, site, f"search.html?q={word}", kind, compress
                        )
                pages[compress] = {}
                for kind, site in (("ours", ours), ("plain", plain)):
                    log(f"{kind}: an issue page, {served} server")
                    pages[compress][kind] = load(browser, site, issue_page, None, compress)
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
    print(
        "Everything a fresh browser context downloads (bytes on the wire, headers included)\n"
        "until the results of one query are shown; ours = Pagefind + search.html, stock =\n"
        "sphinx-book-theme's Sphinx search. Ours in three parts: *fixed* (the page, its\n"
        "code and styles, Pagefind's engine and metadata), *index* (the word chunks of the\n"
        "query) and *per result* (the text of each result shown, for its excerpt).\n"
    )
    for compress, served in ((False, "a plain static server"), (True, "a gzip static server")):
        print(f"### Served by {served}\n")
        print(
            "| query | issues matched | results shown | ours | ours: fixed + index + per result "
            "| stock | ours/stock | ours, time | stock, time |"
        )
        print("|---|---:|---:|---:|---|---:|---:|---:|---:|")
        for word, result in queries[compress].items():
            a, b = result["ours"], result["plain"]
            parts = a.parts or {}
            split = " + ".join(kb(parts.get(part, 0)) for part in ("fixed", "index", "per result"))
            print(
                f"| “{word}” | {a.matched} | {a.shown} | {kb(a.bytes)}, {a.requests} req. "
                f"| {split} | {kb(b.bytes)}, {b.requests} req. | {a.bytes / b.bytes:.3f} "
                f"| {a.seconds:.2f} s | {b.seconds:.2f} s |"
            )
        a, b = pages[compress]["ours"], pages[compress]["plain"]
        print(
            f"| (an issue page) | | | {kb(a.bytes)}, {a.requests} req. | | "
            f"{kb(b.bytes)}, {b.requests} req. | {a.bytes / b.bytes:.3f} | | |\n"
        )
        print(verdict(queries[compress]))
    print("| index | ours | stock |")
    print("|---|---:|---:|")
    print(
        f"| on disk | {kb(pagefind_bytes)} (pagefind/, {len(pagefind_files)} files) "
        f"| {kb(searchindex_bytes)} (searchindex.js) |"
    )
    print(
        f"| time to index (Pagefind over the built site, best of 3) | {indexing:.2f} s "
        "| (inside the build) |"
    )
    if builds["ours"] is not None and builds["plain"] is not None:
        print(f"| clean build, -j auto | {builds['ours']:.1f} s | {builds['plain']:.1f} s |")
    return 0


def verdict(queries: dict[str, dict[str, Load]]) -> str:
    """The targets, measured: a query with few hits downloads at most a tenth of the stock
    search's, and the download does not grow with the number of hits."""
    loads = sorted(queries.values(), key=lambda r: r["ours"].matched or 0)
    ours = [r["ours"] for r in loads]

    def part(load: Load, name: str) -> int:
        return (load.parts or {}).get(name, 0)

    few = min(loads, key=lambda r: abs((r["ours"].matched or 0) - 3))
    a, most = few["ours"], ours[-1]
    page = max(r.shown or 0 for r in ours)
    full = [r for r in loads if r["ours"].shown == page]
    lines = [
        f"- Few hits ({a.matched} issues): ours downloads {a.bytes / few['plain'].bytes:.3f}"
        " of the stock search (target ≤ 0.1).",
        f"- Most issues ({most.matched}) against few hits ({a.matched}): {kb(most.bytes)} "
        f"against {kb(a.bytes)}. Of the {kb(most.bytes - a.bytes)} more, "
        f"{kb(part(most, 'per result') - part(a, 'per result'))} are the excerpts of "
        f"{most.shown} results shown instead of {a.shown}.",
        f"- Once a page of results is full ({page}), from {full[0]['ours'].matched} to "
        f"{full[-1]['ours'].matched} issues matched: ours "
        f"{kb(min(r['ours'].bytes for r in full))} to {kb(max(r['ours'].bytes for r in full))}, "
        f"stock {kb(min(r['plain'].bytes for r in full))} to "
        f"{kb(max(r['plain'].bytes for r in full))}.",
        f"- Ours, over every query: fixed part {kb(min(part(r, 'fixed') for r in ours))} to "
        f"{kb(max(part(r, 'fixed') for r in ours))}; index "
        f"{kb(min(part(r, 'index') for r in ours))} to {kb(max(part(r, 'index') for r in ours))}; "
        "per result shown "
        f"{kb(min(part(r, 'per result') / r.shown for r in ours if r.shown))} to "
        f"{kb(max(part(r, 'per result') / r.shown for r in ours if r.shown))}.",
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    raise SystemExit(main())
