"""A published issue is frozen: ``check --since REF`` compares it with git revision REF.

``--since auto`` (what ``make check`` and the pre-commit hook use) takes for REF
the merge base of HEAD with the default branch (:func:`merge_base`): on a branch,
where it left the default branch; on the default branch itself, HEAD, so that an
uncommitted edit is compared with the last commit.

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
from collections.abc import Iterable, Iterator
from pathlib import Path

from newsletter.history import git
from newsletter.history.git import GitError
from newsletter.schema import issuefile
from newsletter.schema.files import ISSUES_FOLDER, display_path
from newsletter.schema.issuefile import IssueFile
from newsletter.schema.problems import Problem
from newsletter.schema.publication import Publication

#: Where issue files live, relative to the root.
FOLDER = f"{ISSUES_FOLDER}/"

CORRECTION_HINT = "add one: - date: YYYY-MM-DD / text: what was corrected"


def _work_tree(root: Path) -> None:
    """Nothing when ``root`` is in a git work tree, else :class:`GitError`."""
    inside = git.run(root, ["rev-parse", "--is-inside-work-tree"])
    if inside.returncode != 0 or inside.stdout.strip() != b"true":
        said = inside.stderr.decode("utf-8", "replace").strip().splitlines()
        if inside.returncode == 0 or not said or "not a git repository" in said[-1]:
            raise GitError(f"not a git repository: '{root}'")
        raise GitError(f"git: {said[-1].removeprefix('fatal: ')}")


def _commit(ref: str, root: Path) -> str | None:
    """The commit id of ``ref``, or None when it names no commit."""
    if ref.startswith("-"):  # which git would read as an option, not a revision
        return None
    found = git.run(root, ["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"])
    return found.stdout.decode().strip() if found.returncode == 0 else None


def resolve(ref: str, root: Path) -> str:
    """The commit id of ``ref`` in the repository around ``root``, or :class:`GitError`."""
    _work_tree(root)
    if commit := _commit(ref, root):
        return commit
    raise GitError(f"unknown git revision '{ref}'")


def _short(ref: str) -> str:
    return ref.removeprefix("refs/heads/").removeprefix("refs/remotes/")


def merge_base(root: Path, branch: str) -> tuple[str, str]:
    """``(commit id, default branch)``: the merge base of HEAD with the default branch.

    The default branch is the one ``origin/HEAD`` names, else ``origin/BRANCH``, else
    the local ``BRANCH`` (``repository_branch`` in ``publication.toml``). Raises
    :class:`GitError` (one line) when git cannot answer, there is no repository, no
    default branch, no commit yet, or no commit in common.
    """
    _work_tree(root)
    candidates = [f"refs/remotes/origin/{branch}", f"refs/heads/{branch}"]
    origin_head = git.run(root, ["symbolic-ref", "-q", "refs/remotes/origin/HEAD"])
    if origin_head.returncode == 0:
        candidates.insert(0, origin_head.stdout.decode().strip())
    default = next((ref for ref in candidates if _commit(ref, root)), None)
    if default is None:
        names = ", ".join(dict.fromkeys(_short(ref) for ref in candidates))
        raise GitError(f"no default branch (none of {names} exists)")
    if _commit("HEAD", root) is None:
        raise GitError("no commit yet on HEAD")
    found = git.run(root, ["merge-base", "HEAD", default])
    if found.returncode != 0:
        raise GitError(f"HEAD has no commit in common with {_short(default)}")
    return found.stdout.decode().strip(), _short(default)


def short_id(commit: str, root: Path) -> str:
    """An abbreviation of ``commit``, unique in the repository (at least 8 digits)."""
    return git.output(root, "rev-parse", "--short=8", commit).decode().strip()


def _blobs(commit: str, root: Path) -> dict[str, str]:
    """``{path: blob id}`` of every regular ``.md`` file under ``issues/`` at ``commit``."""
    listing = os.fsdecode(git.output(root, "ls-tree", "-r", "-z", commit, "--", FOLDER))
    blobs = {}
    for entry in filter(None, listing.split("\0")):
        info, path = entry.split("\t", 1)
        mode, kind, oid = info.split()
        regular = kind == "blob" and mode in ("100644", "100755") and "\n" not in path
        if regular and path.endswith(".md"):
            blobs[path] = oid
    return blobs


def published_at(
    commit: str, root: Path, pub: Publication, only: set[str] | None = None
) -> dict[str, tuple[str, IssueFile]]:
    """``{path: (blob id, parsed issue)}`` of every issue published at ``commit``.

    With ``only``, the issues at those paths alone are read.
    """
    blobs = _blobs(commit, root)
    if only is not None:
        blobs = {path: oid for path, oid in blobs.items() if path in only}
    contents = git.contents(root, blobs.values())
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


def check(
    ref: str, root: Path, pub: Publication, paths: Iterable[Path] = (), name: str | None = None
) -> list[Problem]:
    """The frozen rules for every issue published at ``ref`` (only ``paths`` when given).

    The messages call the revision ``name`` (default: ``ref``). Raises
    :class:`GitError` (with a one-line message) when git cannot answer.
    """
    chosen = {display_path(Path(p), root) for p in paths}
    then = published_at(resolve(ref, root), root, pub, chosen or None)
    present = [path for path in then if (root / path).is_file()]
    # absolute: git reads --stdin-paths from the top of the work tree, not from ``root``
    listed = os.fsencode("".join(f"{root.resolve() / path}\n" for path in present))
    hashed = git.output(root, "hash-object", "--stdin-paths", stdin=listed) if present else b""
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
            problems += _compare(name or ref, old, issuefile.read(path, raw, pub))
    return sorted(problems)
