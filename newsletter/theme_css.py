"""The theme's stylesheet, cut down to what the archive's pages can use, without icon fonts.

pydata-sphinx-theme (under sphinx-book-theme) links one stylesheet of 376 kB (64 kB
compressed) and, through ``theme.css``, Sphinx's ``basic.css``: all of Bootstrap, the
classes of two thousand Font Awesome icons with the web fonts they load (115 kB more
on the first page a reader opens), and styles for everything Sphinx and its extensions
can write. The archive's pages use a small part of it.

What a page of the archive can use is known before any page is written, whatever the
issues say:

- the templates that write the pages: the theme's (every template of every theme the
  archive's theme inherits from) and ours;
- the scripts the pages load, which add classes as readers use a page (an open menu,
  the dark menu, a tooltip, a highlighted word);
- the code that turns an issue's markup into HTML: the HTML writers of docutils and
  Sphinx, MyST's, the theme's and our own extension.

Every class and id named anywhere in these is a word of the :func:`vocabulary`. A rule
of the theme's stylesheet is kept when one of its selectors names only such classes and
ids (what it says inside ``:not()``, ``:is()``, ``:has()`` and attribute selectors is not
looked at, so such a rule is kept when the rest of its selector is), and so are the
at-rules holding kept rules, keyframes and the like. Font Awesome goes entirely: its
``@font-face`` rules and every selector naming one of its classes (``fa-...``); the
archive draws its few icons as inline SVG (``_templates/newsletter/icons.html``).

The result, ``basic.css`` then the theme's stylesheet in the order ``theme.css`` gives
them, is written as ``_static/styles/newsletter-theme.css`` (:data:`OUTPUT`) once the
documents are written, and linked by ``_templates/static/webpack-macros.html`` with a digest
of its content. The theme's own files stay in ``_static`` (unlinked), but for the
icon font and its script, which no page may load.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from collections.abc import Iterable, Iterator
from importlib import import_module
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx

from newsletter.site.pages import SITE_BUILDERS

#: where the cut stylesheet is written, relative to the output directory
OUTPUT = "_static/styles/newsletter-theme.css"
#: the theme's stylesheets, as theme.css links them (basic.css through its @import)
SOURCES = ("_static/basic.css", "_static/styles/pydata-sphinx-theme.css")
#: the icon font and its script: removed from the output, so that no page can load them
ICON_FONT = ("_static/vendor/fontawesome", "_static/scripts/fontawesome.js")
#: the code that writes an issue's markup, by package: its HTML writers and transforms
WRITERS = {
    "docutils": ("writers/_html_base.py", "writers/html5_polyglot/__init__.py"),
    "sphinx": (
        "writers/html5.py",
        "builders/html/__init__.py",
        "environment/adapters/toctree.py",
        "transforms/post_transforms/code.py",
    ),
    "myst_parser": ("mdit_to_docutils/*.py",),
    "pydata_sphinx_theme": ("*.py",),
    "sphinx_book_theme": ("*.py",),
    "newsletter": ("**/*.py",),
}

#: a class or id in a selector: ``.name`` or ``#name`` (with CSS escapes)
_NAMED = re.compile(r"([.#])((?:\\.|[\w-])+)")
#: a word that can be a class or an id in a template, a script or Python code
_WORD = re.compile(r"-?[A-Za-z_][\w-]*")
#: Font Awesome's classes: fa, fas, far, fab, fa-solid, fa-magnifying-glass, ...
_ICON_FONT_CLASS = re.compile(r"fa|fa[srbldt]|fa-.+|svg-inline--fa")
#: at-rules whose body holds rules (kept when one of those is kept)
_GROUPING = ("@media", "@supports", "@container", "@layer", "@document", "@scope")


# -- reading CSS --------------------------------------------------------------------


def _skip_string(css: str, i: int) -> int:
    quote, i = css[i], i + 1
    while i < len(css) and css[i] != quote:
        i += 2 if css[i] == "\\" else 1
    return i + 1


def parse(css: str) -> Iterator[tuple[str, str | None]]:
    """The top-level items of a stylesheet: ``(prelude, body)`` for a rule or an at-rule
    with a block, ``(statement, None)`` for an at-rule ending in ``;`` (``@charset``)."""
    i, n = 0, len(css)
    while i < n:
        if css[i].isspace():
            i += 1
            continue
        if css.startswith("/*", i):
            i = css.find("*/", i + 2) + 2 if "*/" in css[i + 2 :] else n
            continue
        start, depth, body_start = i, 0, -1
        while i < n:
            char = css[i]
            if char in "\"'":
                i = _skip_string(css, i)
                continue
            if css.startswith("/*", i):
                end = css.find("*/", i + 2)
                i = n if end < 0 else end + 2
                continue
            if char == "\\":
                i += 2
                continue
            if char == ";" and depth == 0:
                yield css[start:i].strip(), None
                i += 1
                break
            if char == "{":
                if depth == 0:
                    body_start = i + 1
                depth += 1
            elif char == "}":
                depth -= 1
                if depth == 0:
                    yield css[start : body_start - 1].strip(), css[body_start:i]
                    i += 1
                    break
            i += 1
        else:
            if css[start:].strip():
                raise ValueError(f"unterminated CSS at {start}: {css[start : start + 80]!r}")


def _top_level(text: str) -> Iterator[tuple[int, str]]:
    """``(depth, char)`` for each character, depth counting () and [] (strings skipped)."""
    depth, i = 0, 0
    while i < len(text):
        char = text[i]
        if char == "\\":
            yield depth, text[i : i + 2]
            i += 2
            continue
        if char in "\"'":
            end = _skip_string(text, i)
            yield depth, text[i:end]
            i = end
            continue
        if char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
            yield depth + 1, char
            i += 1
            continue
        yield depth, char
        i += 1


def selectors(prelude: str) -> list[str]:
    """The selectors of a rule's prelude (split at its top-level commas)."""
    found, current = [], ""
    for depth, char in _top_level(prelude):
        if char == "," and depth == 0:
            found.append(current.strip())
            current = ""
        else:
            current += char
    return [*found, current.strip()]


def named(selector: str) -> set[str]:
    """The classes and ids a selector requires, outside brackets and parentheses."""
    outside = "".join(char for depth, char in _top_level(selector) if depth == 0)
    return {re.sub(r"\\(.)", r"\1", match[2]) for match in _NAMED.finditer(outside)}


# -- cutting ------------------------------------------------------------------------


def _wanted(selector: str, vocabulary: set[str]) -> bool:
    names = named(selector)
    return names <= vocabulary and not any(_ICON_FONT_CLASS.fullmatch(n) for n in names)


def cut(css: str, vocabulary: set[str]) -> str:
    """The rules of ``css`` that can apply to an element of the archive (see the module)."""
    kept: list[str] = []
    for prelude, body in parse(css):
        if body is None:
            kept.append(prelude + ";")
        elif prelude.startswith("@"):
            keyword = re.match(r"@[\w-]+", prelude)
            name = keyword[0].lower() if keyword else ""
            if name in _GROUPING:
                inner = cut(body, vocabulary)
                if inner:
                    kept.append(f"{prelude}{{{inner}}}")
            elif not (name == "@font-face" and "Font Awesome" in body):
                kept.append(f"{prelude}{{{body}}}")
        else:
            wanted = [s for s in selectors(prelude) if _wanted(s, vocabulary)]
            if wanted:
                kept.append(f"{','.join(wanted)}{{{body.strip()}}}")
    return "\n".join(kept)


def words(paths: Iterable[Path]) -> set[str]:
    found: set[str] = set()
    for path in paths:
        found.update(_WORD.findall(path.read_text(encoding="utf-8", errors="replace")))
    return found


def writer_sources() -> Iterator[Path]:
    for package, patterns in WRITERS.items():
        root = Path(import_module(package).__file__ or "").parent
        for pattern in patterns:
            yield from sorted(root.glob(pattern))


def vocabulary_sources(app: Sphinx) -> list[Path]:
    """The templates, the pages' scripts and the HTML writers whose words are the vocabulary."""
    builder = app.builder
    folders = [Path(app.confdir, folder) for folder in app.config.templates_path]
    theme = getattr(builder, "theme", None)
    folders += [Path(folder) for folder in (theme.get_theme_dirs() if theme else ())]
    templates = [p for folder in folders for p in sorted(folder.rglob("*.html")) if p.is_file()]
    static = Path(builder.outdir) / "_static"
    scripts = [
        p for p in sorted(static.rglob("*.js")) if p.is_file() and "fontawesome" not in p.name
    ]
    return [*templates, *scripts, *writer_sources()]


def vocabulary(app: Sphinx) -> set[str]:
    """Every word the templates, the pages' scripts and the HTML writers name."""
    return words(vocabulary_sources(app))


#: the cut stylesheets kept in the doctree directory, by the digest of what makes them
CACHE = "newsletter-theme-css-{key}.css"


def stylesheet(app: Sphinx) -> str:
    """The cut stylesheet of this build (computed once; the theme's files are copied into
    the output before any page is written).

    Cutting takes 0.6 s and collecting the vocabulary 0.2 s, on every build, for a
    result that changes only with the theme, the templates or the code: it is kept in
    the doctree directory under the digest of every file it is made from (their bytes,
    read in 10 ms), this module's own code among them (:data:`WRITERS`).
    """
    cached: str | None = getattr(app, "newsletter_theme_css", None)
    if cached is not None:
        return cached
    site = Path(app.builder.outdir)
    inputs = vocabulary_sources(app)
    key = hashlib.sha256()
    for path in [*(site / source for source in SOURCES), *inputs]:
        data = path.read_bytes()
        key.update(f"{path.name}\0{len(data)}\0".encode())
        key.update(data)
    kept = Path(app.doctreedir) / CACHE.format(key=key.hexdigest()[:24])
    if kept.is_file():
        cached = kept.read_text(encoding="utf-8")
    else:
        known = words(inputs)
        parts = [cut((site / source).read_text(encoding="utf-8"), known) for source in SOURCES]
        cached = "\n".join(parts) + "\n"
        for old in kept.parent.glob(CACHE.format(key="*")):
            old.unlink(missing_ok=True)
        kept.parent.mkdir(parents=True, exist_ok=True)
        partial = kept.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(cached, encoding="utf-8")
        partial.replace(kept)  # whole or absent: parallel builds may share the folder
    app.newsletter_theme_css = cached  # type: ignore[attr-defined]
    return cached


def digest(css: str) -> str:
    return hashlib.sha256(css.encode("utf-8")).hexdigest()[:20]


def builds_site(app: Sphinx) -> bool:
    """A web build with the theme whose stylesheet is cut (another theme is left alone)."""
    if app.builder.name not in SITE_BUILDERS or not hasattr(app.builder, "theme"):
        return False
    return all((Path(app.builder.outdir) / source).is_file() for source in SOURCES)


def page_context(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """``html-page-context``: where the page's theme stylesheet is, with its digest
    (hashed once per build, not once per page: 0.4 ms a page)."""
    if builds_site(app):
        address: str | None = getattr(app, "newsletter_theme_css_address", None)
        if address is None:
            address = f"{OUTPUT}?digest={digest(stylesheet(app))}"
            app.newsletter_theme_css_address = address  # type: ignore[attr-defined]
        context["newsletter_theme_css"] = address


def write(app: Sphinx) -> list[tuple[str, dict[str, Any], str]]:
    """``html-collect-pages``: the cut stylesheet into the output, the icon font out of it.

    The issue pages are written by then, and the pages made from the records not yet:
    their frame's digest (``newsletter.site.write_cache``) reads the output's stylesheets
    and scripts, which are then the same in every build.
    """
    if not builds_site(app):
        return []
    site = Path(app.builder.outdir)
    css = stylesheet(app)
    target = site / OUTPUT
    if not target.is_file() or target.read_text(encoding="utf-8") != css:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(css, encoding="utf-8")
    for name in ICON_FONT:
        for path in (site / name, *site.glob(f"{name}.*")):
            if path.is_dir():
                shutil.rmtree(path)
            elif path.exists():
                path.unlink()
    return []


def setup(app: Sphinx) -> None:
    app.connect("html-page-context", page_context)
    app.connect("html-collect-pages", write)
