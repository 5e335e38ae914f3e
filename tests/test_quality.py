"""Readers' quality gates, checked by the web's own tools.

The Nu Html Checker (npm ``vnu-jar`` on Java) validates every page; axe-core
audits pages in headless Chromium in light and dark mode; the browser measures
weight, phone layout, keyboard reach and print. Each checker is also run on a
deliberately broken page, to prove it can fail.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
from pathlib import Path
from urllib.parse import unquote

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from .conftest import ROOT, goto, served, settle, shared_context, tab_in

NODE = ROOT / "node_modules"
VNU = NODE / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE = NODE / "axe-core" / "axe.min.js"
BROKEN = ROOT / "tests" / "fixtures" / "broken-page.html"
ARTIFACTS = ROOT / "test-artifacts"
#: what a reader's browser downloads for an issue on a first visit, compressed as hosts do
MAX_ISSUE_PAGE_BYTES = 150 * 1024

ISSUE = "issues/2026/2026-01-23.html"
AUDITED = ["index.html", ISSUE, "years/2026.html", "topics/trade.html", "search.html?q=Greenland"]


def require(path: Path) -> Path:
    if not path.exists():
        pytest.fail(f"{path} is missing: make test installs it with npm (package.json)")
    return path


@pytest.fixture(scope="session")
def site(seed_site: Path) -> Path:
    """The seed issue (No. 1, 23 January), issues before and after it and a draft
    (conftest's ``seed_site``)."""
    return seed_site


@pytest.fixture(scope="session")
def base_url(site: Path):
    with served(site) as url:
        yield url


# -- valid HTML ----------------------------------------------------------------


#: Java for one short run: its quick compiler alone (the optimising one spent 3 s of CPU
#: on two cores compiling code that runs once; the messages are the same), with the
#: larger stack the checker's patterns then need, and a one-thread collector
JAVA = ["java", "-XX:TieredStopAtLevel=1", "-Xss16m", "-XX:+UseSerialGC"]


def vnu(*paths: Path) -> list[dict]:
    """The Nu Html Checker's errors for ``paths``."""
    result = subprocess.run(
        [*JAVA, "-jar", str(require(VNU)), "--errors-only", "--format", "json", *map(str, paths)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    return json.loads(result.stderr or '{"messages": []}')["messages"]


@pytest.fixture(scope="module")
def validated(site: Path) -> dict[str, list[dict]]:
    """The validator's errors by file, for every page of the site and the broken page, in
    one run (one start of Java)."""
    pages = [
        p
        for p in site.rglob("*.html")
        if not {"_static", ".doctrees"} & set(p.relative_to(site).parts)
    ]
    assert len(pages) > 15
    found: dict[str, list[dict]] = {p.as_uri(): [] for p in [*pages, BROKEN]}
    for error in vnu(*pages, BROKEN):
        path = Path(unquote(error["url"].removeprefix("file:")))
        found.setdefault(path.as_uri(), []).append(error)
    return found


def test_every_page_is_valid_html(validated: dict[str, list[dict]]) -> None:
    errors = [e for url, found in validated.items() if url != BROKEN.as_uri() for e in found]
    shown = [f"{Path(e['url']).name}:{e.get('lastLine')}: {e['message']}" for e in errors]
    assert shown == []
    assert len(validated) > 16


def test_the_validator_catches_a_broken_page(validated: dict[str, list[dict]]) -> None:
    assert len(validated[BROKEN.as_uri()]) >= 2


# -- accessible ----------------------------------------------------------------


def axe_violations(page, url: str) -> list[str]:
    goto(page, url)
    page.add_script_tag(path=str(require(AXE)))
    found = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
             .filter(v => v.impact === 'serious' || v.impact === 'critical')
             .map(v => `${v.id} (${v.impact}): ${v.nodes.map(n => n.target.join(' ')).join(', ')}`)"""
    )
    return found


@pytest.fixture(scope="session")
def auditing_context(browser):
    """axe is the auditor, not the page: the page's Content-Security-Policy would refuse
    it. One such context per test process, each audit in a tab of its own (tab_in)."""
    with shared_context(browser, bypass_csp=True) as context:
        yield context


@pytest.mark.parametrize("mode", ["light", "dark"])
@pytest.mark.parametrize("path", AUDITED)
def test_no_serious_accessibility_violation(
    auditing_context, base_url: str, path: str, mode: str
) -> None:
    with tab_in(auditing_context) as page:
        page.add_init_script(
            f"localStorage.setItem('mode', '{mode}'); localStorage.setItem('theme', '{mode}');"
        )
        assert axe_violations(page, base_url + path) == []
        assert page.evaluate("document.documentElement.dataset.theme") == mode


def test_axe_catches_a_broken_page(tab) -> None:
    page = tab
    found = axe_violations(page, BROKEN.as_uri())
    assert any(v.startswith("image-alt") for v in found), found


def test_search_opens_from_the_keyboard(tab, base_url: str) -> None:
    page = tab
    goto(page, base_url + ISSUE)
    page.keyboard.press("Control+k")
    page.wait_for_selector("#pst-search-dialog[open]")
    with contextlib.suppress(PlaywrightTimeout):  # the assertion below says what was focused
        page.wait_for_function(
            "() => document.activeElement && document.activeElement.name === 'q'", timeout=5_000
        )
    focused = page.evaluate("document.activeElement && document.activeElement.name")
    assert focused == "q"
    page.keyboard.type("Greenland")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search.html?q=Greenland*")


def test_every_link_of_an_issue_is_reached_with_tab(tab, base_url: str) -> None:
    page = tab
    goto(page, base_url + ISSUE)
    wanted = set(page.evaluate(
        """() => [...document.querySelectorAll('article a[href]')]
             .filter(a => a.offsetParent !== null && !a.classList.contains('headerlink'))
             .map(a => a.href)"""
    ))  # fmt: skip
    reached = set()
    for _ in range(400):
        page.keyboard.press("Tab")
        href = page.evaluate("document.activeElement && document.activeElement.href")
        if href:
            reached.add(href)
        if wanted <= reached:
            break
    assert wanted - reached == set()
    assert len(wanted) >= 8


# -- readable on a phone, light, printable -------------------------------------


def test_issue_page_fits_a_phone(tab, base_url: str) -> None:
    page = tab
    page.set_viewport_size({"width": 375, "height": 800})
    goto(page, base_url + ISSUE)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "issue-375.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    boxes = page.evaluate(
        """() => [...document.querySelectorAll('figure.ftw-block')].map(f => {
             const r = f.getBoundingClientRect(); return [r.left, r.right, f.scrollWidth, f.clientWidth]; })"""
    )
    assert len(boxes) == 3
    for left, right, scroll_width, client_width in boxes:
        assert left >= 0 and right <= 375 and scroll_width <= client_width


def downloaded(browser, url: str) -> dict[str, int]:
    """What a fresh browser downloads to show ``url``, everything counted (headers too):
    bytes by request, in the order they finished."""
    context = browser.new_context()
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    urls: dict[str, str] = {}
    sizes: dict[str, int] = {}
    cdp.on(
        "Network.requestWillBeSent", lambda e: urls.__setitem__(e["requestId"], e["request"]["url"])
    )
    cdp.on(
        "Network.loadingFinished",
        lambda e: sizes.__setitem__(e["requestId"], e["encodedDataLength"]),
    )
    try:
        goto(page, url)
        # what the reader can do next loads nothing more: the light/dark menu, the search
        # dialog (its icons are inline, there is no icon font to fetch late)
        page.locator(".theme-switch-button").first.click()
        page.keyboard.press("Escape")
        page.keyboard.press("Control+k")
        page.wait_for_selector("#pst-search-dialog[open]")
        settle(page)
    finally:
        context.close()
    return {urls.get(request, request): size for request, size in sizes.items()}


def test_issue_page_is_light(browser, site: Path) -> None:
    with served(site, gzip=True) as url:
        parts = downloaded(browser, url + ISSUE)
    weight = sum(parts.values())
    largest = sorted(parts.items(), key=lambda part: -part[1])
    assert weight <= MAX_ISSUE_PAGE_BYTES, (weight, largest)
    assert not [name for name in parts if "fontawesome" in name or ".woff" in name]
    # the page itself and its stylesheets and scripts came compressed
    assert parts[url + ISSUE] < (site / ISSUE).stat().st_size / 2


def test_issue_prints_without_navigation_and_with_its_links(tab, base_url: str) -> None:
    page = tab
    goto(page, base_url + ISSUE)
    page.emulate_media(media="print")
    hidden = page.evaluate(
        """() => ['.bd-sidebar-primary', '.bd-header', '.prev-next-area', '.bd-sidebar-secondary']
             .map(s => document.querySelector(s)).filter(Boolean)
             .map(e => getComputedStyle(e).display)"""
    )
    assert hidden and set(hidden) == {"none"}
    shown = page.evaluate(
        """() => getComputedStyle(document.querySelector('.ftw-stat-source a'), '::after').content"""
    )
    assert "defensenews.com" in shown
    page.pdf(path=str(ARTIFACTS / "issue-print.pdf"))
