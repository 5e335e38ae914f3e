"""The contribution loop, as contributors live it, in a scratch copy of the repository.

Starting from the first issue alone, issues are added the way CONTRIBUTING says
(``python -m newsletter new``, placeholders filled, ``status: published``), each in
a commit of its own; then the first issue is corrected with a corrections entry. The
checker, the frozen rule since the first commit and the content gate
(``test_content_gate.py``, run inside the copy) must all pass at every step that
matters, and an edit without an entry must not.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import ROOT, SEED, SEED_PATH, run_python

pytestmark = pytest.mark.slow

#: how many issues the scenario adds (the note of issue 12 ran it with 60 by hand)
ADDED = 3

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Contributor",
    "GIT_AUTHOR_EMAIL": "contributor@example.org",
    "GIT_COMMITTER_NAME": "Contributor",
    "GIT_COMMITTER_EMAIL": "contributor@example.org",
}


def tracked_files(root: Path) -> list[str]:
    """The files a clone would hold (new, not yet committed files included)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=root,
        capture_output=True,
        check=True,
    ).stdout.decode()
    return [name for name in listed.split("\0") if name and (root / name).is_file()]


def clone_without_issues(dest: Path) -> Path:
    """The repository's files at ``dest``, with the seed as its only issue."""
    for name in tracked_files(ROOT):
        if name.startswith("issues/"):
            continue
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target)
    (dest / SEED_PATH).parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(SEED, dest / SEED_PATH)
    return dest


def environment() -> dict[str, str]:
    env = {**os.environ, **GIT_ENV}
    env.pop("PYTEST_XDIST_WORKER", None)
    return env


def run(repo: Path, *command: str) -> subprocess.CompletedProcess[str]:
    env = {**environment(), "PYTHONPATH": str(repo)}
    return subprocess.run(command, cwd=repo, capture_output=True, text=True, env=env, check=False)


def python(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``python ARGS`` in the copy, as a contributor types it, run as conftest's
    :func:`run_python` runs it: in a fork of an interpreter that has imported the same
    files' modules already (the copy's own are those of the repository: the copy is made
    of its files)."""
    return run_python(*args, cwd=repo, env=environment())


def git(repo: Path, *args: str) -> str:
    done = run(repo, "git", *args)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def commit(repo: Path, message: str) -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD")


def check(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return python(repo, "-m", "newsletter", "check", *args)


#: What a contributor writes in place of each placeholder of _templates/issue.md.
def filled(text: str, week: int) -> str:
    answers = {
        "the title": f"Week {week} in review",
        "one or two sentences that sum the issue up": f"What happened in week {week}.",
        "the news briefs, one paragraph each": (
            f"Talks resumed in week {week}, officials said, on H{{sub}}`2`O supplies and"
            " the {abbr}`NDAA (National Defense Authorization Act)`."
        ),
        "name, role": "A. Speaker, minister",
        "the quoted words": f"We met in week {week} and will meet again.",
        "the figure": f"{week}%",
        "what the figure measures": f"The share of trade discussed in week {week}.",
        "an article's title": f"An analysis of week {week}",
        "the question put to readers": f"What should come of week {week}?",
    }

    def answer(match: re.Match[str]) -> str:
        return answers[match[1]]

    text = re.sub(r"\[\[FILL: ([^\]]*)\]\]", answer, text)
    text = re.sub(r"(:::\{stat\}[^\n]*\n)", rf"\1:source: https://example.org/stat-{week}\n", text)
    return text.replace("status: draft", "status: published")


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    repo = clone_without_issues(tmp_path_factory.mktemp("contribution") / "repo")
    git(repo, "init", "-q", "-b", "main")
    commit(repo, "The first issue")
    return repo


def test_issues_added_and_corrected_as_contributors_do_pass_every_gate(repo: Path) -> None:
    first = git(repo, "rev-list", "--max-parents=0", "HEAD")
    for week in range(2, ADDED + 2):
        made = python(repo, "-m", "newsletter", "new")
        assert made.returncode == 0, made.stderr
        path = repo / made.stdout.strip()
        draft = check(repo, made.stdout.strip())
        assert draft.returncode == 0 and "[T701]" in draft.stdout, draft.stdout  # to fill
        path.write_text(filled(path.read_text(encoding="utf-8"), week), encoding="utf-8")
        commit(repo, f"Issue No. {week}")
    numbers = sorted(p.name for p in (repo / "issues").rglob("*.md"))
    assert len(numbers) == ADDED + 1

    # the first issue is corrected, as CONTRIBUTING says: a changed text, a new entry
    seed = repo / SEED_PATH
    text = seed.read_text(encoding="utf-8")
    corrected = text.replace("Global leaders gathered", "World leaders gathered", 1)
    seed.write_text(corrected, encoding="utf-8")
    unannounced = check(repo, "--since", "HEAD")
    assert unannounced.returncode == 1
    assert f"{SEED_PATH}:" in unannounced.stdout and "[V503]" in unannounced.stdout
    seed.write_text(
        corrected.replace(
            "status: published\n",
            "status: published\ncorrections:\n  - date: 2026-02-02\n"
            "    text: The first sentence named the wrong gathering.\n",
        ),
        encoding="utf-8",
    )
    commit(repo, "Correct No. 1")

    for args in ((), ("--since", first), ("--since", "HEAD~1")):
        result = check(repo, *args)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "no problems" in result.stderr

    # its temporary files in the copy's folder: a pytest of its own numbered folder in
    # the user's temporary root also deleted the oldest of that root's folders when it ended
    # (an earlier run's, thousands of files), in the middle of this run
    gate = python(
        repo, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--basetemp={repo.parent / 'tmp'}",
        "tests/test_content_gate.py",
    )  # fmt: skip
    assert gate.returncode == 0, gate.stdout[-4000:] + gate.stderr[-2000:]
    # one checker test per issue, one everywhere-test per published issue, one sanity test
    assert f"{2 * (ADDED + 1) + 1} passed" in gate.stdout, gate.stdout[-2000:]
