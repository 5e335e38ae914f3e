"""``check --since REF``: an issue published at REF is frozen (V501–V504), with exact output.

``--since auto`` (``make check``): REF is the merge base of HEAD with the default branch.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT, VALID, edit, outside_make, run_cli

PUBLISHED = VALID.replace("status: draft", "status: published")
#: a draft at the commit, number 3, a week later
DRAFT = edit("number: 2", "number: 3", edit("date: 2026-01-30", "date: 2026-02-06"))
ISSUE = "issues/2026/2026-01-30.md"
CORRECTION = "corrections:\n  - date: 2026-02-02\n    text: The brief named the wrong city.\n"
V503 = (
    "published issue changed since HEAD without a new corrections entry "
    "(add one: - date: YYYY-MM-DD / text: what was corrected) [V503]"
)
#: git without the user's or the system's configuration
GIT_ENV = {
    "PATH": "/usr/bin:/bin",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.org",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.org",
}


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, env=GIT_ENV, check=True, capture_output=True)


def commit_all(repo: Path, message: str = "Publish") -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository whose one commit holds a published issue and a draft."""
    repo = tmp_path / "repo"
    folder = repo / "issues" / "2026"
    folder.mkdir(parents=True)
    (repo / "publication.toml").write_bytes((ROOT / "publication.toml").read_bytes())
    (folder / "2026-01-30.md").write_text(PUBLISHED, encoding="utf-8")
    (folder / "2026-02-06.md").write_text(DRAFT, encoding="utf-8")
    git(repo, "init", "-q", "--initial-branch=main")
    commit_all(repo)
    return repo


def rewrite(repo: Path, old: str, new: str, path: str = ISSUE) -> None:
    file = repo / path
    file.write_text(edit(old, new, file.read_text(encoding="utf-8")), encoding="utf-8")


def outcome(repo: Path, *args: str) -> tuple[int, list[str]]:
    result = run_cli(repo, "check", "--since", "HEAD", *args)
    assert "Traceback" not in result.stderr
    return result.returncode, result.stdout.splitlines()


def test_unchanged(repo: Path) -> None:
    result = run_cli(repo, "check", "--since", "HEAD")
    assert (result.returncode, result.stdout) == (0, "")
    assert result.stderr == "checked 2 issue file(s): no problems\n"


def test_text_edited_without_a_correction(repo: Path) -> None:
    rewrite(repo, "A brief of the week.", "A corrected brief of the week.")
    assert outcome(repo) == (1, [f"{ISSUE}:1: {V503}"])
    # without --since the edit is fine
    assert run_cli(repo, "check").returncode == 0


def test_text_edited_with_a_new_correction(repo: Path) -> None:
    rewrite(repo, "A brief of the week.", "A corrected brief of the week.")
    rewrite(repo, "status: published\n", "status: published\n" + CORRECTION)
    assert outcome(repo) == (0, [])
    # once committed, the next change needs a correction of its own
    commit_all(repo, "Correct")
    rewrite(repo, "A corrected brief", "A twice corrected brief")
    assert outcome(repo) == (1, [f"{ISSUE}:9: {V503}"])
    rewrite(repo, "wrong city.\n", "wrong city.\n  - date: 2026-02-03\n    text: Again.\n")
    assert outcome(repo) == (0, [])


def test_a_malformed_correction_does_not_count(repo: Path) -> None:
    rewrite(repo, "A brief", "A corrected brief")
    rewrite(repo, "status: published\n", "status: published\ncorrections:\n  - text: No date.\n")
    assert outcome(repo) == (
        1,
        [
            f"{ISSUE}:9: corrections must be a list of entries with a date (YYYY-MM-DD) and a text [M206]",
            f"{ISSUE}:9: {V503}",
        ],
    )


def test_number_changed(repo: Path) -> None:
    rewrite(repo, "number: 2", "number: 5")
    assert outcome(repo) == (
        1,
        [
            f"{ISSUE}:1: {V503}",
            f"{ISSUE}:4: the number of a published issue cannot change (was 2 at HEAD) [V501]",
        ],
    )
    # a correction does not make a new number acceptable
    rewrite(repo, "status: published\n", "status: published\n" + CORRECTION)
    assert outcome(repo) == (
        1,
        [f"{ISSUE}:4: the number of a published issue cannot change (was 2 at HEAD) [V501]"],
    )


def test_date_changed_in_place(repo: Path) -> None:
    rewrite(repo, "date: 2026-01-30", "date: 2026-02-02")
    assert outcome(repo) == (
        1,
        [
            f"{ISSUE}:1: {V503}",
            f"{ISSUE}:3: date 2026-02-02 does not match the file name 2026-01-30 [M209]",
            f"{ISSUE}:3: the date of a published issue cannot change (was 2026-01-30 at HEAD) [V502]",
        ],
    )


def test_date_changed_with_the_file_name(repo: Path) -> None:
    """Renaming the file to the new date is removing the published issue."""
    rewrite(repo, "date: 2026-01-30", "date: 2026-02-02")
    (repo / ISSUE).rename(repo / "issues/2026/2026-02-02.md")
    assert outcome(repo) == (1, [f"{ISSUE}:1: a published issue cannot be removed [V504]"])


def test_file_removed(repo: Path) -> None:
    (repo / ISSUE).unlink()
    result = run_cli(repo, "check", "--since", "HEAD")
    assert result.returncode == 1
    assert result.stdout == f"{ISSUE}:1: a published issue cannot be removed [V504]\n"
    assert result.stderr == "checked 1 issue file(s): 1 problem(s)\n"


def test_a_draft_changes_freely(repo: Path) -> None:
    draft = "issues/2026/2026-02-06.md"
    rewrite(repo, "A brief of the week.", "Rewritten.", path=draft)
    rewrite(repo, "number: 3", "number: 4", path=draft)
    rewrite(repo, "status: draft", "status: published", path=draft)
    assert outcome(repo) == (0, [])
    # moving a draft is fine too
    (repo / draft).rename(repo / "issues/2026/2026-02-07.md")
    rewrite(repo, "date: 2026-02-06", "date: 2026-02-07", path="issues/2026/2026-02-07.md")
    assert outcome(repo) == (0, [])


def test_new_files_follow_the_normal_rules_only(repo: Path) -> None:
    new = edit("number: 2", "number: 3", edit("date: 2026-01-30", "date: 2026-02-13", PUBLISHED))
    (repo / "issues/2026/2026-02-13.md").write_text(new, encoding="utf-8")
    assert outcome(repo) == (
        1,
        [
            "issues/2026/2026-02-13.md:4: number 3 is already the number of "
            "issues/2026/2026-02-06.md [M210]"
        ],
    )


def test_only_the_named_files(repo: Path) -> None:
    rewrite(repo, "A brief", "A corrected brief")
    assert outcome(repo, "issues/2026/2026-02-06.md") == (0, [])
    assert outcome(repo, ISSUE) == (1, [f"{ISSUE}:1: {V503}"])


def test_older_revisions_and_formats(repo: Path) -> None:
    rewrite(repo, "A brief", "A corrected brief")
    commit_all(repo, "Edit without a correction")
    assert outcome(repo) == (0, [])
    result = run_cli(repo, "check", "--since", "HEAD~1", "--format", "json")
    assert json.loads(result.stdout) == [
        {
            "path": ISSUE,
            "line": 1,
            "code": "V503",
            "severity": "error",
            "message": V503.removesuffix(" [V503]").replace("HEAD", "HEAD~1"),
        }
    ]
    github = run_cli(repo, "check", "--since", "HEAD~1", "--format", "github").stdout
    assert github.startswith(f"::error file={ISSUE},line=1,title=V503::published issue changed")


def test_a_publication_in_a_folder_of_the_repository(repo: Path) -> None:
    site = repo / "site"
    site.mkdir()
    for name in ("publication.toml", "issues"):
        (repo / name).rename(site / name)
    commit_all(repo, "Move into site/")
    rewrite(site, "A brief", "A corrected brief")
    assert outcome(site) == (1, [f"{ISSUE}:1: {V503}"])
    assert outcome(site / "issues") == (1, [f"{ISSUE}:1: {V503}"])


def test_line_endings_converted_by_git_are_no_change(repo: Path) -> None:
    git(repo, "config", "core.autocrlf", "true")
    file = repo / ISSUE
    file.write_bytes(file.read_bytes().replace(b"\n", b"\r\n"))
    assert outcome(repo) == (0, [])


@pytest.mark.parametrize("ref", ["no-such-branch", "HEAD~1", "-x", "HEAD:issues", ""])
def test_unknown_revision(repo: Path, ref: str) -> None:
    result = run_cli(repo, "check", f"--since={ref}")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == f"error: unknown git revision '{ref}'\n"


def test_not_a_git_repository(tmp_path: Path) -> None:
    (tmp_path / "publication.toml").write_bytes((ROOT / "publication.toml").read_bytes())
    env = {"GIT_CEILING_DIRECTORIES": str(tmp_path.parent)}
    result = run_cli(tmp_path, "check", "--since", "HEAD", **env)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == f"error: not a git repository: '{tmp_path.resolve()}'\n"


def test_no_git_at_all(repo: Path, tmp_path: Path) -> None:
    result = run_cli(repo, "check", "--since", "HEAD", PATH=str(tmp_path / "empty"))
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.startswith("error: cannot run git: ")
    assert len(result.stderr.splitlines()) == 1


# --since auto: the merge base of HEAD with the default branch (make check)


def short(repo: Path, rev: str = "HEAD") -> str:
    done = subprocess.run(
        ["git", "rev-parse", "--short=8", rev],
        cwd=repo,
        env=GIT_ENV,
        check=True,
        capture_output=True,
    )
    return done.stdout.decode().strip()


def since(base: str) -> str:
    """The V503 message for an issue changed since ``base``."""
    return V503.replace("since HEAD", f"since {base}")


def auto(repo: Path, *args: str, **env: str) -> tuple[int, list[str], list[str]]:
    """Exit code, stdout and stderr lines of ``check --since auto ARGS``."""
    result = run_cli(repo, "check", "--since", "auto", *args, **env)
    assert "Traceback" not in result.stderr
    return result.returncode, result.stdout.splitlines(), result.stderr.splitlines()


def compared(repo: Path, base: str, branch: str) -> str:
    return f"frozen issues: compared with {short(repo, base)} (merge base with {branch})"


def test_auto_on_the_default_branch_compares_with_the_last_commit(repo: Path) -> None:
    head = short(repo)
    assert auto(repo) == (
        0,
        [],
        [compared(repo, "HEAD", "main"), "checked 2 issue file(s): no problems"],
    )
    rewrite(repo, "A brief of the week.", "A corrected brief of the week.")  # not committed
    assert auto(repo) == (
        1,
        [f"{ISSUE}:1: {since(head)}"],
        [compared(repo, "HEAD", "main"), "checked 2 issue file(s): 1 problem(s)"],
    )
    # the message names the file and says what to add
    assert f"{ISSUE}:1: published issue changed since {head} " in auto(repo)[1][0]
    assert "(add one: - date: YYYY-MM-DD / text: what was corrected)" in auto(repo)[1][0]
    # a named file: only its own frozen rule
    assert auto(repo, "issues/2026/2026-02-06.md")[:2] == (0, [])
    assert auto(repo, ISSUE)[:2] == (1, [f"{ISSUE}:1: {since(head)}"])
    rewrite(repo, "status: published\n", "status: published\n" + CORRECTION)
    assert auto(repo)[:2] == (0, [])


def test_auto_on_a_branch_compares_with_where_it_left_the_default_branch(repo: Path) -> None:
    base = short(repo)
    git(repo, "checkout", "-q", "-b", "edit")
    # main moves on: the draft is published there
    git(repo, "checkout", "-q", "main")
    rewrite(repo, "status: draft", "status: published", path="issues/2026/2026-02-06.md")
    commit_all(repo, "Publish the draft")
    git(repo, "checkout", "-q", "edit")
    # the branch edits the draft (a draft at the merge base, free) and, in a commit of its
    # own, the published issue without a correction: HEAD alone would not show it
    rewrite(repo, "A brief of the week.", "Rewritten.", path="issues/2026/2026-02-06.md")
    rewrite(repo, "A brief of the week.", "A corrected brief of the week.")
    commit_all(repo, "Edit")
    assert auto(repo) == (
        1,
        [f"{ISSUE}:1: {since(base)}"],
        [compared(repo, base, "main"), "checked 2 issue file(s): 1 problem(s)"],
    )
    rewrite(repo, "status: published\n", "status: published\n" + CORRECTION)
    assert auto(repo)[:2] == (0, [])


def test_auto_prefers_origin_then_the_repository_branch(repo: Path, tmp_path: Path) -> None:
    git(repo, "branch", "stable")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(repo), str(clone))
    base = short(clone)
    # a commit on the local main: origin/main (origin/HEAD) is still the base
    rewrite(clone, "A brief of the week.", "A corrected brief of the week.")
    commit_all(clone, "Edit on the local main")
    error = [f"{ISSUE}:1: {since(base)}"]
    assert auto(clone)[:3] == (
        1,
        error,
        [compared(clone, base, "origin/main"), *auto(clone)[2][1:]],
    )
    # origin/HEAD names the default branch
    git(clone, "remote", "set-head", "origin", "stable")
    assert auto(clone)[2][0] == compared(clone, base, "origin/stable")
    # without origin/HEAD: origin/<repository_branch of publication.toml>, then the local one
    git(clone, "remote", "set-head", "origin", "--delete")
    assert auto(clone)[2][0] == compared(clone, base, "origin/main")
    rewrite(clone, 'repository_branch = "main"', 'repository_branch = "trunk"', "publication.toml")
    git(clone, "branch", "trunk", "HEAD~1")
    assert auto(clone)[:3] == (1, error, [compared(clone, base, "trunk"), *auto(clone)[2][1:]])


def test_auto_without_a_default_branch(repo: Path) -> None:
    rewrite(repo, "A brief of the week.", "A corrected brief of the week.")
    git(repo, "branch", "-m", "main", "other")
    notice = "frozen issues: not checked: no default branch (none of origin/main, main exists)"
    assert auto(repo) == (0, [], [notice, "checked 2 issue file(s): no problems"])
    # the other rules decide the exit code
    rewrite(repo, "number: 2", "number: 3")
    returncode, out, err = auto(repo)
    assert (returncode, err[0]) == (1, notice)
    assert [line[-6:] for line in out] == ["[M210]"]


def test_auto_before_the_first_commit(repo: Path, tmp_path: Path) -> None:
    fresh = tmp_path / "fresh"
    shutil.copytree(repo, fresh, ignore=shutil.ignore_patterns(".git"))
    git(fresh, "init", "-q", "--initial-branch=main")
    notice = "frozen issues: not checked: no default branch (none of origin/main, main exists)"
    assert auto(fresh) == (0, [], [notice, "checked 2 issue file(s): no problems"])
    # an orphan branch: the default branch exists, HEAD has no commit yet
    git(repo, "checkout", "-q", "--orphan", "new")
    assert auto(repo)[:3] == (
        0,
        [],
        [
            "frozen issues: not checked: no commit yet on HEAD",
            "checked 2 issue file(s): no problems",
        ],
    )


def test_auto_with_no_commit_in_common(repo: Path) -> None:
    git(repo, "checkout", "-q", "--orphan", "unrelated")
    commit_all(repo, "Unrelated history")
    assert auto(repo)[:3] == (
        0,
        [],
        [
            "frozen issues: not checked: HEAD has no commit in common with main",
            "checked 2 issue file(s): no problems",
        ],
    )


def test_auto_outside_a_git_repository(tmp_path: Path) -> None:
    (tmp_path / "publication.toml").write_bytes((ROOT / "publication.toml").read_bytes())
    (tmp_path / "issues" / "2026").mkdir(parents=True)
    (tmp_path / ISSUE).write_text(PUBLISHED, encoding="utf-8")
    env = {"GIT_CEILING_DIRECTORIES": str(tmp_path.parent)}
    notice = f"frozen issues: not checked: not a git repository: '{tmp_path.resolve()}'"
    assert auto(tmp_path, **env) == (0, [], [notice, "checked 1 issue file(s): no problems"])
    # the other rules decide the exit code
    rewrite(tmp_path, "## Quote of the Week", "## Quote of the week")
    returncode, out, err = auto(tmp_path, **env)
    assert (returncode, err[0], len(out) > 0) == (1, notice, True)


def test_auto_without_git(repo: Path, tmp_path: Path) -> None:
    rewrite(repo, "A brief of the week.", "A corrected brief of the week.")
    returncode, out, err = auto(repo, PATH=str(tmp_path / "empty"))
    assert (returncode, out, err[1:]) == (0, [], ["checked 2 issue file(s): no problems"])
    assert err[0].startswith("frozen issues: not checked: cannot run git: ")


@pytest.mark.skipif(shutil.which("make") is None, reason="make is needed")
def test_make_check_applies_the_frozen_rule(repo: Path) -> None:
    """What ``make check`` runs fails on an uncommitted edit of a published issue on main."""
    for name in ("Makefile", "pyproject.toml", "constraints.txt"):
        shutil.copy(ROOT / name, repo / name)
    commands = {}
    for paths in ("", ISSUE):
        shown = subprocess.run(
            ["make", "-n", "check", f"PATHS={paths}"],
            cwd=repo, capture_output=True, text=True, check=True, env=outside_make(),
        ).stdout.splitlines()  # fmt: skip
        commands[paths] = shlex.split(shown[-1])
    assert commands[""] == [".venv/bin/python", "-m", "newsletter", "check", "--since", "auto"]
    assert commands[ISSUE] == [*commands[""], ISSUE]
    rewrite(repo, "A brief of the week.", "A corrected brief of the week.")
    for command in commands.values():
        result = subprocess.run(
            [sys.executable, *command[1:]],
            cwd=repo,
            capture_output=True,
            text=True,
            check=False,
            env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        )
        assert result.returncode == 1
        assert result.stdout == f"{ISSUE}:1: {since(short(repo))}\n"
        assert result.stderr.startswith(f"{compared(repo, 'HEAD', 'main')}\n")
