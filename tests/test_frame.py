"""One frame for every page of the archive: its head, its icons, its search, its links.

Every page names the publication once in its title, describes itself for search engines
and for sharing (an issue by its summary, the archive's other pages by the publication's
description in ``publication.toml``), carries the publication's icon, one viewport and no
link to an index page; no page logs an error or asks for a file that is not there. The
search page is drawn in the same frame as the others. Readers find one search entry point
on a desktop and one on a phone, and the previous and next issues read on a line or two
on phones from 320 to 430 px. Screenshots of the home page, an issue and the search page
at 1280 and 390 px, light and dark, are kept in ``test-artifacts/``.
"""

from __future__ import annotations

import contextlib
import re
import struct
from pathlib import Path

import pytest

from newsletter.schema import publication

from .conftest import NEXT_TITLE, ROOT, WATCH_VIOLATIONS, goto, served, tab_in, visit_at_once

ARTIFACTS = ROOT / "test-artifacts"
ISSUE = "issues/2026/2026-01-23.html"
SITE = publication.load(ROOT).site


@pytest.fixture(scope="session")
def site(seed_site: Path) -> Path:
    """The seed issue (No. 1, 23 January 2026) between two others, the next one with a long
    title (:data:`NEXT_TITLE`), and a draft (conftest's ``seed_site``)."""
    return seed_site


def pages(site: Path) -> dict[str, str]:
    return {
        p.relative_to(site).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(site.rglob("*.html"))
        if not {"_static", ".doctrees", "pagefind"} & set(p.relative_to(site).parts)
    }


def meta(page: str, key: str) -> list[str]:
    attribute = "property" if key.startswith(("og:", "article:")) else "name"
    return re.findall(rf'<meta {attribute}="{re.escape(key)}" content="([^"]*)"', page)


# -- the head ----------------------------------------------------------------------------


def test_the_title_names_the_publication_once(site: Path) -> None:
    found = {name: re.findall(r"<title>(.*?)</title>", page) for name, page in pages(site).items()}
    assert found["index.html"] == [SITE.title]
    assert found[ISSUE] == [f"Davos, Greenland and talks in Abu Dhabi &#8212; {SITE.title}"]
    assert found["search.html"] == [f"Search &#8212; {SITE.title}"]
    assert found["years/2026.html"] == [f"Issues of 2026 &#8212; {SITE.title}"]
    for name, titles in found.items():
        assert len(titles) == 1 and titles[0].count(SITE.title) == 1, (name, titles)


def test_every_page_describes_itself_for_search_engines_and_sharing(site: Path) -> None:
    found = pages(site)
    described = 0
    for name, page in found.items():
        if meta(page, "robots") == ["noindex"] and name != "search.html":
            assert meta(page, "description") == [] and "A draft" in page, name  # a draft
            continue
        described += 1
        issue = name.startswith("issues/")
        for key in ("og:title", "og:description", "og:type", "twitter:title"):
            assert len(meta(page, key)) == 1, (name, key)
        assert meta(page, "description") == meta(page, "og:description"), name
        assert meta(page, "description") == meta(page, "twitter:description"), name
        assert meta(page, "og:site_name") == [SITE.title], name
        assert meta(page, "og:url") == [SITE.base_url + name], name
        assert meta(page, "og:image") == [SITE.base_url + "_static/apple-touch-icon.png"], name
        assert meta(page, "twitter:card") == ["summary"], name
        assert meta(page, "og:type") == ["article" if issue else "website"], name
        if not issue:
            assert meta(page, "description") == [SITE.description], name
    assert described >= 10
    issue = found[ISSUE]
    assert meta(issue, "og:title") == ["Davos, Greenland and talks in Abu Dhabi"]
    assert meta(issue, "description")[0].startswith("At Davos, Treasury Secretary Scott Bessent")
    assert len(meta(issue, "article:published_time")) == 1
    assert meta(found["index.html"], "og:title") == [SITE.title]
    assert meta(found["years/2026.html"], "og:title") == ["Issues of 2026"]
    assert meta(found["search.html"], "robots") == ["noindex"]


def test_one_viewport_and_no_index_page(site: Path) -> None:
    assert not (site / "genindex.html").exists()
    for name, page in pages(site).items():
        assert len(re.findall(r'<meta name="viewport"', page)) == 1, name
        assert 'rel="index"' not in page and "genindex" not in page, name


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR", path
    return struct.unpack(">II", data[16:24])


def test_every_page_carries_the_publications_icon(site: Path) -> None:
    static = site / "_static"
    assert (static / "favicon.svg").read_text(encoding="utf-8").startswith("<svg")
    assert png_size(static / "favicon-32.png") == (32, 32)
    assert png_size(static / "apple-touch-icon.png") == (180, 180)
    for name, page in pages(site).items():
        up = "../" * name.count("/")
        assert f'<link rel="icon" href="{up}_static/favicon.svg" type="image/svg+xml">' in page
        assert f'<link rel="icon" href="{up}_static/favicon-32.png" type="image/png"' in page
        assert f'<link rel="apple-touch-icon" href="{up}_static/apple-touch-icon.png">' in page


# -- in the browser ----------------------------------------------------------------------


@pytest.fixture(scope="session")
def base_url(site: Path):
    with served(site, gzip=True) as url:
        yield url


def of_each_kind(site: Path, names: list[str]) -> list[str]:
    """The first of ``names`` of each kind of page: pages of a kind come from one template
    (an issue, a draft, a year, the years, a topic, the topics, the home and search pages)."""
    kinds: dict[tuple[str, str, bool], str] = {}
    for name in names:
        path = name.split("?")[0]
        folder, _, file = path.rpartition("/")
        draft = 'content="noindex"' in (site / path).read_text(encoding="utf-8")
        kinds.setdefault(
            (folder.split("/")[0], file if file == "index.html" or not folder else "", draft), name
        )
    return list(kinds.values())


@pytest.mark.parametrize("stored", ["", "dark"])
def test_no_page_logs_an_error_misses_a_file_or_breaks_its_policy(
    browser_context, site: Path, base_url: str, stored: str
) -> None:
    """Every page for a first visit (nothing stored: the theme once logged "Got invalid
    theme mode"), and a page of each kind (:func:`of_each_kind`) for a reader who chose
    dark mode: no error or warning in the console, no script error, no file missing, no
    violation of the page's Content-Security-Policy (test_csp). Three tabs load pages at
    once (:func:`visit_at_once`); what each logs is told by its tab."""
    names = [*pages(site), "search.html?q=Greenland"]
    if stored:
        names = of_each_kind(site, names)
        assert len(names) >= 8, names
    problems: list[str] = []

    def watch(page) -> None:
        if stored:
            page.add_init_script(f"localStorage.setItem('mode', '{stored}')")
        page.add_init_script(WATCH_VIOLATIONS)
        page.on(
            "console",
            lambda m: (
                problems.append(f"{page.url}: {m.type}: {m.text}")
                if m.type in ("error", "warning")
                else None
            ),
        )
        page.on("pageerror", lambda error: problems.append(f"{page.url}: exception: {error}"))
        page.on(
            "response",
            lambda r: problems.append(f"{r.status}: {r.url}") if r.status >= 400 else None,
        )
        page.on(  # (not one the tab gave up by going on to the next page: the icon, which
            # the browser asks for after the load event, was once asked for too late to be
            # settled)
            "requestfailed",
            lambda r: (
                problems.append(f"failed: {r.url} {r.failure}")
                if r.failure != "net::ERR_ABORTED"
                else None
            ),
        )

    def check(page, url: str) -> None:
        assert page.evaluate("document.documentElement.dataset.mode") == (stored or "auto")
        assert page.evaluate("window.__violations") == [], url
        assert problems == []  # (each names its page: another tab may have logged it)

    with contextlib.ExitStack() as stack:
        tabs = [stack.enter_context(tab_in(browser_context)) for _ in range(3)]
        for page in tabs:
            watch(page)
        visit_at_once(tabs, [base_url + name for name in names], check)


def visible_search_entries(page) -> list[str]:
    """Where each search control a reader can see is: sidebar, article header, elsewhere."""
    return page.evaluate(
        """() => [...document.querySelectorAll('.search-button__button, form.bd-search input[name=q]')]
             .filter((e) => e.checkVisibility() && !e.closest('dialog:not([open])'))
             .map((e) => e.closest('.bd-sidebar-primary') ? 'sidebar'
                  : e.closest('.bd-header-article') ? 'article header'
                  : e.closest('#pst-header') ? 'top bar' : 'page')"""
    )


@pytest.mark.parametrize(
    ("width", "where"),
    [(1280, "sidebar"), (1024, "sidebar"), (390, "article header"), (320, "article header")],
)
def test_one_search_entry_point(tab, base_url: str, width: int, where: str) -> None:
    page = tab
    page.set_viewport_size({"width": width, "height": 800})
    for name in ("index.html", ISSUE, "topics/trade.html"):
        goto(page, base_url + name)
        assert visible_search_entries(page) == [where], (name, width)
    if width < 992:  # the navigation folded into a drawer shows no second field
        page.locator(".bd-header-article .primary-toggle").click()
        page.wait_for_selector("#pst-primary-sidebar-modal[open]")
        assert "sidebar" not in visible_search_entries(page)
        page.keyboard.press("Escape")
    page.keyboard.press("Control+k")
    page.wait_for_selector("#pst-search-dialog[open]")


def test_the_search_page_is_in_the_frame_of_every_page(tab, site: Path, base_url: str) -> None:
    found = pages(site)

    def frame(page: str) -> list[str]:
        stylesheets = re.findall(
            r'<link[^>]*rel="stylesheet"[^>]*>|<link rel="stylesheet"[^>]*>', page
        )
        return [s.replace("../", "") for s in stylesheets if "search.css" not in s]

    assert frame(found["search.html"]) == frame(found[ISSUE])
    for part in (
        'class="bd-sidebar-primary',
        'aria-label="Archive"',
        "theme-switch-button",
        'id="pst-search-dialog"',
    ):
        assert part in found["search.html"], part
    page = tab
    page.set_viewport_size({"width": 1280, "height": 800})
    goto(page, base_url + "search.html?q=Greenland")
    assert visible_search_entries(page) == ["sidebar", "page"]
    # on the search page, Ctrl+K and the sidebar's button lead to its own field
    page.locator("#ftw-s-q").blur()
    page.keyboard.press("Control+k")
    assert page.evaluate("document.activeElement.id") == "ftw-s-q"
    assert page.locator("#pst-search-dialog[open]").count() == 0
    page.locator("#ftw-s-q").blur()
    page.locator(".bd-sidebar-primary .search-button-field").click()
    assert page.evaluate("document.activeElement.id") == "ftw-s-q"
    nav = page.locator(".bd-sidebar-primary nav[aria-label=Archive] a").all_inner_texts()
    assert [text.strip() for text in nav][:3] == ["Latest issues", "Archive by year", "Topics"]


@pytest.mark.parametrize("width", [320, 360, 390, 430])
def test_previous_and_next_read_across_the_column_on_phones(tab, base_url: str, width: int) -> None:
    """Each link as wide as the article's column, its title on as few lines as the column
    allows (the theme gave each 45% of it: four lines for a short title at 390 px)."""
    page = tab
    page.set_viewport_size({"width": width, "height": 800})
    goto(page, base_url + ISSUE)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    boxes = page.evaluate(
        """() => {
          const column = document.querySelector('.bd-article > *').getBoundingClientRect();
          return [...document.querySelectorAll('.prev-next-area a')].map((a) => {
            const title = a.querySelector('.prev-next-title');
            const box = title.getBoundingClientRect();
            const line = parseFloat(getComputedStyle(title).lineHeight);
            return {text: title.textContent, column: column.width, link: a.getBoundingClientRect().width,
                    title: box.width, left: box.left, right: box.right,
                    lines: Math.round(box.height / line)};
          });
        }"""
    )
    assert [b["text"] for b in boxes] == ["No. 3: Issue 3 title", f"No. 5: {NEXT_TITLE}"]
    for box in boxes:
        assert box["link"] >= 0.95 * box["column"], box
        assert box["left"] >= 8 and box["right"] <= width - 8, box
    assert boxes[0]["lines"] == 1, boxes[0]
    assert boxes[1]["title"] >= 0.75 * boxes[1]["column"], boxes[1]
    assert boxes[1]["lines"] <= (3 if width < 390 else 2), boxes[1]


def test_previous_and_next_side_by_side_on_a_desktop(tab, base_url: str) -> None:
    page = tab
    page.set_viewport_size({"width": 1280, "height": 800})
    goto(page, base_url + ISSUE)
    tops = page.evaluate(
        "() => [...document.querySelectorAll('.prev-next-area a')].map((a) => a.getBoundingClientRect().top)"
    )
    assert len(tops) == 2 and tops[0] == tops[1]


# -- screenshots -------------------------------------------------------------------------

SHOTS = {"home": "index.html", "issue": ISSUE, "search": "search.html?q=Greenland"}


@pytest.mark.parametrize("mode", ["light", "dark"])
@pytest.mark.parametrize("width", [1280, 390])
def test_screenshots(tab, base_url: str, width: int, mode: str) -> None:
    """test-artifacts/{home,issue,search}-{1280,390}-{light,dark}.png, the whole page."""
    page = tab
    page.set_viewport_size({"width": width, "height": 900})
    page.emulate_media(color_scheme=mode)
    page.add_init_script(f"localStorage.setItem('mode', '{mode}')")
    ARTIFACTS.mkdir(exist_ok=True)
    for name, path in SHOTS.items():
        goto(page, base_url + path)
        if name == "search":
            page.wait_for_selector('#ftw-search[aria-busy="false"]')
        assert page.evaluate("document.documentElement.dataset.theme") == mode
        # the whole page in a window as tall as the page (a full-page capture of a
        # window 900 px tall cuts the sticky table of contents)
        height = page.evaluate("document.documentElement.scrollHeight")
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(100)
        page.screenshot(path=str(ARTIFACTS / f"{name}-{width}-{mode}.png"))
        page.set_viewport_size({"width": width, "height": 900})
