"""The archive: lists, feeds, drafts, versions, and builds that agree with each other."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from xml.etree import ElementTree as ET

import feedparser
import pytest
import sphinx

from newsletter.site import parallel_build, speedups

from .conftest import (
    assert_same_site,
    build,
    issue_text,
    make_archive,
    run_python,
    sphinx_build,
    tree,
    visible_text,
    write_issue,
)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("archive")
    src = make_archive(tmp / "src", 22)
    write_issue(src, 5, extra="\ncorrections:\n  - date: 2026-03-01\n    text: A figure was wrong.")
    return build(src, tmp / "out")


def page(site: Path, name: str) -> str:
    return (site / name).read_text(encoding="utf-8")


# -- what readers get -----------------------------------------------------------


def test_home_shows_latest_and_the_ten_before(site: Path) -> None:
    text = visible_text(page(site, "index.html"))
    latest = text.index("Latest issue")
    earlier = text.index("Earlier issues")
    assert latest < text.index("Issue 22 title") < earlier
    for number in range(12, 22):
        assert f"No. {number} ·" in text[earlier:]
    assert "Issue 11 title" not in text
    assert "Secret draft" not in text
    home = page(site, "index.html")
    assert 'href="years/index.html"' in home and 'href="topics/index.html"' in home
    assert 'href="feed.xml">Subscribe to the Atom feed' in home
    assert "Archive version: not built from a git commit" in text


def test_years_and_topics(site: Path) -> None:
    assert "2026 (22 issues)" in visible_text(page(site, "years/index.html"))
    year = visible_text(page(site, "years/2026.html"))
    assert year.index("Issue 22 title") < year.index("Issue 1 title")
    assert "No. 1 · 2 January 2026 · Trade and tariffs, Diplomacy" in year
    assert "One sentence that sums the issue up." in year
    topics = visible_text(page(site, "topics/index.html"))
    assert "Trade and tariffs (22 issues)" in topics and "Taiwan (0 issues)" in topics
    assert "Issue 3 title" in visible_text(page(site, "topics/trade.html"))
    assert "No published issue yet." in visible_text(page(site, "topics/taiwan.html"))


def test_issue_page_header_neighbours_and_revision_line(site: Path) -> None:
    issue = page(site, "issues/2026/2026-01-30.html")
    text = visible_text(issue)
    assert "No. 5 · 30 January 2026 · Trade and tariffs, Diplomacy" in text
    assert 'href="../../topics/trade.html"' in issue
    assert 'href="2026-01-23.html"' in issue and "No. 4: Issue 4 title" in text
    assert 'href="2026-02-06.html"' in issue and "No. 6: Issue 6 title" in text
    assert "Correction, 1 March 2026: A figure was wrong." in text
    assert "First published 30 January 2026 · last updated 1 March 2026" in text
    assert "/blob/main/issues/2026/2026-01-30.md" in issue
    assert "/commits/main/issues/2026/2026-01-30.md" in issue
    newest = page(site, "issues/2026/2026-05-29.html")
    assert 'class="right-next"' not in newest  # the draft after it is no neighbour


def test_sharing_metadata(site: Path) -> None:
    issue = page(site, "issues/2026/2026-01-02.html")
    base = "https://focus-this-week.chinausfocus.com/"
    assert f'<link rel="canonical" href="{base}issues/2026/2026-01-02.html"' in issue
    assert f'<meta property="og:url" content="{base}issues/2026/2026-01-02.html">' in issue
    assert '<meta property="og:title" content="Issue 1 title">' in issue
    assert (
        '<meta name="twitter:description" content="One sentence that sums the issue up.">' in issue
    )
    assert '<link rel="alternate" type="application/atom+xml"' in page(site, "years/index.html")


def test_draft_is_marked_and_listed_nowhere(site: Path) -> None:
    draft = page(site, "issues/2026/2026-06-05.html")
    assert "DRAFT: this issue is not published." in visible_text(draft)
    assert '<meta name="robots" content="noindex">' in draft
    for name in ("index.html", "years/2026.html", "topics/taiwan.html", "feed.xml",
                 "archive.json", "sitemap.xml"):  # fmt: skip
        content = page(site, name)
        assert "Secret draft" not in content and "2026-06-05" not in content, name


def test_feed_is_valid_atom_of_the_twenty_newest(site: Path) -> None:
    feed = feedparser.parse(page(site, "feed.xml"))
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert len(feed.entries) == 20
    first = feed.entries[0]
    assert first.title == "No. 22: Issue 22 title"
    assert first.link == "https://focus-this-week.chinausfocus.com/issues/2026/2026-05-29.html"
    assert first.summary == "One sentence that sums the issue up."
    assert "A brief of week 22 about word22." in first.content[0].value
    assert (
        'href="https://focus-this-week.chinausfocus.com/topics/trade.html"'
        in first.content[0].value
    )
    assert first.published.startswith("2026-05-29")
    corrected = next(e for e in feed.entries if e.title.startswith("No. 5:"))
    assert corrected.updated.startswith("2026-03-01")
    assert [e.title for e in feed.entries][-1] == "No. 3: Issue 3 title"


def test_archive_json_and_sitemap(site: Path) -> None:
    data = json.loads(page(site, "archive.json"))
    assert [i["number"] for i in data["issues"]] == list(range(22, 0, -1))
    assert data["issues"][-1] == {
        "number": 1, "date": "2026-01-02", "title": "Issue 1 title",
        "summary": "One sentence that sums the issue up.", "topics": ["trade", "diplomacy"],
        "url": "https://focus-this-week.chinausfocus.com/issues/2026/2026-01-02.html",
        "first_published": "2026-01-02T14:00:00Z", "last_updated": "2026-01-02T14:00:00Z",
    }  # fmt: skip
    assert data["version"] is None
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = [e.text for e in ET.fromstring(page(site, "sitemap.xml")).findall("s:url/s:loc", ns)]
    assert len(locs) == 1 + 1 + 1 + 1 + 13 + 22
    assert "https://focus-this-week.chinausfocus.com/topics/trade.html" in locs


def test_issue_page_does_not_grow_with_the_archive(tmp_path: Path, site: Path) -> None:
    small = build(make_archive(tmp_path / "small", 3, draft=False), tmp_path / "out")
    one = len(page(small, "issues/2026/2026-01-09.html"))
    many = len(page(site, "issues/2026/2026-01-09.html"))
    assert abs(many - one) < 200, (one, many)


# -- builds that agree -------------------------------------------------------------


def sources(src: Path) -> str:
    """A digest of every file of a project: its path and its bytes."""
    digest = hashlib.sha256()
    for path in sorted(p for p in src.rglob("*") if p.is_file()):
        digest.update(f"{path.relative_to(src).as_posix()}\0{path.stat().st_size}\0".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


class CleanBuilds:
    """What a clean build of a project gives, built once per state of its sources: two
    clean builds of the same sources are byte-identical (test_reproducible), so a state
    the scenario comes back to, or one it has just built from nothing, is not built again."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.trees: dict[str, dict[str, bytes]] = {}

    def first(self, src: Path, out: Path) -> Path:
        """The first build of a scenario, into an empty folder: a clean build too."""
        assert not out.exists()
        build(src, out)
        self.trees[sources(src)] = tree(out)
        return out

    def of(self, src: Path) -> dict[str, bytes]:
        key = sources(src)
        if key not in self.trees:
            self.trees[key] = tree(build(src, self.folder / f"clean-{len(self.trees)}"))
        return self.trees[key]


@pytest.mark.slow
def test_incremental_builds_equal_clean_builds(tmp_path: Path) -> None:
    src = make_archive(tmp_path / "src", 6)
    clean = CleanBuilds(tmp_path)
    work = clean.first(src, tmp_path / "work")

    def same_as_clean(step: str) -> None:
        build(src, work)
        assert_same_site(work, clean.of(src))

    same_as_clean("nothing")
    write_issue(src, 8)  # a new latest issue (after the draft, numbered 7)
    same_as_clean("added")
    write_issue(src, 3, title="A new title", topics="[energy, europe]")
    same_as_clean("title")
    path = write_issue(src, 2)  # a word of its text: a new search fragment, the old one gone
    path.write_text(path.read_text(encoding="utf-8").replace("word2", "wordtwo"), encoding="utf-8")
    same_as_clean("text")
    write_issue(src, 4, status="draft")  # taken back: out of the lists and the search index
    same_as_clean("unpublished")
    (src / issue_text(5)[0]).unlink()  # removed: its page goes too
    same_as_clean("removed")
    write_issue(src, 60)  # the first issue of a new year...
    same_as_clean("new year")
    (src / issue_text(60)[0]).unlink()  # ...taken out again: the year's page goes
    same_as_clean("year removed")
    toml = src / "publication.toml"  # a topic's name: every list that shows it
    toml.write_text(toml.read_text("utf-8").replace('"Trade and tariffs"', '"Trade"'), "utf-8")
    same_as_clean("topic renamed")


@pytest.mark.slow
def test_builds_after_an_interruption_or_another_layout_equal_clean_builds(tmp_path: Path) -> None:
    """A build stopped after the archive's pages were written, a fresh environment (-E)
    after a removal, a dirhtml build into the same folder, an extension taken away, and
    a file system whose clock is behind: the next build is still the clean build."""
    src = make_archive(tmp_path / "src", 5)
    clean = CleanBuilds(tmp_path)
    work = clean.first(src, tmp_path / "work")
    interrupted = (
        "import sys\n"
        "from sphinx.builders.html import StandaloneHTMLBuilder\n"
        "def stop(self):\n    raise KeyboardInterrupt  # Ctrl-C once the pages are written\n"
        "StandaloneHTMLBuilder.gen_additional_pages = stop\n"
        "from sphinx.cmd.build import main\nsys.exit(main(sys.argv[1:]))\n"
    )
    write_issue(src, 3, title="Interrupted title")
    options = ("-b", "html", "-d", str(work / ".doctrees"), str(src), str(work))
    stopped = run_python("-c", interrupted, *options)
    assert stopped.returncode != 0
    assert "Interrupted title" in (work / "years" / "2026.html").read_text(encoding="utf-8")
    write_issue(src, 3)  # back as it was
    build(src, work)
    assert_same_site(work, clean.of(src))

    (src / issue_text(4)[0]).unlink()
    build(src, work, "-E")  # a fresh environment no longer knows issue 4 was there
    assert_same_site(work, clean.of(src))

    extension = src / "extra_script.py"
    extension.write_text("def setup(app):\n    app.add_js_file('extra.js')\n", encoding="utf-8")
    conf = (src / "conf.py").read_text(encoding="utf-8")
    (src / "conf.py").write_text(
        conf + "\nimport sys\nsys.path.insert(0, str(ROOT))\nextensions.append('extra_script')\n",
        encoding="utf-8",
    )
    build(src, work)
    assert "extra.js" in (work / "topics" / "index.html").read_text(encoding="utf-8")
    (src / "conf.py").write_text(conf, encoding="utf-8")  # the extension taken away
    extension.unlink()
    shutil.rmtree(src / "__pycache__", ignore_errors=True)
    build(src, work)
    assert_same_site(work, clean.of(src))

    for path in (work / "pagefind").rglob("*"):
        os.utime(path, (946684800, 946684800))  # stamped in 2000 by a clock far behind
    write_issue(src, 2, title="Edited on a slow clock")
    build(src, work)
    assert_same_site(work, clean.of(src))
    assert (work / "pagefind" / "2026" / "pagefind.js").is_file()

    build(src, work, "-b", "dirhtml")
    build(src, work)
    mixed, same = tree(work), clean.of(src)
    assert [name for name in same if mixed.get(name) != same[name]] == []
    # what is left of the other layout is its search page, not ours
    assert sorted(set(mixed) - set(same)) == ["search/index.html"]


@pytest.mark.slow
def test_unchanged_archive_pages_are_not_rewritten(tmp_path: Path) -> None:
    src = make_archive(tmp_path / "src", 4)
    out = build(src, tmp_path / "out")
    generated = ["search.html", "years/index.html", "years/2026.html", "topics/index.html"]
    generated += ["topics/trade.html", "topics/energy.html", "index.html"]

    def stamps() -> dict[str, int]:
        return {name: (out / name).stat().st_mtime_ns for name in generated}

    # the files made from the records: made again only when the records changed
    files = ["feed.xml", "sitemap.xml", "archive.json"]

    def made() -> dict[str, int]:
        return {name: (out / name).stat().st_mtime_ns for name in files}

    before, files_before = stamps(), made()
    sitemap = (out / "sitemap.xml").read_bytes()
    build(src, out)
    assert stamps() == before
    assert made() == files_before
    (out / "sitemap.xml").unlink()  # a file gone from the output is made again
    build(src, out)
    assert (out / "sitemap.xml").read_bytes() == sitemap
    # a word of an issue's text: its page and the feed, which carries its text; no list,
    # and no other file made from the records
    path = write_issue(src, 3)
    path.write_text(path.read_text(encoding="utf-8").replace("word3", "edited"), "utf-8")
    files_before = made()
    build(src, out)
    assert stamps() == before
    assert {name for name, time in made().items() if time != files_before[name]} == {"feed.xml"}
    assert "edited" in (out / "feed.xml").read_text(encoding="utf-8")
    write_issue(src, 2, title="Renamed", topics="[energy]")
    build(src, out)
    after = stamps()
    rewritten = sorted(name for name in generated if after[name] != before[name])
    # the home page, the year and both topics list it; the counts of the topics index changed
    assert rewritten == [
        "index.html",
        "topics/energy.html",
        "topics/index.html",
        "topics/trade.html",
        "years/2026.html",
    ]
    assert "Renamed" in (out / "years/2026.html").read_text(encoding="utf-8")
    assert "Renamed" in (out / "feed.xml").read_text(encoding="utf-8")
    assert "Renamed" in (out / "archive.json").read_text(encoding="utf-8")


@pytest.mark.slow
def test_an_edit_reindexes_its_years_search_bundle_alone(tmp_path: Path) -> None:
    """The search index is one Pagefind bundle per year: an edit runs Pagefind over its
    year's issues only, and leaves the other years' files untouched."""
    src = make_archive(tmp_path / "src", 3)
    write_issue(src, 60)  # the first issue of 2027
    out = build(src, tmp_path / "out")
    assert sorted(p.name for p in (out / "pagefind").iterdir()) == ["2026", "2027"]

    def stamps(year: str) -> dict[str, int]:
        return {p.name: p.stat().st_mtime_ns for p in (out / "pagefind" / year).rglob("*")}

    before = stamps("2026")
    path = write_issue(src, 60)  # a word of its text (its title is in its neighbour's page)
    path.write_text(path.read_text(encoding="utf-8").replace("word60", "edited"), "utf-8")
    result = sphinx_build(src, out)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "search index: 1 of 4 issues indexed (1 of 2 years)" in result.stdout
    assert stamps("2026") == before
    assert_same_site(out, build(src, tmp_path / "clean"))


@pytest.mark.slow
def test_an_interrupted_index_is_rebuilt_whole(tmp_path: Path) -> None:
    """A search bundle left by a run that did not finish is not trusted: Pagefind does
    not rewrite a file whose name it would write, so a torn fragment would stay."""
    src = make_archive(tmp_path / "src", 3)
    work = build(src, tmp_path / "work")
    fragment = next((work / "pagefind").glob("*/fragment/*"))
    fragment.write_bytes(fragment.read_bytes()[:10])  # torn by a killed run...
    stamps = list((tmp_path / "work" / ".doctrees").glob("newsletter-*-search-inputs-*"))
    assert len(stamps) == 1
    stamps[0].unlink()  # ...which never wrote its stamp
    write_issue(src, 1, title="Changed, so that the index runs again")
    build(src, work)
    assert_same_site(work, build(src, tmp_path / "clean"))


@pytest.mark.slow
def test_parallel_build_equals_serial_build(tmp_path: Path) -> None:
    """With -j 2 the 15 documents are read in two chunks, one per process (Sphinx's own
    parallel read makes three of 7, 7 and 1: newsletter/site/parallel_build.py), and the
    site is the serial build's, byte for byte."""
    src = make_archive(tmp_path / "src", 13)
    serial = build(src, tmp_path / "serial", "-j", "1")
    done = sphinx_build(src, tmp_path / "parallel", "-j", "2")
    assert done.returncode == 0, done.stderr[-3000:]
    assert [done for done, _ in progress(done.stdout, "reading sources")] == ["50", "100"]
    assert_same_site(serial, tmp_path / "parallel")
    # a few edits are read and written in the main process, one by one (a forked
    # process's chunk is shown as a range, "first .. last")
    paths = [
        write_issue(src, n, extra="\ncorrections:\n  - date: 2026-03-01\n    text: Fixed.")
        for n in (5, 6, 7)
    ]
    done = sphinx_build(src, tmp_path / "parallel", "-j", "2")
    assert done.returncode == 0, done.stderr[-3000:]
    steps = progress(done.stdout, "reading sources") + progress(done.stdout, "writing output")
    for path in paths:
        assert [step for _, step in steps].count(f"issues/2026/{path.stem}") == 2, steps


def progress(stdout: str, what: str) -> list[tuple[str, str]]:
    """Sphinx's progress lines for ``what``: (percentage, what was done), whether it writes
    them one per line or, on a terminal or in CI, over each other."""
    pattern = re.escape(what) + r"\.\.\. \[\s*(\d+)%\] ([^\r\n\x1b]*)"
    return [(done, step.strip()) for done, step in re.findall(pattern, stdout)]


@pytest.mark.slow
def test_dates_are_editorial_whatever_the_commits_say(tmp_path: Path) -> None:
    src = make_archive(tmp_path / "src", 2, draft=False)

    def commit(message: str, when: str) -> None:
        env = {**os.environ, "GIT_AUTHOR_NAME": "E", "GIT_AUTHOR_EMAIL": "e@example.org",
               "GIT_COMMITTER_NAME": "E", "GIT_COMMITTER_EMAIL": "e@example.org",
               "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}  # fmt: skip
        for args in (["add", "-A"], ["commit", "-qm", message]):
            subprocess.run(["git", *args], cwd=src, env=env, check=True)

    subprocess.run(["git", "init", "-q"], cwd=src, check=True)
    commit("first", "2026-11-02T10:00:00Z")  # committed long after the issues' dates
    path = write_issue(src, 2, extra="\ncorrections:\n  - date: 2026-01-20\n    text: Typo.")
    commit("correct", "2026-11-21T09:00:00Z")
    out = build(src, tmp_path / "out")
    text = visible_text(page(out, "issues/2026/2026-01-09.html"))
    assert "First published 9 January 2026 · last updated 20 January 2026" in text
    assert "First published 2 January 2026 · source" in visible_text(
        page(out, "issues/2026/2026-01-02.html")
    )
    data = json.loads(page(out, "archive.json"))
    assert data["version"]["date"] == "2026-11-21T09:00:00Z"  # the archive's own version
    assert data["issues"][0]["first_published"] == "2026-01-09T14:00:00Z"
    assert data["issues"][0]["last_updated"] == "2026-01-20T14:00:00Z"
    # later commits that change nothing a reader sees change no date
    path.write_text(path.read_text() + "\nMore.\n")
    commit("more", "2026-12-02T09:00:00Z")
    path.write_text(path.read_text().removesuffix("\nMore.\n"))
    commit("less", "2026-12-03T09:00:00Z")
    build(src, out)
    assert "last updated 20 January 2026" in visible_text(page(out, "issues/2026/2026-01-09.html"))
    # a commit of no issue: nothing is read again, but archive.json names the new commit
    (src / "NOTES.txt").write_text("Not an issue.\n", encoding="utf-8")
    commit("notes", "2026-12-04T09:00:00Z")
    build(src, out)
    assert json.loads(page(out, "archive.json"))["version"]["date"] == "2026-12-04T09:00:00Z"


def test_the_frame_digest_names_the_renderers_versions(monkeypatch: pytest.MonkeyPatch) -> None:
    """A page made by another version of Sphinx or the theme is written again."""
    import sphinx_book_theme

    from newsletter.site import write_cache

    before = write_cache._package_versions()
    assert f"sphinx=={sphinx.__version__}" in before.splitlines()
    monkeypatch.setattr(sphinx_book_theme, "__version__", "0.0.0-other")
    assert write_cache._package_versions() != before


def test_a_search_part_is_a_plain_folder_name() -> None:
    """A year's folder names a bundle and is written into the search page: a folder whose
    name could carry markup or climb out is refused, not used."""
    from newsletter.outputs import search
    from newsletter.outputs.search.bundle import SearchIndexError

    assert search.part_of("issues/2026/2026-01-23.html") == "2026"
    assert search.part_of("issues/2026/2026-01-23/index.html") == "2026"
    for page in ('issues/x"><script>/a.html', "issues/../a.html", "years/2026.html"):
        with pytest.raises(SearchIndexError):
            search.part_of(page)


@pytest.mark.parametrize(
    ("to_read", "known", "forked"),
    [(15, 15, True), (520, 521, True), (7, 7, False), (3, 521, False), (200, 5201, False)],
)
def test_only_a_read_of_many_documents_and_most_of_the_archive_is_forked(
    to_read: int, known: int, forked: bool
) -> None:
    """An edit's few documents, or a small share of a large archive (each process would
    send the whole environment back), are read in the main process."""
    assert parallel_build.read_in_parallel(to_read, known) is forked


#: a build (``python -c``, argv: the source, doctree and output folders) that prints
#: the name of every template Jinja compiled, with the build's own folder of compiled
#: templates (the tests' prepared interpreter shares one among its builds: conftest).
#: Sphinx's static ``_t`` files, rendered from strings, have no name to be kept under.
COMPILES = """
import sys, jinja2
from newsletter.site import speedups
speedups.FileSystemBytecodeCache = jinja2.FileSystemBytecodeCache
compiled, compile = [], jinja2.Environment.compile
def counted(self, source, name=None, filename=None, *args, **kwargs):
    compiled.append(name)
    return compile(self, source, name, filename, *args, **kwargs)
jinja2.Environment.compile = counted
from sphinx.cmd.build import build_main
done = build_main(["-b", "html", "-q", "-E", "-d", sys.argv[2], sys.argv[1], sys.argv[3]])
print(done, *sorted({name for name in compiled if name}))
"""


@pytest.mark.slow
def test_a_build_compiles_only_templates_it_has_not_compiled_before(tmp_path: Path) -> None:
    """Compiled templates are kept in the doctree folder (newsletter/site/speedups.py):
    the next build, reading every issue again, compiles none; a changed template is
    compiled again, alone."""
    src = make_archive(tmp_path / "src", 2)
    folders = (str(src), str(tmp_path / "doctrees"), str(tmp_path / "out"))

    def compiled() -> list[str]:
        done = run_python("-c", COMPILES, *folders)
        assert done.stdout.split()[:1] == ["0"], done.stderr[-2000:]
        return done.stdout.split()[1:]

    first = compiled()
    assert "layout.html" in first and len(first) > 20, first
    assert compiled() == []
    layout = src / "_templates" / "layout.html"
    layout.write_text(layout.read_text(encoding="utf-8") + "{# changed #}\n", encoding="utf-8")
    assert compiled() == ["layout.html"]


FROZEN_WHILE_WRITING = """
import gc, os, sys
from sphinx.application import Sphinx
app = Sphinx(sys.argv[1], sys.argv[1], sys.argv[3], sys.argv[2], "html", status=None)
seen = []
app.connect("html-page-context", lambda *args: seen.append(gc.get_freeze_count()))
app.build()
read, write = os.pipe()
child = os.fork()
if child == 0:  # a process forked during a build, as Sphinx forks its readers and writers
    os.write(write, str(gc.get_freeze_count()).encode())
    os._exit(0)
os.waitpid(child, 0)
print(app.statuscode, min(seen), gc.get_freeze_count(), os.read(read, 100).decode())
"""


def test_the_collector_leaves_alone_what_a_build_keeps(tmp_path: Path) -> None:
    """While the pages are written the environment is out of the collector's reach, and a
    process forked by the build leaves alone what it inherits; after the build, the
    collector reaches everything again (newsletter/site/speedups.py)."""
    src = make_archive(tmp_path / "src", 2)
    done = run_python(
        "-c", FROZEN_WHILE_WRITING, str(src), str(tmp_path / "doctrees"), str(tmp_path / "out")
    )
    status, while_writing, after, in_child = map(int, done.stdout.split())
    assert status == 0, done.stderr[-2000:]
    assert while_writing > 10_000  # the environment, Sphinx and the theme: frozen
    assert after == 0
    assert in_child > 10_000


def test_a_build_collects_its_garbage_less_often(tmp_path: Path) -> None:
    """The collector's first generation every 10,000 allocations during a build, not every
    700 (newsletter/site/speedups.py)."""
    src = make_archive(tmp_path / "src", 2)
    code = (
        "import gc, sys; from sphinx.cmd.build import build_main; "
        "done = build_main(['-b', 'html', '-q', '-d', sys.argv[2], sys.argv[1], sys.argv[3]]); "
        "print(done, *gc.get_threshold())"
    )
    done = run_python("-c", code, str(src), str(tmp_path / "doctrees"), str(tmp_path / "out"))
    assert done.stdout.split() == ["0", *map(str, speedups.GC_THRESHOLD)], done.stderr[-2000:]
    assert speedups.GC_THRESHOLD[0] > 700
