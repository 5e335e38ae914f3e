"""git, run from one place: the frozen-issue rule, the archive's version and the revisions.

git is an optional guest of the build (a tarball or a shallow clone has less of it or
none); callers decide what its absence means. :func:`output` raises :class:`GitError`
with one line to show; :func:`answer` returns None instead.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterable
from pathlib import Path


class GitError(Exception):
    """git cannot answer: it is missing, there is no repository, or a revision is unknown."""


def run(
    root: Path, args: Iterable[str], stdin: bytes | None = None
) -> subprocess.CompletedProcess[bytes]:
    """``git ARGS`` in ``root``, whatever its exit status; GitError when git cannot run."""
    try:
        return subprocess.run(
            ["git", *args], cwd=root, input=stdin, capture_output=True, check=False, timeout=300
        )
    except (OSError, subprocess.SubprocessError) as error:
        raise GitError(f"cannot run git: {getattr(error, 'strerror', None) or error}") from None


def output(root: Path, *args: str, stdin: bytes | None = None) -> bytes:
    """The output of a git command that must succeed."""
    done = run(root, args, stdin)
    if done.returncode != 0:
        said = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(f"git {args[0]} failed: {said[-1] if said else f'exit {done.returncode}'}")
    return done.stdout


def answer(root: Path, *args: str) -> str | None:
    """The output of a git command as text, or None when git cannot tell."""
    try:
        return output(root, *args).decode("utf-8", "replace")
    except GitError:
        return None


def contents(root: Path, oids: Iterable[str]) -> dict[str, bytes]:
    """``{blob id: bytes}``, read with one ``git cat-file --batch``."""
    wanted = list(dict.fromkeys(oids))
    if not wanted:
        return {}
    out = output(root, "cat-file", "--batch", stdin="".join(f"{o}\n" for o in wanted).encode())
    found, at = {}, 0
    for oid in wanted:
        header_end = out.index(b"\n", at)
        size = int(out[at:header_end].split()[2])
        found[oid] = out[header_end + 1 : header_end + 1 + size]
        at = header_end + 1 + size + 1
    return found


def is_shallow(root: Path) -> bool:
    return (answer(root, "rev-parse", "--is-shallow-repository") or "").strip() == "true"
