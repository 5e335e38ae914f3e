"""The checker and the build meet careless and hostile input calmly."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from subprocess import CompletedProcess

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsletter.check import checker
from newsletter.schema import publication

from .conftest import ROOT, VALID, copy_project, examples, run_cli, sphinx_build

LINE = re.compile(r"^issues/2026/2026-01-30\.md:[1-9]\d*: .+ \[[A-Z]\d{3}\]$")
#: a line of the checker about any issue file of 2026
ANY_LINE = re.compile(r"^(issues/2026/\d{4}-\d\d-\d\d\.md):[1-9]\d*: .+ \[[A-Z]\d{3}\]$")
PUB = publication.load(ROOT)


def check_bytes(tmp: Path, raw: bytes) -> list[str]:
    path = tmp / "issues" / "2026" / "2026-01-30.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(raw)
    return [str(p) for p in checker.check([path], tmp, PUB)]


def mutate(text: str, data: st.DataObject) -> bytes:
    """VALID with random lines deleted, duplicated, swapped or garbled."""
    lines = text.splitlines(keepends=True)
    for _ in range(data.draw(st.integers(1, 6))):
        if not lines:
            break
        at = data.draw(st.integers(0, len(lines) - 1))
        action = data.draw(st.sampled_from(["delete", "duplicate", "swap", "garble", "insert"]))
        if action == "delete":
            del lines[at]
        elif action == "duplicate":
            lines.insert(at, lines[at])
        elif action == "swap":
            other = data.draw(st.integers(0, len(lines) - 1))
            lines[at], lines[other] = lines[other], lines[at]
        elif action == "garble":
            cut = data.draw(st.integers(0, len(lines[at])))
            lines[at] = lines[at][:cut] + data.draw(st.text(max_size=12)) + lines[at][cut:]
        else:
            lines.insert(at, data.draw(st.sampled_from(
                [":::\n", "---\n", "```\n", ":::{stat}\n", "## Extra\n", "- [x](y)\n",
                 "title: [\n", "<b>\n", "[[FILL\n", "\ufeff", "\x00"])))  # fmt: skip
    return "".join(lines).encode("utf-8", errors="surrogatepass")


@settings(
    max_examples=examples(150),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_mutated_issues_get_clear_lines(tmp_path: Path, data: st.DataObject) -> None:
    found = check_bytes(tmp_path, mutate(VALID, data))
    assert all(LINE.match(line) for line in found), found


@settings(
    max_examples=examples(100),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    raw=st.binary(max_size=400)
    | st.text(max_size=400).map(lambda t: t.encode("utf-8", "surrogatepass"))
)
def test_random_files_get_clear_lines(tmp_path: Path, raw: bytes) -> None:
    found = check_bytes(tmp_path, raw)
    assert found, "random content is never a valid issue"
    assert all(LINE.match(line) for line in found), found


BAD_FILES = {
    "empty": b"",
    "binary": b"\x89PNG\r\n\x1a\n\x00\x00",
    "latin-1": VALID.replace("A brief", "Caf\xe9").encode("latin-1"),
    "bom": b"\xef\xbb\xbf" + VALID.encode(),
    "list yaml": VALID.replace("title: A valid issue", "- title").encode(),
    "unclosed fence": VALID[: VALID.rindex(":::")].encode(),
    "unknown option": VALID.replace(":source: https://example.org/quote", ":colour: red").encode(),
    "huge": VALID.encode() + b"word " * 1_100_000,
}


#: where each bad file is in the archive of :func:`bad_archive`: a week apart, from 30 January
BAD_DATES = {
    name: (dt.date(2026, 1, 30) + dt.timedelta(weeks=index)).isoformat()
    for index, name in enumerate(BAD_FILES)
}


@pytest.fixture(scope="module")
def bad_archive(tmp_path_factory) -> tuple[Path, list[Path], CompletedProcess, CompletedProcess]:
    """An archive of every bad file, each on its own date with its own number (so that
    what each one is told is about itself alone), built once and checked once: the source
    folder before and after, the build and the checker."""
    src = copy_project(tmp_path_factory.mktemp("hostile") / "src")
    folder = src / "issues" / "2026"
    folder.mkdir(parents=True)
    for number, (name, raw) in enumerate(BAD_FILES.items(), 2):
        date = BAD_DATES[name].encode()
        raw = raw.replace(b"date: 2026-01-30", b"date: " + date, 1)
        raw = raw.replace(b"number: 2\n", f"number: {number}\n".encode(), 1)
        (folder / f"{BAD_DATES[name]}.md").write_bytes(raw)
    before = sorted(p.relative_to(src) for p in src.rglob("*"))
    result = sphinx_build(src, src.parent / "out")
    return src, before, result, run_cli(src, "check")


@pytest.mark.parametrize("name", list(BAD_FILES))
def test_build_fails_with_a_located_line_and_no_traceback(bad_archive, name: str) -> None:
    src, before, result, checked = bad_archive
    path = f"issues/2026/{BAD_DATES[name]}.md"
    assert result.returncode != 0
    assert "Traceback" not in result.stderr and "Exception occurred" not in result.stderr
    assert re.search(rf"{re.escape(path)}:\d+: (WARNING|ERROR): ", result.stderr), result.stderr
    assert sorted(p.relative_to(src) for p in src.rglob("*")) == before  # nothing written there
    assert checked.returncode == 1 and "Traceback" not in checked.stderr
    lines = checked.stdout.splitlines()
    assert all(ANY_LINE.match(line) for line in lines), lines
    assert [line for line in lines if ANY_LINE.match(line)[1] == path]  # type: ignore[index]
