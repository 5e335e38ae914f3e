"""Search as readers use it: the built site served on 127.0.0.1, in headless Chromium.

The archive is made like test_archive's (numbered weekly issues from 2 January 2026)
with the real seed issue as No. 4, an issue that mentions Greenland once (with accented
names), two from 2025 (one mentions Greenland too), and a draft with a word of its own.
The index is one bundle per year (newsletter/outputs/search/parts.py): 2026's and 2025's.
"""

from __future__ import annotations

import datetime as dt
import functools
import gzip
import http.server
import json
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from newsletter.outputs import search

from .conftest import SEED, built_once, goto, issue_text, make_archive, sphinx_build, tab_in

COUNT = 14  # more than one page of results (ten) for a word of every generated issue
DRAFT_WORD = "Quetzalcoatlus"
SEED_TITLE = "Davos, Greenland and talks in Abu Dhabi"
ACCENTS = (
    "Ministers met in São Paulo and Türkiye before Greenland came up, once. "
    "China’s exports rose 3.5% in Zürich."
)


def write(src: Path, relative: str, text: str) -> None:
    path = src / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def make_site(tmp: Path) -> None:
    src = make_archive(tmp / "src", COUNT, draft=False)
    # the real seed issue is No. 4 of this archive, on its own date (2026-01-23)
    write(
        src,
        "issues/2026/2026-01-23.md",
        SEED.read_text("utf-8").replace("number: 1\n", "number: 4\n"),
    )
    relative, text = issue_text(5, topics="[europe, energy]")
    write(src, relative, text.replace("A brief of week 5 about word5.", ACCENTS))
    relative, text = issue_text(COUNT + 1, title="Polar year", topics="[arctic]")
    date = Path(relative).stem  # a later date, moved back into 2025
    text = text.replace(f"date: {date}", "date: 2025-12-26")
    write(src, "issues/2025/2025-12-26.md", text.replace("A brief", "Greenland in a brief"))
    relative, text = issue_text(COUNT + 3, title="Winter brief", topics="[trade]")
    text = text.replace(f"date: {Path(relative).stem}", "date: 2025-12-19")
    write(src, "issues/2025/2025-12-19.md", text)
    relative, text = issue_text(COUNT + 2, title="Secret draft", status="draft", topics="[taiwan]")
    write(src, relative, text.replace("A brief of week", f"{DRAFT_WORD} in a brief of week"))
    result = sphinx_build(src, tmp / "out")
    assert result.returncode == 0, result.stderr[-3000:]


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Path:
    """The archive, built once per test session (the tests only read it)."""
    return built_once(tmp_path_factory, "search-site", make_site) / "out"


@pytest.fixture(scope="session")
def server(site: Path) -> Iterator[str]:
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(site))
    )
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    thread.join()


@pytest.fixture(scope="session")
def search_tab(browser_context) -> Iterator[tuple[Any, list[str]]]:
    """One tab of the shared browser context (conftest's ``tab_in``) for every test of
    :func:`page` in a test process, and the errors of its scripts."""
    with tab_in(browser_context) as tab:
        errors: list[str] = []
        tab.on("pageerror", lambda error: errors.append(str(error)))
        yield tab, errors


@pytest.fixture
def page(search_tab: tuple[Any, list[str]], server: str):
    """The search tests' tab, at 1280 x 720, in which no script fails during the test.
    Each test opens the page it needs; no test stores anything (those of the reader's
    light or dark choice have tabs of their own): a new tab for each test, closed after,
    cost 0.25 s a test."""
    tab, errors = search_tab
    tab.set_viewport_size({"width": 1280, "height": 720})
    errors.clear()
    yield tab
    assert errors == []


def settled(page) -> None:
    page.wait_for_selector('#ftw-search[aria-busy="false"]', timeout=15_000)


#: what the browser does on Back or Forward: the address changes, and the page hears of it
GO_TO = """(url) => {
  history.pushState({}, "", url);
  dispatchEvent(new PopStateEvent("popstate"));
}"""


def open_search(page, server: str, query: str) -> None:
    """The search page's results for ``query`` (an address's query string). A tab on the
    search page already goes to the address as Back and Forward do (the page reads the
    address as it does when it loads, and searches again: _static/search.js), without
    loading the page and Pagefind's engine again (0.3 s a search); another tab loads it."""
    url = f"{server}search.html?{query}"
    if urlsplit(page.url)[:3] == urlsplit(url)[:3]:
        page.evaluate(GO_TO, url)
    else:
        page.goto(url)
    settled(page)


def status(page) -> str:
    return page.locator("#ftw-s-status").inner_text().strip()


def headings(page) -> list[str]:
    return [h.strip() for h in page.locator(".ftw-s-heading").all_inner_texts()]


def params(page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


# -- what is found ----------------------------------------------------------------


def test_greenland_lists_the_seed_issue_first(page, server: str) -> None:
    open_search(page, server, "q=Greenland")
    assert status(page) == "3 issues match “Greenland”."
    found = headings(page)
    assert found[0] == f"No. 4 · 23 January 2026 · {SEED_TITLE}"
    assert {found[1], found[2]} == {
        "No. 5 · 30 January 2026 · Issue 5 title",
        f"No. {COUNT + 1} · 26 December 2025 · Polar year",
    }
    first = page.locator(".ftw-s-result").first
    assert first.locator(".ftw-s-excerpt mark").first.inner_text() in ("Greenland", "Greenland,")
    link = first.locator("a.ftw-s-title").get_attribute("href")
    assert urlsplit(link).path == "/issues/2026/2026-01-23.html"
    assert parse_qs(urlsplit(link).query) == {"highlight": ["Greenland"]}


def test_a_word_beginning_finds_the_word(page, server: str) -> None:
    open_search(page, server, "q=Greenl")
    assert headings(page)[0].endswith(SEED_TITLE)
    assert "<mark>Greenland" in page.locator(".ftw-s-excerpt").first.inner_html()


def test_phrases_in_quotes(page, server: str) -> None:
    open_search(page, server, "q=%22rare-earth+minerals%22")
    assert status(page) == '1 issue matches “"rare-earth minerals"”.'
    assert headings(page) == [f"No. 4 · 23 January 2026 · {SEED_TITLE}"]
    assert (
        "<mark>rare-earth</mark> <mark>minerals</mark>"
        in page.locator(".ftw-s-excerpt").inner_html()
    )
    open_search(page, server, "q=%22minerals+rare-earth%22")
    assert headings(page) == []
    assert status(page).startswith("No issue matches")


def test_a_phrase_and_words_together(page, server: str) -> None:
    open_search(page, server, "q=Trump+%E2%80%9Crare-earth+minerals%E2%80%9D")  # curly quotes
    assert headings(page) == [f"No. 4 · 23 January 2026 · {SEED_TITLE}"]
    open_search(page, server, "q=Zürich+%22rare-earth+minerals%22")
    assert headings(page) == []


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=U.S.", SEED_TITLE),
        ("q=%24900.6", SEED_TITLE),  # $900.6
        ("q=%22%24900.6+billion%22", SEED_TITLE),
        ("q=2026+NDAA", SEED_TITLE),
        ("q=Mar-a-Lago", SEED_TITLE),
        ("q=GREENLAND+zelenskiy", SEED_TITLE),
        ("q=sao+paulo", "Issue 5 title"),
        ("q=TURKIYE", "Issue 5 title"),
        ("q=zurich", "Issue 5 title"),
        ("q=china%E2%80%99s+exports", "Issue 5 title"),  # China’s
        ("q=3.5%25", "Issue 5 title"),
    ],
)
def test_punctuation_case_and_accents(page, server: str, query: str, expected: str) -> None:
    open_search(page, server, query)
    assert headings(page), status(page)
    assert headings(page)[0].endswith(expected)


def test_every_word_must_be_found(page, server: str) -> None:
    # Pagefind alone would ignore the word it cannot find and list the Greenland issues
    for query in ("q=Greenland+zanzibarquux", "q=word99", "q=abc123def"):
        open_search(page, server, query)
        assert headings(page) == [], query
        assert status(page).startswith("No issue matches"), query


# -- what is never found ------------------------------------------------------------


def test_a_nonsense_word_says_so_and_suggests_the_topics(page, server: str) -> None:
    open_search(page, server, "q=xyzzyplugh")
    assert headings(page) == []
    assert status(page) == (
        "No issue matches “xyzzyplugh”. Check the spelling or use fewer words, "
        "or browse the topics."
    )
    link = page.locator("#ftw-s-status a")
    assert link.inner_text() == "browse the topics"
    link.click()
    page.wait_for_load_state()
    assert urlsplit(page.url).path == "/topics/index.html"


def test_drafts_are_never_found(page, server: str) -> None:
    for query in (f"q={DRAFT_WORD}", f"q={DRAFT_WORD[:6]}", "q=Secret+draft"):
        open_search(page, server, query)
        assert headings(page) == [], query


def test_the_frame_and_the_interface_are_not_searched(page, server: str) -> None:
    # the salutation, the closing, the revision line, the section titles and the words
    # around the question block are the same in every issue
    for query in (
        "q=Dear+Focus+Reader",
        "q=%22Hong+Kong%22",
        "q=First+published",
        "q=%22Quote+of+the+Week%22",
        "q=%22chance+to+be+featured%22",
        "q=DRAFT",
        "q=January",  # an issue's date is its metadata, not its text
    ):
        open_search(page, server, query)
        assert headings(page) == [], query


# -- narrowing, order, pages ------------------------------------------------------------


def test_a_topic_that_excludes_the_issue_hides_it(page, server: str) -> None:
    open_search(page, server, "q=Greenland&topic=europe")
    assert status(page) == "1 issue matches “Greenland” on Europe."
    assert headings(page) == ["No. 5 · 30 January 2026 · Issue 5 title"]
    assert page.locator("select[name=topic]").input_value() == "europe"
    page.locator("select[name=topic]").select_option("arctic")
    settled(page)
    assert params(page) == {"q": ["Greenland"], "topic": ["arctic"]}
    assert [h.split(" · ")[2] for h in headings(page)] == [SEED_TITLE, "Polar year"]
    page.locator("select[name=topic]").select_option("taiwan")
    settled(page)
    assert headings(page) == []
    assert "Search all years and topics" in status(page)


def test_the_year_narrows_and_is_in_the_url(page, server: str) -> None:
    open_search(page, server, "q=Greenland&year=2025")
    assert headings(page) == [f"No. {COUNT + 1} · 26 December 2025 · Polar year"]
    page.locator("select[name=year]").select_option("2026")
    settled(page)
    assert params(page) == {"q": ["Greenland"], "year": ["2026"]}
    assert len(headings(page)) == 2
    assert page.locator("select[name=year] option").all_inner_texts() == [
        "All years",
        "2026",
        "2025",
    ]


def test_newest_first(page, server: str) -> None:
    open_search(page, server, "q=Greenland&sort=newest")
    assert [h.split(" · ")[1] for h in headings(page)] == [
        "30 January 2026",
        "23 January 2026",
        "26 December 2025",
    ]


def test_a_word_of_one_year_is_not_stood_in_for_in_another(page, server: str) -> None:
    """2025's bundle lacks "word3" and would answer with its words that begin like it
    ("word15", "word17"); one index of the archive would find issue 3 alone, and so does
    the page, whatever the order."""
    for query in ("q=word3", "q=word3&sort=newest"):
        open_search(page, server, query)
        assert status(page).startswith("1 issue matches “word3”")
        assert [h.split(" · ")[0] for h in headings(page)] == ["No. 3"]


def test_newest_first_runs_across_the_years_bundles(page, server: str) -> None:
    """Each year's bundle orders its own issues; Pagefind merges the bundles by a score
    that is the place in its year, so the page asks year by year (newest year first)."""
    open_search(page, server, "q=brief&sort=newest")
    page.locator("#ftw-s-more").click()
    settled(page)
    days = [dt.datetime.strptime(h.split(" · ")[1], "%d %B %Y") for h in headings(page)]
    assert len(days) == COUNT
    assert days == sorted(days, reverse=True)
    assert [day.year for day in days[-2:]] == [2025, 2025]


def test_a_topic_without_words_lists_its_issues(page, server: str) -> None:
    open_search(page, server, "topic=arctic")
    assert status(page) == "2 issues on The Arctic, newest first."
    assert [h.split(" · ")[2] for h in headings(page)] == [SEED_TITLE, "Polar year"]


def test_more_results_come_ten_at_a_time(page, server: str) -> None:
    open_search(page, server, "q=brief")
    count = COUNT  # every generated issue but the seed, the two of 2025 included
    assert status(page) == f"{count} issues match “brief”."
    assert len(headings(page)) == 10
    page.locator("#ftw-s-more").click()
    settled(page)
    assert len(headings(page)) == count
    assert page.locator("#ftw-s-more").is_hidden()


def test_back_and_forward_show_what_loading_the_address_shows(page, server: str) -> None:
    """The page reads an address the same way when it loads and when the reader goes Back
    or Forward to it (what :func:`open_search` does on a search page)."""
    shown = {}
    for query in ("q=Greenland&sort=newest", "q=word3", "topic=arctic&year=2025"):
        page.goto(f"{server}search.html?{query}")
        settled(page)
        shown[query] = (status(page), headings(page), params(page))
    for query in ("q=word3", "q=Greenland&sort=newest"):
        page.go_back()
        settled(page)
        assert (status(page), headings(page), params(page)) == shown[query], query
    page.go_forward()
    settled(page)
    assert (status(page), headings(page), params(page)) == shown["q=word3"]
    page.evaluate(GO_TO, f"{server}search.html?topic=arctic&year=2025")
    settled(page)
    assert (status(page), headings(page)) == shown["topic=arctic&year=2025"][:2]
    assert page.locator("select[name=year]").input_value() == "2025"


def test_typing_searches_and_keeps_the_url(page, server: str) -> None:
    page.goto(f"{server}search.html")
    settled(page)
    assert status(page) == ""
    assert page.evaluate("document.activeElement.name") == "q"
    page.keyboard.type("rare-earth")
    page.keyboard.press("Enter")
    settled(page)
    assert params(page) == {"q": ["rare-earth"]}
    assert headings(page)[0].endswith(SEED_TITLE)


# -- one search experience -------------------------------------------------------------------


def search_in_dialog(page, query: str) -> None:
    """Type ``query`` into the theme's search dialog, submit it, wait for the results."""
    field = page.locator("#pst-search-dialog input[name=q]")
    field.wait_for(state="visible")
    field.fill(query)
    field.press("Enter")
    page.wait_for_url(re.compile(rf"/search\.html\?q={re.escape(query)}$"))
    settled(page)


def test_ctrl_k_on_an_issue_page_leads_to_the_search_page(page, server: str) -> None:
    page.goto(f"{server}issues/2026/2026-01-30.html")
    page.keyboard.press("Control+k")
    search_in_dialog(page, "Greenl")
    assert headings(page)[0].endswith(SEED_TITLE)


def test_the_sidebar_search_button_opens_the_same_dialog(page, server: str) -> None:
    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(f"{server}index.html")
    page.locator(".search-button-field").first.click()
    search_in_dialog(page, "NDAA")
    assert headings(page) == [f"No. 4 · 23 January 2026 · {SEED_TITLE}"]


def test_the_matches_are_highlighted_on_the_issue_page(page, server: str) -> None:
    open_search(page, server, "q=Bessent")
    page.locator("a.ftw-s-title").first.click()
    page.wait_for_selector("span.highlighted")
    assert page.locator("span.highlighted").first.inner_text() == "Bessent"


def test_no_page_downloads_sphinx_search_index(browser, server: str, site: Path) -> None:
    assert not (site / "searchindex.js").exists()
    requested: list[str] = []
    context = browser.new_context()  # a first visit: nothing comes from a cache
    try:
        page = context.new_page()
        page.on("request", lambda request: requested.append(request.url))
        goto(page, f"{server}issues/2026/2026-01-23.html")
    finally:
        context.close()
    assert requested and not [url for url in requested if "searchindex" in url or "pagefind" in url]


@pytest.mark.parametrize(
    ("system", "stored", "dark"),
    [
        ("light", "", False),
        ("dark", "", True),
        ("dark", "auto", True),
        ("light", "dark", True),
        ("dark", "light", False),
    ],
)
def test_the_search_page_follows_the_readers_light_or_dark_choice(
    tab, server: str, system: str, stored: str, dark: bool
) -> None:
    """The reader's choice with the theme's light/dark/auto button wins; else the system's.
    The search page is in the frame of every page: its colours are the theme's."""
    tab.emulate_media(color_scheme=system)
    colours = (
        "[getComputedStyle(document.body).backgroundColor, getComputedStyle(document.body).color]"
    )
    tab.goto(f"{server}index.html")
    if stored:  # the reader chooses with the theme's button, which remembers it
        tab.locator(".theme-switch-button").first.click()
        tab.locator(f'.theme-change-button[data-mode="{stored}"]').first.click()
    home = tab.evaluate(colours)
    tab.goto(f"{server}search.html?q=Greenland")
    settled(tab)
    background, text = tab.evaluate(colours)
    expected = (
        ("rgb(18, 18, 18)", "rgb(206, 214, 221)")  # sphinx-book-theme's dark background
        if dark
        else ("rgb(255, 255, 255)", "rgb(34, 40, 50)")
    )
    assert (background, text) == expected
    assert [background, text] == home


# -- the index on disk ---------------------------------------------------------------------


def bundle_files(site: Path) -> dict[str, bytes]:
    folder = site / "pagefind"
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def entries(site: Path) -> dict[str, dict]:
    """``pagefind-entry.json`` of each year's bundle, by year."""
    return {
        p.parent.name: json.loads(p.read_text("utf-8"))
        for p in sorted((site / "pagefind").glob("*/pagefind-entry.json"))
    }


def test_the_index_holds_the_published_issues_only(site: Path) -> None:
    # one bundle per year of published issues, each holding that year's issues alone
    assert sorted(p.name for p in (site / "pagefind").iterdir()) == ["2025", "2026"]
    counts = {year: e["languages"]["en"]["page_count"] for year, e in entries(site).items()}
    assert counts == {"2025": 2, "2026": COUNT}  # the draft (2026) is not in it
    fragments = {
        p.parent.parent.name: gzip.decompress(p.read_bytes()).decode("utf-8")
        for p in (site / "pagefind").glob("*/fragment/*")
    }
    assert all(f'"url":"/issues/{year}/' in text for year, text in fragments.items())
    everything = "".join(fragments.values())
    assert DRAFT_WORD not in everything and "Secret draft" not in everything
    # only what the search page loads is published: Pagefind's engine and the index
    for year in ("2025", "2026"):
        top = sorted(p.name for p in (site / "pagefind" / year).iterdir())
        meta = [n for n in top if n.startswith("pagefind.en_") and n.endswith(".pf_meta")]
        assert len(meta) == 1
        engine = ["pagefind-entry.json", "pagefind.js", "wasm.en.pagefind", "wasm.unknown.pagefind"]
        assert top == sorted(["filter", "fragment", "index", *engine, *meta])
    for frame in ("Dear Focus Reader", "Hong Kong", "First published", "We want to hear from you",
                  "Submit your thoughts", "Source:", "This Week.", "No. 4"):  # fmt: skip
        assert frame not in everything, frame


def test_indexing_again_gives_the_same_bytes(tmp_path: Path, site: Path) -> None:
    copy = tmp_path / "site"
    shutil.copytree(site, copy, ignore=shutil.ignore_patterns(".doctrees"))
    pages = sorted(
        p.relative_to(copy).as_posix()
        for p in copy.glob("issues/*/*.html")
        if "data-pagefind-body" in p.read_text("utf-8")
    )
    assert len(pages) == COUNT + 2
    for _ in range(3):  # Pagefind alone writes its filters in a different order each run
        search.index_site(copy, pages)
        assert bundle_files(copy) == bundle_files(site)
    meta = next((copy / "pagefind" / "2026").glob("*.pf_meta"))
    data = gzip.decompress(meta.read_bytes())
    item, end = search.cbor_decode(data, len(search.SIGNATURE))
    assert end == len(data) and search.cbor_encode(item) == data[len(search.SIGNATURE) :]


def test_a_removed_issue_leaves_the_index(tmp_path: Path) -> None:
    src = make_archive(tmp_path / "src", 2, draft=False)
    out = tmp_path / "out"
    for removed in (False, True):
        if removed:
            (src / "issues" / "2026" / "2026-01-09.md").unlink()
        result = sphinx_build(src, out)
        assert result.returncode == 0, result.stderr[-3000:]
        entry = json.loads((out / "pagefind/2026/pagefind-entry.json").read_text("utf-8"))
        assert entry["languages"]["en"]["page_count"] == (1 if removed else 2)
    # the removed issue's page leaves the output too (Sphinx alone would leave it there)
    assert not (out / "issues" / "2026" / "2026-01-09.html").exists()
    assert (out / "issues" / "2026" / "2026-01-02.html").exists()


@pytest.mark.skipif(sys.platform != "linux", reason="Linux's prctl ties the indexer to the build")
def test_the_indexer_does_not_outlive_a_killed_build() -> None:
    """A build killed with SIGKILL takes its Pagefind run with it (newsletter.outputs.search.launch)."""
    code = (
        "import time; from newsletter.outputs.search import launch; "
        "child = launch(['sleep', '120'], '.'); print(child.pid, flush=True); time.sleep(120)"
    )
    build = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert build.stdout is not None
    indexer = int(build.stdout.readline())
    assert running(indexer)
    build.kill()
    build.wait()
    deadline = time.monotonic() + 10
    while running(indexer) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not running(indexer)


def running(pid: int) -> bool:
    """Is process ``pid`` alive (neither gone nor a zombie waiting to be reaped)?"""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"
