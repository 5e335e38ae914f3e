"""The benchmarks' own logic, without timing anything: the synthetic archive's dates and
issues, the growth and target verdicts of ``make bench``, how a run is weighed, and the
search words. Nothing here reads the repository's issues/."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import subprocess
import sys
from pathlib import Path

from benchmarks import generate, measure, search, verdict
from benchmarks.run import Measured, Project, clean_build_order, main, rows

from .conftest import ROOT, run_cli


def test_daily_dates_are_consecutive_days_and_fourteen_years_at_5200() -> None:
    dates = generate.issue_dates(5200, "daily")
    assert dates[0] == dt.date(2012, 1, 1)
    assert all(b - a == dt.timedelta(days=1) for a, b in itertools.pairwise(dates))
    assert 14 <= (dates[-1] - dates[0]).days / 365.25 < 15
    assert dates[-1] == dt.date(2026, 3, 27)


def test_issue_k_is_the_same_whatever_n() -> None:
    for cadence in generate.CADENCES:
        assert generate.issue_dates(52, cadence) == generate.issue_dates(520, cadence)[:52]
    assert generate.issue_dates(3) == [
        dt.date(2016, 1, 8),
        dt.date(2016, 1, 15),
        dt.date(2016, 1, 22),
    ]


def test_every_daily_issue_passes_the_checker_and_issue_k_is_the_same(tmp_path: Path) -> None:
    small = generate.generate(tmp_path / "small", 12, cadence="daily")
    large = generate.generate(tmp_path / "large", 40, cadence="daily")
    assert [p.relative_to(tmp_path / "small") for p in small] == [
        p.relative_to(tmp_path / "large") for p in large[:12]
    ]
    assert all(a.read_bytes() == b.read_bytes() for a, b in zip(small, large, strict=False))
    assert len({p.parent.name for p in large}) == 1  # 40 days of 2012
    done = run_cli(tmp_path / "large", "check")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "checked 40 issue file(s): no problems" in done.stderr


def test_growth_against_the_linear_bound() -> None:
    sizes = [52, 520, 5200]
    linear = verdict.growth({52: 1.0, 520: 10.0, 5200: 100.0}, sizes)
    assert (linear.ratio, linear.bound, linear.faster) == (10.0, 10.0, False)
    assert linear.exponent == 1.0 and linear.marginal == 1.0
    faster = verdict.growth({52: 1.0, 520: 2.0, 5200: 30.0}, sizes)
    assert faster.faster and faster.ratio == 15.0 and faster.exponent > 1
    # a fixed cost hides it from the ratio, not from the cost per added issue
    hidden = verdict.growth({52: 10.0, 520: 11.0, 5200: 30.0}, sizes)
    assert not hidden.faster and hidden.marginal > 1
    assert verdict.growth({520: None, 5200: 3.0}, sizes).faster is None
    two = verdict.growth({20: 1.0, 52: 2.0}, [20, 52])
    assert two.bound == 2.6 and two.marginal is None and not two.faster


def test_targets_are_met_or_not_from_the_figures_given() -> None:
    ours = {
        520: {"incremental": 1.5, "nochange": 1.2, "check": 0.4, "check one": None, "full": 10.0},
        5200: {"peak": 1.9e9},
    }
    ours[520]["full cpu"] = 16.0
    lines = verdict.target_lines(ours, {520: {"full": 200.0, "full cpu": 199.0}})
    assert lines[0].startswith("- clean build, ours/plain at N = 520: 1/19.9")
    assert lines[0].endswith("target ≤ 1/15: met")
    assert lines[1].startswith("  - in CPU time, for information: 1/12.4")
    # plain's build stretched by a busy machine is judged by its CPU time
    stretched = verdict.target_lines(ours, {520: {"full": 600.0, "full cpu": 140.0}})
    assert stretched[0].startswith("- clean build, ours/plain at N = 520: 1/14.0")
    assert stretched[0].endswith("not met")
    verdicts = [line.rsplit(": ", 1)[1] for line in lines[2:]]
    assert verdicts == ["met", "not met", "met", "not measured", "met"]
    assert verdict.target_lines({5200: {"peak": 2e9}}, {})[-1].endswith("not met")
    assert verdict.target_lines(ours, {520: {"full": 100.0}})[0].endswith("not met")
    assert verdict.target_lines({}, {})[0].endswith("not measured")


def test_the_growth_table_flags_what_grows_faster_than_linearly() -> None:
    ours = {52: {"full": 1.0, "peak": 1e8}, 520: {"full": 2.0, "peak": 2e8}}
    ours[5200] = {"full": 30.0, "peak": 3e8}
    table = verdict.growth_table(ours, [52, 520, 5200])
    full = next(line for line in table.splitlines() if line.startswith("| clean build |"))
    assert "15.00x" in full and "| 10x |" in full and "**faster than linear**" in full
    peak = next(line for line in table.splitlines() if line.startswith("| peak memory"))
    assert "linear or slower" in peak


def test_the_figure_of_a_metric_is_its_median_or_for_memory_its_maximum() -> None:
    measured = Measured()
    for seconds, peak in ((3.0, 5), (1.0, 9), (2.0, 7)):
        measured.add("incremental", seconds)
        measured.add("peak", peak)
    assert measured.figure("incremental") == 2.0
    assert measured.figure("peak") == 9
    assert measured.figure("check") is None


def test_a_run_is_weighed_with_its_children(tmp_path: Path) -> None:
    """The peak memory of one command counts a child's peak (through wait4), whatever
    ran before: a large command first does not raise the figure of a small one after.

    The measuring is done from a fresh interpreter, as ``make bench`` does it: a child's
    peak includes the memory of the process it was forked from, until it runs its own
    program, and a test process holds far more than the bench's."""
    big = "b = bytearray(120 * 2**20); import time; time.sleep(0.3)"
    parent = f"import subprocess, sys; subprocess.run([sys.executable, '-c', {big!r}])"
    script = (
        "import json, sys; from pathlib import Path; from benchmarks import measure\n"
        "here = Path(sys.argv[1])\n"
        f"done = measure.timed([sys.executable, '-c', {parent!r}], here)\n"
        "small = measure.timed([sys.executable, '-c', \"print('ok')\"], here)\n"
        "print(json.dumps([done.ok, done.maxrss, done.treerss, small.stdout, small.maxrss,"
        " small.cpu]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path)],
        capture_output=True, text=True, cwd=ROOT, check=True,
    ).stdout  # fmt: skip
    ok, maxrss, treerss, said, small_maxrss, small_cpu = json.loads(out)
    assert ok and maxrss > 120 * 2**20
    assert treerss > 100 * 2**20  # sampled while the child held its memory
    assert said == "ok\n" and small_maxrss < 100 * 2**20 and small_cpu > 0
    failed = measure.timed([sys.executable, "-c", "import sys; sys.exit(3)"], tmp_path)
    assert failed.returncode == 3 and not failed.ok


def test_search_words_are_in_the_text_both_searches_index(tmp_path: Path) -> None:
    issues = generate.generate(tmp_path / "archive", 30, cadence="daily")
    texts = [search.indexed_text(p.read_text(encoding="utf-8")) for p in issues]
    assert not any(word in text for text in texts for word in ("https://", "title:", ":::"))
    chosen = search.choose_words(issues)
    for hits, word in chosen.items():
        assert sum(word in search.words_of(text) for text in texts) == hits
    assert "after" not in chosen.values()  # a stop word of the stock search


def test_make_bench_options_are_checked() -> None:
    for bad in (["--sizes", "1"], ["--sizes", "a,b"], ["--repeat", "0"], ["--repeat-plain", "0"]):
        try:
            main(bad)
        except SystemExit as error:
            assert error.code == 2
        else:
            raise AssertionError(f"{bad} was accepted")


def test_the_clean_build_row_says_how_often_each_project_was_built() -> None:
    assert rows(3, 1, 3)[0][1] == "clean build (ours: median of 3; plain: one build)"
    assert rows(3, 3, 3)[0][1] == "clean build (median of 3)"


def test_the_projects_clean_builds_are_taken_in_rounds() -> None:
    """Plain's one clean build between ours' first and second, not minutes after ours'."""
    assert clean_build_order({"ours": 3, "plain": 1}) == ["ours", "plain", "ours", "ours"]
    assert clean_build_order({"ours": 2, "plain": 2}) == ["ours", "plain", "ours", "plain"]
    assert clean_build_order({"ours": 3}) == ["ours", "ours", "ours"]


def test_search_downloads_are_told_apart_by_part() -> None:
    """What a query fetches from a year's bundle counts as index or per result."""
    assert search.part_of("/pagefind/2020/index/en_1a2b3c4.pf_index") == "index"
    assert search.part_of("/pagefind/2020/pagefind.en_1a2b3c4d5e.pf_meta") == "index"
    assert search.part_of("/pagefind/2019/pagefind-entry.json") == "index"
    assert search.part_of("/pagefind/2020/filter/en_1a2b3c4.pf_filter") == "index"
    assert search.part_of("/pagefind/2020/fragment/en_1a2b3c4.pf_fragment") == "per result"
    assert search.part_of("/pagefind/2025/pagefind.js") == "fixed"
    assert search.part_of("/pagefind/2025/wasm.en.pagefind") == "fixed"
    assert search.part_of("/searchindex.js") == "index"


def test_ours_is_built_with_make_htmls_jobs_and_plain_serially(tmp_path: Path) -> None:
    def project(jobs: str | None) -> list[str]:
        return Project("x", tmp_path, tmp_path / "o", tmp_path / "d", tmp_path, jobs).command()

    assert project("auto")[project("auto").index("-j") + 1] == "auto"
    assert "-j" not in project(None)
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "-j $(JOBS)" in makefile and "benchmarks.run --jobs $(JOBS)" in makefile
