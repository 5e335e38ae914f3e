"""The rules of what an issue may use: no raw HTML, only the allowlist's directives and roles.

The allowlist is :mod:`newsletter.schema.allowed`; the build drops what these rules
report before rendering, so that even a build that does not stop on warnings
publishes none of it (``SECURITY.md``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from newsletter.schema import allowed
from newsletter.schema.issuefile import IssueFile
from newsletter.schema.publication import Publication
from newsletter.schema.rules.tokens import FENCES, Finding, inline_line, line_of, marked_tokens

_EVENT_HANDLER = re.compile(r"<[^>]*\son\w+\s*=", re.IGNORECASE)


def no_raw_html(issue: IssueFile, pub: Publication) -> Iterator[Finding]:
    """Issues are Markdown: raw HTML reaches web pages and inboxes unchecked."""
    for token, first in marked_tokens(issue):
        if token.type != "html_block" and not token.children:
            continue  # (no HTML: told before anything else is asked of a token)
        pieces = [(token, token.content)] if token.type == "html_block" else []
        pieces += [(token, c.content) for c in token.children or () if c.type == "html_inline"]
        for block, html in pieces:
            needle = html.strip().splitlines()[0] if html.strip() else ""
            line = inline_line(issue, block, needle, first)
            if re.search(r"<\s*script", html, re.IGNORECASE):
                yield (line, "H602", "raw HTML <script> is not allowed in an issue")
            elif _EVENT_HANDLER.search(html):
                yield (line, "H603", "raw HTML with an event handler (on...=) is not allowed")
            else:
                yield (
                    line,
                    "H601",
                    f"raw HTML {html.strip()[:40]!r} is not allowed in an issue; write Markdown "
                    "(and % for a comment)",
                )


def only_what_an_issue_may_use(issue: IssueFile, pub: Publication) -> Iterator[Finding]:
    """Directives and roles outside the allowlist of :mod:`newsletter.schema.allowed`."""
    for token, first in marked_tokens(issue):
        if token.type not in FENCES and not token.children:
            continue  # (neither a directive nor a role: told before anything else is asked)
        for block, role, message in allowed.refusals([token]):
            if role is None:
                yield (line_of(block) + first - 1, "H604", message)
            else:
                needle = "{" + str(role.meta.get("name", "")) + "}"
                yield (inline_line(issue, block, needle, first), "H605", message)
