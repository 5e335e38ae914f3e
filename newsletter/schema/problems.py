"""One thing wrong with an issue file: what the checker prints and the build warns of."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

#: Codes that, in a draft, mark work still to do rather than a mistake:
#: they are reported as "to fill" and do not fail the checker or the build.
TODO_CODES = frozenset({"T701", "D405"})


#: Longer messages are cut to this many characters.
MAX_MESSAGE = 400

#: how a reader of a file says what is wrong: ``report(line, code, message)``
Report = Callable[[int, str, str], None]


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


def one_line(message: str) -> str:
    """A message kept to one line of reasonable length (quoting a runaway heading, say)."""
    text = " ".join(message.split())
    return text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 1] + "…"
