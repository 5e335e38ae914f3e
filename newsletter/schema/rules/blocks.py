"""The rules of the quote, stat and question blocks, read as the build reads them.

Each block is read as MyST's own directive parser reads it
(:mod:`newsletter.schema.block_reading`) and checked with the very functions the
directives run in the build (:mod:`newsletter.schema.blockspec`), so the checker and the
build say the same thing about a block.
"""

from __future__ import annotations

from collections.abc import Iterator

from newsletter.schema.block_reading import Unreadable
from newsletter.schema.blockspec import BLOCKS, option_line
from newsletter.schema.issuefile import IssueFile
from newsletter.schema.publication import Publication
from newsletter.schema.rules.tokens import (
    FENCES,
    Finding,
    directive_of,
    line_of,
    parse_block,
    read_block,
)


def blocks_are_well_formed(issue: IssueFile, pub: Publication) -> Iterator[Finding]:
    """Validate each quote/stat/question as MyST's own directive parser reads it."""
    for token in issue.tokens:
        if token.type not in FENCES:
            continue  # (most tokens: told before anything else is asked of them)
        found = directive_of(token)
        if not found or found[0] not in BLOCKS:
            continue
        name, first_line = found
        directive = BLOCKS[name]
        line = line_of(token)
        parsed = read_block(name, first_line, token.content, line)
        if isinstance(parsed, Unreadable):
            yield (line, "D403", f'the "{name}" block: {parsed}')
            continue
        for warning in parsed.warnings:  # (the options block itself is malformed)
            yield (warning.lineno or line, "D401", f'the "{name}" block: {warning.msg}')
        for option, message in directive.check_options(parsed.options)[1]:
            # (the fence's line, then its content: the lines the directive reads)
            yield (line + option_line("\n" + token.content, option), "D401", message)
        # an option given with a bad value was reported above: it is not also missing
        for message in directive.usage_problems(parsed.options, "\n".join(parsed.body)):
            yield (line, "D402", message)


def published_blocks_are_complete(issue: IssueFile, pub: Publication) -> Iterator[Finding]:
    """A block's options that may wait in a draft (to fill) but not once it is published."""
    for token in issue.tokens:
        if token.type not in FENCES or not (block := parse_block(token)):
            continue
        directive, parsed = block
        given = {*parsed.options}
        given |= {directive.meant(n) for n in given if n not in directive.option_checks}  # D401
        for name, meaning in directive.required_when_published.items():
            if name in given:
                continue
            if issue.meta.published:
                message = (
                    f'the "{directive.name}" block of a published issue needs a ":{name}:" '
                    f"option: {meaning}"
                )
                yield (line_of(token), "D404", message)
            else:
                message = f'the "{directive.name}" block\'s ":{name}:" option: {meaning}'
                yield (line_of(token), "D405", message)
