"""Reading one issue file: bytes to text, front matter to typed metadata, body to tokens.

Nothing here raises on bad input: every defect becomes a :class:`Problem`
with the line it is on, and parsing goes as far as the file allows.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

import yaml
from markdown_it.token import Token

from newsletter.schema import dates, markup, validators
from newsletter.schema.publication import Publication

#: Larger files are not parsed at all (a week's issue is a few kilobytes).
MAX_BYTES = 1_000_000

#: Longer messages (quoting a runaway heading, say) are cut to this many characters.
MAX_MESSAGE = 400

#: Where an issue lives: issues/YYYY/YYYY-MM-DD.md
PATH_PATTERN = re.compile(r"(?:^|/)issues/(?P<year>\d{4})/(?P<date>(?P=year)-\d{2}-\d{2})\.md$")

STATUSES = ("draft", "published")

#: Codes that, in a draft, mark work still to do rather than a mistake:
#: they are reported as "to fill" and do not fail the checker or the build.
TODO_CODES = frozenset({"T701", "D405"})


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with an issue file, at a line (1-based)."""

    path: str
    line: int
    code: str
    message: str

    @property
    def severity(self) -> str:
        """``error`` (fails the check and the build) or ``todo`` (a draft's placeholder)."""
        return "todo" if self.code in TODO_CODES else "error"

    def __str__(self) -> str:
        to_fill = "to fill: " if self.severity == "todo" else ""
        return f"{self.path}:{self.line}: {to_fill}{self.message} [{self.code}]"

    def as_dict(self) -> dict[str, object]:
        return {
            "path": self.path,
            "line": self.line,
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
        }


@dataclass(frozen=True)
class Correction:
    date: dt.date
    text: str


@dataclass
class IssueMeta:
    """The typed front matter of an issue (fields that failed to validate stay empty)."""

    title: str = ""
    date: dt.date | None = None
    number: int | None = None
    summary: str = ""
    topics: tuple[str, ...] = ()
    editors: tuple[str, ...] = ()
    status: str = "draft"
    corrections: tuple[Correction, ...] = ()
    #: the line of each front-matter key, for messages about it
    lines: dict[str, int] = field(default_factory=dict)
    #: the line of each entry of a key whose value is a list (``corrections``, ...)
    item_lines: dict[str, tuple[int, ...]] = field(default_factory=dict)

    @property
    def published(self) -> bool:
        return self.status == "published"


@dataclass
class IssueFile:
    """An issue file as far as it could be read."""

    path: str
    text: str = ""
    meta: IssueMeta = field(default_factory=IssueMeta)
    tokens: list[Token] = field(default_factory=list)
    #: False when the file opens a front matter block that never closes
    front_matter_closed: bool = True
    #: the number of lines of the file (messages about "the end" point here)
    last_line: int = 1
    problems: list[Problem] = field(default_factory=list)

    def problem(self, line: int, code: str, message: str) -> None:
        """Record a problem; its message is kept to one line of reasonable length."""
        text = " ".join(message.split())
        if len(text) > MAX_MESSAGE:
            text = text[: MAX_MESSAGE - 1] + "…"
        self.problems.append(Problem(self.path, max(1, line), code, text))


# -- front matter --------------------------------------------------------------


class _Loader(yaml.SafeLoader):
    """Safe YAML that keeps dates as text, so that we can say what is wrong with them."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

FIELDS = ("title", "date", "number", "summary", "topics", "editors", "status", "corrections")
REQUIRED = ("title", "date", "number", "summary", "topics", "editors", "status")


def _load_front_matter(issue: IssueFile, source: str, first_line: int) -> dict[str, Any] | None:
    """Parse the YAML of the front matter; None (with a problem) if it is unusable."""
    loader = None
    try:  # parsed once: the nodes give the lines, the data is built from them
        loader = _Loader(source)  # (this reads the text, and may already fail)
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = first_line + (mark.line if mark else 0)
        issue.problem(line, "M202", f"front matter is not valid YAML: {error.problem}")
        return None
    except (yaml.YAMLError, ValueError, RecursionError) as error:
        issue.problem(first_line, "M202", f"front matter is not valid YAML: {error}")
        return None
    finally:
        if loader is not None:
            loader.dispose()
    if not isinstance(node, yaml.MappingNode) or not isinstance(data, dict):
        kind = "empty" if data is None else f"a {type(data).__name__}"
        issue.problem(first_line, "M203", f"front matter must be a mapping of keys, not {kind}")
        return None
    seen: set[str] = set()
    for key_node, value_node in node.value:
        key = str(key_node.value)
        line = first_line + key_node.start_mark.line
        if key in seen:
            issue.problem(line, "M205", f'front matter key "{key}" is given twice')
        seen.add(key)
        issue.meta.lines.setdefault(key, line)
        if isinstance(value_node, yaml.SequenceNode):
            items = tuple(first_line + item.start_mark.line for item in value_node.value)
            issue.meta.item_lines.setdefault(key, items)
    return data


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(validators.iso_date(str(value)))
    except ValueError:
        return None


def _validate_fields(issue: IssueFile, data: dict[str, Any], pub: Publication) -> None:
    meta = issue.meta
    fm_line = meta.lines.get("---", 1)

    def bad(key: str, message: str, code: str = "M206") -> None:
        issue.problem(meta.lines.get(key, fm_line), code, message)

    for key in data:
        if key not in FIELDS:
            bad(
                str(key),
                f'unknown front matter key "{key}" (known keys: {", ".join(FIELDS)})',
                "M205",
            )
    for key in REQUIRED:
        if key not in data:
            issue.problem(fm_line, "M204", f'front matter lacks "{key}"')

    if "title" in data:
        if title := _text(data["title"]):
            meta.title = title
        else:
            bad("title", "title must be non-empty text")
    if "date" in data:
        if (when := _date(data["date"])) is not None:
            meta.date = when
        else:
            bad("date", f"date {data['date']!r} is not a real date written YYYY-MM-DD")
    if "number" in data:
        number = data["number"]
        if isinstance(number, int) and not isinstance(number, bool) and number >= 1:
            meta.number = number
        else:
            bad("number", f"number must be a whole number from 1 up, not {number!r}")
    if "summary" in data:
        if (summary := _text(data["summary"])) is None:
            bad("summary", "summary must be non-empty text")
        else:
            meta.summary = " ".join(summary.split())
            if len(meta.summary) > pub.summary_max_length:
                bad(
                    "summary",
                    f"summary is {len(meta.summary)} characters long; "
                    f"the limit is {pub.summary_max_length}",
                    "M207",
                )
    if "topics" in data:
        topics = data["topics"]
        if not isinstance(topics, list) or not topics or not all(_text(t) for t in topics):
            bad("topics", "topics must be a non-empty list of topic slugs")
        else:
            unknown = [t for t in topics if t not in pub.topics]
            for slug in unknown:
                bad(
                    "topics",
                    f'unknown topic "{slug}" (the vocabulary is in publication.toml: '
                    f"{', '.join(pub.topics)})",
                    "M208",
                )
            if len(set(topics)) != len(topics):
                bad("topics", "a topic is listed twice")
            meta.topics = tuple(dict.fromkeys(t for t in topics if t in pub.topics))
    if "editors" in data:
        editors = data["editors"]
        if isinstance(editors, list) and editors and all(_text(e) for e in editors):
            meta.editors = tuple(e.strip() for e in editors)
        else:
            bad("editors", "editors must be a non-empty list of names")
    if "status" in data:
        if data["status"] in STATUSES:
            meta.status = data["status"]
        else:
            bad("status", f"status must be one of {', '.join(STATUSES)}, not {data['status']!r}")
    if "corrections" in data:
        meta.corrections = _corrections(issue, data["corrections"], pub)


def _corrections(issue: IssueFile, value: Any, pub: Publication) -> tuple[Correction, ...]:
    """The valid entries, oldest first; each entry must follow the issue's date and the
    entries before it (M211, M212), and cannot be dated after today (M213; the build
    also holds each entry to the date of the commit that added it)."""
    meta = issue.meta
    key_line = meta.lines.get("corrections", 1)
    message = "corrections must be a list of entries with a date (YYYY-MM-DD) and a text"
    if not isinstance(value, list):
        issue.problem(key_line, "M206", message)
        return ()
    lines = meta.item_lines.get("corrections", ())
    found: list[Correction] = []
    for index, entry in enumerate(value):
        line = lines[index] if index < len(lines) else key_line
        ok = isinstance(entry, dict) and set(entry) == {"date", "text"}
        when = _date(entry.get("date")) if ok else None
        text = _text(entry.get("text")) if ok else None
        if when is None or text is None:
            issue.problem(key_line, "M206", message)
            continue
        if meta.date is not None and when < meta.date:
            issue.problem(
                line,
                "M211",
                f"correction dated {when.isoformat()} is earlier than the issue "
                f"({meta.date.isoformat()}): date it the day the correction was made",
            )
        elif when > (today := dates.today(pub.site.time_zone)):
            issue.problem(
                line,
                "M213",
                f"correction dated {when.isoformat()} is later than today "
                f"({today.isoformat()}): date it the day the correction was made",
            )
        elif found and when < (latest := max(c.date for c in found)):
            issue.problem(
                line,
                "M212",
                f"correction dated {when.isoformat()} comes after one dated "
                f"{latest.isoformat()}: list the corrections oldest first",
            )
        found.append(Correction(when, " ".join(text.split())))
    return tuple(sorted(found, key=lambda c: c.date))


def _check_path(issue: IssueFile) -> None:
    match = PATH_PATTERN.search(PurePosixPath(issue.path).as_posix())
    if not match:
        issue.problem(1, "F106", "an issue file lives at issues/YYYY/YYYY-MM-DD.md")
        return
    when = _date(match["date"])
    if when is None:
        issue.problem(1, "F106", f'the file name "{match["date"]}" is not a real date')
    elif issue.meta.date is not None and issue.meta.date != when:
        issue.problem(
            issue.meta.lines.get("date", 1),
            "M209",
            f"date {issue.meta.date.isoformat()} does not match the file name {when.isoformat()}",
        )


# -- the whole file ------------------------------------------------------------


def decode(issue: IssueFile, raw: bytes) -> str | None:
    """The text of the file, or None (with a problem) when it is not UTF-8 Markdown."""
    if len(raw) > MAX_BYTES:
        issue.problem(
            1, "F105", f"file is {len(raw):,} bytes; an issue is at most {MAX_BYTES:,} bytes"
        )
        return None
    if b"\x00" in raw:
        line = raw.count(b"\n", 0, raw.index(b"\x00")) + 1
        issue.problem(line, "F102", "binary data (a NUL byte): an issue is UTF-8 Markdown text")
        return None
    if raw.startswith(b"\xef\xbb\xbf"):
        issue.problem(1, "F103", "file starts with a UTF-8 byte-order mark; save it without one")
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        issue.problem(
            line, "F101", f"not UTF-8 text (byte 0x{raw[error.start]:02x}); save the file as UTF-8"
        )
        return None


def parse_text(path: str, text: str, pub: Publication) -> IssueFile:
    """Parse an issue's text: front matter into ``meta``, the body into MyST tokens."""
    issue = IssueFile(path=path, text=text)
    issue.last_line = max(1, text.count("\n") + (0 if text.endswith("\n") else 1))
    if not text.strip():
        issue.problem(1, "F104", "empty file: an issue needs front matter and its sections")
        return issue
    try:
        issue.tokens = markup.markdown_parser().parse(text)
    except Exception as error:  # the parser is third-party code: never let it escape
        issue.problem(1, "F107", f"the Markdown parser failed on this file: {error}")
        return issue
    _read_front_matter(issue, text, issue.tokens, pub)
    _check_path(issue)
    return issue


def _read_front_matter(issue: IssueFile, text: str, tokens: list[Token], pub: Publication) -> None:
    """The front matter as the parser found it (the first token): into ``issue.meta``."""
    if not tokens or tokens[0].type != "front_matter":
        if text.lstrip("\ufeff").split("\n", 1)[0].rstrip() == "---":
            issue.front_matter_closed = False
            issue.problem(1, "M201", "front matter is not closed by a --- line")
        else:
            issue.problem(
                1, "M201", "no front matter: an issue starts with a block between --- lines"
            )
    else:
        token = tokens[0]
        issue.meta.lines["---"] = 1
        lines = text.splitlines()
        end = token.map[1] if token.map else 1
        if end > len(lines) or lines[end - 1].rstrip() not in ("---", "..."):
            issue.front_matter_closed = False
            issue.problem(1, "M201", "front matter is not closed by a --- line")
        elif (data := _load_front_matter(issue, token.content, first_line=2)) is not None:
            _validate_fields(issue, data, pub)


def read(path: str, raw: bytes, pub: Publication) -> IssueFile:
    """Parse an issue file's bytes (``path`` is only used in messages and for its date)."""
    issue = IssueFile(path=path)
    text = decode(issue, raw)
    if text is None:
        return issue
    parsed = parse_text(path, text, pub)
    parsed.problems[:0] = issue.problems
    return parsed


def read_front_matter(path: str, raw: bytes, pub: Publication) -> IssueFile:
    """Only the front matter of an issue file: what other files need to know of it (its
    number and date) when it is not checked itself. The same parser finds the front
    matter (:func:`newsletter.markup.front_matter_parser`), without reading the rest."""
    issue = IssueFile(path=path)
    text = decode(issue, raw)
    if text is None or not text.strip():
        return issue
    try:
        tokens = markup.front_matter_parser().parse(text)
    except Exception:  # the parser is third-party code: never let it escape
        return issue
    _read_front_matter(issue, text, tokens, pub)
    return issue
