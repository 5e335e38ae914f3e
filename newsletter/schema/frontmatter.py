"""The front matter of an issue: its fields, listed once (:class:`IssueMeta`), and their checks.

The fields an issue may have are those of :class:`IssueMeta`, in order
(:data:`FIELDS`); the build's record of an issue keeps that object and reads its
fields from it, so that no other place lists them again.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from newsletter.schema import dates, validators
from newsletter.schema.problems import Report
from newsletter.schema.publication import Publication

STATUSES = ("draft", "published")


@dataclass(frozen=True)
class Correction:
    date: dt.date
    text: str


#: marks a field of :class:`IssueMeta` that is not a front-matter key
_BOOKKEEPING = {"front_matter": False}


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
    lines: dict[str, int] = field(default_factory=dict, metadata=_BOOKKEEPING)
    #: the line of each entry of a key whose value is a list (``corrections``, ...)
    item_lines: dict[str, tuple[int, ...]] = field(default_factory=dict, metadata=_BOOKKEEPING)

    @property
    def published(self) -> bool:
        return self.status == "published"


#: the front-matter keys, in the order they are written
FIELDS = tuple(f.name for f in dataclasses.fields(IssueMeta) if f.metadata.get("front_matter", 1))
#: the keys an issue may leave out
OPTIONAL = frozenset({"corrections"})
REQUIRED = tuple(key for key in FIELDS if key not in OPTIONAL)


class _Loader(yaml.SafeLoader):
    """Safe YAML that keeps dates as text, so that we can say what is wrong with them."""


_DATES_AS_TEXT = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.yaml_implicit_resolvers = _DATES_AS_TEXT

#: The same loader on libyaml's C scanner and parser, where PyYAML has it: six times as
#: fast on a front matter (measured: 520 files, 1.52 s in the Python parser, 0.25 s in
#: C). It reads valid YAML; a file it refuses is read again by :class:`_Loader`, whose
#: messages are the same on every machine.
_FastLoader: type | None = None
if getattr(yaml, "__with_libyaml__", False):

    class _FastLoader(yaml.CSafeLoader):  # type: ignore[no-redef]
        pass

    _FastLoader.yaml_implicit_resolvers = _DATES_AS_TEXT


def _compose(source: str) -> tuple[Any, Any]:
    """The document's node and data, by the fast loader when it can read it."""
    for loader_class in (_FastLoader, _Loader):
        if loader_class is None:
            continue
        loader = loader_class(source)
        try:
            node = loader.get_single_node()
            if node is None:
                return None, None
            data = _plain_data(node, set(), 0)
            return node, loader.construct_document(node) if data is _NOT_PLAIN else data
        except (yaml.YAMLError, ValueError, RecursionError):
            if loader_class is _Loader:
                raise
        finally:
            loader.dispose()
    raise AssertionError("unreachable")


_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
#: an integer that YAML writes as Python does (not octal, hexadecimal, sexagesimal, ...)
_PLAIN_INT = re.compile(r"[1-9][0-9]*|0")
#: what :func:`_plain_data` answers for a node it leaves to PyYAML's constructor
_NOT_PLAIN: Any = object()
#: how deep :func:`_plain_data` reads nested lists and mappings (a front matter: 3)
_DEEPEST = 8


def _plain_data(node: yaml.Node, seen: set[int], depth: int) -> Any:
    """The data PyYAML's safe constructor makes of ``node``, where the node is plain:
    text, whole numbers written as Python writes them, lists, and mappings of text keys,
    each list or mapping once (no alias: the constructor gives one object for both),
    nested a few deep (this runs out of stack sooner than the constructor); else
    :data:`_NOT_PLAIN`. A front matter is such a node, and its constructor
    (a Python call or two for each node, generators for the mappings) took a fourth of the
    reading of a front matter, 26 ms at 520 issues (tested against it)."""
    if id(node) in seen or depth > _DEEPEST:
        return _NOT_PLAIN
    seen.add(id(node))
    tag = node.tag
    if tag == _STR and type(node) is yaml.ScalarNode:
        return node.value
    if tag == _INT and type(node) is yaml.ScalarNode:
        return int(node.value) if _PLAIN_INT.fullmatch(node.value) else _NOT_PLAIN
    if tag == _SEQ and type(node) is yaml.SequenceNode:
        items = [_plain_data(item, seen, depth + 1) for item in node.value]
        return _NOT_PLAIN if any(item is _NOT_PLAIN for item in items) else items
    if tag == _MAP and type(node) is yaml.MappingNode:
        mapping = {}
        for key_node, value_node in node.value:
            if key_node.tag != _STR or type(key_node) is not yaml.ScalarNode:
                return _NOT_PLAIN
            value = _plain_data(value_node, seen, depth + 1)
            if value is _NOT_PLAIN:
                return _NOT_PLAIN
            mapping[key_node.value] = value
        return mapping
    return _NOT_PLAIN


def load(source: str, first_line: int, meta: IssueMeta, report: Report) -> dict[str, Any] | None:
    """Parse the YAML of the front matter; None (with a problem) if it is unusable."""
    try:  # parsed once: the nodes give the lines, the data is built from them
        node, data = _compose(source)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = first_line + (mark.line if mark else 0)
        report(line, "M202", f"front matter is not valid YAML: {error.problem}")
        return None
    except (yaml.YAMLError, ValueError, RecursionError) as error:
        report(first_line, "M202", f"front matter is not valid YAML: {error}")
        return None
    if not isinstance(node, yaml.MappingNode) or not isinstance(data, dict):
        kind = "empty" if data is None else f"a {type(data).__name__}"
        report(first_line, "M203", f"front matter must be a mapping of keys, not {kind}")
        return None
    seen: set[str] = set()
    for key_node, value_node in node.value:
        key = str(key_node.value)
        line = first_line + key_node.start_mark.line
        if key in seen:
            report(line, "M205", f'front matter key "{key}" is given twice')
        seen.add(key)
        meta.lines.setdefault(key, line)
        if isinstance(value_node, yaml.SequenceNode):
            items = tuple(first_line + item.start_mark.line for item in value_node.value)
            meta.item_lines.setdefault(key, items)
    return data


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def parse_date(value: Any) -> dt.date | None:
    """A date written YYYY-MM-DD, or None."""
    try:
        return dt.date.fromisoformat(validators.iso_date(str(value)))
    except ValueError:
        return None


def validate(data: dict[str, Any], meta: IssueMeta, pub: Publication, report: Report) -> None:
    """Each field's value into ``meta``; each unknown, missing or bad one reported."""
    fm_line = meta.lines.get("---", 1)

    def bad(key: str, message: str, code: str = "M206") -> None:
        report(meta.lines.get(key, fm_line), code, message)

    for key in data:
        if key not in FIELDS:
            bad(
                str(key),
                f'unknown front matter key "{key}" (known keys: {", ".join(FIELDS)})',
                "M205",
            )
    for key in REQUIRED:
        if key not in data:
            report(fm_line, "M204", f'front matter lacks "{key}"')

    if "title" in data:
        if title := _text(data["title"]):
            meta.title = title
        else:
            bad("title", "title must be non-empty text")
    if "date" in data:
        if (when := parse_date(data["date"])) is not None:
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
        meta.corrections = _corrections(data["corrections"], meta, pub, report)


def _corrections(
    value: Any, meta: IssueMeta, pub: Publication, report: Report
) -> tuple[Correction, ...]:
    """The valid entries, oldest first; each entry must follow the issue's date and the
    entries before it (M211, M212), and cannot be dated after today (M213; the build
    also holds each entry to the date of the commit that added it)."""
    key_line = meta.lines.get("corrections", 1)
    message = "corrections must be a list of entries with a date (YYYY-MM-DD) and a text"
    if not isinstance(value, list):
        report(key_line, "M206", message)
        return ()
    lines = meta.item_lines.get("corrections", ())
    found: list[Correction] = []
    for index, entry in enumerate(value):
        line = lines[index] if index < len(lines) else key_line
        ok = isinstance(entry, dict) and set(entry) == {"date", "text"}
        when = parse_date(entry.get("date")) if ok else None
        text = _text(entry.get("text")) if ok else None
        if when is None or text is None:
            report(key_line, "M206", message)
            continue
        if meta.date is not None and when < meta.date:
            report(
                line,
                "M211",
                f"correction dated {when.isoformat()} is earlier than the issue "
                f"({meta.date.isoformat()}): date it the day the correction was made",
            )
        elif when > (today := dates.today(pub.site.time_zone)):
            report(
                line,
                "M213",
                f"correction dated {when.isoformat()} is later than today "
                f"({today.isoformat()}): date it the day the correction was made",
            )
        elif found and when < (latest := max(c.date for c in found)):
            report(
                line,
                "M212",
                f"correction dated {when.isoformat()} comes after one dated "
                f"{latest.isoformat()}: list the corrections oldest first",
            )
        found.append(Correction(when, " ".join(text.split())))
    return tuple(sorted(found, key=lambda c: c.date))
