"""A published issue is frozen: ``check --since REF`` compares it with git revision REF.

Every issue file that was ``status: published`` at REF keeps its number (V501)
and its date (V502), changes only together with a new ``corrections:`` entry
(V503) and stays where it is (V504). Drafts at REF may change freely, and files
new since REF are left to the normal rules.

Git runs in the publication root, so paths are the checker's own
(``issues/YYYY/YYYY-MM-DD.md``) even when the root is a folder inside the
repository. Whether a file changed is git's answer (``git hash-object``), so
line-ending conversion (``core.autocrlf``) and other clean filters do not count
as changes.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable, Iterator
from pathlib import Path

from . import issuefile
from .checker import display_path
from .issuefile import IssueFile, Problem
from .publication import Publication

#: Where issue files live, relative to the root (as ``checker.ISSUES_GLOB``).
FOLDER = "issues/"

CORRECTION_HINT = "add one: - date: YYYY-MM-DD / text: what was corrected"


class GitError(Exception):
    """git cannot answer: it is missing, there is no repository, or REF is unknown."""


def _run(
    root: Path, args: Iterable[str], stdin: bytes | None = None
) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(
            ["git", *args], cwd=root, input=stdin, capture_output=True, check=False, timeout=300
        )
    except (OSError, subprocess.SubprocessError) as error:
        raise GitError(
            f"cannot run git (needed by --since): {getattr(error, 'strerror', None) or error}"
        ) from None


def _git(root: Path, *args: str, stdin: bytes | None = None) -> bytes:
    """The output of a git command that must succeed."""
    done = _run(root, args, stdin)
    if done.returncode != 0:
        said = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(f"git {args[0]} failed: {said[-1] if said else f'exit {done.returncode}'}")
    return done.stdout


def resolve(ref: str, root: Path) -> str:
    """The commit id of ``ref`` in the repository around ``root``, or :class:`GitError`."""
    inside = _run(root, ["rev-parse", "--is-inside-work-tree"])
    if inside.returncode != 0 or inside.stdout.strip() != b"true":
        said = inside.stderr.decode("utf-8", "replace").strip().splitlines()
        if inside.returncode == 0 or not said or "not a git repository" in said[-1]:
            raise GitError(f"not a git repository: '{root}'")
        raise GitError(f"git: {said[-1].removeprefix('fatal: ')}")
    if not ref.startswith("-"):  # which git would read as an option, not a revision
        found = _run(root, ["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"])
        if found.returncode == 0:
            return found.stdout.decode().strip()
    raise GitError(f"unknown git revision '{ref}'")


def _blobs(commit: str, root: Path) -> dict[str, str]:
    """``{path: blob id}`` of every regular ``.md`` file under ``issues/`` at ``commit``."""
    listing = os.fsdecode(_git(root, "ls-tree", "-r", "-z", commit, "--", FOLDER))
    blobs = {}
    for entry in filter(None, listing.split("\0")):
        info, path = entry.split("\t", 1)
        mode, kind, oid = info.split()
        regular = kind == "blob" and mode in ("100644", "100755") and "\n" not in path
        if regular and path.endswith(".md"):
            blobs[path] = oid
    return blobs


def _contents(oids: Iterable[str], root: Path) -> dict[str, bytes]:
    """``{blob id: bytes}``, read with one ``git cat-file --batch``."""
    wanted = list(dict.fromkeys(oids))
    out = _git(root, "cat-file", "--batch", stdin="".join(f"{o}\n" for o in wanted).encode())
    contents, at = {}, 0
    for oid in wanted:
        header_end = out.index(b"\n", at)
        size = int(out[at:header_end].split()[2])
        contents[oid] = out[header_end + 1 : header_end + 1 + size]
        at = header_end + 1 + size + 1
    return contents


def published_at(commit: str, root: Path, pub: Publication) -> dict[str, tuple[str, IssueFile]]:
    """``{path: (blob id, parsed issue)}`` of every issue that was published at ``commit``."""
    blobs = _blobs(commit, root)
    contents = _contents(blobs.values(), root)
    then = {path: (oid, issuefile.read(path, contents[oid], pub)) for path, oid in blobs.items()}
    return {path: found for path, found in then.items() if found[1].meta.published}


def _compare(ref: str, old: IssueFile, new: IssueFile) -> Iterator[Problem]:
    """The frozen rules for an issue published at ``ref`` whose file has changed since."""
    was, now = old.meta, new.meta

    def problem(key: str, code: str, message: str) -> Problem:
        return Problem(new.path, now.lines.get(key, 1), code, message)

    # a number or date that no longer parses is already a problem of the normal rules
    if None not in (was.number, now.number) and was.number != now.number:
        yield problem(
            "number",
            "V501",
            f"the number of a published issue cannot change (was {was.number} at {ref})",
        )
    if was.date is not None and now.date is not None and was.date != now.date:
        yield problem(
            "date",
            "V502",
            f"the date of a published issue cannot change (was {was.date.isoformat()} at {ref})",
        )
    if len(now.corrections) <= len(was.corrections):
        yield problem(
            "corrections",
            "V503",
            f"published issue changed since {ref} without a new corrections entry "
            f"({CORRECTION_HINT})",
        )


def check(ref: str, root: Path, pub: Publication, paths: Iterable[Path] = ()) -> list[Problem]:
    """The frozen rules for every issue published at ``ref`` (only ``paths`` when given).

    Raises :class:`GitError` (with a one-line message) when git cannot answer.
    """
    then = published_at(resolve(ref, root), root, pub)
    if chosen := {display_path(Path(p), root) for p in paths}:
        then = {path: found for path, found in then.items() if path in chosen}
    present = [path for path in then if (root / path).is_file()]
    # absolute: git reads --stdin-paths from the top of the work tree, not from ``root``
    listed = os.fsencode("".join(f"{root.resolve() / path}\n" for path in present))
    hashed = _git(root, "hash-object", "--stdin-paths", stdin=listed) if present else b""
    now_oids = dict(zip(present, hashed.decode().split(), strict=True))
    problems = []
    for path, (oid, old) in then.items():
        if path not in now_oids:
            problems.append(Problem(path, 1, "V504", "a published issue cannot be removed"))
        elif now_oids[path] != oid:
            try:
                raw = (root / path).read_bytes()
            except OSError:
                continue  # the normal rules report the unreadable file (F100)
            problems += _compare(ref, old, issuefile.read(path, raw, pub))
    return sorted(problems)
