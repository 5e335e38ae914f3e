"""Shared helpers: the repository, its publication, and small Sphinx builds."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.browser import CHROMIUM, chromium
from newsletter.schema import issuefile, publication, rules

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
#: The first issue (23 January 2026) as it was published: the tests' own copy. Tests of
#: the software never read issues/, which grows and is corrected; this file does not.
SEED = FIXTURES / "issues" / "2026-01-23.md"
#: where the seed lives in an archive
SEED_PATH = "issues/2026/2026-01-23.md"
#: the seed newsletter as the email delivered it (a copy of shared/seeds/)
SHARED_SEED = FIXTURES / "focus-this-week-2026-01-23.txt"


@pytest.fixture(scope="session")
def pub() -> publication.Publication:
    return publication.load(ROOT)


def findings(
    text: str | bytes, path: str = "issues/2026/2026-01-30.md"
) -> list[tuple[int, str, str]]:
    """Every problem the checker finds in one file's content, as (line, code, message)."""
    raw = text.encode("utf-8") if isinstance(text, str) else text
    pub = publication.load(ROOT)
    issue = issuefile.read(path, raw, pub)
    rules.body_findings(issue, pub)
    return [(p.line, p.code, p.message) for p in sorted(issue.problems)]


def sphinx_build(
    srcdir: Path, outdir: Path, *options: str, strict: bool = True
) -> subprocess.CompletedProcess:
    """Run sphinx-build the way ``make html`` does (``strict=False``: without ``-W``, as
    ``make serve`` does); returns the finished process."""
    command = [
        sys.executable, "-m", "sphinx", "-b", "html", *(("-W",) if strict else ()),
        "--keep-going", "-n", "-d", str(outdir / ".doctrees"), *options, str(srcdir), str(outdir),
    ]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(command, capture_output=True, text=True, env=env, check=False)


def make_project(tmp_path: Path, conf_extra: str = "") -> Path:
    """A minimal Sphinx project using the newsletter extension and the real publication.toml."""
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(ROOT / publication.FILENAME, src / publication.FILENAME)
    shutil.copytree(ROOT / "_templates", src / "_templates")
    (src / "conf.py").write_text(
        "extensions = ['myst_parser', 'newsletter']\n"
        "templates_path = ['_templates']\n"
        "myst_enable_extensions = ['colon_fence']\n"
        "smartquotes = False\n" + conf_extra,
        encoding="utf-8",
    )
    return src


#: A valid issue (a draft), the starting point of the checker's fixtures.
VALID = """\
---
title: A valid issue
date: 2026-01-30
number: 2
summary: One sentence that sums the issue up.
topics: [trade, diplomacy]
editors: [An Editor]
status: draft
---

## This Week

A brief of the week.

## Quote of the Week

:::{quote}
:attribution: Someone, somewhere
:source: https://example.org/quote
Words worth quoting.
:::

## By the Numbers

:::{stat} 42%
:source: https://example.org/stat
:as-of: 2026-01-29
What the figure measures.
:::

## Further Reading

- [An article](https://example.org/article)

## Question of the Week

:::{question}
:submit: editor@example.org
What do you think?
:::
"""


def edit(old: str, new: str, text: str = VALID) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def run_cli(cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    """``python -m newsletter ARGS`` in ``cwd``, with a minimal environment."""
    return subprocess.run(
        [sys.executable, "-m", "newsletter", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", **env},
    )


#: What a project of ours needs besides its issues.
PROJECT_FILES = ("conf.py", "publication.toml", "index.md", "_templates", "_static")


def copy_project(dest: Path, *, seed: bool = False) -> Path:
    """A copy of the site's project files at ``dest``, without the live issues; with the
    seed issue (the tests' fixture, :data:`SEED`) as its one issue if asked."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in PROJECT_FILES:
        source = ROOT / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, dest / name)
    if seed:
        (dest / SEED_PATH).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(SEED, dest / SEED_PATH)
    return dest


@pytest.fixture
def archive(tmp_path):
    """A scratch archive: the real publication.toml and two good issues."""
    (tmp_path / "publication.toml").write_bytes((ROOT / "publication.toml").read_bytes())
    folder = tmp_path / "issues" / "2026"
    folder.mkdir(parents=True)
    (folder / "2026-01-30.md").write_text(VALID, encoding="utf-8")
    second = edit("date: 2026-01-30", "date: 2026-02-06", edit("number: 2", "number: 3"))
    (folder / "2026-02-06.md").write_text(second, encoding="utf-8")
    return tmp_path


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium driven by playwright (make test installs it: tools/ensure-chromium)."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: make test installs it (tools/ensure-chromium)")
    with chromium() as launched:
        yield launched


class served:
    """``with served(folder) as base_url:``: a static file server on 127.0.0.1."""

    def __init__(self, folder: Path) -> None:
        import functools
        import http.server

        class Quiet(http.server.SimpleHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

        handler = functools.partial(Quiet, directory=str(folder))
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)

    def __enter__(self) -> str:
        import threading

        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self.server.server_address[1]}/"

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
