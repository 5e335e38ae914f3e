"""How the checker's parser runs markdown-it's block rules: each silent, and only where it
can start a block.

:func:`silenced` copies a rule with a ``LOGGER`` that says nothing; :func:`tokenizer` is
markdown-it's ``ParserBlock.tokenize`` that tries, at each line, only the rules that can
start a block with the line's first character. Both are the checker's parser's only
(:mod:`.parsing`): markdown-it's modules, and every other parser, are left as they are.
"""

from __future__ import annotations

import types
from collections.abc import Callable

from markdown_it.ruler import Ruler
from markdown_it.rules_block import StateBlock


class _Silent:
    """A logger that says nothing, at once."""

    __slots__ = ()

    @staticmethod
    def debug(*args: object) -> None:
        pass


def silenced(rule: Callable[..., bool]) -> Callable[..., bool]:
    """markdown-it's block ``rule`` as a function of its own whose ``LOGGER`` says nothing.

    Each block rule of markdown-it opens with ``LOGGER.debug(...)``: at every line where a
    block may start, every rule asks the logging module whether it is to log (115,000
    times at 520 issues, 60 ms, for nothing). The copy runs the rule's own code, with its
    module's names but a silent ``LOGGER``; markdown-it's module and its logger are left
    as they are, and so is every other parser."""
    code = getattr(rule, "__code__", None)
    if code is None or "LOGGER" not in code.co_names or "LOGGER" not in rule.__globals__:
        return rule
    copy = types.FunctionType(
        code, {**rule.__globals__, "LOGGER": _Silent()}, rule.__name__, rule.__defaults__,
        rule.__closure__,
    )  # fmt: skip
    copy.__kwdefaults__ = rule.__kwdefaults__
    return copy


#: The block rules that start a block only at a line whose first character (after its
#: indentation) is one of these (read from markdown-it's and MyST's rules: each returns
#: at once, changing nothing, at any other); the others (a front matter, a table, indented
#: code, a target, a setext heading, a paragraph) are tried at every line.
_FIRST_MARKS: dict[str, str] = {
    "colon_fence": ":",
    "fence": "`~",
    "myst_line_comment": "%",
    "blockquote": ">",
    "myst_block_break": "+",
    "hr": "*-_",
    "list": "*-+0123456789",
    "footnote_def": "[",
    "reference": "[",
    "html_block": "<",
    "heading": "#",
}


def tokenizer(ruler: Ruler) -> Callable[[StateBlock, int, int], None]:
    """markdown-it's ``ParserBlock.tokenize`` (of markdown-it-py 4.3, constraints.txt),
    which tries every block rule in turn at each line where a block starts: trying only
    those that can start a block with the line's first character (:data:`_FIRST_MARKS`),
    in the same order, and the front matter's on a text's line 0 only. Eleven rules of
    seventeen open with one mark, and each was called, to return at once, at every block
    of an issue (the tokens are the same: tested)."""
    enabled = [(rule.name, rule.fn) for rule in ruler.__rules__ if rule.enabled]

    def by_first_mark(rules: list[tuple[str, Callable]]) -> dict[str | None, list[Callable]]:
        table: dict[str | None, list[Callable]] = {
            mark: [fn for name, fn in rules if mark in _FIRST_MARKS.get(name, mark)]
            for mark in "".join(_FIRST_MARKS.get(name, "") for name, _ in rules)
        }
        table[None] = [fn for name, fn in rules if name not in _FIRST_MARKS]
        return table

    # (a front matter starts on a text's line 0 only: its rule says no at once elsewhere)
    at_start = by_first_mark(enabled)
    after_start = by_first_mark([(name, fn) for name, fn in enabled if name != "front_matter"])

    def tokenize(state: StateBlock, startLine: int, endLine: int) -> None:
        line = startLine
        maxNesting = state.md.options.maxNesting
        hasEmptyLines = False

        while line < endLine:
            state.line = line = state.skipEmptyLines(line)
            if line >= endLine:
                break
            if state.sCount[line] < state.blkIndent:
                # Termination condition for nested calls.
                break
            if state.level >= maxNesting:
                # If nesting level exceeded - skip tail to the end.
                state.line = endLine
                break

            ok = False
            first = state.src[state.bMarks[line] + state.tShift[line]]
            table = after_start if line else at_start
            for rule in table.get(first) or table[None]:
                ok = rule(state, line, endLine, False)
                if ok:
                    if state.line <= line:
                        raise RuntimeError("block rule didn't increment state.line")
                    break

            if not ok:
                raise RuntimeError("none of the block rules matched")

            state.tight = not hasEmptyLines
            line = state.line
            if (line - 1) < endLine and state.isEmpty(line - 1):
                hasEmptyLines = True
            if line < endLine and state.isEmpty(line):
                hasEmptyLines = True
                line += 1
                state.line = line

    return tokenize
