"""Reading one issue file: bytes to text, front matter to typed metadata, body to tokens.

Nothing here raises on bad input: every defect becomes a
:class:`~newsletter.schema.problems.Problem` with the line it is on, and parsing goes
as far as the file allows. Where the file is and how its bytes are read is
:mod:`newsletter.schema.files`; its fields are :mod:`newsletter.schema.frontmatter`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import PurePosixPath
from typing import Any, Protocol

from markdown_it.token import Token

from newsletter.schema import files, frontmatter, markup
from newsletter.schema.frontmatter import IssueMeta
from newsletter.schema.problems import Problem, one_line
from newsletter.schema.publication import Publication


class Parser(Protocol):
    """What reads an issue's Markdown into MyST tokens: a ``MarkdownIt`` parser, or one
    that reads as it does."""

    def parse(self, src: str) -> list[Token]: ...


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
    #: the body split at its H2 headings, made once for every rule that needs it
    #: (:func:`newsletter.schema.rules.tokens.body_sections`)
    body_sections: Any = field(default=None, repr=False, compare=False)
    #: every block token of the body and of its blocks' bodies, with their first lines
    #: (:func:`newsletter.schema.rules.tokens.every_token`), and those of them in which a
    #: rule may find markup (:func:`newsletter.schema.rules.tokens.marked_tokens`)
    walked: Any = field(default=None, repr=False, compare=False)
    marked: Any = field(default=None, repr=False, compare=False)
    #: every paragraph and heading of the body and of its blocks' bodies
    #: (:func:`newsletter.schema.rules.tokens.issue_texts`)
    texts: Any = field(default=None, repr=False, compare=False)
    #: the parser that read the body, which reads the bodies of its blocks too (None:
    #: :func:`newsletter.schema.markup.markdown_parser`; the checker's reads as it does,
    #: :func:`newsletter.schema.rules.parsing.checker_parser`)
    parser: Parser | None = field(default=None, repr=False, compare=False)

    @cached_property
    def lines(self) -> list[str]:
        """The lines of the text, split once for every rule that reads them."""
        return self.text.splitlines()

    def problem(self, line: int, code: str, message: str) -> None:
        """Record a problem; its message is kept to one line of reasonable length."""
        self.problems.append(Problem(self.path, max(1, line), code, one_line(message)))


def _check_path(issue: IssueFile) -> None:
    match = files.PATH_PATTERN.search(PurePosixPath(issue.path).as_posix())
    if not match:
        issue.problem(1, "F106", f"an issue file lives at {files.PATH_FORM}")
        return
    when = frontmatter.parse_date(match["date"])
    if when is None:
        issue.problem(1, "F106", f'the file name "{match["date"]}" is not a real date')
    elif issue.meta.date is not None and issue.meta.date != when:
        issue.problem(
            issue.meta.lines.get("date", 1),
            "M209",
            f"date {issue.meta.date.isoformat()} does not match the file name {when.isoformat()}",
        )


def parse_text(path: str, text: str, pub: Publication, parser: Parser | None = None) -> IssueFile:
    """Parse an issue's text: front matter into ``meta``, the body into MyST tokens (by
    ``parser``, :func:`newsletter.schema.markup.markdown_parser` when None)."""
    issue = IssueFile(path=path, text=text, parser=parser)
    issue.last_line = max(1, text.count("\n") + (0 if text.endswith("\n") else 1))
    if not text.strip():
        issue.problem(1, "F104", "empty file: an issue needs front matter and its sections")
        return issue
    try:
        issue.tokens = (parser or markup.markdown_parser()).parse(text)
    except Exception as error:  # the parser is third-party code: never let it escape
        issue.problem(1, "F107", f"the Markdown parser failed on this file: {error}")
        return issue
    _read_front_matter(issue, text, issue.lines, issue.tokens, pub)
    _check_path(issue)
    return issue


def _read_front_matter(
    issue: IssueFile, text: str, lines: list[str], tokens: list[Token], pub: Publication
) -> None:
    """The front matter as the parser found it (the first token): into ``issue.meta``
    (``lines``: the text's ``splitlines()``)."""
    if not tokens or tokens[0].type != "front_matter":
        if text.lstrip("\ufeff").split("\n", 1)[0].rstrip() == "---":
            issue.front_matter_closed = False
            issue.problem(1, "M201", "front matter is not closed by a --- line")
        else:
            issue.problem(
                1, "M201", "no front matter: an issue starts with a block between --- lines"
            )
        return
    token = tokens[0]
    issue.meta.lines["---"] = 1
    end = token.map[1] if token.map else 1
    if end > len(lines) or lines[end - 1].rstrip() not in ("---", "..."):
        issue.front_matter_closed = False
        issue.problem(1, "M201", "front matter is not closed by a --- line")
        return
    data = frontmatter.load(token.content, 2, issue.meta, issue.problem)
    if data is not None:
        frontmatter.validate(data, issue.meta, pub, issue.problem)


def read(path: str, raw: bytes, pub: Publication, parser: Parser | None = None) -> IssueFile:
    """Parse an issue file's bytes (``path`` is only used in messages and for its date;
    ``parser``: as :func:`parse_text`'s)."""
    issue = IssueFile(path=path)
    text = files.decode(raw, issue.problem)
    if text is None:
        return issue
    parsed = parse_text(path, text, pub, parser)
    parsed.problems[:0] = issue.problems
    return parsed


def read_front_matter(path: str, raw: bytes, pub: Publication) -> IssueFile:
    """Only the front matter of an issue file: what other files need to know of it (its
    number and date) when it is not checked itself. The same parser finds the front
    matter (:func:`newsletter.schema.markup.front_matter_parser`), without reading the rest."""
    issue = IssueFile(path=path)
    text = files.decode(raw, issue.problem)
    if text is None or not text.strip():
        return issue
    try:
        text, tokens = _front_matter_tokens(text)
    except Exception:  # the parser is third-party code: never let it escape
        return issue
    _read_front_matter(issue, text, text.splitlines(), tokens, pub)
    return issue


def _front_matter_tokens(text: str) -> tuple[str, list]:
    """The front-matter parser's tokens, read from the file's head when that is enough.

    The parser stops at the first line that closes the front matter, so it finds the
    same front matter in the lines up to the first candidate closer as in the whole
    file, and reading them alone is five times as fast on a 520-issue archive (each
    whole file was tokenized, paragraph by paragraph). If the head does not hold a
    closed front matter, the whole file is read, as before.
    """
    parser = markup.front_matter_parser()
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for end, line in enumerate(lines[1:], 2):
        if line.startswith(("---", "...")):
            head = "\n".join(lines[:end]) + "\n"
            tokens = parser.parse(head)
            closing = tokens[0].map[1] if tokens and tokens[0].map else 0
            if tokens and tokens[0].type == "front_matter" and 1 < closing <= end:
                return head, tokens
            break
    return text, parser.parse(text)
