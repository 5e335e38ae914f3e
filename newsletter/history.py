"""The version history of the archive, from git.

One ``git log`` over ``issues/`` per build gives every issue file its first
and last commit; the archive's own version is the commit checked out. Where
there is no git, no history for a file, or only a shallow clone (whose oldest
commits are not the real first ones), callers fall back to the front matter.
"""

from __future__ import annotations

import datetime as dt
import subprocess
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class FileHistory:
    """When an issue file was first committed and last changed."""

    first: dt.datetime
    last: dt.datetime
    commits: int


@dataclass(frozen=True)
class Version:
    """The commit a build is made from."""

    commit: str
    date: dt.datetime

    @property
    def short(self) -> str:
        return self.commit[:12]


def _git(root: Path, *args: str) -> str | None:
    try:
        result = subprocess.run(
            ["git", *args], cwd=root, capture_output=True, text=True, check=False, timeout=120
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout if result.returncode == 0 else None


def _when(timestamp: str) -> dt.datetime:
    return dt.datetime.fromtimestamp(int(timestamp), tz=dt.UTC)


def is_shallow(root: Path) -> bool:
    return (_git(root, "rev-parse", "--is-shallow-repository") or "").strip() == "true"


def file_histories(root: Path, folder: str = "issues") -> dict[str, FileHistory]:
    """``{path relative to root: FileHistory}`` for every file git knows under ``folder``.

    Empty when ``root`` is not a git work tree or is a shallow clone.
    """
    if is_shallow(root):
        return {}
    log = _git(root, "log", "--format=%x00%ct", "--name-only", "--no-renames", "--", folder)
    if not log:
        return {}
    prefix = (_git(root, "rev-parse", "--show-prefix") or "").strip()
    found: dict[str, list[dt.datetime]] = {}
    for entry in log.split("\x00")[1:]:
        lines = entry.strip().splitlines()
        if not lines:
            continue
        when = _when(lines[0])
        for name in lines[1:]:
            if name.strip():
                path = name.strip().removeprefix(prefix)
                found.setdefault(path, []).append(when)
    return {
        path: FileHistory(first=min(times), last=max(times), commits=len(times))
        for path, times in found.items()
    }


def version(root: Path) -> Version | None:
    """The commit checked out at ``root`` and its date, or None without git."""
    out = _git(root, "log", "-1", "--format=%H %ct")
    if not out or not out.strip():
        return None
    commit, timestamp = out.split()
    return Version(commit=commit, date=_when(timestamp))


def pin_build_date(root: Path) -> None:
    """Make the build's dates those of the commit: set ``SOURCE_DATE_EPOCH``.

    Sphinx (the copyright year, any "last updated" date) honours that variable;
    a value already set by the caller wins. Without git nothing changes.
    """
    import os

    if "SOURCE_DATE_EPOCH" in os.environ:
        return
    found = version(root)
    if found is not None:
        os.environ["SOURCE_DATE_EPOCH"] = str(int(found.date.timestamp()))
