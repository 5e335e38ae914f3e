"""The growth of each figure and the targets of issue 17, from measured figures only.

Pure functions over ``{N: {metric: value or None}}`` (ours) and the same for the
plain project: nothing here measures or hard-codes a result, so the tests can give
it any figures.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

#: N -> metric -> value (None: not measured)
Figures = Mapping[int, Mapping[str, float | None]]

#: the figures of the growth table: metric, label, unit ("s", "B" bytes, "n" a count)
GROWTH_FIGURES = (
    ("full", "clean build", "s"),
    ("incremental", "one-issue edit build", "s"),
    ("nochange", "no-change build", "s"),
    ("check", "`check`, all issues", "s"),
    ("check one", "`check`, one named file", "s"),
    ("page bytes", "middle issue's page", "B"),
    ("page gzip bytes", "middle issue's page, gzip", "B"),
    ("search rare bytes", "search, rare word, downloaded", "B"),
    ("search common bytes", "search, common word, downloaded", "B"),
    ("peak", "peak memory of a build", "B"),
    ("full cpu", "clean build, CPU time", "s"),
    ("incremental cpu", "one-issue edit build, CPU time", "s"),
    ("nochange cpu", "no-change build, CPU time", "s"),
    ("check cpu", "`check`, all issues, CPU time", "s"),
    ("check one cpu", "`check`, one named file, CPU time", "s"),
)


@dataclass(frozen=True)
class Target:
    """One target: the figure, at which N, the limit and how it compares."""

    label: str
    metric: str
    n: int
    limit: float
    unit: str
    #: True: the figure must stay strictly below the limit; False: at most the limit
    strict: bool = False


#: the issue's targets for our build and checker
TARGETS = (
    Target("one-issue edit build", "incremental", 520, 1.5, "s"),
    Target("no-change build", "nochange", 520, 1.0, "s"),
    Target("`check` of all issues", "check", 520, 0.5, "s"),
    Target("`check` of one named file", "check one", 520, 0.3, "s"),
    Target("peak memory of a build", "peak", 5200, 2e9, "B", strict=True),
)
#: ours against plain Sphinx: a clean build of ours takes at most this share of plain's
PLAIN_SHARE = ("full", 520, 1 / 15)


def show(value: float | None, unit: str) -> str:
    """A figure for a table: seconds with two decimals, bytes as MB/kB, counts as integers."""
    if value is None:
        return "—"
    if unit == "s":
        return f"{value:.2f} s"
    if unit == "B":
        if value >= 1e6:
            return f"{value / 1e6:,.1f} MB"
        return f"{value / 1e3:,.1f} kB"
    return f"{value:,.0f}"


@dataclass(frozen=True)
class Growth:
    """How a figure grew from ``small`` issues to ``large`` issues."""

    ratio: float | None
    #: the ratio of the sizes: what the figure's ratio is if it grows linearly
    bound: float
    #: log(ratio) / log(bound): 1 is linear, 0 constant, above 1 faster than linear
    exponent: float | None
    #: the ratio of the cost per added issue, (large - middle) over (middle - small),
    #: when three sizes were measured: above 1, each added issue costs more at the
    #: large end (a fixed start-up cost hides this from ``ratio``)
    marginal: float | None
    faster: bool | None


def growth(values: Mapping[int, float | None], sizes: list[int]) -> Growth:
    """The growth of one figure over ``sizes`` (ascending): from the second largest
    size to the largest, against the linear bound (the ratio of the sizes)."""
    *_, small, large = sizes
    bound = large / small
    a, b = values.get(small), values.get(large)
    if a is None or b is None or a <= 0:
        return Growth(None, bound, None, None, None)
    ratio = b / a
    exponent = math.log(ratio) / math.log(bound) if ratio > 0 else None
    marginal = None
    if len(sizes) >= 3:
        first = values.get(sizes[-3])
        if first is not None and a - first > 0:
            marginal = ((b - a) / (large - small)) / ((a - first) / (small - sizes[-3]))
    return Growth(ratio, bound, exponent, marginal, ratio > bound)


def met(value: float | None, limit: float, strict: bool = False) -> str:
    """The verdict on ``value`` against ``limit``: met, not met or not measured."""
    if value is None:
        return "not measured"
    return "met" if (value < limit if strict else value <= limit) else "not met"


def growth_table(ours: Figures, sizes: list[int]) -> str:
    """Ours at every size, and the growth from the second largest size to the largest."""
    sizes = sorted(sizes)
    if len(sizes) < 2:
        return ""
    small, large = sizes[-2], sizes[-1]
    head = " | ".join(f"N = {n:,}" for n in sizes)
    lines = [
        f"### Growth of ours from N = {small:,} to N = {large:,}",
        "",
        f"| figure | {head} | N={large:,} / N={small:,} | linear bound | exponent "
        "| cost per added issue, last step / step before | verdict |",
        "|---|" + "---:|" * len(sizes) + "---:|---:|---:|---:|---|",
    ]
    for metric, label, unit in GROWTH_FIGURES:
        values = {n: ours.get(n, {}).get(metric) for n in sizes}
        g = growth(values, sizes)
        cells = " | ".join(show(values[n], unit) for n in sizes)
        if g.faster is None:
            verdict = "—"
        else:
            verdict = "**faster than linear**" if g.faster else "linear or slower"
        lines.append(
            f"| {label} | {cells} | {_number(g.ratio, 'x')} | {g.bound:.0f}x "
            f"| {_number(g.exponent)} | {_number(g.marginal)} | {verdict} |"
        )
    return "\n".join(lines)


def _number(value: float | None, suffix: str = "") -> str:
    return "—" if value is None else f"{value:.2f}{suffix}"


def plain_time(
    figures: Mapping[str, float | None], metric: str
) -> tuple[float | None, float | None]:
    """Plain Sphinx's time for ``metric`` against which ours is judged, and its CPU time.

    Plain Sphinx builds in one process, so undisturbed its wall-clock time is its CPU
    time (within 1% in every quiet run of the bench); when the shared machine was busy
    during its build, its wall-clock time is stretched (664 s for 234 s of CPU once),
    which would flatter ours. So plain's time is the smaller of the two. Ours is judged
    by its wall-clock time, load included: it builds in parallel "where Sphinx allows",
    which the target counts, and a busy machine can only count against it.
    """
    wall, cpu = figures.get(metric), figures.get(f"{metric} cpu")
    known = [t for t in (wall, cpu) if t]
    return (min(known) if known else None), cpu


def target_lines(ours: Figures, plain: Figures) -> list[str]:
    """One line per target: the measured figure, the limit and met / not met."""
    lines = []
    metric, n, share = PLAIN_SHARE
    a, b, b_cpu = ours.get(n, {}).get(metric), *plain_time(plain.get(n, {}), metric)
    measured = a / b if a is not None and b else None
    shown = "—" if measured is None else f"1/{1 / measured:.1f} ({measured:.3f})"
    lines.append(
        f"- clean build, ours/plain at N = {n:,}: {shown}; target ≤ 1/{1 / share:.0f}: "
        f"{met(measured, share)}"
    )
    a_cpu = ours.get(n, {}).get(f"{metric} cpu")
    if a_cpu and b_cpu:
        lines.append(
            f"  - in CPU time, for information: 1/{b_cpu / a_cpu:.1f} (ours runs in "
            "parallel, as the target allows; plain Sphinx cannot)"
        )
    for target in TARGETS:
        value = ours.get(target.n, {}).get(target.metric)
        cpu = ours.get(target.n, {}).get(f"{target.metric} cpu")
        limit = show(target.limit, target.unit)
        sign = "<" if target.strict else "≤"
        beside = f" (CPU {show(cpu, 's')})" if cpu is not None else ""
        lines.append(
            f"- {target.label} at N = {target.n:,}: {show(value, target.unit)}{beside}; "
            f"target {sign} {limit}: {met(value, target.limit, target.strict)}"
        )
    return lines
