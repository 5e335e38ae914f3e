"""The command line: ``python -m newsletter check [PATH ...]`` and ``python -m newsletter new``."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING

from newsletter.check import checker
from newsletter.schema import files, publication
from newsletter.schema.problems import Problem

# (what only some commands and options use is imported where they are: git's frozen
# issues with --since, the JSON output, the scaffold of `new`, and argparse, which a
# plain check does without: :func:`plain_check`; not by every check)
if TYPE_CHECKING:
    import argparse

#: ``--since auto``: the merge base of HEAD with the default branch
AUTO = "auto"


def _format(problem: Problem, style: str) -> str:
    if style == "github":
        message = str(problem.message).replace("%", "%25").replace("\n", "%0A")
        level = "notice" if problem.severity == "todo" else "error"
        return f"::{level} file={problem.path},line={problem.line},title={problem.code}::{message}"
    return str(problem)


def _since_auto(root: Path, pub: publication.Publication) -> tuple[str | None, str | None]:
    """``(commit, its name)`` for ``--since auto``, told on stderr; ``(None, None)`` without.

    The merge base of HEAD with the default branch; where git has none (no git, no
    repository, no default branch), one line says so and the frozen rules are left out.
    """
    from newsletter.check import frozen

    try:
        commit, branch = frozen.merge_base(root, pub.site.repository_branch)
        name = frozen.short_id(commit, root)
    except frozen.GitError as error:
        print(f"frozen issues: not checked: {error}", file=sys.stderr)
        return None, None
    print(f"frozen issues: compared with {name} (merge base with {branch})", file=sys.stderr)
    return commit, name


def cmd_check(args: argparse.Namespace) -> int:
    root = publication.find_root(Path.cwd())
    pub = publication.load(root)
    since, name = args.since, None
    if since == AUTO:
        since, name = _since_auto(root, pub)
    found = files.issue_paths(root)  # (listed once: for the check, and counted)
    problems = checker.check(args.paths, root, pub, found)
    if since is not None:
        from newsletter.check import frozen

        try:
            problems = sorted({*problems, *frozen.check(since, root, pub, args.paths, name)})
        except frozen.GitError as error:
            return _error(error)
    if args.format == "json":
        import json

        print(json.dumps([p.as_dict() for p in problems], indent=2))
    else:
        for problem in problems:
            print(_format(problem, args.format))
    count = len(args.paths) or len(found)
    errors = sum(1 for p in problems if p.severity == "error")
    to_fill = len(problems) - errors
    verdict = f"{errors} problem(s)" if errors else "no problems"
    if to_fill:
        verdict += f", {to_fill} placeholder(s) to fill"
    print(f"checked {count} issue file(s): {verdict}", file=sys.stderr)
    return 1 if errors else 0


def cmd_new(args: argparse.Namespace) -> int:
    from newsletter.check import scaffold

    root = publication.find_root(Path.cwd())
    try:
        path = scaffold.write_next_issue(root, publication.load(root), args.date)
    except scaffold.ScaffoldError as error:
        return _error(error)
    print(files.display_path(path, root))
    return 0


def make_parser() -> argparse.ArgumentParser:
    """The command line's parser (also used by the tests of the documented commands)."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m newsletter", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="check issue files (all when no path is given)")
    check.add_argument("paths", nargs="*", type=Path, metavar="PATH")
    check.add_argument(
        "--format",
        choices=("text", "github", "json"),
        default="text",
        help="text (path:line: message), github (workflow annotations) or json",
    )
    check.add_argument(
        "--since",
        metavar="REF",
        help="also check that the issues published at git revision REF kept their number, "
        f"date and file, and changed only with a new corrections entry; '{AUTO}': "
        "REF is the merge base of HEAD with the default branch (origin/HEAD, else "
        "origin/BRANCH, else BRANCH, the repository_branch of publication.toml), "
        "left out with a notice where git has none",
    )
    check.set_defaults(run=cmd_check)
    new = commands.add_parser("new", help="write the next issue from _templates/issue.md")
    new.add_argument("--date", metavar="YYYY-MM-DD", help="default: a week after the latest")
    new.set_defaults(run=cmd_new)
    return parser


def plain_check(argv: Sequence[str]) -> SimpleNamespace | None:
    """The arguments :func:`make_parser` reads in ``check [PATH ...]`` without an option (no
    word opens with "-"), read at once; None for any other command line. (argparse, which
    reads every other, and its help's formatter take 6 ms to import and set up, before a
    check of any size can start.)"""
    if not argv or argv[0] != "check" or any(word.startswith("-") for word in argv):
        return None
    paths = [Path(word) for word in argv[1:]]
    return SimpleNamespace(command="check", paths=paths, format="text", since=None, run=cmd_check)


def main(argv: Sequence[str] | None = None) -> int:
    words = sys.argv[1:] if argv is None else argv
    args = plain_check(words) or make_parser().parse_args(argv)
    try:
        return args.run(args)
    except publication.PublicationError as error:
        return _error(error)


def _error(error: Exception) -> int:
    """An error that stops a command, told in one line."""
    print(f"error: {error}", file=sys.stderr)
    return 2
