"""The rule across the archive: every issue has a number no other issue has (M210).

The checker and the build both apply it, to what each knows of the other issues.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from newsletter.schema.problems import Problem


@dataclass(frozen=True)
class Numbered:
    """What the rule needs of an issue: where it is, its number, and the line of it."""

    path: str
    number: int | None
    line: int


def duplicate_numbers(issues: Iterable[Numbered]) -> Iterator[Problem]:
    """A problem for every issue whose number an earlier issue (by path) already has."""
    first: dict[int, str] = {}
    for issue in sorted(issues, key=lambda i: i.path):
        if issue.number is None:
            continue
        if issue.number in first:
            yield Problem(
                issue.path,
                issue.line,
                "M210",
                f"number {issue.number} is already the number of {first[issue.number]}",
            )
        else:
            first[issue.number] = issue.path
