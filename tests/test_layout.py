"""The package's layout holds: the import contract (pyproject.toml, ARCHITECTURE.md),
modules of one concern, git run from one place, no month name from strftime."""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT

PACKAGE = ROOT / "newsletter"
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
#: no module of ours is longer (a longer one holds more than one concern: split it)
MAX_LINES = 350


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    """import-linter's verdict on the package in ``root`` (its pyproject.toml's contracts)."""
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": str(root)},
    )


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_the_import_contract_is_kept() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 kept, 0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        # the schema would need Sphinx
        ("schema/dates.py", "import sphinx.util", "run without Sphinx"),
        # the checker would read the build's records
        ("check/cli.py", "import newsletter.site.records", "each layer imports only"),
        # one output would lean on another
        ("outputs/feed.py", "import newsletter.outputs.search.bundle", "stands on its own"),
    ],
)
def test_the_import_contract_can_fail(tmp_path: Path, module: str, line: str, broken: str) -> None:
    """A forbidden import, added to a copy of the package, breaks the contract it names."""
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    shutil.copytree(PACKAGE, tmp_path / "newsletter", ignore=shutil.ignore_patterns("__pycache__"))
    path = tmp_path / "newsletter" / module
    path.write_text(path.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")
    result = lint_imports(tmp_path)
    assert result.returncode != 0, result.stdout
    assert re.search(rf"{re.escape(broken)}.*BROKEN", result.stdout), result.stdout


def test_no_module_is_over_the_limit() -> None:
    lengths = {p.relative_to(ROOT).as_posix(): len(p.read_text().splitlines()) for p in modules()}
    assert {name: n for name, n in lengths.items() if n > MAX_LINES} == {}


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_git_is_run_from_one_place() -> None:
    """Only newsletter/history/git.py runs git; the one other process is Pagefind."""
    running = {
        p.relative_to(PACKAGE).as_posix()
        for p in modules()
        if _imports(p) & {"subprocess", "os.system", "pty"}
    }
    assert running == {"history/git.py", "outputs/search/pagefind.py"}
    assert '"git"' not in (PACKAGE / "outputs/search/pagefind.py").read_text(encoding="utf-8")


#: strftime directives that write a name in the machine's language
_NAMES = re.compile(r"%[aAbBcxp]")


def test_no_month_name_comes_from_strftime() -> None:
    """Names of months and days come from babel (newsletter/schema/dates.py), nowhere else."""
    for path in modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "strftime":
                form = node.args[0] if node.args else None
                assert isinstance(form, ast.Constant), f"{path}: a strftime of unknown form"
                assert not _NAMES.search(form.value), f"{path}: strftime({form.value!r})"
    for template in sorted((ROOT / "_templates").rglob("*.html")):
        assert "strftime" not in template.read_text(encoding="utf-8"), template


def conf_value(name: str) -> object:
    """A value conf.py assigns literally (read, not run)."""
    tree = ast.parse((ROOT / "conf.py").read_text(encoding="utf-8"))
    values = [
        ast.literal_eval(node.value)
        for node in tree.body
        if isinstance(node, ast.Assign)
        and any(isinstance(target, ast.Name) and target.id == name for target in node.targets)
    ]
    assert len(values) == 1, name
    return values[0]


def test_sphinx_looks_for_issues_only_where_they_can_be(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Sphinx walks every folder that conf.py does not exclude to find the included files:
    the virtual environment, node_modules/, the build and git's own folder are left out."""
    from sphinx.util import matching

    for relative in (
        "index.md",
        "issues/2026/2026-01-23.md",
        ".venv/lib/site-packages/x/README.md",
        ".git/objects/ab/cd",
        "node_modules/pkg/README.md",
        "_build/html/index.html",
        "_static/newsletter.css",
        "tests/fixtures/issues/2026-01-23.md",
    ):
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text("x", encoding="utf-8")
    walked: list[str] = []
    real_walk = os.walk

    def walk(top, *args, **kwargs):  # type: ignore[no-untyped-def]
        for root, dirs, files in real_walk(top, *args, **kwargs):
            walked.append(Path(root).relative_to(tmp_path).as_posix())
            yield root, dirs, files

    monkeypatch.setattr(matching.os, "walk", walk)
    found = matching.get_matching_files(
        tmp_path, conf_value("include_patterns"), conf_value("exclude_patterns")
    )
    assert sorted(found) == ["index.md", "issues/2026/2026-01-23.md"]
    assert sorted(walked) == [
        ".",
        "issues",
        "issues/2026",
        "tests",
        "tests/fixtures",
        "tests/fixtures/issues",
    ]
