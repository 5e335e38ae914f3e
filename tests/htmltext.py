"""Reading built pages the way a reader does: their visible text; and the sentences of
the seed newsletter a reader must find in them."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from .conftest import SHARED_SEED

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
