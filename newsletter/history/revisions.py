"""The published revisions of every issue, from git: what the archive's versioning shows.

A revision is a commit on the main line of history (merges count as the change they
bring, ``--first-parent``) after which an issue is published and its text differs
from the revision before: revision 1 is the issue as first published, each later one
is a correction. Drafts, and commits that change nothing a reader sees, are not
revisions. git supplies provenance only (which commit made each revision); the
dates shown are editorial: the issue's date, then each correction entry's.

No Sphinx here: :func:`published_revisions` reads git once (one ``git log`` over
``issues/`` and one ``git cat-file --batch``), parses each version of an issue
with the checker's reader (many: in forked processes, :mod:`newsletter.processes`),
and keeps what it parsed per blob in a cache file, so a rebuild parses only the
versions it has not seen.
"""

from __future__ import annotations

import datetime as dt
import difflib
import pickle
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from markdown_it.token import Token

from newsletter.history import git
from newsletter.processes import processes_for, shared
from newsletter.schema import dates, issuefile, markup
from newsletter.schema.files import ISSUES_FOLDER
from newsletter.schema.frontmatter import Correction
from newsletter.schema.publication import Publication
from newsletter.schema.rules.tokens import parse_block

#: a block of an issue's text: ("h2" | "h3" | "p" | "block", its words)
Block = tuple[str, str]

#: bump when what is cached per blob changes
CACHE_VERSION = 1


@dataclass(frozen=True)
class Version:
    """What a revision needs of one version (blob) of an issue file."""

    published: bool
    date: dt.date | None
    corrections: tuple[Correction, ...]
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Revision:
    """One published revision of an issue."""

    #: 1 = as first published
    number: int
    commit: str
    #: the commit's time (provenance)
    committed: dt.datetime
    #: editorial: the issue's date (revision 1), else its newest correction's
    date: dt.date
    #: the corrections entries this revision added
    notes: tuple[Correction, ...]
    blocks: tuple[Block, ...]
    #: notes dated after the day of the commit that added them (M213)
    late: tuple[Correction, ...] = ()


# -- an issue's text ---------------------------------------------------------------


def _inline_text(token: Token) -> str:
    parts = []
    for child in token.children or ():
        if child.type in ("text", "code_inline", "myst_role"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "link_close":
            parts.append(f" ({href})" if (href := _href(token, child)) else "")
        elif child.type == "image":
            parts.append(f"[{child.content}]")
    return " ".join("".join(parts).split())


def _href(token: Token, close: Token) -> str:
    """The address of the link that ``close`` ends (links do not nest)."""
    href = ""
    for child in token.children or ():
        if child is close:
            return href
        if child.type == "link_open":
            href = str(child.attrGet("href") or "")
    return href


def text_blocks(issue: issuefile.IssueFile) -> tuple[Block, ...]:
    """The text of an issue as readers read it: title, headings, paragraphs, and each
    block's argument and options (a corrected attribution or source is a change too)."""
    found: list[Block] = [("h1", issue.meta.title)]
    _walk([t for t in issue.tokens if t.type != "front_matter"], found, 0)
    return tuple(found)


def _walk(tokens: list[Token], found: list[Block], depth: int) -> None:
    for index, token in enumerate(tokens):
        if token.type == "inline" and index:
            opening = tokens[index - 1]
            kind = opening.tag if opening.type == "heading_open" else "p"
            if words := _inline_text(token):
                found.append((kind, words))
        elif depth < 3 and (block := parse_block(token)) is not None:
            _, parsed = block
            options = (f"{name}: {value}" for name, value in parsed.options.items())
            if head := " · ".join([*parsed.arguments, *options]):
                found.append(("block", head))
            _walk(markup.markdown_parser().parse("\n".join(parsed.body)), found, depth + 1)


def read_version(path: str, raw: bytes, pub: Publication) -> Version:
    issue = issuefile.read(path, raw, pub)
    meta = issue.meta
    blocks = text_blocks(issue) if meta.published else ()
    return Version(meta.published, meta.date, meta.corrections, blocks)


# -- from git ----------------------------------------------------------------------


def _log(root: Path, folder: str) -> Iterator[tuple[str, dt.datetime, str, str]]:
    """``(commit, time, path, new blob)`` of every change under ``folder``, oldest first."""
    out = git.answer(
        root, "log", "--first-parent", "--diff-merges=first-parent", "--reverse",
        "--no-renames", "--raw", "--no-abbrev", "-z", "--format=%x01%H %ct", "--", folder,
    )  # fmt: skip
    prefix = (git.answer(root, "rev-parse", "--show-prefix") or "").strip()
    for entry in (out or "").split("\x01")[1:]:
        head, _, raw = entry.partition("\x00")  # (-z ends the header with a NUL)
        commit, timestamp = head.split()
        when = dt.datetime.fromtimestamp(int(timestamp), tz=dates.UTC)
        fields = raw.strip("\n\x00").split("\x00")
        for info, path in zip(fields[0::2], fields[1::2], strict=False):
            parts = info.lstrip(":").split()
            if len(parts) >= 4:
                yield commit, when, path.removeprefix(prefix), parts[3]


class _Cache:
    """Parsed versions by blob id, kept in a file between builds."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.found: dict[str, Version] = {}
        if path is not None and path.is_file():
            try:
                version, found = pickle.loads(path.read_bytes())
            except Exception:  # a damaged or foreign cache is rebuilt, never trusted
                version, found = None, {}
            if version == CACHE_VERSION:
                self.found = found
        self.dirty = False

    def save(self) -> None:
        if self.path is not None and self.dirty:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.path.write_bytes(pickle.dumps((CACHE_VERSION, self.found)))


def published_revisions(
    root: Path, pub: Publication, cache: Path | None = None, folder: str = ISSUES_FOLDER
) -> dict[str, tuple[Revision, ...]] | None:
    """``{issue path: its revisions}`` for every issue with a published version; None
    when git cannot tell (no repository, or a shallow clone, whose oldest commits are
    not the real first ones)."""
    if git.answer(root, "rev-parse", "--is-inside-work-tree") is None or git.is_shallow(root):
        return None
    changes: dict[str, list[tuple[str, dt.datetime, str]]] = {}
    for commit, when, path, blob in _log(root, folder):
        if path.endswith(".md"):
            changes.setdefault(path, []).append((commit, when, blob))
    store = _Cache(cache)
    wanted = {
        blob
        for versions in changes.values()
        for _, _, blob in versions
        if blob not in store.found and set(blob) != {"0"}
    }
    path_of = {blob: path for path, vs in changes.items() for _, _, blob in vs}
    unread = list(git.contents(root, wanted).items())

    def read(portion: list[tuple[str, bytes]]) -> list[Version]:
        return [read_version(path_of[blob], raw, pub) for blob, raw in portion]

    # (a clean build of 520 issues parses 520 versions here, before Sphinx reads anything:
    # shared among the processors, as the checker shares its files)
    for (blob, _), version in zip(
        unread, shared(read, unread, processes_for(len(unread))), strict=True
    ):
        store.found[blob] = version
        store.dirty = True
    store.save()
    found: dict[str, tuple[Revision, ...]] = {}
    for path, versions in changes.items():
        revisions = _revisions(
            [(c, w, store.found.get(b)) for c, w, b in versions], pub.site.time_zone
        )
        if revisions:
            found[path] = revisions
    return found


def _revisions(
    versions: list[tuple[str, dt.datetime, Version | None]], zone: str
) -> tuple[Revision, ...]:
    made: list[Revision] = []
    for commit, when, version in versions:
        if version is None or not version.published or version.date is None:
            continue  # removed, a draft, or a version too broken to date
        if made and version.blocks == made[-1].blocks:
            continue  # nothing a reader sees changed
        before = {(c.date, c.text) for r in made for c in r.notes}
        notes = tuple(c for c in version.corrections if (c.date, c.text) not in before)
        if not made:
            notes, day = (), version.date
        else:
            day = max((c.date for c in notes), default=when.date())
        committed_on = dates.local_date(when, zone)
        late = tuple(c for c in notes if c.date > committed_on)
        made.append(Revision(len(made) + 1, commit, when, day, notes, version.blocks, late))
    return tuple(made)


# -- what changed ------------------------------------------------------------------

#: ``(kind, [(operation, words)])`` with operation "=", "-" or "+"
Diff = list[tuple[str, list[tuple[str, str]]]]


def word_diff(before: tuple[Block, ...], after: tuple[Block, ...]) -> Diff:
    """The word-level difference between two texts, block by block."""
    diff: Diff = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for operation, a0, a1, b0, b1 in matcher.get_opcodes():
        if operation == "equal":
            diff += [(kind, [("=", text)]) for kind, text in before[a0:a1]]
            continue
        old, new = list(before[a0:a1]), list(after[b0:b1])
        while old and new:  # paired blocks: a diff of their words
            (kind, a), (_, b) = old.pop(0), new.pop(0)
            diff.append((kind, _words_diff(a, b)))
        diff += [(kind, [("-", text)]) for kind, text in old]
        diff += [(kind, [("+", text)]) for kind, text in new]
    return diff


def _words_diff(before: str, after: str) -> list[tuple[str, str]]:
    a, b = before.split(), after.split()
    found: list[tuple[str, str]] = []
    for operation, a0, a1, b0, b1 in difflib.SequenceMatcher(
        a=a, b=b, autojunk=False
    ).get_opcodes():
        if operation in ("equal",):
            found.append(("=", " ".join(a[a0:a1])))
            continue
        if a1 > a0:
            found.append(("-", " ".join(a[a0:a1])))
        if b1 > b0:
            found.append(("+", " ".join(b[b0:b1])))
    return found
