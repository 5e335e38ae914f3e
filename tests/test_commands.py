"""The commands a person is told to run work as shown in a fresh clone.

Every command of README.md and CONTRIBUTING.md (each line of a ```sh block, and each
inline `make ...`, `.venv/bin/...` or bare program with arguments): a `make X` names a
target of the Makefile (``make -n`` in a copy), a `.venv/bin/X` is a program that the
set-up installs (the virtual environment, or a package that pyproject.toml requires),
``.venv/bin/python -m newsletter ...`` is a valid command line, and nothing is a bare
``python``, ``pre-commit``, ... that runs only inside an activated environment. Also:
.ci/run is the README's two commands, the pre-commit hooks download nothing, and
tools/ensure-chromium installs Chromium's headless shell only when it is missing.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.metadata
import io
import os
import re
import shlex
import shutil
import subprocess
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from benchmarks import browser
from newsletter.check import cli

from .conftest import ROOT, outside_make

DOCS = ("README.md", "CONTRIBUTING.md")
#: what ``make -n`` needs to read the Makefile: it and the files its rules depend on
MAKE_FILES = ("Makefile", "pyproject.toml", "constraints.txt", "package.json", "package-lock.json")
#: the virtual environment's own programs, there before any package is installed
VENV_PROGRAMS = {"python", "python3", "pip", "pip3"}
#: our own packages, run with ``.venv/bin/python -m NAME``
OUR_MODULES = {"newsletter", "benchmarks"}
#: how the README names the command line (a name, not a command)
NAMES = {"python -m newsletter"}
FENCE = re.compile(r"^(`{3,}|~{3,})\s*(\S*)")
INLINE = re.compile(r"`([^`\n]+)`")
ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirements() -> set[str]:
    """The distributions pyproject.toml requires (dependencies and every extra)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    listed = [*project["dependencies"]]
    for extra in project.get("optional-dependencies", {}).values():
        listed += extra
    return {_normal(re.match(r"[A-Za-z0-9._-]+", spec)[0]) for spec in listed}


def programs_of(distribution: str) -> set[str]:
    """The programs an installed distribution puts in the environment's bin/."""
    try:
        found = importlib.metadata.distribution(distribution)
    except importlib.metadata.PackageNotFoundError:
        return set()
    scripts = {e.name for e in found.entry_points if e.group in ("console_scripts", "gui_scripts")}
    # the scripts' folder, as the distribution's RECORD names it from site-packages
    binaries = {
        Path(f).name for f in found.files or () if f.parts[:1] == ("..",) and f.parent.name == "bin"
    }
    return scripts | binaries


@functools.cache
def installed_programs() -> dict[str, str]:
    """``{program: distribution}`` for the programs of the set-up (``make`` targets)."""
    programs = dict.fromkeys(VENV_PROGRAMS, "venv")
    for distribution in sorted(requirements()):
        # a distribution's own name: known before it is installed (after a change of
        # pyproject.toml, the environment running the tests may predate it)
        programs.setdefault(distribution, distribution)
        for program in programs_of(distribution):
            programs.setdefault(program, distribution)
    return programs


def commands(text: str) -> Iterator[tuple[int, str, bool]]:
    """``(line, command, in a block)``: every ```sh line and every inline command."""
    fence = None
    pending, start = "", 0
    for number, line in enumerate(text.splitlines(), 1):
        match = FENCE.match(line.strip())
        if fence is None and match:
            fence = (match[1][0], match[2])
            continue
        if fence is not None:
            if match and match[1][0] == fence[0] and not match[2]:
                fence = None
            elif fence[1] in ("sh", "bash", "shell", "console"):
                start = start or number
                pending += line
                if pending.endswith("\\"):
                    pending = pending[:-1]
                    continue
                if command := " ".join(shlex.split(pending, comments=True)):
                    yield start, command, True
                pending, start = "", 0
            continue
        for span in INLINE.findall(line):
            words = span.split()
            if span in NAMES or not words:
                continue
            first = next((w for w in words if not ASSIGNMENT.match(w)), "")
            if (
                first == "make"
                or first.startswith(".venv/bin/")
                or (first in installed_programs() and len(words) > 1)
            ):
                yield number, span, False


def documented() -> list[tuple[str, str]]:
    """``(where, command)`` for every command of the documents."""
    found = []
    for doc in DOCS:
        text = (ROOT / doc).read_text(encoding="utf-8")
        found += [(f"{doc}:{line}", command) for line, command, _ in commands(text)]
    return found


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What a fresh clone holds of the Makefile and the files its rules depend on."""
    dest = tmp_path_factory.mktemp("clone")
    for name in MAKE_FILES:
        if (ROOT / name).exists():
            shutil.copy(ROOT / name, dest / name)
    shutil.copytree(ROOT / "tools", dest / "tools")
    return dest


def problem(command: str, clone: Path) -> str | None:
    """What is wrong with a documented command in a fresh clone, or None."""
    words = shlex.split(command)
    env = {}
    while words and ASSIGNMENT.match(words[0]):
        name, value = words.pop(0).split("=", 1)
        env[name] = value
    if not words:
        return "no command"
    program, args = words[0], words[1:]
    installed = installed_programs()
    if program == "make":
        shown = subprocess.run(
            ["make", "-n", *args],
            cwd=clone,
            capture_output=True,
            text=True,
            check=False,
            env={**outside_make(), **env},
        )
        if shown.returncode != 0:
            return f"make -n fails: {shown.stderr.strip()}"
        return None
    if program.startswith(".venv/bin/"):
        name = program.removeprefix(".venv/bin/")
        if name not in installed:
            return f"{name} is installed by nothing in pyproject.toml (nor by the venv)"
        if name.startswith("python") and args[:1] == ["-m"]:
            module = args[1] if len(args) > 1 else ""
            if module == "newsletter":
                return _cli_problem(args[2:])
            providers = importlib.metadata.packages_distributions().get(module.split(".")[0], [])
            if module not in OUR_MODULES and not {_normal(p) for p in providers} & requirements():
                return f"module {module} is neither ours nor of a package pyproject.toml requires"
        return None
    if "/" not in program and program in installed:
        return (
            f"bare {program}: runs only inside an activated environment, write .venv/bin/{program}"
        )
    if "/" in program:
        path = ROOT / program
        return None if path.is_file() and os.access(path, os.X_OK) else f"no program {program}"
    return None if shutil.which(program) else f"{program} is not installed"


def _cli_problem(args: list[str]) -> str | None:
    said = io.StringIO()
    try:
        with contextlib.redirect_stderr(said), contextlib.redirect_stdout(io.StringIO()):
            cli.make_parser().parse_args(args)
    except SystemExit as stop:
        if stop.code:
            return f"python -m newsletter refuses it: {said.getvalue().strip().splitlines()[-1]}"
    return None


def test_the_documents_show_commands() -> None:
    shown = [command for _, command in documented()]
    for expected in ("make html", "make test", "make check", "make hooks"):
        assert expected in shown
    assert any(c.startswith(".venv/bin/python -m newsletter check") for c in shown)


@pytest.mark.parametrize(("where", "command"), documented())
def test_a_documented_command_runs_as_shown(where: str, command: str, clone: Path) -> None:
    assert problem(command, clone) is None, f"{where}: {command}"


@pytest.mark.parametrize(
    ("command", "wrong"),
    [
        ("python -m newsletter check", "bare python"),
        ("pre-commit install", "bare pre-commit"),
        ("ruff check .", "bare ruff"),
        ("make no-such-target", "make -n fails"),
        (".venv/bin/black .", "black is installed by nothing"),
        (".venv/bin/python -m newsletter chekc", "python -m newsletter refuses it"),
        (".venv/bin/python -m newsletter check --since", "python -m newsletter refuses it"),
        (".venv/bin/python -m flask run", "module flask is neither ours"),
        ("tools/no-such-script", "no program tools/no-such-script"),
    ],
)
def test_a_wrong_command_is_found(command: str, wrong: str, clone: Path) -> None:
    assert (problem(command, clone) or "").startswith(wrong)


def test_inline_and_block_commands_are_found() -> None:
    text = (
        "Run `make check`, `PORT=1 make serve` or `.venv/bin/pre-commit run`; "
        "not `--since REF` nor `python -m newsletter`, but `pre-commit install`.\n"
        "```sh\nmake html   # a comment\n.venv/bin/python -m newsletter \\\n  check\n```\n"
        "```\nnot a command\n```\n"
    )
    assert list(commands(text)) == [
        (1, "make check", False),
        (1, "PORT=1 make serve", False),
        (1, ".venv/bin/pre-commit run", False),
        (1, "pre-commit install", False),
        (3, "make html", True),
        (4, ".venv/bin/python -m newsletter check", True),
    ]


def test_make_n_runs_nothing() -> None:
    """``make -n`` prints a recipe without running it, unless the Makefile says otherwise."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "$(shell" not in makefile
    assert "$(MAKE)" not in makefile
    assert not re.search(r"^\t[@-]*\+", makefile, re.MULTILINE)


def test_ci_runs_the_two_commands_of_the_readme(clone: Path) -> None:
    lines = (ROOT / ".ci/run").read_text(encoding="utf-8").splitlines()
    run = [line for line in lines if line.strip() and not line.lstrip().startswith("#")]
    assert run == ["set -euo pipefail", 'cd "$(dirname "$0")/.."', "make test", "make html"]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    two_commands = [command for _, command, block in commands(readme) if block][:2]
    assert sorted(two_commands) == sorted(run[2:])
    # make test sets up chromium itself
    shown = subprocess.run(
        ["make", "-n", "test"], cwd=clone, capture_output=True, text=True, check=True,
        env=outside_make(),
    ).stdout.splitlines()  # fmt: skip
    assert "tools/ensure-chromium" in shown


def test_the_pre_commit_hooks_download_nothing() -> None:
    """Every hook is local and runs the project's environment (.venv/bin/...)."""
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hooks = [hook for repo in config["repos"] for hook in repo["hooks"]]
    assert [repo["repo"] for repo in config["repos"]] == ["local"]
    assert {hook["language"] for hook in hooks} == {"system"}
    assert not [hook for hook in hooks if "additional_dependencies" in hook]
    entries = {hook["id"]: hook["entry"] for hook in hooks}
    assert entries == {
        "ruff-check": ".venv/bin/ruff check --fix --force-exclude",
        "ruff-format": ".venv/bin/ruff format --force-exclude",
        "check-issues": ".venv/bin/python -m newsletter check --since auto",
    }
    for entry in entries.values():
        assert shlex.split(entry)[0].removeprefix(".venv/bin/") in installed_programs()
    # pre-commit adds the names of the files
    checker = [*shlex.split(entries["check-issues"])[3:], "issues/2026/2026-01-23.md"]
    assert _cli_problem(checker) is None
    # the ruff of the hooks is the one pyproject.toml pins
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    ruff = [r for r in project["optional-dependencies"]["test"] if r.startswith("ruff")]
    assert len(ruff) == 1
    assert re.fullmatch(r"ruff==\d+\.\d+\.\d+", ruff[0])
    assert "pre-commit" in requirements()


# tools/ensure-chromium, with a fake apt-get, sudo and id


@pytest.fixture
def fake_system(tmp_path: Path) -> dict[str, str]:
    """A PATH of fakes that log what they are asked; the environment for the script."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "log"
    chmod = shutil.which("chmod")
    fakes = {
        "id": '[ "$1" = -u ] && echo "$FAKE_UID"',
        "sudo": 'echo "sudo $*" >> "$LOG"; exec "$@"',
        "apt-get": (
            'echo "apt-get $* (DEBIAN_FRONTEND=${DEBIAN_FRONTEND:-unset})" >> "$LOG"\n'
            'if [ "$1" = install ] && [ -n "$FAKE_INSTALLS" ]; then\n'
            f'  : > "$CHROMIUM" && {chmod} +x "$CHROMIUM"\nfi'
        ),
    }
    for name, body in fakes.items():
        (bin_dir / name).write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
        (bin_dir / name).chmod(0o755)
    os.symlink(shutil.which("env"), bin_dir / "env")
    return {
        "PATH": str(bin_dir),
        "LOG": str(log),
        "CHROMIUM": str(tmp_path / "chromium"),
        "FAKE_UID": "0",
        "FAKE_INSTALLS": "1",
    }


def ensure_chromium(env: dict[str, str]) -> tuple[int, str, list[str]]:
    done = subprocess.run(
        [shutil.which("bash"), str(ROOT / "tools" / "ensure-chromium")],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    log = Path(env["LOG"])
    return done.returncode, done.stderr, log.read_text().splitlines() if log.exists() else []


UPDATE = "apt-get update -qq (DEBIAN_FRONTEND=unset)"
INSTALL = f"apt-get install -y -qq {browser.PACKAGE} (DEBIAN_FRONTEND=noninteractive)"


def test_ensure_chromium_as_root(fake_system: dict[str, str]) -> None:
    returncode, said, log = ensure_chromium(fake_system)
    assert (returncode, log) == (0, [UPDATE, INSTALL])
    assert (
        said
        == f"{fake_system['CHROMIUM']} is missing: installing Debian's {browser.PACKAGE} with apt-get\n"
    )
    # present: nothing to do
    Path(fake_system["LOG"]).unlink()
    assert ensure_chromium(fake_system) == (0, "", [])


def test_ensure_chromium_through_sudo(fake_system: dict[str, str]) -> None:
    returncode, _, log = ensure_chromium({**fake_system, "FAKE_UID": "1000"})
    assert (returncode, log) == (
        0,
        [
            "sudo apt-get update -qq",
            UPDATE,
            f"sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq {browser.PACKAGE}",
            INSTALL,
        ],
    )


def test_ensure_chromium_without_sudo(fake_system: dict[str, str]) -> None:
    Path(fake_system["PATH"], "sudo").unlink()
    returncode, said, log = ensure_chromium({**fake_system, "FAKE_UID": "1000"})
    assert (returncode, log) == (1, [])
    assert said.splitlines()[-1] == (
        f"error: not root and no sudo: run 'apt-get install {browser.PACKAGE}' as root"
    )


def test_ensure_chromium_when_apt_get_brings_no_chromium(fake_system: dict[str, str]) -> None:
    returncode, said, log = ensure_chromium({**fake_system, "FAKE_INSTALLS": ""})
    assert (returncode, log) == (1, [UPDATE, INSTALL])
    assert said.splitlines()[-1] == (
        f"error: apt-get installed {browser.PACKAGE}, but {fake_system['CHROMIUM']} is still missing"
    )


def test_make_refuses_to_run_what_the_repository_should_not_hold(tmp_path: Path) -> None:
    """A pickled environment or a virtual environment committed under the folders make
    makes would run code; make refuses before anything runs from them."""
    shutil.copy(ROOT / "Makefile", tmp_path / "Makefile")
    planted = tmp_path / "_build" / "doctrees" / "environment.pickle"
    planted.parent.mkdir(parents=True)
    planted.write_bytes(b"not an environment")
    env = {**outside_make(), "GIT_AUTHOR_NAME": "E", "GIT_AUTHOR_EMAIL": "e@example.org",
           "GIT_COMMITTER_NAME": "E", "GIT_COMMITTER_EMAIL": "e@example.org"}  # fmt: skip
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    untracked = subprocess.run(
        ["make", "-s", "guard"], cwd=tmp_path, capture_output=True, text=True, env=env
    )
    assert untracked.returncode == 0, untracked.stderr
    subprocess.run(["git", "add", "-f", "_build"], cwd=tmp_path, check=True, env=env)
    tracked = subprocess.run(
        ["make", "-s", "guard"], cwd=tmp_path, capture_output=True, text=True, env=env
    )
    assert tracked.returncode != 0
    assert "refusing to run: git tracks files under .venv _build node_modules" in tracked.stderr
    assert "_build/doctrees/environment.pickle" in tracked.stderr
    # every target that runs our code goes through the guard first
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    for target in ("html", "test", "test-fast", "check", "email", "new", "serve", "bench"):
        assert re.search(rf"^{re.escape(target)}: guard ", makefile, re.M), target
