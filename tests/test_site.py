"""The site's own project files with the seed issue (the tests' fixture), built the way
``make html`` builds it (conftest's ``seed_site``)."""

from __future__ import annotations

import re
from pathlib import Path

import pydata_sphinx_theme
import pytest

from newsletter import theme_css

from .conftest import SEED, seed_sentences, visible_text


@pytest.fixture(scope="session")
def site(seed_site: Path) -> Path:
    said = (seed_site.parent / "build.stderr").read_text(encoding="utf-8")
    assert "WARNING" not in said and "ERROR" not in said, said
    return seed_site


@pytest.fixture(scope="session")
def seed_page(site: Path) -> str:
    return (site / "issues" / "2026" / "2026-01-23.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("sentence", seed_sentences(), ids=lambda s: s[:40])
def test_every_seed_sentence_is_on_the_page(seed_page: str, sentence: str) -> None:
    assert sentence in visible_text(seed_page)


def test_the_seed_page_holds_quote_stat_and_question(seed_page: str) -> None:
    text = visible_text(seed_page)
    assert '<figure class="ftw-block ftw-quote">' in seed_page
    assert '<p class="ftw-stat-figure">$900.6 billion</p>' in seed_page
    assert "Source: defensenews.com, as of 8 December 2025." in text
    assert 'href="mailto:USeditor&#64;chinausfocus.com"' in seed_page
    assert "Submit your thoughts to USeditor@chinausfocus.com for a chance" in text


def test_salutation_and_closing_come_from_the_publication(seed_page: str) -> None:
    text = visible_text(seed_page)
    source = SEED.read_text(encoding="utf-8")
    assert "Dear Focus Reader," in text and "Dear Focus Reader" not in source
    assert "Prepared by China-US Focus editorial teams" in text and "Prepared by" not in source
    assert text.index("Dear Focus Reader,") < text.index("Global leaders gathered")
    assert text.index("We want to hear from you!") < text.index("Prepared by China-US Focus")


def test_pages_load_the_themes_scripts_and_its_cut_stylesheet(site: Path, seed_page: str) -> None:
    """_templates/static/webpack-macros.html takes the theme's own macros (so the scripts'
    digests follow theme upgrades), drops the 1.5 MB icon library script, and links one
    stylesheet in place of the theme's two: newsletter/theme_css.py's cut of them, with
    the digest of its content. No icon font is linked, drawn or shipped."""
    original = (
        Path(pydata_sphinx_theme.__file__).parent
        / "theme/pydata_sphinx_theme/static/webpack-macros.html"
    ).read_text(encoding="utf-8")
    digest = re.search(r"\?digest=(\w+)", original)
    assert digest and "fontawesome.js" in original
    css = (site / theme_css.OUTPUT).read_text(encoding="utf-8")
    assets = re.findall(r'(?:href|src)="([^"]+\?digest=\w+)"', seed_page)
    assert [a.rsplit("/", 1)[1] for a in assets] == [
        f"newsletter-theme.css?digest={theme_css.digest(css)}",
        *(f"{name}?digest={digest[1]}" for name in ("bootstrap.js", "pydata-sphinx-theme.js") * 2),
    ]
    assert "fontawesome" not in seed_page and "fa-solid" not in seed_page
    assert '<svg class="ftw-icon' in seed_page
    assert "@font-face" not in css and "webfonts" not in css
    assert not (site / "_static" / "vendor" / "fontawesome").exists()
    assert not list((site / "_static" / "scripts").glob("fontawesome*"))
