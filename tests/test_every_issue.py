"""The gate: every issue of the archive has every required section and follows every rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsletter import checker

from .conftest import ROOT

ISSUES = checker.issue_paths(ROOT)


def test_the_archive_has_issues() -> None:
    assert ISSUES, "no issue files found under issues/"


@pytest.mark.parametrize("path", ISSUES, ids=[p.relative_to(ROOT).as_posix() for p in ISSUES])
def test_issue_passes_the_checker(path: Path, pub) -> None:
    problems = checker.check([path], ROOT, pub)
    assert not problems, "\n".join(map(str, problems))
