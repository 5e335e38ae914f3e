"""The rules an issue must follow, each a small generator, and the order they run in.

A rule takes the parsed :class:`~newsletter.schema.issuefile.IssueFile` and the
:class:`~newsletter.schema.publication.Publication` and yields ``(line, code,
message)`` for every problem it finds:

- :mod:`.structure`: sections, headings, fences, placeholders, nothing typed twice (S3xx, T7xx);
- :mod:`.blocks`: the quote, stat and question blocks (D4xx);
- :mod:`.links`: links, images and addresses (L5xx);
- :mod:`.allowlist`: raw HTML, directives and roles outside the allowlist (H6xx);
- :mod:`.numbers`: across the archive, numbers are unique (M210).

:mod:`.tokens` is how they all see the body.
"""

from __future__ import annotations

from newsletter.schema.issuefile import IssueFile
from newsletter.schema.publication import Publication
from newsletter.schema.rules.allowlist import no_raw_html, only_what_an_issue_may_use
from newsletter.schema.rules.blocks import blocks_are_well_formed, published_blocks_are_complete
from newsletter.schema.rules.links import addresses_are_links, images_have_alt_text, links_are_sound
from newsletter.schema.rules.structure import (
    fences_are_closed,
    headings_are_not_too_deep,
    nothing_before_first_section,
    placeholders_are_filled,
    salutation_and_closing_are_not_typed,
    sections_hold_what_they_must,
    sections_present_and_in_order,
    title_is_not_repeated,
)
from newsletter.schema.rules.tokens import Rule

#: Every rule, in the order their findings are most useful to read.
RULES: tuple[Rule, ...] = (
    title_is_not_repeated,
    nothing_before_first_section,
    salutation_and_closing_are_not_typed,
    sections_present_and_in_order,
    sections_hold_what_they_must,
    fences_are_closed,
    blocks_are_well_formed,
    published_blocks_are_complete,
    headings_are_not_too_deep,
    links_are_sound,
    addresses_are_links,
    images_have_alt_text,
    no_raw_html,
    only_what_an_issue_may_use,
    placeholders_are_filled,
)


#: Rules whose findings the Sphinx build reports itself (the directives
#: validate their own options), so the build skips them to say things once.
BUILD_REPORTS_ITSELF: frozenset[Rule] = frozenset({blocks_are_well_formed})


def body_findings(issue: IssueFile, pub: Publication, rules: tuple[Rule, ...] = RULES) -> None:
    """Run ``rules`` over a parsed issue, adding their findings to its problems."""
    if not issue.tokens:
        return
    for rule in rules:
        for line, code, message in rule(issue, pub):
            issue.problem(line, code, message)
