"""The content gate: the live archive in ``issues/``, as readers will get it.

This module alone reads ``issues/`` (every other test makes the archive it needs from
fixtures of its own). It holds for any valid archive, of one issue or thousands:

- every issue passes the checker;
- the site builds with warnings as errors, and so does the email edition;
- every published issue has its page, its ``archive.json`` entry, its feed entry (the
  feed holds the newest ones), its search record and its email edition, and each of
  them carries the issue's own text.

The same module runs on a scratch copy of the repository in ``test_contribution.py``,
after a run of contributors' commits.
"""

from __future__ import annotations

import functools
import gzip
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from newsletter.check import checker
from newsletter.outputs import feed as feeds
from newsletter.outputs import search
from newsletter.schema import files, issuefile, markup, publication
from newsletter.schema.blocks import BLOCK_DIRECTIVES
from newsletter.schema.rules.tokens import directive_of

from .conftest import ROOT, sphinx_build, visible_text, words

PUB = publication.load(ROOT)
ISSUES = files.issue_paths(ROOT)


def shown(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


@functools.cache
def parsed(path: Path) -> issuefile.IssueFile:
    return issuefile.read(shown(path), path.read_bytes(), PUB)


PUBLISHED = [path for path in ISSUES if parsed(path).meta.published]


# -- the issue's own text, from its source -------------------------------------


def _inline_text(token, plain: bool = False) -> str:
    """What a reader sees of an inline token: its text, code and link texts (``plain``: as
    the email's text part writes it: 10^6, an abbreviation with its expansion)."""
    parts = []
    for child in token.children or ():
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type == "myst_role":  # {sub}, {sup}; {abbr} shows the abbreviation
            name, content = child.meta.get("name"), child.content
            if plain:
                parts.append(f"^{content}" if name == "sup" else content)
            else:
                parts.append(content.split(" (")[0] if name == "abbr" else content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return words("".join(parts))


def _paragraphs(tokens, plain: bool = False) -> list[str]:
    found = []
    previous = None
    for token in tokens:
        # paragraphs, in list items too
        text = _inline_text(token, plain) if token.type == "inline" else ""
        if previous == "paragraph_open" and text:
            found.append(text)
        previous = token.type
        directive = directive_of(token)
        if directive and directive[0] in BLOCK_DIRECTIVES:
            body = "\n".join(
                line for line in token.content.splitlines() if not re.match(r"^\s*:[\w-]+:", line)
            )
            found += _paragraphs(markup.markdown_parser().parse(body), plain)
    return found


def own_text(path: Path, plain: bool = False) -> list[str]:
    """The issue's paragraphs and list items (block bodies included), as plain text."""
    return _paragraphs(parsed(path).tokens, plain)


def missing(texts: list[str], where: str) -> list[str]:
    return [text for text in texts if text not in where]


# -- the builds ------------------------------------------------------------------


def _strict_build(out: Path, *options: str) -> Path:
    result = sphinx_build(ROOT, out, *options)
    said = [line for line in result.stderr.splitlines() if "WARNING" in line or "ERROR" in line]
    assert result.returncode == 0 and not said, "\n".join(said) or result.stderr[-3000:]
    return out


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return _strict_build(tmp_path_factory.mktemp("gate") / "html")


@pytest.fixture(scope="module")
def edition(tmp_path_factory) -> Path:
    return _strict_build(tmp_path_factory.mktemp("gate") / "email", "-b", "email")


@pytest.fixture(scope="module")
def archive_entries(site: Path) -> dict[int, dict]:
    data = json.loads((site / "archive.json").read_text(encoding="utf-8"))
    return {entry["number"]: entry for entry in data["issues"]}


@pytest.fixture(scope="module")
def feed_entries(site: Path) -> dict[str, str]:
    """``{page URL: visible text of the entry's content}``."""
    atom = f"{{{feeds.ATOM}}}"
    root = ET.parse(site / "feed.xml").getroot()
    found = {}
    for entry in root.iter(f"{atom}entry"):
        link = entry.find(f"{atom}link[@rel='alternate']")
        if link is None:
            link = entry.find(f"{atom}link")
        content = entry.findtext(f"{atom}content") or ""
        found[link.get("href")] = visible_text(content)
    return found


@pytest.fixture(scope="module")
def search_records(site: Path) -> dict[str, str]:
    """``{page path: indexed text}`` of every record of the search index."""
    records = {}
    for fragment in (site / "pagefind").glob("*/fragment/*"):
        data = gzip.decompress(fragment.read_bytes())
        data = data.removeprefix(search.SIGNATURE)
        record = json.loads(data)
        records[record["url"].lstrip("/")] = words(record["content"])
    return records


@functools.cache
def newest(count: int) -> frozenset[int]:
    """The numbers of the ``count`` newest published issues (by date, as the feed)."""
    dated = sorted(PUBLISHED, key=lambda p: parsed(p).meta.date, reverse=True)
    return frozenset(parsed(p).meta.number for p in dated[:count])


# -- the gate ------------------------------------------------------------------


def test_the_archive_has_issues() -> None:
    assert ISSUES, "no issue files found under issues/"


@functools.cache
def _problems() -> dict[str, list[str]]:
    """Every problem of the whole archive, by file: one run of the checker."""
    found: dict[str, list[str]] = {}
    for problem in checker.check([], ROOT, PUB):
        if problem.severity == "error":
            found.setdefault(problem.path, []).append(str(problem))
    return found


@pytest.mark.parametrize("path", ISSUES, ids=shown)
def test_issue_passes_the_checker(path: Path) -> None:
    assert not _problems().get(shown(path)), "\n".join(_problems()[shown(path)])


@pytest.mark.parametrize("path", PUBLISHED, ids=shown)
def test_published_issue_is_everywhere_with_its_text(
    path: Path, site: Path, archive_entries, feed_entries, search_records, edition: Path
) -> None:
    meta = parsed(path).meta
    texts = [meta.title, *own_text(path)]
    assert len(texts) > 1, "no text found in the issue"

    entry = archive_entries.get(meta.number)
    assert entry, f"No. {meta.number} is not in archive.json"
    assert (entry["title"], entry["summary"], entry["date"]) == (
        meta.title,
        meta.summary,
        meta.date.isoformat(),
    )
    url = entry["url"]
    assert url.startswith(PUB.site.base_url), url
    page_path = url.removeprefix(PUB.site.base_url)
    page = site / page_path
    assert page.is_file(), f"no page at {page_path}"
    assert missing(texts, visible_text(page.read_text(encoding="utf-8"))) == []

    if meta.number in newest(feeds.FEED_ENTRIES):
        assert url in feed_entries, f"No. {meta.number} is not in feed.xml"
        assert missing(texts[1:], feed_entries[url]) == []

    assert page_path in search_records, f"No. {meta.number} has no search record"
    assert missing(texts[1:], search_records[page_path]) == []

    stem = meta.date.isoformat()
    html = (edition / f"{stem}.html").read_text(encoding="utf-8")
    text = (edition / f"{stem}.txt").read_text(encoding="utf-8")
    assert (edition / f"{stem}.eml").is_file()
    assert missing(texts, visible_text(html)) == []
    # the text part marks each link with [n] and wraps lines
    assert missing(own_text(path, plain=True), re.sub(r" \[\d+\]", "", words(text))) == []
