"""``python -m newsletter new``: the next issue, scaffolded from ``_templates/issue.md``.

The date defaults to one week after the latest issue (the newsletter appears
on Fridays) and the number to the latest number plus one; editors are carried
over from the latest issue. Every section is there with ``[[FILL: ...]]``
placeholders, which the checker reports as "to fill" until they are replaced
and which block publishing. An existing file is never overwritten.
"""

from __future__ import annotations

import datetime as dt
import json
import string
from pathlib import Path

from newsletter.check import checker
from newsletter.schema import files
from newsletter.schema.frontmatter import IssueMeta
from newsletter.schema.publication import Publication

TEMPLATE = Path("_templates") / "issue.md"
WEEK = dt.timedelta(days=7)


class ScaffoldError(Exception):
    """The issue cannot be written (it exists, or the date is not a date)."""


def archive_metas(root: Path, pub: Publication) -> list[IssueMeta]:
    """The front matter of every issue of the archive (its Markdown is not parsed)."""
    return [checker.front_matter_of(path, root, pub).meta for path in files.issue_paths(root)]


def next_issue(root: Path, pub: Publication, date: str | None = None) -> tuple[Path, str]:
    """The path and text of the next issue (``date`` as YYYY-MM-DD overrides the default)."""
    metas = archive_metas(root, pub)
    dated = [m for m in metas if m.date is not None]
    latest = max(dated, key=lambda m: m.date) if dated else None  # type: ignore[arg-type, return-value]
    numbers = [m.number for m in metas if m.number is not None]
    if date is not None:
        try:
            when = dt.date.fromisoformat(date)
        except ValueError:
            raise ScaffoldError(f"DATE must be written YYYY-MM-DD, not {date!r}") from None
    elif latest is not None and latest.date is not None:
        when = latest.date + WEEK
    else:
        today = dt.date.today()
        when = today + dt.timedelta(days=(4 - today.weekday()) % 7)  # the coming Friday
    editors = list(latest.editors) if latest and latest.editors else ["[[FILL: an editor]]"]
    text = string.Template((root / TEMPLATE).read_text(encoding="utf-8")).substitute(
        date=when.isoformat(),
        number=max(numbers, default=0) + 1,
        editors=json.dumps(editors, ensure_ascii=False),
        submit=pub.question_default_submit,
    )
    return files.path_of(root, when), text


def write_next_issue(root: Path, pub: Publication, date: str | None = None) -> Path:
    """Write the next issue and return its path; never overwrites."""
    path, text = next_issue(root, pub, date)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8") as out:
            out.write(text)
    except FileExistsError:
        shown = files.display_path(path, root)
        raise ScaffoldError(f"{shown} already exists; not overwriting it") from None
    return path
