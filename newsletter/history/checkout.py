"""The archive's own version: the commit a build is made from.

The home page and ``archive.json`` name it, and the build's clock is pinned to
it (:func:`pin_build_date`), so that two builds of one commit are the same to
the byte. An issue's own dates are editorial (:mod:`newsletter.schema.dates`), and its
revisions come from :mod:`newsletter.history.revisions`.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from newsletter.history import git
from newsletter.schema import dates


@dataclass(frozen=True)
class Version:
    """The commit a build is made from."""

    commit: str
    date: dt.datetime

    @property
    def short(self) -> str:
        return self.commit[:12]


def version(root: Path) -> Version | None:
    """The commit checked out at ``root`` and its date, or None without git."""
    out = git.answer(root, "log", "-1", "--format=%H %ct")
    if not out or not out.strip():
        return None
    commit, timestamp = out.split()
    return Version(commit=commit, date=dt.datetime.fromtimestamp(int(timestamp), tz=dates.UTC))


def pin_build_date(root: Path) -> None:
    """Make the build's dates those of the commit: set ``SOURCE_DATE_EPOCH``.

    Sphinx (the copyright year, any "last updated" date) honours that variable;
    a value already set by the caller wins. Without git nothing changes.
    """
    if "SOURCE_DATE_EPOCH" in os.environ:
        return
    found = version(root)
    if found is not None:
        os.environ["SOURCE_DATE_EPOCH"] = str(int(found.date.timestamp()))
