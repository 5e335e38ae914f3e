"""The tests' shared helpers, in one module (tests import no other test module): the
repository, its publication, small Sphinx builds, scratch archives, the visible text of a
built page, and the browser."""

from __future__ import annotations

import atexit
import contextlib
import datetime as dt
import fcntl
import functools
import gc
import gzip as gzip_module
import http.server
import io
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings as hypothesis_settings

from benchmarks.browser import CHROMIUM, chromium
from newsletter.schema import issuefile, publication, rules
from newsletter.schema.rules import parsing

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
#: The first issue (23 January 2026) as it was published: the tests' own copy. Tests of
#: the software never read issues/, which grows and is corrected; this file does not.
SEED = FIXTURES / "issues" / "2026-01-23.md"
#: where the seed lives in an archive
SEED_PATH = "issues/2026/2026-01-23.md"
#: the seed newsletter as the email delivered it (a copy of shared/seeds/)
SHARED_SEED = FIXTURES / "focus-this-week-2026-01-23.txt"

#: ``make test-fast`` (``--hypothesis-profile=quick``) draws a quarter of each property
#: test's examples (:func:`examples`): the inner loop; ``make test`` draws them all
hypothesis_settings.register_profile("quick", max_examples=25)


def examples(count: int) -> int:
    """A property test's examples: ``count``, a quarter of it under the quick profile
    (read as the test modules are imported, after pytest loaded the profile: hypothesis
    makes 100 by default, the quick profile 25)."""
    return max(10, count * hypothesis_settings.default.max_examples // 100)


@pytest.fixture(scope="session")
def pub() -> publication.Publication:
    return publication.load(ROOT)


def findings(
    text: str | bytes, path: str = "issues/2026/2026-01-30.md"
) -> list[tuple[int, str, str]]:
    """Every problem the checker finds in one file's content, as (line, code, message).

    Found twice: in the full parse (as the build reads an issue) and in the checker's
    (:func:`newsletter.schema.rules.parsing.checker_parser`, which leaves unparsed the
    inline tokens where no rule finds anything): both must find the same."""
    raw = text.encode("utf-8") if isinstance(text, str) else text
    pub = publication.load(ROOT)
    found = []
    for parser in (None, parsing.checker_parser()):
        issue = issuefile.read(path, raw, pub, parser)
        rules.body_findings(issue, pub)
        found.append([(p.line, p.code, p.message) for p in sorted(issue.problems)])
    full, checker = found
    assert checker == full, "the checker's parse finds otherwise than the full parse"
    return full


# -- Python programs, run in a fork of a prepared interpreter ------------------------

#: what a build and a run of the checker import, imported once by :class:`_Zygote`
PRELOAD = (
    "sphinx.cmd.build",
    "sphinx.application",
    "sphinx.builders.html",
    "sphinx.builders.dirhtml",
    "sphinx.builders.text",
    "sphinx.search",
    "myst_parser.sphinx_ext.main",
    "myst_parser.parsers.sphinx_",
    "pydata_sphinx_theme",
    "sphinx_book_theme",
    "newsletter.extension",
    "newsletter.check.cli",
    "sphinx.jinja2glue",
    "sphinx.ext.mathjax",
    "myst_parser.sphinx_ext.directives",
    "myst_parser.sphinx_ext.mathjax",
    "myst_parser.sphinx_ext.myst_refs",
    "pagefind_bin",
    "babel.numbers",
    "jinja2.ext",
    "xml.dom.minidom",
    "docutils.languages.en",
    "sphinx.builders.latex.transforms",
    "sphinx.util.console",
)

#: The prepared interpreter: it imports :data:`PRELOAD` and what a build imports besides
#: (it runs no build, so Sphinx's and docutils' registries are as a fresh interpreter's),
#: then, for each request on a connection to its socket (one JSON line: argv, cwd, env,
#: the files for stdout and stderr), forks a child that takes that environment, folder
#: and output and runs ``python ARGV`` (``-m MODULE`` or ``-c CODE``) as the interpreter
#: would, and answers on that connection with the child's exit status when it ends. One
#: serves every test process of a run, each on its connection (three imported the same
#: modules before: 0.6 s of CPU each). It ends at the end of its input.
#: The theme's stylesheet is cut once per test run: ``newsletter.theme_css.cut``, a
#: function of its arguments alone, keeps each result in a folder (two thirds of a
#: second of CPU that every clean build spent again on the same stylesheet and words; a
#: build still reads and hashes every input, and a template or script that names another
#: class makes another vocabulary, cut anew). Its builds also share one folder of compiled
#: templates (newsletter/site/speedups.py keeps one in each doctree folder, which a test's
#: clean build makes anew: 0.2 s of CPU a build, compiling the same 40 templates again);
#: Jinja uses an entry only for a template whose source is the same, as in a build's own
#: folder. A test of that folder itself puts Jinja's class back (test_archive).
_ZYGOTE = r"""
import contextlib, hashlib, importlib, io, json, os, runpy, selectors, signal, socket, sys
import time, traceback
# (listening already: the test processes' requests wait in its queue until it is ready)
listener = socket.socket(fileno=int(sys.argv[3]))
for name in json.loads(sys.argv[1]):
    importlib.import_module(name)
# and what every build imports besides, without running one (0.1 s of CPU a build):
# Sphinx's built-in and first-party extensions, and every code-highlighting style (the
# theme lists them all, which imports each)
from sphinx import application
for name in (
    *application.builtin_extensions,
    *getattr(application, "_first_party_extensions", ()),
    *getattr(application, "_first_party_themes", ()),
):
    importlib.import_module(name)
from pygments.styles import get_all_styles
list(get_all_styles())
# what is imported stays: the collector of each program forked from here leaves it alone,
# as a build's own forks do (newsletter/site/speedups.py). Else a program's first full
# collection walked all of it, and wrote to each object's page of memory, which the fork
# then copied: 0.1 s of CPU in each build
import gc
gc.freeze()


def memoized(cut, folder):
    # theme_css.cut is a function of its arguments alone: what it gave for a stylesheet
    # and a vocabulary is kept in the folder, for the next build of this run
    depth = 0

    def cut_once(css, vocabulary):
        nonlocal depth
        if depth:  # the cut of an at-rule's body, within a cut
            return cut(css, vocabulary)
        key = hashlib.sha256(json.dumps([css, sorted(vocabulary)]).encode()).hexdigest()
        kept = os.path.join(folder, key + ".css")
        if os.path.isfile(kept):
            with open(kept, encoding="utf-8") as file:
                return file.read()
        depth += 1
        try:
            result = cut(css, vocabulary)
        finally:
            depth -= 1
        with open(f"{kept}.{os.getpid()}", "w", encoding="utf-8") as file:
            file.write(result)
        os.replace(f"{kept}.{os.getpid()}", kept)
        return result

    return cut_once


theme_css = sys.modules["newsletter.theme_css"]
theme_css.cut = memoized(theme_css.cut, sys.argv[2])


def words_by_content(words, packages):
    # theme_css.words of a file is a function of its bytes: the words of the themes'
    # templates and scripts and of the HTML writers, which a clean build reads again
    # (its scripts from its own copies), are found once here, before any fork; a
    # project's own templates each time (40 ms of CPU in every clean build otherwise)
    known = {}

    def add(data):
        key = hashlib.blake2b(data).digest()
        if key not in known:
            known[key] = frozenset(words_of(data))

    def words_of(data):
        return words([Wrapped(data)])

    class Wrapped:
        def __init__(self, data):
            self.data = data

        def read_text(self, encoding, errors):
            return self.data.decode(encoding, errors)

    for path in theme_css.writer_sources():
        add(path.read_bytes())
    for package, within in packages:
        root = os.path.join(os.path.dirname(importlib.import_module(package).__file__), within)
        for folder, _, names in os.walk(root):
            for name in names:
                if name.endswith((".html", ".js")):
                    with open(os.path.join(folder, name), "rb") as file:
                        add(file.read())

    def words_once(paths):
        found = set()
        for path in paths:
            key = hashlib.blake2b(data := path.read_bytes()).digest()
            found.update(known[key] if key in known else words_of(data))
        return found

    return words_once


theme_css.words = words_by_content(
    theme_css.words, (("sphinx", "themes"), ("pydata_sphinx_theme", ""), ("sphinx_book_theme", ""))
)
speedups = sys.modules["newsletter.site.speedups"]
templates = os.path.join(sys.argv[2], "templates")
os.makedirs(templates, exist_ok=True)
jinja2 = sys.modules["jinja2"]


class CompiledOnce(jinja2.FileSystemBytecodeCache):
    # each test's project is a copy in a folder of its own: a template is found by its name
    # and its source, wherever it was read from (Jinja's own key is its path: the project's
    # templates were compiled again in every build)
    def get_bucket(self, environment, name, filename, source):
        return super().get_bucket(environment, name, self.get_source_checksum(source), source)


speedups.FileSystemBytecodeCache = lambda folder: CompiledOnce(templates)


def run(request):
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    time.tzset()
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    for fd, path in ((1, request["stdout"]), (2, request["stderr"])):
        opened = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(opened, fd)
        os.close(opened)
    sys.stdin = sys.__stdin__ = open(0, encoding="utf-8", closefd=False)
    sys.stdout = sys.__stdout__ = open(1, "w", encoding="utf-8", closefd=False)
    sys.stderr = sys.__stderr__ = open(
        2, "w", encoding="utf-8", errors="backslashreplace", closefd=False, buffering=1
    )
    flag, what, *args = request["argv"]
    if flag == "-m":
        sys.argv = [what, *args]
        sys.path[0] = os.getcwd()
        runpy.run_module(what, run_name="__main__", alter_sys=True)
    else:
        sys.argv = ["-c", *args]
        sys.path[0] = ""
        exec(compile(what, "<string>", "exec"), {"__name__": "__main__"})


# a child that ends wakes the loop below (through this pipe), which answers for it
woken, wake = os.pipe()
for end in (woken, wake):
    os.set_blocking(end, False)
signal.set_wakeup_fd(wake)
signal.signal(signal.SIGCHLD, lambda *_: None)
selector = selectors.DefaultSelector()
selector.register(listener, selectors.EVENT_READ, "listener")
selector.register(0, selectors.EVENT_READ, "input")
selector.register(woken, selectors.EVENT_READ, "ended")
unread = {}  # each connection: what it sent after its last whole line
running = {}  # each child's pid: the connection it answers on


def start(request, connection):
    pid = os.fork()
    if pid:
        running[pid] = connection
        return
    # the child: none of the server's files, signals or connections
    signal.set_wakeup_fd(-1)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    selector.close()
    for opened in (listener, *unread):
        opened.close()
    for end in (woken, wake):
        os.close(end)
    code = 0
    try:
        run(request)
    except SystemExit as stop:
        if stop.code is None:
            code = 0
        elif isinstance(stop.code, int):
            code = stop.code
        else:
            print(stop.code, file=sys.stderr)
            code = 1
    except BaseException:
        traceback.print_exc()
        code = 1
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:
                pass
        os._exit(code & 0xFF)


def answer_the_ended():
    with contextlib.suppress(BlockingIOError):
        while os.read(woken, 4096):
            pass
    while running:
        pid, status = os.waitpid(-1, os.WNOHANG)
        if not pid:
            return
        connection = running.pop(pid, None)
        with contextlib.suppress(AttributeError, OSError):  # a test process that left
            connection.sendall(b"%d\n" % os.waitstatus_to_exitcode(status))


while True:
    for key, _ in selector.select():
        if key.data == "input":
            if not os.read(0, 4096):
                os._exit(0)
        elif key.data == "listener":
            connection, _ = listener.accept()
            unread[connection] = b""
            selector.register(connection, selectors.EVENT_READ, "connection")
        elif key.data == "ended":
            answer_the_ended()
        else:
            connection = key.fileobj
            data = connection.recv(1 << 16)
            if not data:
                selector.unregister(connection)
                connection.close()
                del unread[connection]
                continue
            *lines, unread[connection] = (unread[connection] + data).split(b"\n")
            for line in lines:
                start(json.loads(line), connection)
"""


class _Zygote:
    """The prepared interpreter (see :data:`_ZYGOTE`) and this test process's connection to
    it: the controller of a distributed run starts it for every test process
    (pytest_configure), a lone test process on first use; it ends with the process that
    started it (its input closes)."""

    def __init__(self) -> None:
        self.process: subprocess.Popen | None = None
        #: its socket, where its starter listens already
        self.address: str | None = None
        self.connection: socket.socket | None = None
        self.answers: io.BufferedReader | None = None
        self.lock = threading.Lock()
        #: the folder of cut stylesheets and compiled templates: the controller's, which
        #: every test process of a run shares (see pytest_configure), or one of its own
        self.cuts: str | None = None
        self.own_cuts = False

    def start(self) -> None:
        if self.cuts is None:
            self.cuts, self.own_cuts = tempfile.mkdtemp(prefix="ftw-cuts-"), True
        self.address = os.path.join(self.cuts, "prepared.sock")
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as listener:
            listener.bind(self.address)
            listener.listen(64)
            self.process = subprocess.Popen(
                [sys.executable, "-c", _ZYGOTE, json.dumps(PRELOAD), self.cuts,
                 str(listener.fileno())],
                stdin=subprocess.PIPE, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                pass_fds=[listener.fileno()],
            )  # fmt: skip

    def run(self, argv: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
        with self.lock, tempfile.TemporaryDirectory(prefix="ftw-run-") as folder:
            if self.connection is None:
                if self.address is None:
                    self.start()
                assert self.address is not None
                self.connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.connection.connect(self.address)
                self.answers = self.connection.makefile("rb")
            assert self.answers is not None
            out, err = Path(folder, "stdout"), Path(folder, "stderr")
            request = {"argv": argv, "cwd": str(cwd), "env": env}
            request |= {"stdout": str(out), "stderr": str(err)}
            self.connection.sendall(json.dumps(request).encode() + b"\n")
            answer = self.answers.readline()
            if not answer:
                raise RuntimeError("the prepared interpreter ended")
            return subprocess.CompletedProcess(
                [sys.executable, *argv],
                json.loads(answer),
                out.read_text(encoding="utf-8", errors="replace"),
                err.read_text(encoding="utf-8", errors="replace"),
            )

    def stop(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None
        if self.process is not None and self.process.poll() is None:
            assert self.process.stdin is not None
            self.process.stdin.close()  # the prepared interpreter ends at the end of its input
            self.process.wait()
        if self.own_cuts:
            shutil.rmtree(self.cuts, ignore_errors=True)
            self.own_cuts = False


_zygote = _Zygote()
atexit.register(_zygote.stop)


def run_python(
    *argv: str, cwd: Path | None = None, env: dict[str, str] | None = None,
    own_process: bool = False,
) -> subprocess.CompletedProcess:  # fmt: skip
    """``python ARGV`` (``-m MODULE ...`` or ``-c CODE ...``) in ``cwd`` with environment
    ``env`` (default: this one's), ``PYTHONPATH`` the repository; returns the finished
    process, its output as text.

    It runs in a fork of a prepared interpreter that has imported Sphinx, the themes and
    our package already (their import is most of a small build's start-up): the child
    takes the environment, folder and output it is given, and the program runs as in a
    new interpreter's ``__main__``. What only a new interpreter has (its own hash seed,
    the locale, time zone and ``PYTHON*`` variables read at its start-up) needs
    ``own_process=True``: a new ``python`` process, as a user runs it.
    """
    env = {**(os.environ if env is None else env), "PYTHONPATH": str(ROOT)}
    cwd = Path.cwd() if cwd is None else cwd
    if own_process:
        return subprocess.run(
            [sys.executable, *argv], cwd=cwd, env=env, capture_output=True, text=True,
            check=False,
        )  # fmt: skip
    return _zygote.run(list(argv), cwd, env)


def sphinx_build(
    srcdir: Path, outdir: Path, *options: str, strict: bool = True, own_process: bool = False
) -> subprocess.CompletedProcess:
    """Run sphinx-build the way ``make html`` does (``strict=False``: without ``-W``, as
    ``make serve`` does), without colours in its messages whatever the terminal says;
    returns the finished process (``own_process``: see :func:`run_python`)."""
    command = [
        "-m", "sphinx", "-b", "html", *(("-W",) if strict else ()),
        "--keep-going", "-n", "--no-color", "-d", str(outdir / ".doctrees"), *options,
        str(srcdir), str(outdir),
    ]  # fmt: skip
    return run_python(*command, own_process=own_process)


def outside_make() -> dict[str, str]:
    """The environment without what an enclosing ``make`` passes down (``make test`` runs
    the tests): a ``make`` the tests run is a make of its own, printing no directories."""
    passed_down = {"MAKEFLAGS", "MAKELEVEL", "MFLAGS", "MAKEOVERRIDES"}
    return {key: value for key, value in os.environ.items() if key not in passed_down}


def make_project(tmp_path: Path, conf_extra: str = "") -> Path:
    """A minimal Sphinx project using the newsletter extension and the real publication.toml,
    with Sphinx's default theme: the extension's own page templates, not the site's
    overrides of the book theme's."""
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(ROOT / publication.FILENAME, src / publication.FILENAME)
    shutil.copytree(ROOT / "_templates" / "newsletter", src / "_templates" / "newsletter")
    (src / "conf.py").write_text(
        "extensions = ['myst_parser', 'newsletter']\n"
        "templates_path = ['_templates']\n"
        "myst_enable_extensions = ['colon_fence']\n"
        "smartquotes = False\n" + conf_extra,
        encoding="utf-8",
    )
    return src


#: A valid issue (a draft), the starting point of the checker's fixtures.
VALID = """\
---
title: A valid issue
date: 2026-01-30
number: 2
summary: One sentence that sums the issue up.
topics: [trade, diplomacy]
editors: [An Editor]
status: draft
---

## This Week

A brief of the week.

## Quote of the Week

:::{quote}
:attribution: Someone, somewhere
:source: https://example.org/quote
Words worth quoting.
:::

## By the Numbers

:::{stat} 42%
:source: https://example.org/stat
:as-of: 2026-01-29
What the figure measures.
:::

## Further Reading

- [An article](https://example.org/article)

## Question of the Week

:::{question}
:submit: editor@example.org
What do you think?
:::
"""


def edit(old: str, new: str, text: str = VALID) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def run_cli(
    cwd: Path, *args: str, own_process: bool = False, **env: str
) -> subprocess.CompletedProcess:
    """``python -m newsletter ARGS`` in ``cwd``, with a minimal environment (``own_process``:
    see :func:`run_python`)."""
    minimal = {"PATH": "/usr/bin:/bin", **env}
    return run_python("-m", "newsletter", *args, cwd=cwd, env=minimal, own_process=own_process)


#: What a project of ours needs besides its issues.
PROJECT_FILES = ("conf.py", "publication.toml", "index.md", "_templates", "_static")


def copy_project(dest: Path, *, seed: bool = False) -> Path:
    """A copy of the site's project files at ``dest``, without the live issues; with the
    seed issue (the tests' fixture, :data:`SEED`) as its one issue if asked."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in PROJECT_FILES:
        source = ROOT / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, dest / name)
    if seed:
        (dest / SEED_PATH).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(SEED, dest / SEED_PATH)
    return dest


@pytest.fixture
def archive(tmp_path):
    """A scratch archive: the real publication.toml and two good issues."""
    (tmp_path / "publication.toml").write_bytes((ROOT / "publication.toml").read_bytes())
    folder = tmp_path / "issues" / "2026"
    folder.mkdir(parents=True)
    (folder / "2026-01-30.md").write_text(VALID, encoding="utf-8")
    second = edit("date: 2026-01-30", "date: 2026-02-06", edit("number: 2", "number: 3"))
    (folder / "2026-02-06.md").write_text(second, encoding="utf-8")
    return tmp_path


# -- scratch archives ------------------------------------------------------------

#: the date of issue No. 1 of a scratch archive (one issue a week after it)
FIRST = dt.date(2026, 1, 2)


def issue_text(number: int, *, title: str | None = None, topics: str = "[trade, diplomacy]",
               status: str = "published", extra: str = "") -> tuple[str, str]:  # fmt: skip
    """(relative path, text) of a valid issue numbered ``number``, one week apart."""
    date = FIRST + dt.timedelta(weeks=number - 1)
    text = (
        VALID.replace("date: 2026-01-30", f"date: {date.isoformat()}")
        .replace("number: 2", f"number: {number}")
        .replace("title: A valid issue", f"title: {title or f'Issue {number} title'}")
        .replace("topics: [trade, diplomacy]", f"topics: {topics}")
        .replace("status: draft", f"status: {status}{extra}")
        .replace("A brief of the week.", f"A brief of week {number} about word{number}.")
    )
    return f"issues/{date.year}/{date.isoformat()}.md", text


def write_issue(src: Path, number: int, **kwargs) -> Path:
    relative, text = issue_text(number, **kwargs)
    path = src / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def make_archive(folder: Path, count: int, draft: bool = True) -> Path:
    """A complete project of ours with ``count`` published issues and one draft."""
    copy_project(folder)
    for number in range(1, count + 1):
        write_issue(folder, number)
    if draft:
        write_issue(folder, count + 1, title="Secret draft", status="draft", topics="[taiwan]")
    return folder


def build(src: Path, out: Path, *options: str) -> Path:
    result = sphinx_build(src, out, *options)
    assert result.returncode == 0, result.stderr[-3000:]
    return out


def tree(out: Path) -> dict[str, bytes]:
    """Every output file but Sphinx's own build bookkeeping."""
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file()
        and ".doctrees" not in p.parts
        and p.name not in {".buildinfo", ".buildinfo.bak"}
    }


def assert_same_site(left: Path | dict[str, bytes], right: Path | dict[str, bytes]) -> None:
    """Two outputs (folders, or their :func:`tree`) hold the same files, byte for byte."""
    a = tree(left) if isinstance(left, Path) else left
    b = tree(right) if isinstance(right, Path) else right
    assert sorted(set(a) - set(b)) == []
    assert sorted(set(b) - set(a)) == []
    differing = [name for name in a if a[name] != b[name]]
    assert differing == []


# -- sites built once per test session -----------------------------------------------


def session_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of this test session that every worker process shares (under pytest-xdist
    each worker has its own temporary folder, inside the session's)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def built_once(
    tmp_path_factory: pytest.TempPathFactory, name: str, make: Callable[[Path], None]
) -> Path:
    """``make(folder)`` run once per test session, whichever worker asks first (the others
    wait for it): the folder, for tests that only read it."""
    folder = session_folder(tmp_path_factory) / name
    done = folder / ".made"
    with open(folder.with_name(f"{name}.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            if folder.exists():  # what a failed attempt left
                shutil.rmtree(folder)
            folder.mkdir()
            make(folder)
            done.touch()
    return folder


#: the title of the issue after the seed's in :func:`seed_site`, long enough to wrap
NEXT_TITLE = "Tariff truce talks resume in Geneva as export controls loom"


def _make_seed_site(folder: Path) -> None:
    src = copy_project(folder / "src", seed=True)
    write_issue(src, 3)  # 16 January: before the seed (No. 1, 23 January)
    write_issue(src, 5, title=NEXT_TITLE)  # 30 January, after it
    write_issue(src, 6)  # 6 February
    write_issue(src, 7)  # 13 February
    write_issue(src, 8, status="draft", title="A draft")  # 20 February
    result = sphinx_build(src, folder / "out")
    (folder / "build.stderr").write_text(result.stderr, encoding="utf-8")
    assert result.returncode == 0, result.stderr[-3000:]


@pytest.fixture(scope="session")
def seed_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site's own project with the seed issue (No. 1, 23 January 2026) and five
    generated ones around it (No. 3 on 16 January before it; No. 5, with
    :data:`NEXT_TITLE`, 6 and 7 after it; No. 8 a draft titled "A draft"), built as
    ``make html`` builds once per test session: the output folder, which tests only read
    (what ``sphinx-build`` said on stderr is in ``build.stderr`` beside it)."""
    return built_once(tmp_path_factory, "seed-site", _make_seed_site) / "out"


# -- reading built pages the way a reader does ---------------------------------------

#: Lines of the seed that are not content: the email's button label ran into
#: the next heading when the email was copied as text.
NOT_CONTENT = {"Watch VideoQuestion of the Week:"}


class _Text(HTMLParser):
    SKIP = frozenset({"script", "style", "head", "template"})
    INLINE = frozenset(
        {"a", "span", "em", "strong", "b", "i", "code", "abbr", "q", "small", "sub", "sup"}
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in self.SKIP:
            self.hidden += 1
        if tag not in self.INLINE:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self.hidden -= 1
        if tag not in self.INLINE:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def visible_text(markup: str) -> str:
    """The text of an HTML page with white space collapsed (block tags become spaces)."""
    parser = _Text()
    parser.feed(markup)
    return re.sub(r"\s+", " ", "".join(parser.parts))


def words(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def seed_sentences() -> list[str]:
    """The content of the seed newsletter as it was delivered, one line (a paragraph, a
    heading's words, a list item) at a time."""
    lines = SHARED_SEED.read_text(encoding="utf-8").splitlines()
    return [words(line) for line in lines if line.strip() and line.strip() not in NOT_CONTENT]


# -- the browser -------------------------------------------------------------------

# The browser's launch (Debian's Chromium headless shell, its flags) is defined once, with the
# benchmarks that drive it too; make test installs it when missing (tools/ensure-chromium).


#: test modules that run the web's own validators (the Nu Html Checker, axe, Lighthouse)
VALIDATOR_MODULES = frozenset({"test_quality", "test_lighthouse"})


#: The longest units of work, longest first: ``make test`` (``--dist loadgroup
#: --no-loadscope-reorder``) hands units out in the order of the tests, so these start
#: first and the workers end together. A name is the start of test ids (a module, a test);
#: a name that matches nothing any more only leaves its tests in their place.
LONGEST_FIRST = (
    "tests/test_lighthouse.py",
    "tests/test_archive.py::test_incremental_builds_equal_clean_builds",
    "tests/test_contribution.py",
    "tests/test_theme_css.py::test_the_cut_stylesheet_changes_no_computed_style",
    "tests/test_archive.py::test_builds_after_an_interruption_or_another_layout",
    "tests/test_email.py",
    "tests/test_frame.py::test_no_page_logs_an_error_misses_a_file_or_breaks_its_policy",
    "tests/test_revisions.py",
    "tests/test_reproducible.py",
    "tests/test_content_gate.py",
    "tests/test_quality.py",
    "tests/test_allowlist.py",
    "tests/test_directives.py",
    "tests/test_archive.py",
    "tests/test_hostile_input.py",
    "tests/test_theme_css.py::test_the_cut_is_kept_between_builds",
    "tests/test_checker.py::test_random_addresses_are_normalized",
)


def _shares_a_module_fixture(item: pytest.Item) -> bool:
    """Does the test use a fixture made once per module (per worker process)?"""
    info = getattr(item, "_fixtureinfo", None)
    definitions = info.name2fixturedefs.values() if info else ()
    return any(d.scope in ("module", "class", "package") for ds in definitions for d in ds)


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test that needs a browser or a validator ``browser`` (make test-fast);
    put the tests of a module that share a fixture of the module in one group, which
    ``--dist loadgroup`` runs on one worker (every other test goes to whichever worker is
    free: what several modules share is made once per session, see :func:`built_once`);
    and start the longest units first (:data:`LONGEST_FIRST`)."""
    groups: dict[str, str] = {}
    distributed = hasattr(config, "workerinput")  # a pytest-xdist worker
    for item in items:
        module = item.module.__name__.rsplit(".", 1)[-1] if item.module else ""
        if "browser" in getattr(item, "fixturenames", ()) or module in VALIDATOR_MODULES:
            item.add_marker(pytest.mark.browser)
        if distributed and _shares_a_module_fixture(item):
            item.add_marker(pytest.mark.xdist_group(module))
            groups[item.nodeid] = module

    def rank(item: pytest.Item) -> int:
        starts = (i for i, name in enumerate(LONGEST_FIRST) if item.nodeid.startswith(name))
        return next(starts, len(LONGEST_FIRST))

    items.sort(key=rank)
    folder = getattr(config, "workerinput", {}).get("ftw_groups")
    if folder:  # a worker: tell the controller's scheduler (see pytest_xdist_make_scheduler)
        target = Path(folder) / f"{config.workerinput['workerid']}.json"
        target.with_suffix(".part").write_text(json.dumps(groups), encoding="utf-8")
        os.replace(target.with_suffix(".part"), target)


def pytest_collection_finish(session: pytest.Session) -> None:
    """What the test process has imported and collected lives to its end: its collector
    leaves it alone from here (gc.freeze), as a build's does what the build keeps. Its
    full collections walked all of it again and again: 2.7 s of CPU in the two test
    processes of ``make test``."""
    gc.freeze()


# pytest-xdist's loadgroup sends a group's tests to one worker by reading the group from
# the test ids, where its workers append it: pytest 9.2 no longer lets them (its ids are
# structured; pytest-xdist issue 1386), and the groups would be lost without a word. The
# workers write them to a folder of the controller instead, and its scheduler reads them.
_GROUPS = pytest.StashKey[Path]()


def pytest_configure(config: pytest.Config) -> None:
    workerinput = getattr(config, "workerinput", None)
    if workerinput is not None:
        _zygote.cuts = workerinput.get("ftw_cuts")
        _zygote.address = workerinput.get("ftw_prepared")
        return
    if config.getoption("numprocesses", None):
        # the prepared interpreter imports while the test processes start and collect; they
        # share its folder of cut stylesheets and compiled templates (see _ZYGOTE: both are
        # written whole, under the digest of what they are made from), so that each
        # stylesheet is cut once a run, not once in each process
        _zygote.start()
        if config.getoption("dist", "no") == "loadgroup":
            config.stash[_GROUPS] = Path(tempfile.mkdtemp(prefix="ftw-groups-"))


def pytest_unconfigure(config: pytest.Config) -> None:
    _zygote.stop()
    folder = config.stash.get(_GROUPS, None)
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node) -> None:  # type: ignore[no-untyped-def]
    folder = node.config.stash.get(_GROUPS, None)
    if folder is not None:
        node.workerinput["ftw_groups"] = str(folder)
    if _zygote.address is not None:
        node.workerinput["ftw_prepared"] = _zygote.address
        node.workerinput["ftw_cuts"] = _zygote.cuts


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log):  # type: ignore[no-untyped-def]
    folder = config.stash.get(_GROUPS, None)
    if folder is None:
        return None
    from xdist.scheduler import LoadGroupScheduling

    class Grouped(LoadGroupScheduling):
        """loadgroup, with the groups the workers wrote (read once every worker has
        collected, which is when units are first made)."""

        groups: dict[str, str] | None = None

        def _split_scope(self, nodeid: str) -> str:
            if self.groups is None:
                self.groups = {}
                for path in sorted(folder.glob("*.json")):
                    self.groups.update(json.loads(path.read_text(encoding="utf-8")))
            return self.groups.get(nodeid) or super()._split_scope(nodeid)

    return Grouped(config, log)


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium for the browser tests (make test installs it: tools/ensure-chromium)."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: make test installs it (tools/ensure-chromium)")
    with chromium() as launched:
        yield launched


@contextlib.contextmanager
def shared_context(browser, **options: Any) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    """A browser context (a profile) for many tests' tabs (:func:`tab_in`): a fresh context
    costs Chromium about as much CPU as the page it shows (new processes, every script and
    style parsed and compiled again). One blank tab stays open in it, without which each
    new tab started its processes again (1.7 s of CPU for a search page instead of 0.8)."""
    context = browser.new_context(**options)
    context.new_page()
    try:
        yield context
    finally:
        context.close()


@pytest.fixture(scope="session")
def browser_context(browser):
    """The shared context of the tests' :func:`tab` (one per test process)."""
    with shared_context(browser) as context:
        yield context


@contextlib.contextmanager
def tab_in(context) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    """``with tab_in(context) as page:`` a new tab of a shared context, closed after, and
    what its pages stored (local storage, cookies...) cleared; the HTTP cache is kept."""
    page = context.new_page()
    origins: set[str] = set()
    page.on("request", lambda request: origins.add(_origin(request.url)))
    try:
        yield page
    finally:
        session = context.new_cdp_session(page)
        for origin in sorted(origins - {""}):
            session.send("Storage.clearDataForOrigin", {"origin": origin, "storageTypes": "all"})
        session.detach()
        page.close()
        context.clear_cookies()


@pytest.fixture
def tab(browser_context):
    """A new tab (at 1280 x 720, as a new context's) in the shared context, for a test that
    needs no first visit (see :func:`tab_in`). A test that counts downloads, or needs a
    context's own settings, makes a context of its own."""
    with tab_in(browser_context) as page:
        yield page


def _origin(url: str) -> str:
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0]}" if scheme in ("http", "https") else ""


#: what a static host compresses with gzip (Pagefind's index files come compressed already)
COMPRESSED_TYPES = (
    "text/",
    "application/javascript",
    "application/json",
    "application/xml",
    "application/atom+xml",
    "image/svg+xml",
)


@functools.lru_cache(maxsize=512)
def _gzipped(path: Path, mtime_ns: int, size: int) -> bytes:
    """``path`` compressed as a static host does, once per version of the file (a page
    view asks for a dozen files: 15 ms of compression, again on every view)."""
    return gzip_module.compress(path.read_bytes(), compresslevel=6, mtime=0)


class served:
    """``with served(folder) as base_url:``: a static file server on 127.0.0.1.

    ``gzip=True`` compresses text (HTML, CSS, scripts, JSON, SVG, XML) for a client that
    accepts it, as static hosts do: what readers download is measured that way.
    """

    def __init__(self, folder: Path, *, gzip: bool = False) -> None:
        class Quiet(http.server.SimpleHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

        class Compressing(Quiet):
            def send_head(self):  # type: ignore[no-untyped-def]
                path = Path(self.translate_path(self.path))
                if path.is_dir() and self.path.split("?")[0].endswith("/"):
                    path = path / "index.html"
                kind = self.guess_type(str(path))
                accepts = "gzip" in self.headers.get("Accept-Encoding", "")
                if not (accepts and path.is_file() and kind.startswith(COMPRESSED_TYPES)):
                    return super().send_head()
                stat = path.stat()
                body = _gzipped(path, stat.st_mtime_ns, stat.st_size)
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Encoding", "gzip")
                self.send_header("Vary", "Accept-Encoding")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                return io.BytesIO(body)

        handler = functools.partial(Compressing if gzip else Quiet, directory=str(folder))
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)

    def __enter__(self) -> str:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self.server.server_address[1]}/"

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


# -- a page that has finished loading ------------------------------------------------

#: how long no request of a page may be in flight, after its load event, for it to have
#: settled (Playwright's "networkidle" waits 500 ms with no connection open; these pages
#: are static and ask for nothing on a timer: what they load, they ask for at once, or
#: when an earlier request of theirs has answered)
QUIET_MS = 150
#: the same once the browser has fetched the page's icon, which it asks for last, 5 to
#: 20 ms after the load event, on every visit: the quiet then only guards a request
#: another one's answer would start (a search page's are waited for besides)
QUIET_AFTER_ICON_MS = 40


class _Requests:
    """The requests of one tab: those in flight, when the last one started or ended, and
    whether the icon was fetched since the tab last navigated (:func:`navigating`)."""

    def __init__(self, page) -> None:  # type: ignore[no-untyped-def]
        self.in_flight: set[Any] = set()
        self.last = time.monotonic()
        self.icon = False
        page.on("request", self._started)
        page.on("requestfinished", self._finished)
        page.on("requestfailed", self._ended)

    def _started(self, request) -> None:  # type: ignore[no-untyped-def]
        self.last = time.monotonic()
        self.in_flight.add(request)

    def _ended(self, request) -> None:  # type: ignore[no-untyped-def]
        self.last = time.monotonic()
        self.in_flight.discard(request)

    def _finished(self, request) -> None:  # type: ignore[no-untyped-def]
        """(An icon that failed is no sign: the last page's, which the next load aborted.)"""
        self._ended(request)
        if "/favicon" in request.url:
            self.icon = True


def _requests(page) -> _Requests:  # type: ignore[no-untyped-def]
    watched = getattr(page, "_ftw_requests", None)
    if watched is None:
        watched = _Requests(page)
        page._ftw_requests = watched
    return watched


def navigating(page) -> None:  # type: ignore[no-untyped-def]
    """The tab is about to load a page: its requests are watched from now on, and its
    icon is to be fetched again."""
    _requests(page).icon = False


#: how often :func:`settle` looks (Playwright hands the tab's events over meanwhile)
LOOK_MS = 25


def settle(page, timeout_ms: int = 30_000) -> None:  # type: ignore[no-untyped-def]
    """Wait until no request of the tab has been in flight for :data:`QUIET_MS` since the
    last one started or ended, or for :data:`QUIET_AFTER_ICON_MS` once the page's icon
    came after a load (:func:`navigating`; the tab's requests are counted from the first
    :func:`goto` or :func:`settle` on it; a search page also until its search has
    answered). A settle without a new load waits the whole QUIET_MS: what a click made
    the page ask for comes later than an icon."""
    watched = _requests(page)
    if "search.html" in page.url:
        page.wait_for_selector('#ftw-search[aria-busy="false"]', timeout=timeout_ms)
    deadline = time.monotonic() + timeout_ms / 1000
    while True:
        quiet = time.monotonic() - watched.last
        wanted = QUIET_AFTER_ICON_MS if watched.icon else QUIET_MS
        if not watched.in_flight and quiet >= wanted / 1000:
            break
        if time.monotonic() > deadline:
            loading = sorted(request.url for request in watched.in_flight)
            raise TimeoutError(f"{page.url}: still loading {loading}")
        page.wait_for_timeout(LOOK_MS)
    watched.icon = False


#: every violation of the page's Content-Security-Policy, as "directive blocked-URI", in
#: ``window.__violations`` (an init script of the tab)
WATCH_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation",
  (e) => window.__violations.push(e.violatedDirective + " " + e.blockedURI));
"""


def visit_at_once(tabs: list[Any], urls: list[str], check: Callable[[Any, str], None]) -> None:
    """Open each of ``urls`` in one of ``tabs``, as many loading at once as there are tabs,
    and call ``check(tab, url)`` once the tab has settled on it (:func:`settle`), in the
    order of ``urls``. The browser loads the others while one is waited for: three tabs
    visit the pages of a small archive in half the time of one."""
    pending = list(urls)
    loading: list[tuple[Any, str]] = []

    def start(tab: Any) -> None:
        url = pending.pop(0)
        navigating(tab)
        tab.goto(url, wait_until="commit")
        loading.append((tab, url))

    for tab in tabs[: len(pending)]:
        start(tab)
    while loading:
        tab, url = loading.pop(0)
        tab.wait_for_load_state("load")
        settle(tab)
        check(tab, url)
        if pending:
            start(tab)


def goto(page, url: str) -> None:  # type: ignore[no-untyped-def]
    """Open ``url`` in the tab and wait for its load event and then until it has settled
    (:func:`settle`): as ``wait_until="networkidle"``, without its fixed half second."""
    navigating(page)
    page.goto(url, wait_until="load")
    settle(page)
