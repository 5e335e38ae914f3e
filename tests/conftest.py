"""Shared helpers: the repository, its publication, and small Sphinx builds."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from newsletter import issuefile, publication, rules

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "issues" / "2026" / "2026-01-23.md"
#: the seed newsletter as the email delivered it (a copy of shared/seeds/)
SHARED_SEED = ROOT / "tests" / "fixtures" / "focus-this-week-2026-01-23.txt"


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


def sphinx_build(srcdir: Path, outdir: Path, *options: str) -> subprocess.CompletedProcess:
    """Run sphinx-build the way ``make html`` does; returns the finished process."""
    command = [
        sys.executable, "-m", "sphinx", "-b", "html", "-W", "--keep-going", "-n",
        "-d", str(outdir / ".doctrees"), *options, str(srcdir), str(outdir),
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
