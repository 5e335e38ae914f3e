"""What an email's HTML uses, looked up in caniemail's support data (the npm package
``caniemail``, pinned in package.json): every element, attribute, CSS property, value,
selector and at-rule, in the inline styles, the kept ``<style>`` and Outlook's
conditional comments.

:data:`TARGETS` are the clients the email edition is written for. A feature passes when
every target supports it fully ("y", at the latest version tested, or at the version
named); otherwise it must be listed in :data:`ALLOWED`, the one list of allowances, with
the fallback that makes it harmless there, and every use of it must be one the fallback
covers. Anything the tables below do not name fails: look it up in caniemail first.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from html.parser import HTMLParser

from .conftest import ROOT

PACKAGE = ROOT / "node_modules" / "caniemail"
DATA = PACKAGE / "data" / "caniemail.json"

#: the clients the email edition is written for: label -> (family, platform, version);
#: no version: the latest one tested. (caniemail has no Thunderbird for Windows data.)
TARGETS: dict[str, tuple[str, str, str | None]] = {
    "Gmail (web)": ("gmail", "desktop-webmail", None),
    "Gmail (mobile web)": ("gmail", "mobile-webmail", None),
    "Gmail (iOS)": ("gmail", "ios", None),
    "Gmail (Android)": ("gmail", "android", None),
    "Outlook 2016 (Windows)": ("outlook", "windows", "2016"),
    "Outlook 2019 (Windows)": ("outlook", "windows", "2019"),
    "Outlook.com": ("outlook", "outlook-com", None),
    "Apple Mail (macOS)": ("apple-mail", "macos", None),
    "Apple Mail (iOS)": ("apple-mail", "ios", None),
    "Yahoo (web)": ("yahoo", "desktop-webmail", None),
    "Yahoo (iOS)": ("yahoo", "ios", None),
    "Yahoo (Android)": ("yahoo", "android", None),
    "Samsung Email": ("samsung-email", "android", None),
    "Thunderbird": ("thunderbird", "macos", None),
}

# -- where caniemail has each thing ----------------------------------------------------
# None: caniemail has no entry. These are HTML 4's own elements and attributes and CSS 1's
# properties, which every client renders, and Outlook's mso- properties, which every
# other client ignores.

ELEMENTS: dict[str, str | None] = {
    "html": None, "head": None, "meta": None, "title": None, "a": None, "em": None,
    "sub": None, "sup": None, "br": None,
    "body": "html-body", "style": "html-style", "div": "html-div", "span": "html-span",
    "p": "html-p", "table": "html-table", "tbody": "html-table", "tr": "html-table",
    "td": "html-table", "ul": "html-lists", "ol": "html-lists", "li": "html-lists",
    "blockquote": "html-blockquote", "strong": "html-strong", "code": "html-code",
    "small": "html-small", "del": "html-del", "hr": "html-hr", "img": "html-img",
    "abbr": "html-abbr",
    **{f"h{n}": "html-h1-h6" for n in range(1, 7)},
    **dict.fromkeys(
        ("figure", "figcaption", "section", "article", "aside", "header", "footer", "nav",
         "main", "details", "summary", "time", "mark"), "html-semantics",
    ),
}  # fmt: skip

ATTRIBUTES: dict[str, str | None] = {
    "class": None, "style": None, "href": None, "charset": None, "name": None,
    "content": None, "border": None, "title": None, "lang": "html-lang", "role": "html-role",
    "width": "html-width", "height": "html-height", "align": "html-align",
    "valign": "html-valign", "cellpadding": "html-cellpadding",
    "cellspacing": "html-cellspacing", "dir": "html-dir", "hidden": "html-hidden",
    "aria-hidden": "html-aria-hidden", "aria-label": "html-aria-label",
}  # fmt: skip

PROPERTIES: dict[str, str | None] = {
    "color": None, "font-family": None, "font-style": None, "mso-hide": None,
    "mso-line-height-rule": None, "background-color": "css-background-color",
    "background": "css-background", "border": "css-border",
    "border-collapse": "css-border-collapse", "border-radius": "css-border-radius",
    "display": "css-display", "font-size": "css-font-size",
    "font-weight": "css-font-weight", "font": "css-font",
    "letter-spacing": "css-letter-spacing", "line-height": "css-line-height",
    "margin": "css-margin", "padding": "css-padding", "max-height": "css-max-height",
    "max-width": "css-max-width", "width": "css-width", "height": "css-height",
    "overflow": "css-overflow", "opacity": "css-opacity", "text-align": "css-text-align",
    "text-transform": "css-text-transform", "text-decoration": "css-text-decoration",
    "vertical-align": "css-vertical-align", "white-space": "css-white-space",
}  # fmt: skip

#: values: a pattern found in a value -> the feature it is (hex colours, keywords and
#: unitless numbers have no entry)
VALUES: dict[str, str] = {
    r"\d(?:px)\b": "css-unit-px", r"\d%": "css-unit-percent", r"\d(?:em)\b": "css-unit-em",
    r"\d(?:rem)\b": "css-unit-rem", r"\d(?:pt)\b": "css-unit-pt",
    r"\d(?:vw)\b": "css-unit-vw", r"\brgb\(": "css-rgb", r"\brgba\(": "css-rgba",
    r"\bcalc\(": "css-unit-calc", r"\bvar\(": "css-variables",
    r"!\s*important": "css-important",
}  # fmt: skip

#: selectors of the kept <style>: a pattern -> the feature it is
SELECTORS: dict[str, str] = {
    r"(?:^|[\s>+~,(])[a-z][a-z0-9]*": "css-selector-type",
    r"\.[\w-]+": "css-selector-class",
    r"\[[^\]]+\]": "css-selector-attribute",
    r"#[\w-]+": "css-selector-id",
    r"[\w\]\)*]\s+(?=[\w.#\[:*])": "css-selector-descendant",
    r">": "css-selector-child",
    r",": "css-selector-grouping",
    # pseudo-classes and -elements: none is used; each has its own css-pseudo-* feature
    r"::?[\w-]+": "css-pseudo",
}


# -- what the HTML uses ------------------------------------------------------------


@dataclass(frozen=True)
class Use:
    """One use of a feature: what (``<td>``, ``padding: 0 0 4px``, ...), on which element
    (``style`` for the kept style sheet), with the other declarations of its style."""

    feature: str | None
    what: str
    tag: str
    value: str = ""
    style: tuple[tuple[str, str], ...] = field(default=(), compare=False)

    def __str__(self) -> str:
        return self.what if self.what == f"<{self.tag}>" else f"{self.what} on <{self.tag}>"

    def declared(self, name: str) -> str | None:
        return dict(self.style).get(name)


class Unmapped(Exception):
    """The HTML uses something the tables above do not name."""


def declarations(style: str) -> list[tuple[str, str]]:
    found = []
    for part in style.split(";"):
        if not part.strip():
            continue
        name, colon, value = part.partition(":")
        if not colon:
            raise Unmapped(f"unreadable declaration {part!r}")
        found.append((name.strip().lower(), value.strip()))
    return found


def property_feature(name: str) -> str | None:
    if name in PROPERTIES:
        return PROPERTIES[name]
    base = re.sub(r"-(?:top|right|bottom|left)(?:-(?:color|width|style))?$|-(?:color|width|style)$",
                  "", name)  # fmt: skip
    if base in ("margin", "padding", "border"):
        return PROPERTIES[base]
    raise Unmapped(f"CSS property {name!r}: add it to PROPERTIES")


def style_uses(style: str, tag: str) -> Iterator[Use]:
    pairs = tuple(declarations(style))
    for name, value in pairs:
        feature = property_feature(name)
        if name == "display" and value.split("!")[0].strip() == "none":
            feature = "css-display-none"
        yield Use(feature, f"{name}: {value}", tag, value, pairs)
        for pattern, value_feature in VALUES.items():
            if re.search(pattern, value):
                yield Use(value_feature, f"{name}: {value}", tag, value, pairs)


_MEDIA = re.compile(r"@media\s*([^{]*)\{((?:[^{}]*\{[^{}]*\})*)\s*\}")
_RULE = re.compile(r"([^{}@]+)\{([^{}]*)\}")


def stylesheet_uses(css: str) -> Iterator[Use]:
    if "/*" in css:  # a rule after a comment is lost in some clients (css-comments)
        raise Unmapped("a CSS comment in a kept <style>")
    rest = css
    for media in _MEDIA.finditer(css):
        query = media.group(1).strip()
        yield Use("css-at-media", f"@media {query}", "style", query)
        if "prefers-color-scheme" in query:
            yield Use("css-at-media-prefers-color-scheme", f"@media {query}", "style", query)
        yield from _rules(media.group(2))
        rest = rest.replace(media.group(0), "")
    yield from _rules(rest)


def _rules(css: str) -> Iterator[Use]:
    rest = _RULE.sub("", css)
    if rest.strip():
        raise Unmapped(f"unreadable CSS {rest.strip()[:60]!r}")
    for rule in _RULE.finditer(css):
        selector = " ".join(rule.group(1).split())
        for pattern, feature in SELECTORS.items():
            if re.search(pattern, selector):
                if feature == "css-pseudo":
                    raise Unmapped(f"pseudo-class or element in {selector!r}")
                yield Use(feature, f"selector {selector}", "style", selector)
        yield from style_uses(rule.group(2), "style")


class _Inventory(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.uses: list[Use] = []
        self.in_style = False

    def handle_decl(self, decl: str) -> None:
        if decl.lower() == "doctype html":
            self.uses.append(Use("html-doctype", "<!DOCTYPE html>", "html"))
        else:
            raise Unmapped(f"declaration {decl!r}")

    def handle_comment(self, data: str) -> None:
        self.uses.append(Use("html-comments", "<!-- -->", "html", data))
        conditional = re.fullmatch(r"\[if [^\]]+\]>(.*)<!\[endif\]", data, re.DOTALL)
        if conditional:  # Outlook's own HTML: what Outlook renders is checked too
            self.uses.extend(uses(conditional.group(1)))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ELEMENTS:
            raise Unmapped(f"element <{tag}>: add it to ELEMENTS")
        self.uses.append(Use(ELEMENTS[tag], f"<{tag}>", tag))
        self.in_style = tag == "style"
        for name, value in attrs:
            value = value or ""
            if name not in ATTRIBUTES:
                raise Unmapped(f"attribute {name!r} on <{tag}>: add it to ATTRIBUTES")
            self.uses.append(Use(ATTRIBUTES[name], f'{name}="{value}"', tag, value))
            if name == "style":
                self.uses.extend(style_uses(value, tag))
            if name == "href" and value.startswith("mailto:"):
                self.uses.append(Use("html-mailto-links", f'href="{value}"', tag, value))
            if name == "href" and value.startswith("#"):
                self.uses.append(Use("html-anchor-links", f'href="{value}"', tag, value))
            if tag == "meta" and name == "name" and value == "color-scheme":
                self.uses.append(Use("html-meta-color-scheme", f'name="{value}"', tag, value))

    def handle_endtag(self, tag: str) -> None:
        self.in_style = False

    def handle_data(self, data: str) -> None:
        if self.in_style:
            self.uses.extend(stylesheet_uses(data))


def uses(html: str) -> list[Use]:
    """Every use of a feature in ``html`` (raises :class:`Unmapped` for anything the
    tables do not name)."""
    inventory = _Inventory()
    inventory.feed(html)
    inventory.close()
    return inventory.uses


# -- caniemail's data ----------------------------------------------------------------


@cache
def data() -> dict:
    return json.loads(DATA.read_text(encoding="utf-8"))


@cache
def features() -> dict[str, dict]:
    return {feature["slug"]: feature for feature in data()["data"]}


def support(slug: str, target: str) -> str:
    """caniemail's verdict for ``slug`` in ``target``, with its notes spelled out:
    ``y``, ``a #1 (Partial. ...)``, ``n``, ``u``, or ``no data``."""
    feature = features()[slug]
    family, platform, version = TARGETS[target]
    tested = feature["stats"].get(family, {}).get(platform)
    if not tested:
        return "no data"
    verdict = tested.get(version) if version in tested else list(tested.values())[-1]
    notes = feature.get("notes_by_num") or {}
    numbers = re.findall(r"#(\d+)", verdict)
    spelled = " ".join(notes.get(n, "") for n in numbers)
    return f"{verdict} ({spelled})" if spelled else verdict


def unsupported(slug: str) -> dict[str, str]:
    """The targets that do not fully support ``slug``, with caniemail's verdict."""
    verdicts = {target: support(slug, target) for target in TARGETS}
    return {target: v for target, v in verdicts.items() if not v.startswith("y")}


def report(found: list[Use]) -> str:
    """The inventory as text: each thing used, grouped by caniemail feature, with the
    targets that do not fully support it and the allowance that covers it."""
    by_feature: dict[str | None, list[Use]] = {}
    for use in found:
        by_feature.setdefault(use.feature, []).append(use)
    lines = []
    for slug in sorted(by_feature, key=lambda s: s or ""):
        things = sorted(
            {u.what if slug else u.what.split(":")[0].split("=")[0] for u in by_feature[slug]}
        )
        shown = ", ".join(things[:6]) + (f", ... ({len(things)} in all)" if len(things) > 6 else "")
        if slug is None:
            lines.append(f"(no caniemail entry): {shown}")
            continue
        verdicts = unsupported(slug)
        lines.append(f"{slug} [{len(by_feature[slug])} uses]: {shown}")
        for target, verdict in verdicts.items():
            lines.append(f"    {target}: {verdict}")
        if slug in ALLOWED:
            lines.append(f"    allowed: {ALLOWED[slug].fallback}")
    return "\n".join(lines) + "\n"


# -- the one list of allowances ----------------------------------------------------------


@dataclass(frozen=True)
class Allowed:
    """A feature some target does not fully support, the fallback that makes it harmless
    there, and ``covers``: whether one use is one the fallback covers."""

    fallback: str
    covers: Callable[[Use], bool] = lambda use: True


def _px(value: str) -> list[float]:
    return [float(n) for n in re.findall(r"(-?[\d.]+)px", value)]


def _zero(value: str) -> bool:
    return all(part in ("0", "0px") for part in value.split())


ALLOWED: dict[str, Allowed] = {
    # the document
    "html-doctype": Allowed(
        "Where it is ignored (Outlook for Windows, Yahoo on Android, Samsung Email, "
        "Thunderbird) the page renders in quirks mode, where tables inherit no font: every cell that holds "
        "text carries the typography itself (email.css)."
    ),
    "html-body": Allowed(
        "Gmail, Outlook.com and Yahoo replace <body> with a <div>, Yahoo's apps drop it: it "
        "carries only margin and background, which the outer table repeats; the typography "
        "is on the cells."
    ),
    "html-lang": Allowed(
        "Unknown in Outlook 2016, not on <td> in Yahoo: lang is only on <html>.",
        lambda use: use.tag == "html",
    ),
    "html-meta-color-scheme": Allowed(
        "Of the targets only Apple Mail on macOS reads it (it then applies our dark palette "
        "instead of inverting colours); elsewhere prefers-color-scheme or the client's own "
        "dark mode decides."
    ),
    "html-style": Allowed(
        "The one <style> holds only the dark palette; the light palette and the layout are "
        "inline. Where a client drops it (Gmail with a non-Google account or on the mobile "
        "web) the email is the light one. It is in <head>, before any use, and far under "
        "Gmail's 16 KB (tested)."
    ),
    "html-abbr": Allowed(
        "Outlook for Windows and Yahoo drop the tag and keep its words: an {abbr} reads as "
        "the abbreviation, without the expansion its title shows on hover elsewhere."
    ),
    # tables
    "html-role": Allowed(
        "Yahoo keeps role only on <table>: role is only on tables.",
        lambda use: use.tag == "table",
    ),
    "html-width": Allowed(
        "The bugs are with images and 120 dpi scaling: width is only on tables and cells "
        "(no images).",
        lambda use: use.tag in ("table", "td"),
    ),
    "html-lists": Allowed(
        "Partial only for <ol reversed> and <li value>, which the email never writes (the "
        "attributes are in no table above, so they would fail here)."
    ),
    "html-mailto-links": Allowed(
        "Unknown in Outlook 2016, no bcc in Yahoo on Android: the links have no cc or bcc, "
        "and the address is also the link's text.",
        lambda use: not re.search(r"[?&](?:b?cc)=", use.value),
    ),
    # the preheader: hidden everywhere one way or another
    "css-display-none": Allowed(
        "The preheader is hidden by display:none; Gmail's mobile web ignores it, where "
        "max-height:0 and overflow:hidden hide it; Outlook for Windows hides it with "
        "mso-hide:all.",
        lambda use: use.declared("max-height") == "0" and use.declared("mso-hide") == "all",
    ),
    "css-max-height": Allowed(
        "Only the preheader's max-height:0; Outlook for Windows hides it with mso-hide:all.",
        lambda use: use.value == "0" and use.declared("mso-hide") == "all",
    ),
    "css-overflow": Allowed(
        "Only the preheader's overflow:hidden (the partial support is for overflow-block "
        "and overflow-inline); Outlook for Windows hides it with mso-hide:all.",
        lambda use: use.value == "hidden" and use.declared("mso-hide") == "all",
    ),
    # layout
    "css-padding": Allowed(
        "Outlook for Windows pads only table cells: every padding other than 0 is on a "
        "<td> (the quote, stat and question are table cells for this).",
        lambda use: use.tag == "td" or _zero(use.value),
    ),
    "css-border": Allowed(
        "Outlook for Windows draws borders reliably only on table cells, and at most 8px: "
        "every border is on a <td>, at most 8px wide (colours in the dark palette).",
        lambda use: use.tag in ("td", "style") and all(n <= 8 for n in _px(use.value)),
    ),
    "css-margin": Allowed(
        "No negative or auto margin, none on <span>; a margin on <body> is 0 (Outlook "
        "ignores it there, and its own is fine).",
        lambda use: (
            "auto" not in use.value
            and all(n >= 0 for n in _px(use.value))
            and (use.tag not in ("span", "body") or _zero(use.value))
        ),
    ),
    "css-width": Allowed(
        "Outlook for Windows ignores width on body, span, div, p and img: width is only on tables.",
        lambda use: use.tag == "table",
    ),
    "css-max-width": Allowed(
        "Outlook 2016 ignores it, 2019 only on tables: the 600px column is a table, inside "
        "an Outlook-only table 600px wide (<!--[if mso]>).",
        lambda use: use.tag == "table",
    ),
    # type
    "css-font-size": Allowed(
        "rem, relative and percentage sizes are the unsupported ones: every size is in px.",
        lambda use: bool(re.fullmatch(r"\d+px", use.value)),
    ),
    "css-font-weight": Allowed(
        "Numeric weights are the unsupported ones: only the keywords bold and normal.",
        lambda use: use.value in ("bold", "normal"),
    ),
    "css-line-height": Allowed(
        "Outlook for Windows draws px line heights oddly unless told "
        "mso-line-height-rule:exactly: every line-height, in px, comes with it.",
        lambda use: (
            bool(re.fullmatch(r"\d+px", use.value))
            and use.declared("mso-line-height-rule") == "exactly"
        ),
    ),
    "css-letter-spacing": Allowed(
        "Big negative and em values are the buggy ones: letter-spacing is in px, positive.",
        lambda use: bool(re.fullmatch(r"\d+px", use.value)),
    ),
    "css-text-align": Allowed(
        "start, end and match-parent are the unsupported values: only left, center, right.",
        lambda use: use.value in ("left", "center", "right"),
    ),
    "css-text-transform": Allowed(
        "lowercase is the unsupported value: only uppercase (the masthead).",
        lambda use: use.value == "uppercase",
    ),
    # the dark palette: the one kept <style>
    "css-at-media": Allowed(
        "The only @media is the dark palette's; where it is unsupported the light palette, "
        "inline, stays, and the client's own dark mode applies.",
        lambda use: use.value == "(prefers-color-scheme: dark)",
    ),
    "css-at-media-prefers-color-scheme": Allowed(
        "Apple Mail and Samsung Email apply the dark palette through it, Outlook.com also "
        "through its [data-ogsc]/[data-ogsb] marks; elsewhere the light palette, inline, "
        "stays and the client's own dark mode applies."
    ),
    "css-selector-attribute": Allowed(
        "Only Outlook.com's own [data-ogsc]/[data-ogsb] marks, alone before a descendant "
        "(the syntax Outlook.com supports); clients that do not support them do not add "
        "the marks either.",
        lambda use: all(
            re.fullmatch(r"\[data-og(?:sc|sb)\] [^\[\]]+", one.strip())
            for one in use.value.split(",")
        ),
    ),
    "css-important": Allowed(
        "Only in the kept <style>, lowercase, after a space (the forms every client reads), "
        "so that the dark palette wins over the inline light one.",
        lambda use: use.tag == "style" and bool(re.search(r" !important$", use.value)),
    ),
    **dict.fromkeys(
        (
            "css-selector-type",
            "css-selector-class",
            "css-selector-descendant",
            "css-selector-grouping",
        ),
        Allowed(
            "Selectors are only in the kept <style> (the dark palette): where a client "
            "drops it (Gmail's mobile web, a non-Google account in the Gmail apps), the "
            "light palette, inline, stays.",
            lambda use: use.tag == "style",
        ),
    ),
}
