"""Measure our build and checker as the archive grows, against plain Sphinx.

    python -m benchmarks.run [--sizes 52,520,5200] [--repeat 3] [--repeat-plain 1]
                             [--repeat-small 3]
                             [--plain-up-to 520] [--cadence auto] [--seed 1] [--no-search]

For each archive size N, in a temporary directory, this writes N synthetic issues
(:mod:`benchmarks.generate`, a daily edition by default: issue k is the same
whatever N) and builds

ours
    this repository's project (``conf.py`` with the ``newsletter`` extension, the
    templates and styles, ``publication.toml``);
plain
    the same issues as a plain Sphinx + myst-parser + sphinx-book-theme project
    (:mod:`benchmarks.plain`), only where N ≤ ``--plain-up-to`` (its global toctree
    puts every issue on every page: at 5,200 a clean build would take hours).

Both are built with ``python -m sphinx -b html -W --keep-going -n -d DOCTREES SRC
OUT``, ours with ``-j JOBS`` as ``make html`` builds (``--jobs``, which ``make bench``
passes from the Makefile's ``JOBS``), plain with sphinx-build's defaults, serially, as
such a project is built; and both are measured the same way: a clean build, a
build after one word of the middle issue changes (a different word each repeat),
a build with nothing changed, each with its time and its peak memory
(:mod:`benchmarks.measure`); the middle issue's page in bytes and gzipped; and
what a fresh headless Chromium downloads to search a rare word and a common one
(:func:`benchmarks.search.load`). For ours also ``python -m newsletter check`` of
every issue and of the middle issue named alone, each a fresh process. The clean
builds of the two projects are taken in rounds, ours, plain, ours, ours
(:func:`clean_build_order`), so that the ratio of their times, a target, compares builds
of the same stretch of the run.

The results are Markdown tables on stdout (medians of the repeats): one per N, the
growth of each figure from the second largest N to the largest against the linear
bound, and the issue's targets, met or not (:mod:`benchmarks.verdict`). Progress
goes to stderr.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .generate import CADENCES, ROOT, generate
from .measure import Run, timed
from .plain import make_plain
from .verdict import growth_table, show, target_lines

KINDS = ("ours", "plain")
#: the words the incremental edit puts in place of one word, in turn
EDIT_WORDS = ("reportedly", "apparently", "evidently", "ostensibly")
#: metrics whose figure is the largest sample, not the median
MAXIMA = {"peak", "full maxrss", "full treerss", "incremental peak"}


def edit_one_word(path: Path, round_: int) -> None:
    """Change one word of the first paragraph of "This Week" (a different one each round)."""
    text = path.read_text(encoding="utf-8")
    start = text.index("## This Week\n\n") + len("## This Week\n\n")
    end = text.index("\n", start)
    words = text[start:end].split(" ")
    index = next(i for i, word in enumerate(words) if i >= 2 and word.isalpha() and word.islower())
    replacement = next(
        w for w in EDIT_WORDS[round_ % len(EDIT_WORDS) :] + EDIT_WORDS if w != words[index]
    )
    words[index] = replacement
    path.write_text(text[:start] + " ".join(words) + text[end:], encoding="utf-8")


def run(command: list[str], cwd: Path) -> Run:
    """``command`` in ``cwd`` with this repository importable, timed and weighed."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    return timed(command, cwd, env)


#: the largest archive benchmarked as a weekly: 520 issues are ten years of Fridays; the
#: larger ones are a daily edition (5,200 issues: fourteen years)
WEEKLY_UP_TO = 520


def cadence_of(n: int, cadence: str) -> str:
    if cadence != "auto":
        return cadence
    return "weekly" if n <= WEEKLY_UP_TO else "daily"


def describe_cadence(cadence: str) -> str:
    if cadence != "auto":
        return f"every issue {cadence}"
    return f"weekly up to N = {WEEKLY_UP_TO:,}, daily beyond"


@dataclass
class Project:
    kind: str
    src: Path
    out: Path
    doctrees: Path
    #: the issue edited, checked alone and weighed: the one in the middle of the archive
    issue: Path
    #: sphinx-build's -j (None: serially)
    jobs: str | None = None

    def command(self) -> list[str]:
        command = [sys.executable, "-m", "sphinx", "-b", "html", "-W", "--keep-going", "-n"]
        command += ["-j", self.jobs] if self.jobs else []
        return [*command, "-d", str(self.doctrees), str(self.src), str(self.out)]

    def build(self) -> Run:
        return run(self.command(), self.src)

    def clean(self) -> None:
        shutil.rmtree(self.out, ignore_errors=True)
        shutil.rmtree(self.doctrees, ignore_errors=True)

    def pages(self) -> list[Path]:
        """The HTML pages of the output (not the theme's HTML snippets in _static/)."""
        return [
            p for p in self.out.rglob("*.html") if "_static" not in p.relative_to(self.out).parts
        ]

    def pages_written_since(self, start_ns: int) -> int:
        return sum(1 for page in self.pages() if page.stat().st_mtime_ns >= start_ns)

    def page(self) -> Path:
        return self.out / self.issue.relative_to(self.src).with_suffix(".html")


@dataclass
class Measured:
    """The samples of each metric of one project at one N, and what went wrong."""

    samples: dict[str, list[float]] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    #: words and notes shown in the labels (the search words, the issues they match)
    notes: dict[str, str] = field(default_factory=dict)

    def add(self, metric: str, value: float) -> None:
        self.samples.setdefault(metric, []).append(value)

    def figure(self, metric: str) -> float | None:
        """The median of the samples (the largest, for peak memory)."""
        values = self.samples.get(metric)
        if not values:
            return None
        return max(values) if metric in MAXIMA else statistics.median(values)

    def figures(self) -> dict[str, float | None]:
        return {metric: self.figure(metric) for metric in self.samples}


def tail(text: str, lines: int = 15) -> str:
    return "\n".join(text.rstrip().splitlines()[-lines:])


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def report_failure(project: Project, what: str, done: Run, measured: Measured) -> None:
    measured.failures.append(f"{what} failed (exit {done.returncode})")
    log(f"  !! {project.kind}: {what} failed with exit code {done.returncode}; stderr tail:")
    log("     " + tail(done.stderr or done.stdout).replace("\n", "\n     "))


def mb(n: int) -> str:
    return f"{n / 1e6:,.0f} MB"


def build_step(
    project: Project,
    measured: Measured,
    metric: str,
    what: str,
    before: Callable[[], None] | None = None,
) -> bool:
    """One build of ``project``, after ``before``, recorded under ``metric``."""
    if before:
        before()
    start_ns = time.time_ns()
    done = project.build()
    if not done.ok:
        report_failure(project, what, done, measured)
        return False
    measured.add(metric, done.seconds)
    measured.add(f"{metric} cpu", done.cpu)
    measured.add(f"{metric} pages", project.pages_written_since(start_ns))
    measured.add("peak", done.peak)
    if metric == "full":
        measured.add("full maxrss", done.maxrss)
        measured.add("full treerss", done.treerss)
    elif metric == "incremental":
        measured.add("incremental peak", done.peak)
    log(
        f"  {project.kind}: {what}: {done.seconds:.2f} s (CPU {done.cpu:.2f} s), "
        f"peak {mb(done.maxrss)} "
        f"(one process) / {mb(done.treerss)} (tree)"
    )
    return True


def clean_build_order(repeats: dict[str, int]) -> list[str]:
    """The projects' clean builds in rounds: each round builds every project that has
    builds left (ours, plain, ours, ours for 3 and 1), so that the builds whose ratio
    is a target are taken in the same stretch of the run, not one project's minutes
    after the other's on a machine whose speed drifts."""
    return [
        kind
        for round_ in range(max(repeats.values(), default=0))
        for kind, count in repeats.items()
        if round_ < count
    ]


def clean_builds(projects: list[Project], repeats: dict[str, int]) -> dict[str, Measured]:
    """Each project built clean ``repeats[kind]`` times, in :func:`clean_build_order`."""
    by_kind = {project.kind: project for project in projects}
    results = {project.kind: Measured() for project in projects}
    failed: set[str] = set()
    for kind in clean_build_order({p.kind: repeats[p.kind] for p in projects}):
        if kind not in failed and not build_step(
            by_kind[kind], results[kind], "full", "clean build", by_kind[kind].clean
        ):
            failed.add(kind)
    return results


def measure(project: Project, measured: Measured, repeat_small: int) -> Measured:
    """After its clean builds: build ``project`` after edits and unchanged, check it
    (ours), weigh its page."""
    if measured.failures:  # its clean build failed: nothing else can be measured
        return measured
    for round_ in range(repeat_small):
        if not build_step(
            project,
            measured,
            "incremental",
            "one-issue edit build",
            lambda r=round_: edit_one_word(project.issue, r),
        ):
            break
    for _ in range(repeat_small):
        if not build_step(project, measured, "nochange", "no-change build"):
            break
    if project.kind == "ours":
        named = project.issue.relative_to(project.src).as_posix()
        for metric, what, paths in (
            ("check", "check of all issues", []),
            ("check one", f"check of {named}", [named]),
        ):
            for _ in range(repeat_small):
                done = run([sys.executable, "-m", "newsletter", "check", *paths], project.src)
                if not done.ok:
                    report_failure(project, what, done, measured)
                    break
                measured.add(metric, done.seconds)
                measured.add(f"{metric} cpu", done.cpu)
                log(
                    f"  {project.kind}: {what}: {done.seconds:.2f} s (CPU {done.cpu:.2f} s; "
                    f"{done.stderr.strip()})"
                )
    page = project.page()
    if page.is_file():
        data = page.read_bytes()
        measured.add("page bytes", len(data))
        measured.add("page gzip bytes", len(gzip.compress(data, compresslevel=6, mtime=0)))
    else:
        measured.failures.append(f"no page {page.relative_to(project.out)}")
    if (project.out / "searchindex.js").is_file():
        measured.add("searchindex bytes", (project.out / "searchindex.js").stat().st_size)
    measured.add("html pages", len(project.pages()))
    return measured


def search_words(issues: list[Path]) -> dict[str, str]:
    """The rare word (in the fewest issues: nearest to one) and the common word (in the
    most), chosen like :func:`benchmarks.search.choose_words`."""
    from .search import choose_words

    chosen = choose_words(issues)
    return {"rare": chosen[min(chosen)], "common": chosen[max(chosen)]}


def measure_search(
    projects: list[Project], issues: list[Path], results: dict[str, Measured]
) -> None:
    """What a fresh headless Chromium downloads for each word, from a gzip static server."""
    from .browser import CHROMIUM, chromium
    from .search import load

    if not CHROMIUM.exists():
        log(f"  search: {CHROMIUM} is missing (make chromium): not measured")
        return
    words = search_words(issues)
    with chromium() as browser:
        for project in projects:
            measured = results[project.kind]
            for which, word in words.items():
                try:
                    got = load(browser, project.out, f"search.html?q={word}", project.kind, True)
                except Exception as error:  # a timeout or a page error: the row stays empty
                    measured.failures.append(f"search “{word}” failed: {error}")
                    log(f"  !! {project.kind}: search “{word}” failed: {error}")
                    continue
                measured.add(f"search {which} bytes", got.bytes)
                measured.notes[f"search {which}"] = f"“{word}”"
                measured.notes[f"search {which} matched"] = str(got.matched)
                parts = ", ".join(f"{k} {v:,}" for k, v in sorted((got.parts or {}).items()))
                log(
                    f"  {project.kind}: search “{word}” ({got.matched} issues): "
                    f"{got.bytes:,} bytes ({parts}), {got.requests} requests, {got.seconds:.2f} s"
                )


def bench_size(n: int, args: argparse.Namespace) -> dict[str, Measured]:
    log(f"N = {n}")
    with tempfile.TemporaryDirectory(prefix=f"ftw-bench-{n}-") as tmp:
        work = Path(tmp)
        issues = generate(work / "ours", n, args.seed, cadence_of(n, args.cadence))
        middle = issues[len(issues) // 2]
        kinds = KINDS if n <= args.plain_up_to else ("ours",)
        if "plain" in kinds:
            make_plain(work / "ours", work / "plain")
        projects = [
            Project(
                kind,
                work / kind,
                out=work / f"{kind}-html",
                doctrees=work / f"{kind}-doctrees",
                issue=work / kind / middle.relative_to(work / "ours"),
                jobs=args.jobs if kind == "ours" else None,
            )
            for kind in kinds
        ]
        repeats = {"ours": args.repeat, "plain": args.repeat_plain}
        results = clean_builds(projects, repeats)
        for project in projects:
            measure(project, results[project.kind], args.repeat_small)
        built = [project for project in projects if project.page().is_file()]
        if args.search and built:
            measure_search(built, issues, results)
    return results


# -- the report ------------------------------------------------------------------


def rows(repeat: int, repeat_plain: int, repeat_small: int) -> list[tuple[str, str, str]]:
    """(metric, label, unit) of each row of a size's table."""

    def builds(count: int) -> str:
        return f"median of {count}" if count > 1 else "one build"

    full = (
        builds(repeat)
        if repeat == repeat_plain
        else f"ours: {builds(repeat)}; plain: {builds(repeat_plain)}"
    )
    small = f"median of {repeat_small}"
    return [
        ("full", f"clean build ({full})", "s"),
        ("full maxrss", "clean build, peak memory: largest process (wait4)", "B"),
        ("full treerss", "clean build, peak memory: process tree (sampled)", "B"),
        ("incremental", f"one-issue edit build ({small})", "s"),
        ("incremental pages", "pages written by the edit build", "n"),
        ("incremental peak", "edit build, peak memory", "B"),
        ("nochange", f"no-change build ({small})", "s"),
        ("nochange pages", "pages written by the no-change build", "n"),
        ("check", f"`python -m newsletter check`, all issues ({small})", "s"),
        ("check one", f"`python -m newsletter check FILE`, the middle issue ({small})", "s"),
        ("page bytes", "middle issue's page", "B"),
        ("page gzip bytes", "middle issue's page, gzip -6", "B"),
        ("search rare bytes", "search {word} ({matched} issues), downloaded", "B"),
        ("search common bytes", "search {word} ({matched} issues), downloaded", "B"),
        ("searchindex bytes", "searchindex.js", "B"),
        ("html pages", "HTML pages in the output", "n"),
    ]


def label_of(label: str, metric: str, results: dict[str, Measured]) -> str:
    """The row's label, with the search word and the issues each project matched."""
    if "{word}" not in label:
        return label
    which = metric.split()[1]
    notes = [m.notes for m in results.values() if f"search {which}" in m.notes]
    if not notes:
        return label.format(word=f"a {which} word", matched="?")
    matched = " / ".join(n.get(f"search {which} matched", "?") for n in notes)
    return label.format(word=notes[0][f"search {which}"], matched=matched)


def ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.3f}" if a is not None and b else "—"


def table(
    n: int, results: dict[str, Measured], repeat: int, repeat_plain: int, repeat_small: int
) -> str:
    lines = [
        f"### N = {n:,} issues",
        "",
        "| metric | ours | plain | ours/plain |",
        "|---|---:|---:|---:|",
    ]
    ours, plain = results["ours"], results.get("plain", Measured())
    for metric, label, unit in rows(repeat, repeat_plain, repeat_small):
        a, b = ours.figure(metric), plain.figure(metric)
        if a is None and b is None and metric == "searchindex bytes":
            continue
        cells = [show(a, unit), show(b, unit)]
        if unit == "s":  # the CPU time beside the wall-clock time
            cpu = (ours.figure(f"{metric} cpu"), plain.figure(f"{metric} cpu"))
            cells = [
                f"{c} (CPU {show(t, unit)})" if t is not None else c
                for c, t in zip(cells, cpu, strict=True)
            ]
        lines.append(
            f"| {label_of(label, metric, results)} | {cells[0]} | {cells[1]} | {ratio(a, b)} |"
        )
    for kind, measured in results.items():
        lines.extend(f"\n{kind}: {failure}" for failure in measured.failures)
    return "\n".join(lines)


def machine(args: argparse.Namespace, load_before: tuple[float, ...]) -> str:
    import sphinx

    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load_after = os.getloadavg()
    return (
        f"## Build benchmark, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC\n\n"
        f"{os.cpu_count()} CPU(s) ({cpu}), {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, Sphinx {sphinx.__version__}; "
        f"load average {load_before[0]:.2f} before, {load_after[0]:.2f} after; "
        f"{describe_cadence(args.cadence)}, seed {args.seed}; "
        f"ours built with -j {args.jobs}, plain Sphinx serially up to N = {args.plain_up_to:,}; "
        f"search downloads from a gzip static server in a fresh headless Chromium.\n"
    )


def sizes_list(text: str) -> list[int]:
    try:
        sizes = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a list such as 52,520") from None
    if not sizes or min(sizes) < 2:
        raise argparse.ArgumentTypeError("sizes are whole numbers from 2 up")
    return sorted(set(sizes))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.run",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--sizes",
        type=sizes_list,
        default=[52, 520, 5200],
        help="archive sizes (default 52,520,5200)",
    )
    # A clean build of ours is measured three times: one sample of a 126 s build on this
    # shared machine ranged over ±10%, as much as the growth it is judged by. Plain Sphinx's
    # 210 s at 520 issues, against a target of 1/15 of it, is measured once.
    parser.add_argument("--repeat", type=int, default=3, help="clean builds of ours (3)")
    parser.add_argument(
        "--repeat-plain", type=int, default=1, help="clean builds of plain Sphinx (1)"
    )
    parser.add_argument(
        "--repeat-small",
        type=int,
        default=3,
        help="edit and no-change builds, and checks, per project (3)",
    )
    parser.add_argument(
        "--plain-up-to",
        type=int,
        default=520,
        help="build the plain project only where N is at most this (520)",
    )
    parser.add_argument(
        "--cadence",
        choices=["auto", *sorted(CADENCES)],
        default="auto",
        help="dates of the issues (auto: weekly up to 520 issues, ten years; daily beyond)",
    )
    parser.add_argument("--seed", type=int, default=1, help="seed of the synthetic archive (1)")
    parser.add_argument(
        "--jobs", default="auto", help="sphinx-build -j of our builds (make bench: make html's)"
    )
    parser.add_argument(
        "--no-search",
        dest="search",
        action="store_false",
        help="do not measure the search downloads (no browser)",
    )
    args = parser.parse_args(argv)
    if min(args.repeat, args.repeat_plain, args.repeat_small) < 1:
        parser.error("--repeat, --repeat-plain and --repeat-small are at least 1")

    load_before = os.getloadavg()
    all_results = {n: bench_size(n, args) for n in args.sizes}
    print(machine(args, load_before))
    for n, results in all_results.items():
        print(table(n, results, args.repeat, args.repeat_plain, args.repeat_small) + "\n")
    ours = {n: r["ours"].figures() for n, r in all_results.items()}
    plain = {n: r["plain"].figures() for n, r in all_results.items() if "plain" in r}
    if len(all_results) > 1:
        print(growth_table(ours, args.sizes) + "\n")
    print("### Targets\n")
    print("\n".join(target_lines(ours, plain)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
