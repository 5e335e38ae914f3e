"""The email edition of the seed issue: HTML fit for mail clients, plain text, MIME message."""

from __future__ import annotations

import email
import email.policy
import re
from pathlib import Path

import pytest

from .conftest import ROOT, copy_project, sphinx_build
from .htmltext import visible_text, words
from .test_archive import write_issue
from .test_site import seed_sentences

ARTIFACTS = ROOT / "test-artifacts"
GMAIL_CLIP = 102 * 1024


def project(tmp: Path) -> Path:
    return copy_project(tmp / "src", seed=True)


def build_email(src: Path, out: Path, *options: str) -> Path:
    result = sphinx_build(src, out, "-b", "email", *options)
    assert result.returncode == 0, result.stderr[-3000:]
    return out


@pytest.fixture(scope="module")
def edition(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("email")
    src = project(tmp)
    write_issue(src, 9, title="A draft in the works", status="draft")  # 2026-02-27
    return build_email(src, tmp / "out")


@pytest.fixture(scope="module")
def html(edition: Path) -> str:
    return (edition / "2026-01-23.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def text(edition: Path) -> str:
    return (edition / "2026-01-23.txt").read_text(encoding="utf-8")


def test_only_published_issues_by_default(edition: Path) -> None:
    assert sorted(p.name for p in edition.glob("*.eml")) == ["2026-01-23.eml"]


def test_html_is_self_contained_and_fit_for_mail(html: str) -> None:
    assert "<script" not in html.lower()
    assert "var(" not in html
    assert "<style" not in html and 'rel="stylesheet"' not in html
    assert len(html.encode("utf-8")) < GMAIL_CLIP
    assert 'style="width: 100%;max-width: 600px;' in html
    for url in re.findall(r'(?:href|src)="([^"]*)"', html):
        assert re.match(r"^(https?://|mailto:)", url), url


def test_html_has_everything_in_order(html: str) -> None:
    page = visible_text(html)
    order = ["View in your browser", "Dear Focus Reader,", "Global leaders gathered",
             "$900.6 billion", "We want to hear from you!", "Prepared by China-US Focus"]  # fmt: skip
    assert [page.index(s) for s in order] == sorted(page.index(s) for s in order)
    assert (
        '<a href="https://focus-this-week.chinausfocus.com/issues/2026/2026-01-23.html" '
        'style="color: #5b6770;">View in your browser</a>'
    ) in html
    assert 'href="mailto:USeditor@chinausfocus.com"' in html
    assert 'class="ftw-stat-figure" style="' in html  # the blocks carry their inlined styles


@pytest.mark.parametrize("sentence", seed_sentences(), ids=lambda s: s[:40])
def test_every_seed_sentence_is_in_both_parts(html: str, text: str, sentence: str) -> None:
    assert sentence in visible_text(html)
    # a link's [n] marker is an annotation, not part of the sentence
    assert sentence in re.sub(r" \[\d+\]", "", words(text))


def test_text_part_is_wrapped_with_numbered_links(text: str) -> None:
    for line in text.splitlines():
        assert len(line) <= 72 or "https://" in line, line
    assert "Source: defensenews.com [5], as of 8 December 2025." in text
    assert "[5] https://www.defensenews.com/congress/2025/12/08/" in text
    assert '    "Even if our relationship is one defined by competition' in text
    assert ">> $900.6 billion <<" in text
    assert "Submit your thoughts to USeditor@chinausfocus.com for a chance" in words(text)
    assert "source · history" not in text


def test_eml_is_multipart_alternative(edition: Path, html: str, text: str) -> None:
    raw = (edition / "2026-01-23.eml").read_bytes()
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert message.get_content_type() == "multipart/alternative"
    parts = list(message.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
    assert message["Subject"] == "Focus This Week No. 1: Davos, Greenland and talks in Abu Dhabi"
    assert parts[0].get_content().replace("\r\n", "\n") == text
    assert parts[1].get_content().replace("\r\n", "\n").rstrip("\n") == html.rstrip("\n")


def test_a_draft_is_built_when_named(tmp_path: Path) -> None:
    src = project(tmp_path)
    write_issue(src, 9, title="A draft in the works", status="draft")
    out = build_email(src, tmp_path / "out", "-D", "newsletter_email_issue=2026-02-27")
    assert sorted(p.name for p in out.glob("*.eml")) == ["2026-02-27.eml"]
    message = email.message_from_bytes(
        (out / "2026-02-27.eml").read_bytes(), policy=email.policy.default
    )
    assert message["Subject"] == "[DRAFT] Focus This Week No. 9: A draft in the works"
    missing = sphinx_build(
        src, tmp_path / "none", "-b", "email", "-D", "newsletter_email_issue=2026-03-01"
    )
    assert missing.returncode != 0
    assert "no issue is dated 2026-03-01" in missing.stderr


def test_the_same_issues_give_the_same_bytes_and_nothing_is_left_over(tmp_path: Path) -> None:
    src = project(tmp_path)
    write_issue(src, 9)  # published: 2026-02-27
    first = build_email(src, tmp_path / "first")
    again = build_email(src, tmp_path / "again")
    names = sorted(p.name for p in first.iterdir() if p.is_file())
    assert "2026-02-27.eml" in names
    for name in names:
        assert (first / name).read_bytes() == (again / name).read_bytes(), name
    # the issue is taken back: its edition leaves the folder with the next full run
    write_issue(src, 9, status="draft")
    build_email(src, first)
    assert sorted(p.name for p in first.glob("2026-*")) == [
        "2026-01-23.eml",
        "2026-01-23.html",
        "2026-01-23.txt",
    ]


@pytest.mark.parametrize("width", [375, 600])
def test_email_reads_as_one_column_on_a_phone_and_a_desktop(
    edition: Path, browser, width: int
) -> None:
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto((edition / "2026-01-23.html").as_uri())
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    column = page.evaluate("document.querySelector('table.column').getBoundingClientRect().width")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"email-{width}.png"), full_page=True)
    page.close()
    assert scroll_width <= width  # nothing runs off the side
    assert column <= 600
