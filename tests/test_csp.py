"""The Content-Security-Policy of every page, in headless Chromium.

A script planted in a built page does not run; search, the light/dark switch and Ctrl+K
still work. That every page of the site loads without a single violation of its own
policy is tested with the rest of what a visit to every page shows (test_frame).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from newsletter.outputs.pages import csp

from .conftest import WATCH_VIOLATIONS, served

PLANTED = (
    "<script>window.planted = 'inline';</script>"
    '<img src="missing.png" alt="" onerror="window.planted = \'handler\'">'
    "<script src=\"data:text/javascript,window.planted='data'\"></script>"
)


@pytest.fixture(scope="session")
def site(seed_site: Path) -> Path:
    return seed_site


def pages(site: Path) -> list[str]:
    return sorted(
        p.relative_to(site).as_posix()
        for p in site.rglob("*.html")
        if ".doctrees" not in p.parts and "_static" not in p.parts
    )


def test_every_page_carries_the_policy_first_in_its_head(site: Path) -> None:
    found = pages(site)
    assert {"index.html", "search.html", "issues/2026/2026-01-23.html"} <= set(found)
    for name in found:
        html = (site / name).read_text(encoding="utf-8")
        metas = re.findall(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">', html)
        assert len(metas) == 1, name
        head = html[: html.index("<meta http-equiv")]
        assert "<script" not in head and "<link" not in head, name  # nothing before it
        assert metas[0] == csp.policy_for(html), name
        assert "'unsafe-inline'" not in metas[0].split("; ")[1], name  # script-src


def test_a_planted_script_does_not_run(site: Path, tab, tmp_path: Path) -> None:
    # planted in a copy: other tests read the site at the same time
    copy = shutil.copytree(site, tmp_path / "site", ignore=shutil.ignore_patterns(".doctrees"))
    page_path = copy / "issues" / "2026" / "2026-01-23.html"
    planted = page_path.with_name("planted.html")
    planted.write_text(
        page_path.read_text(encoding="utf-8").replace("</body>", PLANTED + "</body>"),
        encoding="utf-8",
    )
    with served(copy) as base:
        tab.add_init_script(WATCH_VIOLATIONS)
        tab.goto(f"{base}issues/2026/planted.html")
        tab.wait_for_timeout(300)
        ran = tab.evaluate("window.planted")
        violations = tab.evaluate("window.__violations")
    assert ran is None
    assert sorted(v.split()[0] for v in violations) == [
        "script-src-attr",
        "script-src-elem",
        "script-src-elem",
    ]


def test_search_the_switch_and_ctrl_k_work_under_the_policy(site: Path, tab) -> None:
    """(That no page breaks its policy, every page visited: test_frame.)"""
    with served(site) as base:
        tab.add_init_script(WATCH_VIOLATIONS)
        errors: list[str] = []
        tab.on("pageerror", lambda error: errors.append(str(error)))
        # search: Pagefind's engine (WebAssembly) runs and finds the issue
        tab.goto(f"{base}search.html?q=Greenland")
        tab.wait_for_selector('#ftw-search[aria-busy="false"]', timeout=15_000)
        assert "Davos, Greenland" in tab.locator(".ftw-s-heading").first.inner_text()
        assert tab.evaluate("window.__violations") == []
        # the light/dark switch of the theme
        tab.goto(f"{base}issues/2026/2026-01-23.html")
        tab.locator(".theme-switch-button").first.click()
        tab.locator('.theme-change-button[data-mode="dark"]').first.click()
        assert tab.evaluate("document.documentElement.dataset.theme") == "dark"
        # Ctrl+K opens the theme's search dialog, which leads to the search page
        tab.keyboard.press("Control+k")
        field = tab.locator("#pst-search-dialog input[name=q]")
        field.wait_for(state="visible")
        field.fill("Greenland")
        field.press("Enter")
        tab.wait_for_selector('#ftw-search[aria-busy="false"]', timeout=15_000)
        assert tab.locator(".ftw-s-heading").count() == 1
        assert tab.evaluate("window.__violations") == []
    assert errors == []
