"""The email edition of the seed issue, and of a draft that uses every inline form an issue
may: HTML fit for the target mail clients (caniemail's data, contrast in light and dark),
plain text, and the MIME message as it is sent."""

from __future__ import annotations

import email
import email.policy
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from . import caniemail
from .conftest import (
    ROOT,
    SEED,
    copy_project,
    edit,
    seed_sentences,
    sphinx_build,
    visible_text,
    words,
)

ARTIFACTS = ROOT / "test-artifacts"
GMAIL_CLIP = 102 * 1024
GMAIL_STYLE_LIMIT = 16 * 1024
SEED_SUMMARY = words(yaml.safe_load(SEED.read_text(encoding="utf-8").split("---")[1])["summary"])
#: the second issue of a test archive (conftest's VALID): No. 2, 30 January 2026
SECOND = "issues/2026/2026-01-30.md"


def project(tmp: Path) -> Path:
    return copy_project(tmp / "src", seed=True)


def write_second(
    src: Path, *, status: str, title: str = "A valid issue", extra: str = "", brief: str = ""
) -> None:
    text = edit("title: A valid issue", f"title: {title}")
    text = edit("status: draft", f"status: {status}{extra}", text)
    text = edit("A brief of the week.", brief, text) if brief else text
    (src / SECOND).write_text(text, encoding="utf-8")


#: a correction, for the corrections notice (and the draft's banner) to be seen
CORRECTION = "\ncorrections:\n  - date: 2026-02-02\n    text: The figure was misquoted."
#: what else an issue's text may use (newsletter.allowed), for the email's HTML to hold it
RICH = (
    "A brief of the week: H{sub}`2`O, 10{sup}`6` barrels, the "
    "{abbr}`NDAA (National Defense Authorization Act)`, *emphasis*, **strong** and `code`.\n\n"
    "### A sub-head\n\n1. A first point.\n2. A second point.\n\n---\n\nAfter a rule."
)


def build_email(src: Path, out: Path, *options: str) -> Path:
    result = sphinx_build(src, out, "-b", "email", *options)
    assert result.returncode == 0, result.stderr[-3000:]
    return out


def parse(raw: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(raw, policy=email.policy.default)


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Path:
    """The seed, and No. 2 (30 January 2026): a draft with a correction, and in its text
    every inline form an issue may use."""
    src = project(tmp_path_factory.mktemp("email"))
    write_second(src, status="draft", title="A draft in the works", extra=CORRECTION, brief=RICH)
    return src


@pytest.fixture(scope="module")
def edition(source: Path) -> Path:
    return build_email(source, source.parent / "out")


@pytest.fixture(scope="module")
def draft_edition(source: Path) -> Path:
    """The draft's edition: its DRAFT banner and corrections notice are boxes too."""
    return build_email(source, source.parent / "draft", "-D", "newsletter_email_issue=2026-01-30")


@pytest.fixture(scope="module")
def html(edition: Path) -> str:
    return (edition / "2026-01-23.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def text(edition: Path) -> str:
    return (edition / "2026-01-23.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def raw(edition: Path) -> bytes:
    return (edition / "2026-01-23.eml").read_bytes()


@pytest.fixture(scope="module")
def message(raw: bytes) -> email.message.EmailMessage:
    return parse(raw)


@pytest.fixture(scope="module")
def parts(message) -> tuple[str, str]:
    """(text, html) of the message, as a mail client decodes them."""
    plain, rich = message.iter_parts()
    return plain.get_content(), rich.get_content()


def test_only_published_issues_by_default(edition: Path) -> None:
    assert sorted(p.name for p in edition.glob("*.eml")) == ["2026-01-23.eml"]


# -- the HTML ----------------------------------------------------------------------


def test_html_is_self_contained_and_fit_for_mail(html: str) -> None:
    assert "<script" not in html.lower()
    assert "var(" not in html
    assert 'rel="stylesheet"' not in html
    assert len(html.encode("utf-8")) < GMAIL_CLIP
    assert 'style="width: 100%;max-width: 600px;' in html
    for url in re.findall(r'(?:href|src)="([^"]*)"', html):
        assert re.match(r"^(https?://|mailto:)", url), url


def test_the_one_style_kept_is_the_dark_palette(html: str) -> None:
    """Everything else is inline: a client that drops the <style> loses only dark mode."""
    styles = re.findall(r"<style[^>]*>(.*?)</style>", html, re.DOTALL)
    assert len(styles) == 1
    assert len(styles[0].encode()) < GMAIL_STYLE_LIMIT
    media, marked = styles[0].strip().split("\n")
    assert media.startswith("@media (prefers-color-scheme: dark){")
    rules = re.findall(r"([^{}]+)\{([^{}]*)\}", marked)
    assert rules
    for selectors, declarations in rules:
        assert all(s.startswith(("[data-ogsc] ", "[data-ogsb] ")) for s in selectors.split(","))
        assert all(d.strip().endswith(" !important") for d in declarations.split(";") if d.strip())
    assert "data-css-inline" not in html


def test_html_has_everything_in_order(html: str) -> None:
    page = visible_text(html)
    order = [SEED_SUMMARY[:40], "View in your browser", "Dear Focus Reader,",
             "Global leaders gathered", "$900.6 billion", "We want to hear from you!",
             "Prepared by China-US Focus", "The archive of every issue", "Unsubscribe"]  # fmt: skip
    assert [page.index(s) for s in order] == sorted(page.index(s) for s in order)
    assert (
        '<a href="https://focus-this-week.chinausfocus.com/issues/2026/2026-01-23.html" '
        'style="color: #5b6770;">View in your browser</a>'
    ) in html
    assert 'href="mailto:USeditor@chinausfocus.com"' in html


def test_the_blocks_are_table_cells_with_their_styles(html: str) -> None:
    """No <figure>, <figcaption> or <section>: Outlook for Windows, Outlook.com and Yahoo
    drop them. Each block is a one-cell presentation table whose cell has the box."""
    for tag in ("figure", "figcaption", "section"):
        assert f"<{tag}" not in html
    for block, border in [("quote", "border-left: 6px solid #9e1b32"),
                          ("stat", "border-top: 6px solid #9e1b32"),
                          ("question", "border-left: 6px solid #1d4e89")]:  # fmt: skip
        table = re.search(
            rf'<table class="ftw-block ftw-{block}" role="presentation"[^>]*>'
            rf'<tbody><tr><td class="ftw-cell ftw-{block}-cell" style="([^"]*)"',
            html,
        )
        assert table, block
        style = table.group(1)
        assert "padding: 16px 18px;" in style and "background-color: #f4f6f9;" in style
        assert border in style
        assert "font-family: Georgia" in style and "color: #1f2933;" in style  # not only on <body>
    assert re.search(r'<td class="ftw-cell ftw-stat-cell" style="[^"]*text-align: center;', html)


def test_outlook_gets_a_600px_column(html: str) -> None:
    opening = (
        '<!--[if mso]><table role="presentation" align="center" width="600" cellpadding="0" '
        'cellspacing="0" border="0"><tr><td width="600"><![endif]-->'
    )
    assert html.count(opening) == 1
    assert html.index(opening) < html.index('class="column"')
    assert html.index('class="column"') < html.index("<!--[if mso]></td></tr></table><![endif]-->")


class _FirstInBody(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.opened: list[tuple[str, dict]] = []
        self.text = ""
        self.in_body = False

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if self.in_body and not self.text:
            self.opened.append((tag, dict(attrs)))
        self.in_body = self.in_body or tag == "body"

    def handle_data(self, data: str) -> None:
        if self.in_body and not self.text and data.strip():
            self.text = data


def test_the_preheader_is_the_summary_first_in_the_body_and_hidden(parts) -> None:
    plain, rich = parts
    first = _FirstInBody()
    first.feed(rich)
    assert words(first.text) == SEED_SUMMARY
    assert [tag for tag, _ in first.opened] == ["div"]
    style = first.opened[0][1]["style"]
    assert "display: none;" in style and "mso-hide: all;" in style and "max-height: 0;" in style
    assert words(plain).startswith(SEED_SUMMARY + " View in your browser: https://")


# -- caniemail -----------------------------------------------------------------------


def support_problems(markup: str) -> list[str]:
    """What in ``markup`` some target client does not fully support, and no allowance of
    :data:`caniemail.ALLOWED` covers."""
    problems = []
    by_feature: dict[str, list[caniemail.Use]] = {}
    for use in caniemail.uses(markup):
        if use.feature is not None:
            by_feature.setdefault(use.feature, []).append(use)
    for slug, found in sorted(by_feature.items()):
        unsupported = caniemail.unsupported(slug)
        if not unsupported:
            continue
        allowed = caniemail.ALLOWED.get(slug)
        clients = "; ".join(f"{target}: {verdict}" for target, verdict in unsupported.items())
        if allowed is None:
            problems.append(f"{slug} ({found[0]}): {clients}")
            continue
        problems.extend(
            f"{slug} ({use}): not covered by its allowance: {allowed.fallback}"
            for use in found
            if not allowed.covers(use)
        )
    return problems


def test_caniemail_is_pinned_and_installed() -> None:
    package = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))
    pinned = package["devDependencies"]["caniemail"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", pinned), pinned
    lock = json.loads((ROOT / "package-lock.json").read_text(encoding="utf-8"))
    assert lock["packages"]["node_modules/caniemail"]["version"] == pinned
    if not caniemail.DATA.exists():
        pytest.fail(f"{caniemail.DATA} is missing: npm ci (as make test does)")
    installed = json.loads((caniemail.PACKAGE / "package.json").read_text(encoding="utf-8"))
    assert installed["version"] == pinned


@pytest.mark.parametrize("issue", ["2026-01-23", "2026-01-30"])
def test_every_feature_is_supported_by_every_target_client_or_allowed(
    edition: Path, draft_edition: Path, issue: str
) -> None:
    folder = edition if issue == "2026-01-23" else draft_edition
    html = (folder / f"{issue}.html").read_text(encoding="utf-8")
    uses = caniemail.uses(html)
    assert {"html-table", "css-padding", "css-at-media-prefers-color-scheme"} <= {
        u.feature for u in uses
    }
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"email-caniemail-{issue}.txt").write_text(
        caniemail.report(uses), encoding="utf-8"
    )
    assert support_problems(html) == []


def test_every_allowance_is_needed(edition: Path, draft_edition: Path) -> None:
    """An allowance names a feature the emails use and some target does not fully support."""
    used = {
        u.feature
        for path in (edition / "2026-01-23.html", draft_edition / "2026-01-30.html")
        for u in caniemail.uses(path.read_text(encoding="utf-8"))
    }
    stale = [s for s in caniemail.ALLOWED if s not in used or not caniemail.unsupported(s)]
    assert stale == []


def test_a_styled_figure_fails_the_check() -> None:
    """The blocks as they were: a <figure> with the box's styles."""
    figure = (
        '<figure class="ftw-block ftw-stat" style="margin: 16px 0;padding: 16px 18px;'
        'background-color: #f4f6f9;border-top: 6px solid #9e1b32;text-align: center;">'
        '<figcaption style="margin: 0;">The total U.S. defense budget</figcaption></figure>'
    )
    problems = "\n".join(support_problems(figure))
    semantics = next(p for p in problems.splitlines() if p.startswith("html-semantics"))
    for client in ("Outlook 2016 (Windows): n", "Outlook 2019 (Windows): n", "Outlook.com: a",
                   "Yahoo (web): n"):  # fmt: skip
        assert client in semantics
    assert "css-padding (padding: 16px 18px on <figure>)" in problems
    assert "css-border (border-top: 6px solid #9e1b32 on <figure>)" in problems


def test_what_caniemail_has_no_entry_for_fails_the_check() -> None:
    with pytest.raises(caniemail.Unmapped, match="<marquee>"):
        caniemail.uses("<marquee>news</marquee>")
    with pytest.raises(caniemail.Unmapped, match="'float'"):
        caniemail.uses('<p style="float: left;">x</p>')


# -- contrast ------------------------------------------------------------------------

#: every element with text of its own: its colour and the first opaque background under it
_TEXT_COLOURS = """() => {
  const opaque = (el) => {
    for (; el; el = el.parentElement) {
      const bg = getComputedStyle(el).backgroundColor;
      const rgba = bg.match(/[\\d.]+/g).map(Number);
      if (rgba.length < 4 || rgba[3] > 0) return bg;
    }
    return null;
  };
  const found = [];
  for (const el of document.body.querySelectorAll('*')) {
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own || !el.checkVisibility()) continue;
    found.push({tag: el.tagName.toLowerCase(), text: el.textContent.trim().slice(0, 30),
                color: getComputedStyle(el).color, background: opaque(el)});
  }
  return found;
}"""


def luminance(css_colour: str) -> float:
    channels = [int(float(c)) / 255 for c in re.findall(r"[\d.]+", css_colour)[:3]]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    """WCAG 2's contrast ratio of two CSS colours."""
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def text_colours(page, path: Path, palette: str) -> list[dict]:
    page.set_viewport_size({"width": 600, "height": 900})
    page.emulate_media(color_scheme="dark" if palette == "dark" else "light")
    page.goto(path.as_uri())
    if palette == "outlook.com":  # what Outlook.com marks when it darkens the message
        page.evaluate(
            "() => { for (const a of ['data-ogsc', 'data-ogsb'])"
            " document.documentElement.setAttribute(a, ''); }"
        )
    found = page.evaluate(_TEXT_COLOURS)
    column = page.evaluate(
        "getComputedStyle(document.querySelector('table.column')).backgroundColor"
    )
    return [{**f, "column": column} for f in found]


@pytest.mark.parametrize("palette", ["light", "dark", "outlook.com"])
@pytest.mark.parametrize("issue", ["2026-01-23", "2026-01-30"])
def test_every_text_has_contrast_at_least_4_5(
    tab, edition: Path, draft_edition: Path, issue: str, palette: str
) -> None:
    """light: as sent; dark: a client in dark mode that applies prefers-color-scheme (Apple
    Mail, Samsung Email); outlook.com: Outlook.com's forced dark mode, which marks the
    elements it darkened with data-ogsc and data-ogsb. The seed, and a draft with a
    correction (its banner and notice)."""
    folder = edition if issue == "2026-01-23" else draft_edition
    found = text_colours(tab, folder / f"{issue}.html", palette)
    assert len(found) > 30
    assert all(f["background"] for f in found)  # ours, not the client's canvas
    if issue == "2026-01-30":
        texts = [f["text"] for f in found]
        assert any(t.startswith("DRAFT: this issue is not") for t in texts)
        assert any(t.startswith("Correction, 2 February") for t in texts)
    column = luminance(found[0]["column"])
    assert column > 0.9 if palette == "light" else column < 0.02  # the palette did apply
    low = [
        f"{f['tag']} {f['text']!r}: {f['color']} on {f['background']}: "
        f"{contrast(f['color'], f['background']):.2f}"
        for f in found
        if contrast(f["color"], f["background"]) < 4.5
    ]
    assert low == []


# -- the text part -------------------------------------------------------------------


def test_text_part_is_wrapped_with_numbered_links(text: str) -> None:
    for line in text.splitlines():
        assert len(line) <= 72 or "https://" in line, line
    assert "Source: defensenews.com [5], as of 8 December 2025." in text
    assert "[5] https://www.defensenews.com/congress/2025/12/08/" in text
    assert '    "Even if our relationship is one defined by competition' in text
    assert ">> $900.6 billion <<" in text
    assert "Submit your thoughts to USeditor@chinausfocus.com for a chance" in words(text)
    assert "source · history" not in text


def test_text_part_reads_superscripts_and_abbreviations(draft_edition: Path) -> None:
    text = words((draft_edition / "2026-01-30.txt").read_text(encoding="utf-8"))
    assert "H2O, 10^6 barrels, the NDAA (National Defense Authorization Act)," in text


def test_text_part_ends_with_the_archive_feed_and_unsubscribe(text: str, pub) -> None:
    assert text.endswith(
        "\n--\n"
        "The archive of every issue: https://focus-this-week.chinausfocus.com/\n"
        "Atom feed: https://focus-this-week.chinausfocus.com/feed.xml\n"
        f"Unsubscribe: {pub.unsubscribe_url}\n"
    )


#: what else an issue may hold that plain text must still show: a code block, an image,
#: a table, lists
FORMS = """A brief of the week.

```
tariff = 0.25 * value  # the rate of 1 August
```

![A chart of the tariffs by month](https://example.org/chart.png)

| Country | Tariff | What the tariff covers |
|---|---|---|
| China | 25% | Steel, aluminium, electric vehicles, batteries, solar cells and semiconductors |
| Canada | 10% | Energy and potash |

- A first point, long enough to be wrapped over two lines of the text part of this email.
- A second point.

1. First.
2. Second."""


@pytest.fixture(scope="module")
def forms_text(tmp_path_factory) -> str:
    """The text part of a draft holding :data:`FORMS`."""
    src = project(tmp_path_factory.mktemp("forms"))
    write_second(src, status="draft", brief=FORMS)
    out = build_email(src, src.parent / "out", "-D", "newsletter_email_issue=2026-01-30")
    return (out / "2026-01-30.txt").read_text(encoding="utf-8")


def link_number(text: str, url: str) -> str:
    found = re.search(rf"^\[(\d+)\] {re.escape(url)}$", text, re.MULTILINE)
    assert found, f"{url} is not among the links"
    return found[1]


def test_text_part_keeps_a_code_block_as_written(forms_text: str) -> None:
    assert "\n   tariff = 0.25 * value  # the rate of 1 August\n" in forms_text


def test_text_part_shows_an_image_by_its_alt_text(forms_text: str) -> None:
    number = link_number(forms_text, "https://example.org/chart.png")
    assert f"\n[image: A chart of the tariffs by month] [{number}]\n" in forms_text


def test_text_part_draws_a_table_within_72_columns(forms_text: str) -> None:
    table = [line for line in forms_text.splitlines() if line.startswith(("+", "|"))]
    assert table[0].startswith("+-") and table[0].endswith("-+")
    assert re.fullmatch(r"\| Country +\| Tariff +\| What the tariff covers +\|", table[1])
    assert table[2].startswith("|=")
    assert all(len(line) <= 72 for line in table)
    assert all(len(line) == len(table[0]) for line in table)
    rows = " ".join(line.strip("|+ -") for line in table)
    for word in ("China", "25%", "semiconductors", "Canada", "10%", "potash"):
        assert word in rows


def test_text_part_writes_lists(forms_text: str) -> None:
    assert (
        "\n* A first point, long enough to be wrapped over two lines of the text\n"
        "  part of this email.\n* A second point.\n\n1. First.\n2. Second.\n"
    ) in forms_text


def test_text_part_with_every_form_is_72_columns_wide(forms_text: str) -> None:
    for line in forms_text.splitlines():
        assert len(line) <= 72 or "https://" in line, line


# -- the message ---------------------------------------------------------------------


def test_eml_is_multipart_alternative(message, html: str, text: str) -> None:
    assert message.get_content_type() == "multipart/alternative"
    parts = list(message.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
    assert [p["Content-Transfer-Encoding"] for p in parts] == ["quoted-printable"] * 2
    assert parts[0].get_content().replace("\r\n", "\n") == text
    assert parts[1].get_content().replace("\r\n", "\n").rstrip("\n") == html.rstrip("\n")


def test_eml_headers(message, raw: bytes, pub) -> None:
    assert message["Subject"] == "Focus This Week No. 1: Davos, Greenland and talks in Abu Dhabi"
    assert message["From"] == "Focus This Week <USeditor@chinausfocus.com>"
    assert message["Date"].datetime.date().isoformat() == "2026-01-23"  # the issue's date
    assert message["Message-ID"] == "<focus-this-week-2026-01-23@chinausfocus.com>"
    assert message["MIME-Version"] == "1.0"
    unsubscribe = re.findall(r"<([^<>]*)>", message["List-Unsubscribe"])
    assert unsubscribe == [
        "mailto:USeditor@chinausfocus.com?subject=Unsubscribe",
        "https://focus-this-week.chinausfocus.com/unsubscribe?email=*|URL:EMAIL|*",
    ]
    assert unsubscribe == [pub.unsubscribe_mailto, pub.unsubscribe_url]
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # as sent: the addresses as written, never RFC 2047 encoded words a client cannot use
    headers = raw.split(b"\r\n\r\n")[0].decode("ascii")
    assert "=?" not in headers
    assert (
        "List-Unsubscribe: <mailto:USeditor@chinausfocus.com?subject=Unsubscribe>,\r\n"
        " <https://focus-this-week.chinausfocus.com/unsubscribe?email=*|URL:EMAIL|*>\r\n"
    ) in headers


def test_no_line_of_the_message_is_over_76_characters(raw: bytes) -> None:
    lines = raw.split(b"\r\n")
    assert b"\n" not in b"".join(lines)  # CRLF throughout
    assert max(len(line) for line in lines) <= 76
    assert len(lines) > 100


@pytest.mark.parametrize("sentence", seed_sentences(), ids=lambda s: s[:40])
def test_every_seed_sentence_is_in_both_parts(parts, sentence: str) -> None:
    plain, rich = parts
    assert sentence in visible_text(rich)
    # a link's [n] marker is an annotation, not part of the sentence
    assert sentence in re.sub(r" \[\d+\]", "", words(plain))


def test_the_unsubscribe_link_is_in_both_parts(parts, pub) -> None:
    plain, rich = parts
    assert f'<a href="{pub.unsubscribe_url}" style="color: #9e1b32;">Unsubscribe</a>' in rich
    assert f"Unsubscribe: {pub.unsubscribe_url}" in plain


def test_the_unsubscribe_addresses_and_merge_tag_come_from_the_publication(tmp_path: Path) -> None:
    """A mailing service's own addresses, one longer than a line: the header still names
    it as written (the email library would encode it as RFC 2047 words)."""
    src = project(tmp_path)
    toml = src / "publication.toml"
    settings = toml.read_text(encoding="utf-8")
    url = "https://lists.example.org/unsubscribe/one-click?list=focus-this-week&who={subscriber}"
    for old, new in [
        ('"mailto:USeditor@chinausfocus.com?subject=Unsubscribe"', '"mailto:leave@example.org"'),
        ('"https://focus-this-week.chinausfocus.com/unsubscribe?email={subscriber}"', f'"{url}"'),
        ('"*|URL:EMAIL|*"', '"%%emailaddress%%"'),
    ]:
        settings = edit(old, new, settings)
    toml.write_text(settings, encoding="utf-8")
    out = build_email(src, tmp_path / "out")
    raw = (out / "2026-01-23.eml").read_bytes()
    url = url.replace("{subscriber}", "%%emailaddress%%")
    headers = raw.split(b"\r\n\r\n")[0].decode("ascii")
    assert f"List-Unsubscribe: <mailto:leave@example.org>,\r\n <{url}>\r\n" in headers
    assert "=?" not in headers
    plain, rich = (p.get_content() for p in parse(raw).iter_parts())
    assert f"Unsubscribe: {url}" in plain
    assert f'<a href="{url.replace("&", "&amp;")}"' in rich


def test_a_draft_is_built_when_named(tmp_path: Path) -> None:
    src = project(tmp_path)
    write_second(src, status="draft", title="A draft in the works")
    out = build_email(src, tmp_path / "out", "-D", "newsletter_email_issue=2026-01-30")
    assert sorted(p.name for p in out.glob("*.eml")) == ["2026-01-30.eml"]
    message = parse((out / "2026-01-30.eml").read_bytes())
    assert message["Subject"] == "[DRAFT] Focus This Week No. 2: A draft in the works"
    missing = sphinx_build(
        src, tmp_path / "none", "-b", "email", "-D", "newsletter_email_issue=2026-03-01"
    )
    assert missing.returncode != 0
    assert "no issue is dated 2026-03-01" in missing.stderr


@pytest.mark.slow
def test_the_same_issues_give_the_same_bytes_and_nothing_is_left_over(tmp_path: Path) -> None:
    src = project(tmp_path)
    write_second(src, status="published")
    first = build_email(src, tmp_path / "first")
    again = build_email(src, tmp_path / "again")
    names = sorted(p.name for p in first.iterdir() if p.is_file())
    assert "2026-01-30.eml" in names
    for name in names:
        assert (first / name).read_bytes() == (again / name).read_bytes(), name
    # the issue is taken back: its edition leaves the folder with the next full run
    write_second(src, status="draft")
    build_email(src, first)
    assert sorted(p.name for p in first.glob("2026-*")) == [
        "2026-01-23.eml",
        "2026-01-23.html",
        "2026-01-23.txt",
    ]


# -- in a browser: widths and a client that strips tags -------------------------------

#: the tags Outlook.com, Yahoo or Outlook for Windows drop (caniemail: html-semantics)
STRIPPED = (
    "figure",
    "figcaption",
    "section",
    "article",
    "aside",
    "header",
    "footer",
    "nav",
    "main",
)


def as_a_stripping_client_shows_it(markup: str) -> str:
    """``markup`` as Yahoo or Outlook.com shows it: HTML5's semantic tags removed (their
    content kept), the <style> dropped, <body> replaced by a <div> with its style."""
    markup = re.sub(rf"</?(?:{'|'.join(STRIPPED)})\b[^>]*>", "", markup)
    markup = re.sub(r"<style[^>]*>.*?</style>", "", markup, flags=re.DOTALL)
    return re.sub(r"<(/?)body\b", r"<\1div", markup)


_BOXES = """() => [...document.querySelectorAll('td.ftw-cell')].map(td => {
  const s = getComputedStyle(td);
  return [td.className, s.backgroundColor, s.borderLeft, s.borderTop, s.padding, s.textAlign];
})"""


@pytest.mark.parametrize("width", [320, 600])
def test_email_reads_as_one_column_on_a_phone_and_a_desktop(edition: Path, tab, width: int) -> None:
    page = tab
    page.set_viewport_size({"width": width, "height": 900})
    page.goto((edition / "2026-01-23.html").as_uri())
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    column = page.evaluate("document.querySelector('table.column').getBoundingClientRect().width")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"email-{width}.png"), full_page=True)
    assert scroll_width <= width  # nothing runs off the side
    assert column <= 600


def test_the_boxes_survive_a_client_that_strips_tags(
    edition: Path, html: str, tab, tmp_path: Path
) -> None:
    stripped = tmp_path / "stripped.html"
    stripped.write_text(as_a_stripping_client_shows_it(html), encoding="utf-8")
    boxes = {}
    page = tab
    page.set_viewport_size({"width": 600, "height": 900})
    for name, path in [("as sent", edition / "2026-01-23.html"), ("stripped", stripped)]:
        page.goto(path.as_uri())
        boxes[name] = page.evaluate(_BOXES)
        if name == "stripped":
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "email-600-stripped.png"), full_page=True)
    assert boxes["stripped"] == boxes["as sent"]
    stat = next(b for b in boxes["stripped"] if "ftw-stat-cell" in b[0])
    assert stat[1] == "rgb(244, 246, 249)" and stat[5] == "center"
    # the simulation does strip: the blocks as they were lose their box
    figure = as_a_stripping_client_shows_it('<figure style="padding: 16px">x</figure>')
    assert figure == "x"
