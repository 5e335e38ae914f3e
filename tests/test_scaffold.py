"""``python -m newsletter new`` (``make new``): the next issue, ready to fill."""

from __future__ import annotations

import re
import shutil

from .conftest import ROOT, run_cli


def test_new_issue_follows_the_latest_and_is_publishable_once_filled(archive) -> None:
    shutil.copytree(ROOT / "_templates", archive / "_templates")
    made = run_cli(archive, "new")
    assert (made.returncode, made.stdout) == (0, "issues/2026/2026-02-13.md\n")  # a week later
    path = archive / "issues" / "2026" / "2026-02-13.md"
    text = path.read_text(encoding="utf-8")
    assert "date: 2026-02-13\nnumber: 4\n" in text and "status: draft" in text
    assert 'editors: ["An Editor"]' in text

    checked = run_cli(archive, "check")
    assert checked.returncode == 0, checked.stdout  # structurally sound at once
    assert len(checked.stdout.splitlines()) == 10  # 9 placeholders, and the stat's source
    assert all(": to fill: " in line for line in checked.stdout.splitlines())
    assert ':source:" option: the address the figure comes from' in checked.stdout

    refused = run_cli(archive, "new", "--date", "2026-02-13")
    assert refused.returncode == 2
    assert refused.stderr == "error: issues/2026/2026-02-13.md already exists; not overwriting it\n"
    assert path.read_text(encoding="utf-8") == text

    # publishing with a placeholder left is refused
    path.write_text(text.replace("status: draft", "status: published"), encoding="utf-8")
    assert run_cli(archive, "check").returncode == 1

    filled = re.sub(r"\[\[FILL: ([^\]]*)\]\]", lambda m: m[1].capitalize(), text)
    filled = filled.replace(
        "{stat} The figure\n", "{stat} The figure\n:source: https://example.org/f\n"
    )
    path.write_text(filled.replace("status: draft", "status: published"), encoding="utf-8")
    final = run_cli(archive, "check")
    assert (final.returncode, final.stdout) == (0, "")


def test_new_issue_on_a_chosen_date(archive) -> None:
    shutil.copytree(ROOT / "_templates", archive / "_templates")
    made = run_cli(archive, "new", "--date", "2026-03-06")
    assert made.stdout == "issues/2026/2026-03-06.md\n"
    bad = run_cli(archive, "new", "--date", "next friday")
    assert (bad.returncode, bad.stderr) == (
        2,
        "error: DATE must be written YYYY-MM-DD, not 'next friday'\n",
    )
