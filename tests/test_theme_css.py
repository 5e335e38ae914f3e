"""The theme's stylesheet cut to what the archive's pages can use (newsletter/theme_css.py).

The cut is read rule by rule here; the browser then shows that it changes nothing on the
pages: every element the browser draws on the home page, an issue, a year and the search
page, at a phone's and a desktop's width, in light and dark mode, with the menus, the
search dialog and the sidebars open (which draws what they hide), is drawn with exactly
the computed style it has with the theme's whole stylesheet, and nothing else is drawn.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pydata_sphinx_theme
import pytest

from newsletter import theme_css

from .conftest import copy_project, served, sphinx_build

KNOWN = {"used", "also-used", "menu", "btn"}


def cut(css: str) -> str:
    return theme_css.cut(css, KNOWN)


@pytest.mark.parametrize(
    ("css", "kept"),
    [
        (".used{color:red}", ".used{color:red}"),
        (".unused{color:red}", ""),
        # a rule stays with the selectors that can match
        (".unused,.used>a,#unused{color:red}", ".used>a{color:red}"),
        ("a,p{margin:0}", "a,p{margin:0}"),  # elements are always kept
        ("[data-theme=dark] .used{color:red}", "[data-theme=dark] .used{color:red}"),
        # what is inside :not(), :is(), :has() and [..] is not required
        ("a:not(.unused){color:red}", "a:not(.unused){color:red}"),
        (".used:is(.unused,.x) b{color:red}", ".used:is(.unused,.x) b{color:red}"),
        ('a[href$=".unused"]{color:red}', 'a[href$=".unused"]{color:red}'),
        (".used:hover,.used::after{color:red}", ".used:hover,.used::after{color:red}"),
        # grouping at-rules keep what they hold, and go when it is all gone
        (
            "@media (min-width:960px){.used{x:1}.unused{x:2}}",
            "@media (min-width:960px){.used{x:1}}",
        ),
        ("@media print{.unused{x:2}}", ""),
        (
            "@supports (display:grid){@media print{.menu{x:1}}}",
            "@supports (display:grid){@media print{.menu{x:1}}}",
        ),
        ("@keyframes spin{0%{x:1}to{x:2}}", "@keyframes spin{0%{x:1}to{x:2}}"),
        ('@charset "UTF-8";.used{x:1}', '@charset "UTF-8";\n.used{x:1}'),
        # Font Awesome goes: its fonts, and every selector naming one of its classes
        ('@font-face{font-family:"Font Awesome 7 Free";src:url(x.woff2)}', ""),
        (
            "@font-face{font-family:Other;src:url(o.woff2)}",
            "@font-face{font-family:Other;src:url(o.woff2)}",
        ),
        (".btn .fa-solid,.fa,.fas,.btn{x:1}", ".btn{x:1}"),
        # strings, comments and escapes do not end a rule
        ('.used:after{content:"}{,"}/* } */.menu{x:1}', '.used:after{content:"}{,"}\n.menu{x:1}'),
        (r".also-used\:x,.also\-used{x:1}", r".also\-used{x:1}"),
    ],
)
def test_the_cut_keeps_what_can_match(css: str, kept: str) -> None:
    assert cut(css) == kept


def test_a_class_named_in_a_template_or_script_is_known(tmp_path: Path) -> None:
    (tmp_path / "page.html").write_text('<p class="ftw-x {{ other }}">', encoding="utf-8")
    (tmp_path / "code.js").write_text('el.classList.add("is-open")', encoding="utf-8")
    found = theme_css.words([tmp_path / "page.html", tmp_path / "code.js"])
    assert {"ftw-x", "is-open", "other"} <= found


def all_named(css: str) -> set[str]:
    """Every class and id the selectors of ``css`` name, in at-rules too."""
    found: set[str] = set()
    for prelude, body in theme_css.parse(css):
        if body is not None and prelude.startswith("@"):
            found |= all_named(body) if not prelude.startswith("@font-face") else set()
        elif body is not None:
            found |= {name for s in theme_css.selectors(prelude) for name in theme_css.named(s)}
    return found


def test_the_themes_stylesheet_is_read_whole() -> None:
    """Every rule of the theme's own stylesheet is read: with every class it names known,
    only Font Awesome goes."""
    source = (
        Path(pydata_sphinx_theme.__file__).parent
        / "theme/pydata_sphinx_theme/static/styles/pydata-sphinx-theme.css"
    ).read_text(encoding="utf-8")
    assert len(list(theme_css.parse(source))) > 1000
    whole = theme_css.cut(source, all_named(source))
    assert "Font Awesome 7 Free" in source and "@font-face" not in whole
    assert ".fa-magnifying-glass" in source and ".fa-magnifying-glass" not in whole
    assert ".bd-sidebar-primary" in whole and "html[data-theme=dark]" in whole
    assert 0.7 * len(source) < len(whole) < len(source)


# -- in the browser: the cut changes no computed style --------------------------------------

#: the standard properties the browser computes (read from the page: its custom ``--*``
#: properties, which the snapshot cannot name, show in the standard ones that use them)
PROPERTIES = (
    "() => Array.from(getComputedStyle(document.documentElement))"
    ".filter((name) => !name.startsWith('--'))"
)


def drawn(snapshot: dict) -> list[str]:
    """Per node the browser draws (every element and ``::before``/``::after`` with a box,
    text aside), in the order of the page: its name and a hash of the values of all its
    computed properties (the values themselves would be megabytes per page)."""
    strings = snapshot["strings"]
    document = snapshot["documents"][0]
    nodes, layout = document["nodes"], document["layout"]
    pseudo = dict(zip(nodes["pseudoType"]["index"], nodes["pseudoType"]["value"], strict=True))
    found = []
    for index, values in zip(layout["nodeIndex"], layout["styles"], strict=True):
        if nodes["nodeType"][index] != 1:  # text, and the document
            continue
        attributes = nodes["attributes"][index]
        named = dict(zip(attributes[::2], attributes[1::2], strict=True))
        name = strings[nodes["nodeName"][index]].lower()
        if index in pseudo:
            name = "::" + strings[pseudo[index]]
        for key, mark in (("id", "#"), ("class", ".")):
            value = next((strings[v] for k, v in named.items() if strings[k] == key), "")
            name += "".join(mark + part for part in value.split())
        digest = hashlib.blake2b("\0".join(strings[v] for v in values).encode(), digest_size=8)
        found.append(f"{name} {digest.hexdigest()}/{len(values)}")
    return found


#: the theme's whole stylesheets, as the theme links them (theme.css @imports basic.css)
WHOLE = ["_whole/basic.css", "_whole/pydata-sphinx-theme.css"]
#: the whole stylesheets linked right after the cut one (the place they would have in the
#: cascade in its stead), then turned off: :data:`DRAW_WITH` turns one or the other on
LINK_WHOLE = """async (hrefs) => {
  const cut = [...document.querySelectorAll('link[rel=stylesheet]')]
    .find((link) => link.href.includes('/_static/styles/newsletter-theme.css'));
  let after = cut;
  const loaded = hrefs.map((href) => {
    const link = Object.assign(document.createElement('link'), {rel: 'stylesheet', href});
    link.dataset.whole = '';
    after.after(link);
    after = link;
    return new Promise((ok, fail) => { link.onload = ok; link.onerror = () => fail(href); });
  });
  await Promise.all(loaded);
  cut.dataset.cut = '';
  for (const link of document.querySelectorAll('link[data-whole]')) link.sheet.disabled = true;
}"""
#: draw the page with the theme's whole stylesheets (``true``) or the cut one (``false``),
#: and let two frames go by (what the page's scripts do when its layout changes)
DRAW_WITH = """async (whole) => {
  document.querySelector('link[data-cut]').sheet.disabled = whole;
  for (const link of document.querySelectorAll('link[data-whole]')) link.sheet.disabled = !whole;
  await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
}"""
#: no transition or animation: a style is read when it is reached, not half-way
STILL = "*, *::before, *::after { transition: none !important; animation: none !important; }"


@pytest.fixture(scope="session")
def site(seed_site: Path) -> Path:
    """The seed issue (23 January) between others (conftest's ``seed_site``)."""
    return seed_site


def whole_stylesheets(site: Path) -> dict[str, bytes]:
    """The theme's whole stylesheets, which the build does not link, for comparison (the
    browser gets them at ``_whole/``: the site is shared with other tests, and read only)."""
    theme = Path(pydata_sphinx_theme.__file__).parent / "theme/pydata_sphinx_theme/static"
    return {
        "pydata-sphinx-theme.css": (theme / "styles/pydata-sphinx-theme.css").read_bytes(),
        "basic.css": (site / "_static" / "basic.css").read_bytes(),
    }


def answer(session, method: str, params: dict) -> dict:
    """``session.send(method, params)``, the protocol's answer as it came: playwright's
    ``CDPSession.send`` walks every list and dict of an answer in Python for objects of its
    own to wrap (there are none in a snapshot), and this test's 40 snapshots hold hundreds
    of thousands of numbers each: the five comparisons took 7.1 and 8.5 s of the test
    process's CPU without that walk, against 9.1 and 9.9 s with it. Its own method without
    the walk (playwright is pinned: constraints.txt)."""
    return session._sync(session._impl_obj.send(method=method, params=params, timeout=None))


def styles(page) -> tuple[list[str], list[str]]:
    """:func:`drawn` of the page as it is now, with the cut stylesheet and with the theme's
    whole ones, each read in one snapshot of the browser's (DOMSnapshot.captureSnapshot:
    a fourth of the time of reading every property of every element in the page's
    JavaScript, as this test did). The page is drawn with each in turn where it is: one
    page and one click of each control, where loading the page again with the whole
    stylesheets and repeating the clicks took as long as the comparison itself.

    Each is read just after the page turned to it from the other, so that both are laid
    out afresh alike: after the light/dark menu opened, the header's end kept its
    ``margin-left: auto`` at 0 px until the next full layout, which gave it 646 px with
    either stylesheet."""
    page.mouse.move(1, 899)  # hovering nothing, so that no tooltip shows
    page.wait_for_timeout(50)
    session = page.context.new_cdp_session(page)
    found = []
    try:
        properties = page.evaluate(PROPERTIES)
        page.evaluate(DRAW_WITH, True)
        for whole in (False, True):
            page.evaluate(DRAW_WITH, whole)
            snapshot = answer(
                session, "DOMSnapshot.captureSnapshot", {"computedStyles": properties}
            )
            found.append(drawn(snapshot))
        page.evaluate(DRAW_WITH, False)
    finally:
        session.detach()
    return found[0], found[1]


def states(page, width: int, interactive: bool) -> list[tuple[str, tuple[list[str], list[str]]]]:
    """The page's styles as loaded; if ``interactive``, also with the light/dark menu open,
    with the search dialog open, on a phone with each sidebar open, and scrolled down."""
    page.wait_for_load_state("load")
    if "search.html" in page.url:
        page.wait_for_selector('#ftw-search[aria-busy="false"]')
    page.add_style_tag(content=STILL)
    page.evaluate(LINK_WHOLE, WHOLE)
    found = [("loaded", styles(page))]
    if not interactive:
        return found
    page.locator(".theme-switch-button").first.click()
    page.wait_for_selector(".dropdown-menu.show")
    found.append(("light/dark menu", styles(page)))
    page.keyboard.press("Escape")
    page.keyboard.press("Control+k")
    page.wait_for_selector("#pst-search-dialog[open]")
    found.append(("search dialog", styles(page)))
    page.keyboard.press("Escape")
    if width < 992:
        for side in ("primary", "secondary"):
            page.locator(f".bd-header-article button.{side}-toggle").click()
            page.wait_for_selector(f"#pst-{side}-sidebar-modal[open]")
            found.append((f"{side} sidebar", styles(page)))
            page.keyboard.press("Escape")
    page.mouse.wheel(0, 3000)  # the back-to-top button, the header's shadow
    page.wait_for_timeout(300)
    found.append(("scrolled", styles(page)))
    return found


ISSUE = "issues/2026/2026-01-23.html"
#: the pages compared as loaded (an issue also in every state a reader can put it in)
PAGES = ["index.html", ISSUE, "years/2026.html", "search.html?q=Greenland"]
#: the issue (in every state) apart from the others, so that the comparisons of the two
#: widths run on both test processes
OTHERS = [path for path in PAGES if path != ISSUE]


@pytest.mark.parametrize(
    ("width", "mode", "pages"),
    [
        (1280, "light", [ISSUE]),
        (1280, "light", OTHERS),
        (390, "light", [ISSUE]),
        (390, "light", OTHERS),
        (1280, "dark", [ISSUE]),
    ],
)
def test_the_cut_stylesheet_changes_no_computed_style(
    browser, site: Path, width: int, mode: str, pages: list[str]
) -> None:
    whole_css = whole_stylesheets(site)

    def serve_whole(route) -> None:
        name = route.request.url.split("?")[0].rsplit("/", 1)[1]
        route.fulfill(status=200, content_type="text/css", body=whole_css[name])

    seen: list[tuple[str, str, tuple[list[str], list[str]]]] = []
    with served(site) as base:
        context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=mode)
        context.add_init_script(f"localStorage.setItem('mode', '{mode}')")
        context.route("**/_whole/*.css", serve_whole)
        page = context.new_page()
        for path in pages:
            page.goto(base + path)
            found = states(page, width, interactive=path == ISSUE)
            seen += [(path, state, styles) for state, styles in found]
        context.close()
    # the issue's states besides "loaded": the light/dark menu, the search dialog and
    # scrolled, and on a phone each sidebar open
    states_of_the_issue = 3 + (2 if width < 992 else 0) if ISSUE in pages else 0
    assert len(seen) == len(pages) + states_of_the_issue
    for path, state, (ours, theirs) in seen:
        assert len(ours) > 50, (path, state)
        assert [element.split()[0] for element in ours] == [e.split()[0] for e in theirs], path
        different = [a.split()[0] for a, b in zip(ours, theirs, strict=True) if a != b]
        assert different == [], (path, state)


@pytest.mark.slow
def test_the_cut_is_kept_between_builds_and_made_again_when_a_template_changes(
    tmp_path: Path,
) -> None:
    """The cut is kept in the doctree directory, under the digest of what it is made from:
    a template that names one more of the theme's classes makes the next build cut again."""
    src = copy_project(tmp_path / "src", seed=True)
    out = tmp_path / "out"
    assert sphinx_build(src, out).returncode == 0
    before = (out / theme_css.OUTPUT).read_text(encoding="utf-8")
    kept = list((out / ".doctrees").glob(theme_css.CACHE.format(key="*")))
    assert len(kept) == 1 and kept[0].read_text(encoding="utf-8") == before
    whole = (out / "_static/styles/pydata-sphinx-theme.css").read_text(encoding="utf-8")
    missing = sorted(
        name for name in all_named(whole) - all_named(before) if not name.startswith("fa")
    )[0]
    (src / "_templates" / "extra.html").write_text(f'<p class="{missing}"></p>', encoding="utf-8")
    assert sphinx_build(src, out).returncode == 0
    after = (out / theme_css.OUTPUT).read_text(encoding="utf-8")
    assert missing not in all_named(before) and missing in all_named(after)
    assert len(list((out / ".doctrees").glob(theme_css.CACHE.format(key="*")))) == 1
