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


def _toc(title: str, *sections: str) -> str:
    """A table of contents as Sphinx's HTML writer writes it (``toc`` in a page's context)."""
    a = '<a class="reference internal" href="#{}">{}</a>'
    inner = "".join(f"<li>{a.format(f'section-{i}', s)}</li>\n" for i, s in enumerate(sections))
    return (
        f"<ul>\n<li>{a.format('', title)}"
        + (f"<ul>\n{inner}</ul>\n" if sections else "")
        + "</li>\n</ul>\n"
    )


@pytest.mark.parametrize(
    ("toc", "plain"),
    [
        (_toc("Tariffs &amp; talks", "This Week", "Quote of the Week", "Ünïcode — ok"), True),
        (_toc("A title alone"), True),
        (_toc("T", "Q&amp;A"), False),  # anything the writer escaped is the theme's
        (_toc("T", "&quot;Quoted&quot;"), False),
        (_toc("T", "A") + _toc("Two titles", "B"), False),
        (
            _toc("T", "A").replace(
                "</a></li>", '</a><ul>\n<li><a href="#b">B</a></li>\n</ul>\n</li>'
            ),
            False,
        ),
        ("", False),
    ],
)
@pytest.mark.parametrize("level", [0, 1, 2])
def test_the_sidebar_list_is_the_themes(toc: str, plain: bool, level: int) -> None:
    """newsletter/page.py writes an issue's list of sections as the theme's
    ``generate_toc_html()`` does with BeautifulSoup, byte for byte; other pages keep the
    theme's."""
    from pydata_sphinx_theme.toctree import add_toctree_functions

    from newsletter import page

    context = {"toc": toc, "theme_show_toc_level": level}
    add_toctree_functions(None, "x", "page.html", context, None)  # type: ignore[arg-type]
    ours = page.sidebar_list(toc, level)
    assert (ours is not None) is plain
    if plain:
        assert ours == str(context["generate_toc_html"]())
