"""Editorial dates and readable revisions, in a temporary git repository.

An issue is drafted on a branch, published there and merged; it is corrected once, then
twice. At each step every date shown on the page, in the feed, in ``archive.json``, in
the sitemap and in the sharing tags is the editorial one (the issue's date, then its
latest correction's, at the publication's time of day), whatever the commits' dates;
each earlier text has its revision page with a word-level diff; an incremental build
equals a clean one and writes only the new revision; a shallow clone builds no revision
page and shows the same dates.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from .conftest import (
    VALID,
    assert_same_site,
    copy_project,
    edit,
    sphinx_build,
    tree,
    visible_text,
)

pytestmark = pytest.mark.slow

ISSUE = "issues/2026/2026-01-30.md"
PAGE = "issues/2026/2026-01-30.html"
REVISION = "issues/2026/2026-01-30/revision-{}.html"
URL = "https://focus-this-week.chinausfocus.com/issues/2026/2026-01-30.html"
#: publication.toml: 09:00 in New York, which is 14:00 UTC in winter
PUBLISHED = "2026-01-30T14:00:00Z"


def git(repo: Path, *args: str, when: str = "2026-03-01T12:00:00Z") -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "E", "GIT_AUTHOR_EMAIL": "e@example.org",
           "GIT_COMMITTER_NAME": "E", "GIT_COMMITTER_EMAIL": "e@example.org",
           "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}  # fmt: skip
    done = subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def commit(repo: Path, text: str, message: str, when: str) -> None:
    (repo / ISSUE).parent.mkdir(parents=True, exist_ok=True)
    (repo / ISSUE).write_text(text, encoding="utf-8")
    git(repo, "add", "-A", when=when)
    git(repo, "commit", "-qm", message, when=when)


def build(repo: Path, out: Path) -> subprocess.CompletedProcess:
    result = sphinx_build(repo, out)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def dates_shown(out: Path) -> dict[str, object]:
    page = (out / PAGE).read_text(encoding="utf-8")
    feed = (out / "feed.xml").read_text(encoding="utf-8")
    entry = json.loads((out / "archive.json").read_text(encoding="utf-8"))["issues"][0]
    sitemap = (out / "sitemap.xml").read_text(encoding="utf-8")
    return {
        "page": re.search(r"First published .*?(?= · source)", visible_text(page))[0],
        "feed": re.findall(r"<(published|updated)>([^<]+)<", feed.split("<entry>")[1]),
        "archive": (entry["first_published"], entry["last_updated"]),
        "sitemap": re.search(rf"<loc>{re.escape(URL)}</loc>\s*<lastmod>([^<]+)<", sitemap)[1],
        "og": re.findall(r'property="article:(\w+_time)" content="([^"]+)"', page),
    }


PUBLISHED_TEXT = edit("status: draft", "status: published")
FIRST_CORRECTION = edit(
    "status: published\n",
    "status: published\ncorrections:\n  - date: 2026-02-02\n"
    "    text: The brief named the wrong week.\n",
    PUBLISHED_TEXT.replace("A brief of the week.", "A brief of the second week."),
)
SECOND_CORRECTION = edit(
    "    text: The brief named the wrong week.\n",
    "    text: The brief named the wrong week.\n  - date: 2026-02-10\n"
    "    text: The quote was shortened.\n",
    FIRST_CORRECTION.replace("Words worth quoting.", "Words."),
)


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    """The project, with the issue drafted on a branch over two commits, published there
    and merged into main, all on dates that are not the issue's."""
    repo = copy_project(tmp_path_factory.mktemp("revisions") / "repo")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "The project", when="2025-12-01T10:00:00Z")
    git(repo, "checkout", "-qb", "no-2")
    commit(repo, VALID, "Draft of No. 2", "2026-01-20T10:00:00Z")
    commit(
        repo, VALID.replace("A valid issue", "A valid issue, again"), "More", "2026-01-26T10:00:00Z"
    )
    commit(repo, PUBLISHED_TEXT, "Publish No. 2", "2026-01-29T22:00:00Z")
    git(repo, "checkout", "-q", "main")
    git(repo, "merge", "-q", "--no-ff", "no-2", "-m", "Merge No. 2", when="2026-01-31T08:00:00Z")
    return repo


def test_dates_are_editorial_at_each_step_and_revisions_are_readable(
    repo: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    build(repo, out)
    assert dates_shown(out) == {
        "page": "First published 30 January 2026",
        "feed": [("published", PUBLISHED), ("updated", PUBLISHED)],
        "archive": (PUBLISHED, PUBLISHED),
        "sitemap": "2026-01-30",
        "og": [("published_time", PUBLISHED)],
    }
    assert not (out / "issues/2026/2026-01-30").exists()  # one revision: the page itself

    commit(repo, FIRST_CORRECTION, "Correct No. 2", "2026-02-02T23:30:00Z")
    build(repo, out)
    corrected = "2026-02-02T14:00:00Z"
    assert dates_shown(out) == {
        "page": "First published 30 January 2026 · last updated 2 February 2026",
        "feed": [("published", PUBLISHED), ("updated", corrected)],
        "archive": (PUBLISHED, corrected),
        "sitemap": "2026-02-02",
        "og": [("published_time", PUBLISHED), ("modified_time", corrected)],
    }
    page = (out / PAGE).read_text(encoding="utf-8")
    assert "Correction, 2 February 2026: The brief named the wrong week." in visible_text(page)
    assert 'href="2026-01-30/revision-1.html"' in page
    first = (out / REVISION.format(1)).read_text(encoding="utf-8")
    text = visible_text(first)
    assert '<meta name="robots" content="noindex">' in first
    assert "No. 2 · revision 1 · as first published, 30 January 2026" in text
    assert "A brief of the week." in text.split("The text as it then stood")[1]
    assert "<p>A brief of the <ins>second</ins> week.</p>" in first
    assert "What changed in revision 2, 2 February 2026" in text
    merge = git(repo, "rev-parse", "HEAD~1")  # the merge brought revision 1 to main
    assert f"/commit/{merge}" in first
    written = (out / REVISION.format(1)).stat().st_mtime_ns

    commit(repo, SECOND_CORRECTION, "Correct No. 2 again", "2026-02-10T15:00:00Z")
    result = build(repo, out)
    second = "2026-02-10T14:00:00Z"
    assert dates_shown(out)["feed"] == [("published", PUBLISHED), ("updated", second)]
    assert dates_shown(out)["page"].endswith("last updated 10 February 2026")
    page = (out / PAGE).read_text(encoding="utf-8")
    assert 'href="2026-01-30/revision-2.html"' in page
    middle = (out / REVISION.format(2)).read_text(encoding="utf-8")
    assert "as corrected on 2 February 2026" in visible_text(middle)
    assert "<del>Words worth quoting.</del> <ins>Words.</ins>" in middle
    # only the new revision page was written; the first is as it was
    assert (out / REVISION.format(1)).stat().st_mtime_ns == written
    assert "revision-1" not in result.stdout
    # revision pages are in no list, feed, sitemap or search index
    feed = (out / "feed.xml").read_text(encoding="utf-8")
    assert re.findall(r"<id>([^<]+)</id>", feed)[1:] == [URL]  # (the first is the feed's)
    assert "revision-" not in (out / "sitemap.xml").read_text(encoding="utf-8")
    for name in ("archive.json", "index.html", "years/2026.html", "topics/trade.html"):
        assert "revision-" not in (out / name).read_text(encoding="utf-8"), name
    index = b"".join(p.read_bytes() for p in (out / "pagefind").rglob("*") if p.is_file())
    assert b"revision-" not in index

    clean = tmp_path / "clean"
    build(repo, clean)
    assert_same_site(out, clean)


def test_a_shallow_clone_says_so_and_shows_the_same_dates(repo: Path, tmp_path: Path) -> None:
    shallow = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", repo.as_uri(), str(shallow)], check=True)
    full, cut = tmp_path / "full", tmp_path / "cut"
    build(repo, full)
    result = build(shallow, cut)
    said = [line for line in result.stdout.splitlines() if "revision pages" in line]
    assert said == [
        "revision pages: not built, git cannot tell the revisions here (a shallow clone, "
        "or no repository); 'git fetch --unshallow' brings them"
    ]
    assert not list(cut.glob("issues/2026/*/revision-*.html"))
    assert list(full.glob("issues/2026/*/revision-*.html"))
    assert dates_shown(cut) == dates_shown(full)
    assert len(tree(cut)) > 10


def test_a_correction_dated_after_its_commit_is_an_error(repo: Path, tmp_path: Path) -> None:
    late = tmp_path / "late"
    subprocess.run(["git", "clone", "-q", repo.as_uri(), str(late)], check=True)
    text = (late / ISSUE).read_text(encoding="utf-8")
    text = text.replace("Words.", "Words, again.").replace(
        "    text: The quote was shortened.\n",
        "    text: The quote was shortened.\n  - date: 2026-02-20\n    text: Later.\n",
    )
    commit(late, text, "A correction dated ahead", "2026-02-12T12:00:00Z")
    result = sphinx_build(late, tmp_path / "out")
    assert result.returncode != 0
    assert "correction dated 2026-02-20 is later than the commit that added it" in result.stderr
    assert "[newsletter.M213]" in result.stderr


def test_many_versions_are_read_in_forked_processes_with_the_same_revisions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The versions a build reads from git (520 in a clean build of 520 issues) are shared
    among processes forked from the build's, as the checker shares its files: the
    revisions are those one process finds."""
    from newsletter import processes
    from newsletter.history import revisions
    from newsletter.schema import publication

    repo = copy_project(tmp_path / "repo")
    git(repo, "init", "-q", "-b", "main")
    commit(repo, VALID, "Draft of No. 2", "2026-01-20T10:00:00Z")
    commit(repo, PUBLISHED_TEXT, "Publish No. 2", "2026-01-29T22:00:00Z")
    commit(repo, FIRST_CORRECTION, "Correct No. 2", "2026-02-02T10:00:00Z")
    pub = publication.load(repo)
    alone = revisions.published_revisions(repo, pub)
    assert alone is not None and [r.number for r in alone[ISSUE]] == [1, 2]
    forked: list[int] = []
    fork = os.fork

    def counted_fork() -> int:
        pid = fork()
        forked.extend([pid] if pid else [])
        return pid

    monkeypatch.setattr(os, "fork", counted_fork)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    monkeypatch.setattr(processes, "PARALLEL_FROM", 2)
    assert revisions.published_revisions(repo, pub) == alone
    assert len(forked) == 1


def test_the_revisions_are_not_pickled_with_the_environment(repo: Path, tmp_path: Path) -> None:
    """They are read from git at every build: the environment Sphinx keeps between builds
    (and each -j reader sends back) holds none of their text."""
    import pickle

    out = tmp_path / "out"
    build(repo, out)
    env = pickle.loads((out / ".doctrees" / "environment.pickle").read_bytes())
    assert env.newsletter_revisions == {}
    assert "First published 30 January 2026" in visible_text(
        (out / PAGE).read_text(encoding="utf-8")
    )
