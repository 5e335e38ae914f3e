"""What an issue may use beyond CommonMark: the one allowlist, read by the checker and the build.

An issue file comes from a stranger's pull request, and Markdown read by MyST can
ask Sphinx for much more than text: ``{raw}`` and ``{eval-rst}`` publish markup,
``{include}``, ``{literalinclude}``, ``{csv-table}`` and ``{download}`` read files,
a relative link or image makes Sphinx copy a file into the site. So an issue may use:

- CommonMark, with MyST's colon fences (``markup.ENABLE_EXTENSIONS``);
- the publication's three blocks (:data:`DIRECTIVES`);
- the inline roles of :data:`ROLES`;
- links, autolinks and images whose scheme is one of :data:`LINK_SCHEMES`.

Everything else is refused. The checker reports each use as one line
(:func:`refusals`; codes H601, H604, H605 and L501), and so does the build, which
runs the same rules; the build also drops it from the token stream before MyST
turns it into a document (:func:`drop_refused`), so that even a build that does
not stop on warnings publishes none of it: not on the page, in the feed, in
``archive.json``, in the search index or in the email.

This module needs no Sphinx: only markdown-it's tokens.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

#: the directives an issue may use: the blocks of ``newsletter.schema.blocks``
DIRECTIVES: frozenset[str] = frozenset({"quote", "stat", "question"})

#: the roles an issue may use, with what each is for
ROLES: dict[str, str] = {
    "sub": "subscript: H{sub}`2`O",
    "sup": "superscript: 10{sup}`6`",
    "abbr": "an abbreviation: {abbr}`NDAA (National Defense Authorization Act)`",
}

#: the schemes a link, an autolink or an image may use
LINK_SCHEMES: tuple[str, ...] = ("https", "http", "mailto")

#: a fence that opens a MyST directive: ``{name}`` first on its info line
_FENCES = frozenset({"fence", "colon_fence"})


def directive_name(token: Token) -> str | None:
    """The directive a fence opens (``:::{name}`` or a backtick fence), else None."""
    if token.type not in _FENCES:
        return None
    info = token.info.strip()
    if not info.startswith("{") or "}" not in info:
        return None
    name = info[1 : info.index("}")]
    return name if name and not any(c.isspace() for c in name) else None


def scheme_of(url: str) -> str:
    """The scheme of a URL, lower case ('' when relative or unparseable)."""
    try:
        return urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return "?"


def link_allowed(url: str) -> bool:
    return scheme_of(url) in LINK_SCHEMES


def accept_every_link(url: str) -> bool:
    """markdown-it's ``validateLink``: let every link become a link token.

    markdown-it turns a ``javascript:`` link into plain text by default, so that
    nobody would be told. Taking every link as a link, the checker's rules see it
    and say what is wrong with it, and :func:`drop_refused` removes it.
    """
    return True


# -- what is refused ----------------------------------------------------------------


def refused_directive_message(name: str) -> str:
    return (
        f'the directive "{{{name}}}" is not allowed in an issue '
        f"(an issue may use {', '.join(sorted(DIRECTIVES))}); remove it"
    )


def refused_role_message(name: str) -> str:
    return (
        f'the role "{{{name}}}" is not allowed in an issue '
        f"(an issue may use {', '.join(sorted(ROLES))}); write plain text or a link"
    )


def refused_directive(token: Token) -> str | None:
    """The message for a block token that opens a directive outside the allowlist."""
    name = directive_name(token)
    return None if name is None or name in DIRECTIVES else refused_directive_message(name)


def refused_role(child: Token) -> str | None:
    """The message for an inline token that is a role outside the allowlist."""
    if child.type != "myst_role":
        return None
    name = str(child.meta.get("name", ""))
    return None if name in ROLES else refused_role_message(name)


def refusals(tokens: list[Token]) -> Iterator[tuple[Token, Token | None, str]]:
    """``(block token, role or None, message)`` for every directive (the block token
    itself) or role (one of its inline children) outside the allowlist."""
    for token in tokens:
        if message := refused_directive(token):
            yield token, None, message
        for child in token.children or ():
            if message := refused_role(child):
                yield token, child, message


# -- the build drops what is refused ---------------------------------------------------


def _inline_refused(child: Token) -> bool:
    """An inline token the build drops (a refused link's open and close are paired apart)."""
    if child.type == "image":
        return not link_allowed(str(child.attrGet("src") or ""))
    return child.type == "html_inline" or refused_role(child) is not None


def _safe_inline(children: list[Token]) -> list[Token]:
    kept: list[Token] = []
    links_kept: list[bool] = []  # for each link opened, whether it is kept
    in_refused_autolink = False  # whose text is the refused address itself
    for child in children:
        if child.type == "link_open":
            links_kept.append(link_allowed(str(child.attrGet("href") or "")))
            keep = links_kept[-1]  # a refused link's text stays, as text
            in_refused_autolink = not keep and child.markup == "autolink"
        elif child.type == "link_close":
            keep = links_kept.pop() if links_kept else True
            in_refused_autolink = False
        else:
            keep = not in_refused_autolink and not _inline_refused(child)
        if keep:
            kept.append(child)
    return kept


def drop_refused(state: StateCore) -> None:
    """A markdown-it core rule: take out of the token stream everything refused."""
    kept: list[Token] = []
    for token in state.tokens:
        if token.type == "html_block" or refused_directive(token):
            continue
        if token.children:
            token.children = _safe_inline(token.children)
        kept.append(token)
    state.tokens = kept


def allowlist_plugin(md: MarkdownIt) -> None:
    """``md.use(allowlist_plugin)``: the parser keeps only what an issue may use."""
    md.validateLink = accept_every_link
    md.core.ruler.push("newsletter_allowlist", drop_refused)
