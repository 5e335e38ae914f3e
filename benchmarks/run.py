"""Time our build against a plain Sphinx project of the same pages.

    python -m benchmarks.run [--sizes 52,520] [--repeat 1] [--repeat-small 3] [--seed 1]

For each archive size N, in temporary directories, this builds two projects
with the same N synthetic issues (see :mod:`benchmarks.generate`):

ours
    this repository's project (``conf.py`` with the ``newsletter`` extension,
    the templates and styles, ``publication.toml``);
plain
    a plain Sphinx + myst-parser + sphinx-book-theme project with no newsletter
    extension: an ``index.md`` whose global ``toctree`` (glob) lists every
    issue, and the quote/stat/question blocks turned into plain blockquotes.

Both are built with ``python -m sphinx -b html -W --keep-going -n -d DOCTREES
SRC OUT`` (the flags of ``make html``) and measured the same way: a clean
build, an incremental build after one word of one issue in the middle of the
archive changes, a build with nothing changed, the size of that issue's page
and of ``searchindex.js``; for ours also ``python -m newsletter check`` over
every issue. The results are printed as Markdown tables (medians of the
repeats), progress goes to stderr.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .generate import ROOT, generate

KINDS = ("ours", "plain")
#: the words the incremental edit puts in place of one word, in turn
EDIT_WORDS = ("reportedly", "apparently", "evidently", "ostensibly")

PLAIN_CONF = '''"""A plain Sphinx project of the same pages: no newsletter extension."""

project = "Focus This Week (plain)"
author = "China-US Focus"
extensions = ["myst_parser"]
myst_enable_extensions = ["colon_fence"]
# the title is written in the front matter only; without this the pages have none
myst_title_to_header = True
smartquotes = False
html_theme = "sphinx_book_theme"
'''

PLAIN_INDEX = """# Focus This Week

The weekly China–US newsletter of China-US Focus, without the newsletter extension.

```{toctree}
:glob:
:maxdepth: 1

issues/*/*
```
"""

#: a quote/stat/question block of an issue: its name, argument, then its lines
BLOCK = re.compile(
    r"^:::\{(?P<name>quote|stat|question)\}[ \t]*(?P<argument>[^\n]*)\n(?P<lines>.*?)^:::[ \t]*$",
    re.MULTILINE | re.DOTALL,
)
OPTION = re.compile(r"^:(?P<name>[\w-]+):\s*(?P<value>.*)$")


# -- the plain project -----------------------------------------------------------


def plain_block(match: re.Match[str]) -> str:
    """A quote/stat/question block as a Markdown blockquote with the same text.

    The plain project has no quote/stat/question directives, so each block
    becomes a blockquote holding its argument, its body and its options' values.
    """
    options: dict[str, str] = {}
    body: list[str] = []
    for line in match["lines"].splitlines():
        option = OPTION.match(line)
        if option and not body:
            options[option["name"]] = option["value"]
        else:
            body.append(line)
    paragraphs = [match["argument"].strip(), "\n".join(body).strip()]
    name = match["name"]
    if name == "quote":
        paragraphs.append(
            " ".join(
                part
                for part in (
                    f"— {options['attribution']}" if "attribution" in options else "",
                    f"({options['source']})" if "source" in options else "",
                )
                if part
            )
        )
    elif name == "stat":
        paragraphs.append(
            ", ".join(
                f"{label} {options[key]}"
                for key, label in (("source", "Source:"), ("as-of", "as of"))
                if key in options
            )
        )
    elif "submit" in options:
        paragraphs.append(f"Submit your thoughts to {options['submit']}.")
    quoted = []
    for paragraph in (p for p in paragraphs if p):
        quoted.append("\n".join(f"> {line}" if line else ">" for line in paragraph.splitlines()))
    return "\n>\n".join(quoted)


def make_plain(ours: Path, plain: Path) -> None:
    """The plain project of the same issues as the project ``ours``."""
    plain.mkdir(parents=True)
    (plain / "conf.py").write_text(PLAIN_CONF, encoding="utf-8")
    (plain / "index.md").write_text(PLAIN_INDEX, encoding="utf-8")
    for source in sorted((ours / "issues").glob("*/*.md")):
        target = plain / source.relative_to(ours)
        target.parent.mkdir(parents=True, exist_ok=True)
        text = source.read_text(encoding="utf-8")
        target.write_text(BLOCK.sub(plain_block, text), encoding="utf-8")


# -- measuring -------------------------------------------------------------------


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


@dataclass
class Run:
    seconds: float
    returncode: int
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0


def timed(command: list[str], cwd: Path) -> Run:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    return Run(time.perf_counter() - start, done.returncode, done.stdout, done.stderr)


@dataclass
class Project:
    kind: str
    src: Path
    out: Path
    doctrees: Path
    #: the issue edited and weighed: the one in the middle of the archive
    issue: Path

    def build(self) -> Run:
        command = [sys.executable, "-m", "sphinx", "-b", "html", "-W", "--keep-going", "-n"]
        command += ["-d", str(self.doctrees), str(self.src), str(self.out)]
        return timed(command, self.src)

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
    """The samples of each metric of one project, and what went wrong."""

    samples: dict[str, list[float]] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    def add(self, metric: str, value: float) -> None:
        self.samples.setdefault(metric, []).append(value)

    def median(self, metric: str) -> float | None:
        values = self.samples.get(metric)
        return statistics.median(values) if values else None


def tail(text: str, lines: int = 15) -> str:
    return "\n".join(text.rstrip().splitlines()[-lines:])


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def report_failure(project: Project, what: str, run: Run, measured: Measured) -> None:
    measured.failures.append(f"{what} failed (exit {run.returncode})")
    log(f"  !! {project.kind}: {what} failed with exit code {run.returncode}; stderr tail:")
    log("     " + tail(run.stderr or run.stdout).replace("\n", "\n     "))


def measure(project: Project, repeat: int, repeat_small: int) -> Measured:
    measured = Measured()

    def step(metric: str, what: str, before: Callable[[], None] | None = None) -> bool:
        if before:
            before()
        start_ns = time.time_ns()
        run = project.build()
        if not run.ok:
            report_failure(project, what, run, measured)
            return False
        measured.add(metric, run.seconds)
        measured.add(f"{metric} pages", project.pages_written_since(start_ns))
        log(f"  {project.kind}: {what}: {run.seconds:.2f} s")
        return True

    for _ in range(repeat):
        if not step("full", "clean build", project.clean):
            return measured
    for round_ in range(repeat_small):
        if not step(
            "incremental", "incremental build", lambda r=round_: edit_one_word(project.issue, r)
        ):
            break
    for _ in range(repeat_small):
        if not step("nochange", "no-change build"):
            break
    if project.kind == "ours":
        for _ in range(repeat_small):
            run = timed([sys.executable, "-m", "newsletter", "check"], project.src)
            if not run.ok:
                report_failure(project, "python -m newsletter check", run, measured)
                break
            measured.add("check", run.seconds)
            log(f"  {project.kind}: check: {run.seconds:.2f} s ({run.stderr.strip()})")
    if project.page().is_file():
        measured.add("page bytes", project.page().stat().st_size)
    else:
        measured.failures.append(f"no page {project.page().relative_to(project.out)}")
    if (project.out / "searchindex.js").is_file():
        measured.add("searchindex bytes", (project.out / "searchindex.js").stat().st_size)
    measured.add("html pages", len(project.pages()))
    return measured


def bench_size(n: int, seed: int, repeat: int, repeat_small: int) -> dict[str, Measured]:
    log(f"N = {n}")
    results: dict[str, Measured] = {}
    with tempfile.TemporaryDirectory(prefix=f"ftw-bench-{n}-") as tmp:
        work = Path(tmp)
        issues = generate(work / "ours", n, seed)
        middle = issues[len(issues) // 2]
        make_plain(work / "ours", work / "plain")
        for kind in KINDS:
            src = work / kind
            project = Project(
                kind,
                src,
                out=work / f"{kind}-html",
                doctrees=work / f"{kind}-doctrees",
                issue=src / middle.relative_to(work / "ours"),
            )
            results[kind] = measure(project, repeat, repeat_small)
    return results


# -- the report ------------------------------------------------------------------


def rows(repeat: int, repeat_small: int) -> list[tuple[str, str, str]]:
    """(metric, label, unit) of each row of a size's table."""
    full = f"median of {repeat}"
    small = f"median of {repeat_small}"
    return [
        ("full", f"clean build, s ({full})", "s"),
        ("incremental", f"incremental build after a one-word edit, s ({small})", "s"),
        ("incremental pages", "pages written by the incremental build", "n"),
        ("nochange", f"no-change build, s ({small})", "s"),
        ("nochange pages", "pages written by the no-change build", "n"),
        ("check", f"`python -m newsletter check`, all issues, s ({small})", "s"),
        ("page bytes", "middle issue's page, bytes", "n"),
        ("searchindex bytes", "searchindex.js, bytes", "n"),
        ("html pages", "HTML pages in the output", "n"),
    ]


def show(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    return f"{value:.2f}" if unit == "s" else f"{value:,.0f}"


def ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.2f}" if a is not None and b else "—"


def table(n: int, results: dict[str, Measured], repeat: int, repeat_small: int) -> str:
    lines = [
        f"### N = {n} issues",
        "",
        "| metric | ours | plain | ours/plain |",
        "|---|---:|---:|---:|",
    ]
    ours, plain = results["ours"], results["plain"]
    for metric, label, unit in rows(repeat, repeat_small):
        a, b = ours.median(metric), plain.median(metric)
        lines.append(f"| {label} | {show(a, unit)} | {show(b, unit)} | {ratio(a, b)} |")
    for kind, measured in results.items():
        lines.extend(f"\n{kind}: {failure}" for failure in measured.failures)
    return "\n".join(lines)


def growth(all_results: dict[int, dict[str, Measured]]) -> str:
    sizes = sorted(all_results)
    small, large = sizes[0], sizes[-1]
    lines = [f"### Growth from N = {small} to N = {large}", ""]
    lines += ["| metric | ours | plain |", "|---|---:|---:|"]
    for metric, label in (
        ("page bytes", "issue page size"),
        ("searchindex bytes", "searchindex.js"),
    ):
        cells = [
            ratio(all_results[large][kind].median(metric), all_results[small][kind].median(metric))
            for kind in KINDS
        ]
        lines.append(f"| {label}, N={large} / N={small} | {cells[0]} | {cells[1]} |")
    return "\n".join(lines)


def sizes_list(text: str) -> list[int]:
    try:
        sizes = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a list such as 52,520") from None
    if not sizes or min(sizes) < 2:
        raise argparse.ArgumentTypeError("sizes are whole numbers from 2 up")
    return sizes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.run",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--sizes", type=sizes_list, default=[52, 520], help="archive sizes (default 52,520)"
    )
    parser.add_argument("--repeat", type=int, default=1, help="clean builds per project (1)")
    parser.add_argument(
        "--repeat-small",
        type=int,
        default=3,
        help="incremental and no-change builds, and checks, per project (3)",
    )
    parser.add_argument("--seed", type=int, default=1, help="seed of the synthetic archive (1)")
    args = parser.parse_args(argv)
    if args.repeat < 1 or args.repeat_small < 1:
        parser.error("--repeat and --repeat-small are at least 1")

    import sphinx

    all_results = {n: bench_size(n, args.seed, args.repeat, args.repeat_small) for n in args.sizes}
    print(
        f"## Build benchmark: Python {platform.python_version()}, Sphinx {sphinx.__version__}, "
        f"{os.cpu_count()} CPU(s), seed {args.seed}\n"
    )
    for n, results in all_results.items():
        print(table(n, results, args.repeat, args.repeat_small) + "\n")
    if len(all_results) > 1:
        print(growth(all_results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
