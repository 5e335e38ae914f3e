"""Two clean builds of the same commit give byte-identical sites."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import assert_same_site, copy_project, sphinx_build, tree, write_issue

pytestmark = pytest.mark.slow


def committed_project(tmp: Path, when: str = "2026-11-20T10:00:00Z") -> Path:
    src = copy_project(tmp / "src", seed=True)
    for number in (2, 3):
        write_issue(src, number + 40)  # later in 2026, after the seed
    env = {**os.environ, "GIT_AUTHOR_NAME": "E", "GIT_AUTHOR_EMAIL": "e@example.org",
           "GIT_COMMITTER_NAME": "E", "GIT_COMMITTER_EMAIL": "e@example.org",
           "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}  # fmt: skip
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "issues"]):
        subprocess.run(["git", *args], cwd=src, env=env, check=True)
    return src


def build_with(src: Path, out: Path, own_process: bool = False, **env: str) -> str:
    """Build with extra environment variables; the home page's HTML."""
    saved = {k: os.environ.get(k) for k in [*env, "SOURCE_DATE_EPOCH"]}
    os.environ.pop("SOURCE_DATE_EPOCH", None)
    os.environ.update(env)
    try:
        result = sphinx_build(src, out, own_process=own_process)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    assert result.returncode == 0, result.stderr[-2000:]
    return (out / "index.html").read_text(encoding="utf-8")


def test_dates_come_from_the_commit_not_the_clock(tmp_path: Path) -> None:
    src = committed_project(tmp_path, when="2024-06-01T10:00:00Z")
    home = build_with(src, tmp_path / "out")
    assert "of 2024-06-01 10:00 UTC" in home  # the archive's version: the commit
    assert "© Copyright 2024, China-US Focus." in home  # not this year


def test_source_date_epoch_is_honoured(tmp_path: Path) -> None:
    src = committed_project(tmp_path)
    home = build_with(src, tmp_path / "out", SOURCE_DATE_EPOCH="1735689600")  # 2025-01-01
    assert "© Copyright 2025, China-US Focus." in home  # the caller's date wins


def german_locale(tmp: Path) -> dict[str, str]:
    """The environment of a machine set to German in Shanghai (the locale compiled with
    localedef into ``tmp`` when the system lacks it)."""
    env = {"LC_ALL": "de_DE.UTF-8", "LANG": "de_DE.UTF-8", "TZ": "Asia/Shanghai"}
    installed = subprocess.run(["locale", "-a"], capture_output=True, text=True).stdout
    if "de_DE.utf8" not in installed.split():
        done = subprocess.run(
            ["localedef", "-i", "de_DE", "-f", "UTF-8", str(tmp / "de_DE.UTF-8")],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert (tmp / "de_DE.UTF-8").is_dir(), done.stderr
        env["LOCPATH"] = str(tmp)
    probe = subprocess.run(
        [sys.executable, "-c",
         "import locale, time; locale.setlocale(locale.LC_ALL, ''); "
         "print(time.strftime('%B', time.strptime('2026-01-23', '%Y-%m-%d')))"],
        capture_output=True, text=True, env={**os.environ, **env}, check=True,
    )  # fmt: skip
    assert probe.stdout.strip() == "Januar"  # the machine would write German month names
    return env


def test_two_clean_builds_are_byte_identical_whatever_the_locale_and_time_zone(
    tmp_path: Path,
) -> None:
    """Each build in a new interpreter, with a hash seed of its own, which reads the locale
    and the time zone as it starts: one as this machine is set, one set to German in
    Shanghai (one test: two such builds are the whole of each claim, and a build of its
    own interpreter costs 3 s of CPU)."""
    src = committed_project(tmp_path)
    default = tmp_path / "default"
    result = sphinx_build(src, default, own_process=True)
    assert result.returncode == 0, result.stderr[-2000:]
    german = tmp_path / "german"
    env = german_locale(tmp_path)
    build_with(src, german, own_process=True, **env)
    assert len(tree(default)) > 20
    assert "23 January 2026" in (default / "issues/2026/2026-01-23.html").read_text("utf-8")
    assert_same_site(default, german)
