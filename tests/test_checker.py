"""The checker's rules, each with its exact expected (line, code, message) output."""

from __future__ import annotations

import functools
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsletter import processes

from .conftest import VALID, edit, examples, findings, run_cli, run_python


def test_a_valid_issue_has_no_findings() -> None:
    assert findings(VALID) == []


# -- the file itself -----------------------------------------------------------

UNREADABLE = [
    ("empty", b"", [(1, "F104", "empty file: an issue needs front matter and its sections")]),
    (
        "whitespace only",
        b"\n  \n\n",
        [(1, "F104", "empty file: an issue needs front matter and its sections")],
    ),
    (
        "binary",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00",
        [(3, "F102", "binary data (a NUL byte): an issue is UTF-8 Markdown text")],
    ),
    (
        "latin-1",
        VALID.replace("A brief", "Caf\xe9 brief").encode("latin-1"),
        [(13, "F101", "not UTF-8 text (byte 0xe9); save the file as UTF-8")],
    ),
    (
        "too large",
        VALID.encode() + b"x" * 5_000_000,
        [
            (
                1,
                "F105",
                f"file is {len(VALID) + 5_000_000:,} bytes; an issue is at most 1,000,000 bytes",
            )
        ],
    ),
]


@pytest.mark.parametrize(
    ("raw", "expected"), [c[1:] for c in UNREADABLE], ids=[c[0] for c in UNREADABLE]
)
def test_unreadable_files(raw: bytes, expected: list) -> None:
    assert findings(raw) == expected


def test_byte_order_mark_is_reported_and_the_rest_still_checked() -> None:
    raw = b"\xef\xbb\xbf" + edit("status: draft", "status: final").encode()
    assert findings(raw) == [
        (1, "F103", "file starts with a UTF-8 byte-order mark; save it without one"),
        (8, "M206", "status must be one of draft, published, not 'final'"),
    ]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("drafts/2026-01-30.md", [(1, "F106", "an issue file lives at issues/YYYY/YYYY-MM-DD.md")]),
        ("issues/2025/2026-01-30.md", [(1, "F106", "an issue file lives at issues/YYYY/YYYY-MM-DD.md")]),
        ("issues/2026/2026-02-30.md", [(1, "F106", 'the file name "2026-02-30" is not a real date')]),
        ("issues/2026/2026-02-06.md", [(3, "M209", "date 2026-01-30 does not match the file name 2026-02-06")]),
    ],
)  # fmt: skip
def test_where_the_file_lives(path: str, expected: list) -> None:
    assert findings(VALID, path=path) == expected


# -- front matter --------------------------------------------------------------

FRONT_MATTER = [
    (
        "no front matter",
        VALID.split("---\n", 2)[2],
        [(1, "M201", "no front matter: an issue starts with a block between --- lines")],
    ),
    (
        "broken yaml",
        edit("topics: [trade, diplomacy]", "topics: [trade, diplomacy"),
        [(7, "M202", "front matter is not valid YAML: expected ',' or ']', but got ':'")],
    ),
    (
        "not a mapping",
        "---\n- a\n- b\n---\n" + VALID.split("---\n", 2)[2],
        [(2, "M203", "front matter must be a mapping of keys, not a list")],
    ),
    (
        "missing keys",
        edit("summary: One sentence that sums the issue up.\n", "", edit("editors: [An Editor]\n", "")),
        [(1, "M204", 'front matter lacks "editors"'), (1, "M204", 'front matter lacks "summary"')],
    ),
    (
        "unknown key",
        edit("status: draft", "status: draft\nauthor: Somebody"),
        [(9, "M205", 'unknown front matter key "author" (known keys: title, date, number, '
                     "summary, topics, editors, status, corrections)")],
    ),
    (
        "key twice",
        edit("status: draft", "status: draft\ntitle: Again"),
        [(9, "M205", 'front matter key "title" is given twice')],
    ),
    (
        "wrong types",
        edit("number: 2", "number: two", edit("title: A valid issue", "title: [a, b]",
             edit("editors: [An Editor]", "editors: An Editor"))),
        [
            (2, "M206", "title must be non-empty text"),
            (4, "M206", "number must be a whole number from 1 up, not 'two'"),
            (7, "M206", "editors must be a non-empty list of names"),
        ],
    ),
    (
        "number zero and boolean",
        edit("number: 2", "number: 0"),
        [(4, "M206", "number must be a whole number from 1 up, not 0")],
    ),
    (
        "date that does not exist",
        edit("date: 2026-01-30", "date: 2026-02-30"),
        [(3, "M206", "date '2026-02-30' is not a real date written YYYY-MM-DD")],
    ),
    (
        "date in another format",
        edit("date: 2026-01-30", "date: 30 January 2026"),
        [(3, "M206", "date '30 January 2026' is not a real date written YYYY-MM-DD")],
    ),
    (
        "unknown topic",
        edit("topics: [trade, diplomacy]", "topics: [trade, cooking]"),
        [(6, "M208", 'unknown topic "cooking" (the vocabulary is in publication.toml: '
                     "us-china-relations, trade, diplomacy, security, economy, technology, "
                     "energy, arctic, europe, russia-ukraine, asia-pacific, taiwan, people-to-people)")],
    ),
    (
        "summary too long",
        edit("One sentence that sums the issue up.", "word " * 70),
        [(5, "M207", "summary is 349 characters long; the limit is 300")],
    ),
    (
        "bad status",
        edit("status: draft", "status: Published"),
        [(8, "M206", "status must be one of draft, published, not 'Published'")],
    ),
    (
        "bad corrections",
        edit("status: draft", "status: draft\ncorrections:\n  - date: yesterday\n    text: Fixed."),
        [(9, "M206", "corrections must be a list of entries with a date (YYYY-MM-DD) and a text")],
    ),
    (
        "front matter never closed",
        VALID.replace("status: draft\n---\n", "status: draft\n", 1),
        [(1, "M201", "front matter is not closed by a --- line")],
    ),
]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "expected"), [c[1:] for c in FRONT_MATTER], ids=[c[0] for c in FRONT_MATTER]
)
def test_front_matter(text: str, expected: list) -> None:
    assert findings(text) == expected


def test_good_corrections_are_accepted() -> None:
    text = edit(
        "status: draft",
        "status: published\ncorrections:\n  - date: 2026-02-01\n    text: A name was misspelled.",
    )
    assert findings(text) == []


def corrected(*dates: str) -> str:
    entries = "".join(f"\n  - date: {when}\n    text: Fixed on {when}." for when in dates)
    return edit("status: draft", f"status: published\ncorrections:{entries}")


CORRECTIONS = [
    ("on the issue's own date", corrected("2026-01-30", "2026-01-30"), []),
    (
        "before the issue",
        corrected("2026-01-29", "2026-02-01"),
        [(10, "M211", "correction dated 2026-01-29 is earlier than the issue (2026-01-30): "
                      "date it the day the correction was made")],
    ),
    (
        "out of order",
        corrected("2026-02-05", "2026-02-01", "2026-02-03", "2026-02-06"),
        [
            (12, "M212", "correction dated 2026-02-01 comes after one dated 2026-02-05: "
                         "list the corrections oldest first"),
            (14, "M212", "correction dated 2026-02-03 comes after one dated 2026-02-05: "
                         "list the corrections oldest first"),
        ],
    ),
    (
        "before the issue and out of order: said once",
        corrected("2026-02-05", "2026-01-20"),
        [(12, "M211", "correction dated 2026-01-20 is earlier than the issue (2026-01-30): "
                      "date it the day the correction was made")],
    ),
    (
        "written inline, each at its line",
        edit("status: draft", "status: published\ncorrections: [{date: 2026-02-02, text: B.},\n"
             "  {date: 2026-02-01, text: A.}]"),
        [(10, "M212", "correction dated 2026-02-01 comes after one dated 2026-02-02: "
                      "list the corrections oldest first")],
    ),
]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "expected"), [c[1:] for c in CORRECTIONS], ids=[c[0] for c in CORRECTIONS]
)
def test_corrections_follow_the_issue_in_date_order(text: str, expected: list) -> None:
    assert findings(text) == expected


def test_corrections_are_kept_oldest_first() -> None:
    from newsletter.schema import issuefile, publication

    from .conftest import ROOT

    text = corrected("2026-02-05", "2026-02-01")
    meta = issuefile.read("issues/2026/2026-01-30.md", text.encode(), publication.load(ROOT)).meta
    assert [c.date.isoformat() for c in meta.corrections] == ["2026-02-01", "2026-02-05"]


# -- sections ------------------------------------------------------------------

QUESTION = VALID[VALID.index("## Question of the Week") :]
SALUTATION = (
    'the salutation "Dear Focus Reader," is added to every issue from publication.toml; '
    "delete this line"
)
CLOSING = (
    'the closing paragraph ("Prepared by China-US Focus editorial teams in Hong ...") is added '
    "to every issue from publication.toml; delete this paragraph"
)

SECTIONS = [
    (
        "missing section",
        VALID.replace(QUESTION, ""),
        [(34, "S301", 'missing section "Question of the Week"')],
    ),
    (
        "missing middle section points at the next one",
        edit("## By the Numbers\n", "", edit(":::{stat} 42%\n:source: https://example.org/stat\n:as-of: 2026-01-29\nWhat the figure measures.\n:::\n", "")),
        [(25, "S301", 'missing section "By the Numbers"')],
    ),
    (
        "sections out of order",
        VALID.replace(QUESTION, "").replace("## This Week", QUESTION + "\n## This Week"),
        [(11, "S302", 'section "Question of the Week" must come after "Further Reading"')],
    ),
    (
        "unexpected section",
        edit("## Further Reading", "## Elsewhere\n\nMore.\n\n## Further Reading"),
        [(31, "S303", 'unexpected section "Elsewhere" (an issue has these sections: This Week, '
                      "Quote of the Week, By the Numbers, Further Reading, Question of the Week)")],
    ),
    (
        "section twice",
        edit("## Further Reading", "## This Week\n\nAgain.\n\n## Further Reading"),
        [(31, "S304", 'section "This Week" appears twice')],
    ),
    (
        "text before the first section",
        edit("## This Week", "An introduction.\n\n## This Week"),
        [(11, "S305", 'text before the first section "This Week": an issue starts with its '
                      'first section ("## This Week"); move this text into a section or delete it')],
    ),
    (
        "salutation typed before the first section",
        edit("## This Week", "Dear Focus Reader,\n\n## This Week"),
        [(11, "S310", SALUTATION)],
    ),
    (
        "salutation and other text before the first section",
        edit("## This Week", "Dear Focus Reader,\n\nAn introduction.\n\n## This Week"),
        [
            (11, "S310", SALUTATION),
            (13, "S305", 'text before the first section "This Week": an issue starts with its '
                         'first section ("## This Week"); move this text into a section or delete it'),
        ],
    ),
    (
        "salutation typed in a section, written otherwise",
        edit("A brief of the week.", "DEAR  focus reader:\nA brief of the week."),
        [(13, "S310", SALUTATION)],
    ),
    (
        "closing typed at the end",
        VALID + "\nPrepared by China-US Focus editorial teams in Hong Kong and New York, this "
        "weekly newsletter offers you snap shots.\n",
        [(42, "S310", CLOSING)],
    ),
    (
        "closing typed in a block's body",
        edit("What do you think?", "What do you think?\n\nprepared by China–US Focus Editorial "
             "Teams in Hong Kong and New York."),
        [(41, "S310", CLOSING)],
    ),
    (
        "the salutation's words elsewhere are fine",
        edit("A brief of the week.", "A brief for the dear focus reader."),
        [],
    ),
    (
        "title repeated as a heading",
        edit("## This Week", "# A valid issue\n\n## This Week"),
        [(11, "S306", "the title comes from the front matter; remove this '#' heading")],
    ),
    (
        "This Week without a paragraph",
        edit("A brief of the week.\n", "- only a list\n"),
        [(11, "S307", 'section "This Week" must hold at least 1 paragraph, found 0')],
    ),
    (
        "two quotes",
        edit("Words worth quoting.\n:::\n", "Words worth quoting.\n:::\n\n:::{quote}\nMore.\n:::\n"),
        [(15, "S307", 'section "Quote of the Week" must hold exactly 1 quote block, found 2')],
    ),
    (
        "no link in Further Reading",
        edit("- [An article](https://example.org/article)", "- An article"),
        [(31, "S307", 'section "Further Reading" must hold at least 1 link, found 0')],
    ),
    (
        "a '>' blockquote where the quote block belongs",
        edit(":::{quote}\n:attribution: Someone, somewhere\n:source: https://example.org/quote\n"
             "Words worth quoting.\n:::", "> Words worth quoting.\n>\n> — Someone, somewhere"),
        [(17, "S307", 'section "Quote of the Week": write the quote as a block: :::{quote} ... ::: '
                      "(a '>' blockquote is not the quote block)")],
    ),
    (
        "a '>' blockquote beside the quote block is fine",
        edit("## By the Numbers", "> An aside.\n\n## By the Numbers"),
        [],
    ),
    (
        "unclosed fence",
        VALID[: VALID.rindex(":::")],
        [(37, "S308", "the ':::' fence opened here is never closed")],
    ),
]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "expected"), [c[1:] for c in SECTIONS], ids=[c[0] for c in SECTIONS]
)
def test_sections(text: str, expected: list) -> None:
    assert findings(text) == expected


# -- the blocks ----------------------------------------------------------------

BLOCKS = [
    (
        "unknown option",
        edit(":attribution: Someone, somewhere", ":attribution: Someone\n:colour: red"),
        [(19, "D401", 'the "quote" block has no option ":colour:" (options: attribution, source)')],
    ),
    (
        "misspelt option",
        edit(":attribution: Someone, somewhere", ":attributon: Someone, somewhere"),
        [(18, "D401", 'the "quote" block has no option ":attributon:"; did you mean ":attribution:"? '
                      "(options: attribution, source)")],
    ),
    (
        "misspelt required option: said once",
        edit(":submit: editor@example.org", ":sumbit: editor@example.org"),
        [(38, "D401", 'the "question" block has no option ":sumbit:"; did you mean ":submit:"? '
                      "(options: submit)")],
    ),
    (
        "source that is not http",
        edit(":source: https://example.org/quote", ":source: ftp://example.org/quote"),
        [(19, "D401", 'the "quote" block\'s ":source:" is not valid: '
                      "'ftp://example.org/quote' is not an http(s) URL")],
    ),
    (
        "stat without its figure",
        edit(":::{stat} 42%", ":::{stat}"),
        [(25, "D403", 'the "stat" block: 1 argument(s) required, 0 supplied')],
    ),
    (
        "stat without a body",
        edit("What the figure measures.\n", ""),
        [(25, "D402", 'the "stat" block needs a body: what the figure measures')],
    ),
    (
        "bad as-of date",
        edit(":as-of: 2026-01-29", ":as-of: last week"),
        [(27, "D401", 'the "stat" block\'s ":as-of:" is not valid: '
                      "'last week' is not a date written YYYY-MM-DD")],
    ),
    (
        "question without submit",
        edit(":submit: editor@example.org\n", ""),
        [(37, "D402", 'the "question" block needs a ":submit:" option: '
                      "the email address or https URL where readers answer")],
    ),
    (
        "malformed address",
        edit(":submit: editor@example.org", ":submit: editor at example"),
        [(38, "D401", 'the "question" block\'s ":submit:" is not valid: '
                      "'editor at example' is neither an email address nor an https URL")],
    ),
    (
        "stat without a source in a published issue",
        edit("status: draft", "status: published", edit(":source: https://example.org/stat\n", "")),
        [(25, "D404", 'the "stat" block of a published issue needs a ":source:" option: '
                      "the address the figure comes from (:source: https://...)")],
    ),
    (
        "stat without a source in a draft is to fill",
        edit(":source: https://example.org/stat\n", ""),
        [(25, "D405", 'the "stat" block\'s ":source:" option: '
                      "the address the figure comes from (:source: https://...)")],
    ),
    (
        "stat with a misspelt source in a published issue: said once",
        edit("status: draft", "status: published", edit(":source: https://example.org/stat", ":sorce: https://example.org/stat")),
        [(26, "D401", 'the "stat" block has no option ":sorce:"; did you mean ":source:"? '
                      "(options: source, as-of)")],
    ),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in BLOCKS], ids=[c[0] for c in BLOCKS])
def test_blocks(text: str, expected: list) -> None:
    assert findings(text) == expected


# -- the command line ----------------------------------------------------------


def test_cli_passes_a_good_archive(archive) -> None:
    result = run_cli(archive, "check", own_process=True)  # the command as typed
    assert (result.returncode, result.stdout) == (0, "")
    assert result.stderr == "checked 2 issue file(s): no problems\n"


def test_cli_reports_duplicate_numbers_across_files(archive) -> None:
    path = archive / "issues" / "2026" / "2026-02-06.md"
    path.write_text(path.read_text().replace("number: 3", "number: 2"))
    result = run_cli(archive, "check", own_process=True)
    assert result.returncode == 1
    assert result.stdout == (
        "issues/2026/2026-02-06.md:4: number 2 is already the number of "
        "issues/2026/2026-01-30.md [M210]\n"
    )
    # naming only the new file still compares it with the whole archive
    assert run_cli(archive, "check", "issues/2026/2026-02-06.md").stdout == result.stdout


@pytest.mark.parametrize(
    "content",
    [b"", b"\xff\xfe\x00x", b"---\n: : :\n---\n", b"---\n[1, 2]\n---\n", b":::{quote}\n"],
    ids=["empty", "binary", "bad yaml", "list yaml", "only a fence"],
)
def test_cli_never_prints_a_traceback(archive, content: bytes) -> None:
    (archive / "issues" / "2026" / "2026-02-13.md").write_bytes(content)
    result = run_cli(archive, "check", "issues/2026/2026-02-13.md")
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines and all(line.startswith("issues/2026/2026-02-13.md:") for line in lines)


def test_cli_formats(archive) -> None:
    (archive / "issues" / "2026" / "2026-02-13.md").write_text(VALID.replace(QUESTION, ""))
    github = run_cli(archive, "check", "--format", "github").stdout.splitlines()
    assert "::error file=issues/2026/2026-02-13.md,line=34,title=S301::" in github[-1]
    records = json.loads(run_cli(archive, "check", "--format", "json").stdout)
    assert {"path": "issues/2026/2026-02-13.md", "line": 34, "code": "S301", "severity": "error",
            "message": 'missing section "Question of the Week"'} in records  # fmt: skip


# -- content rules -------------------------------------------------------------

BARE = "a bare address is shown as plain text; write it as a link: [what it is]({})"

CONTENT = [
    (
        "relative link",
        edit("(https://example.org/article)", "(../2025/2025-12-26.md)"),
        [(33, "L501", "link '../2025/2025-12-26.md' is relative: links in an issue are absolute (https://...)")],
    ),
    (
        "ftp link",
        edit("(https://example.org/article)", "(ftp://example.org/file)"),
        [(33, "L501", "link 'ftp://example.org/file' uses ftp:, only https:, http: and mailto: are allowed")],
    ),
    (
        "malformed web address",
        edit("(https://example.org/article)", "(https://localhost/a)"),
        [(33, "L502", "link 'https://localhost/a' is not a well-formed web address")],
    ),
    (
        "malformed mail address",
        edit("(https://example.org/article)", "(mailto:editor-at-example)"),
        [(33, "L502", "link 'mailto:editor-at-example' is not a well-formed email address")],
    ),
    (
        "tracking parameters",
        edit("(https://example.org/article)", "(https://example.org/a?id=3&utm_source=mail&fbclid=x1)"),
        [
            (33, "L503", "link 'https://example.org/a?id=3&utm_source=mail&fbclid=x1' carries the tracking parameter 'fbclid'; remove it"),
            (33, "L503", "link 'https://example.org/a?id=3&utm_source=mail&fbclid=x1' carries the tracking parameter 'utm_source'; remove it"),
        ],
    ),
    (
        "tracking parameter in a block's source",
        edit(":source: https://example.org/stat", ":source: https://example.org/stat?utm_medium=x"),
        [(26, "L503", ":source: 'https://example.org/stat?utm_medium=x' carries the tracking parameter 'utm_medium'; remove it")],
    ),
    (
        "repeated link",
        edit("- [An article](https://example.org/article)", "- [An article](https://example.org/article)\n- [Again](https://example.org/article/)"),
        [(34, "L504", "link 'https://example.org/article/' is already given on line 33")],
    ),
    (
        "bare address in a paragraph",
        edit("A brief of the week.", "A brief\nof the week (https://example.org/a_b_c)."),
        [(14, "L506", BARE.format("https://example.org/a_b_c"))],
    ),
    (
        "bare addresses in Further Reading",
        edit("- [An article](https://example.org/article)", "- [An article](https://example.org/article)\n"
             "- Another, at https://example.org/other.\n- And www.example.org/third"),
        [
            (34, "L506", BARE.format("https://example.org/other")),
            (35, "L506", BARE.format("https://www.example.org/third")),
        ],
    ),
    (
        "bare address in a block's body",
        edit("Words worth quoting.", "Words\nworth quoting, says http://example.org/q"),
        [(21, "L506", BARE.format("http://example.org/q"))],
    ),
    (
        "addresses in links, autolinks and code are fine",
        edit("A brief of the week.", "A [brief](https://example.org/b) of <https://example.org/c>, "
             "`https://example.org/d` and [www.example.org](https://www.example.org/).\n\n"
             "```\nhttps://example.org/e\n```"),
        [],
    ),
    (
        "image without alt text",
        edit("A brief of the week.", "A brief. ![](https://example.org/map.png)"),
        [(13, "L505", "image 'https://example.org/map.png' needs alt text: ![what it shows](https://example.org/map.png)")],
    ),
    (
        "raw html block",
        edit("A brief of the week.", "A brief.\n\n<div class=\"box\">A brief.</div>"),
        [(15, "H601", "raw HTML '<div class=\"box\">A brief.</div>' is not allowed in an issue; write Markdown (and % for a comment)")],
    ),
    (
        "script",
        edit("A brief of the week.", "A brief.\n\n<script>alert(1)</script>"),
        [(15, "H602", "raw HTML <script> is not allowed in an issue")],
    ),
    (
        "event handler inline",
        edit("A brief of the week.", 'A brief <img src="x.png" onerror="alert(1)"> here.'),
        [(13, "H603", "raw HTML with an event handler (on...=) is not allowed")],
    ),
    (
        "heading too deep",
        edit("A brief of the week.", "### Davos\n\nA brief.\n\n#### Too deep\n\nMore."),
        [(17, "S309", "heading level 4 is deeper than an issue allows (at most ###)")],
    ),
    (
        "placeholder in a draft is to fill",
        edit("title: A valid issue", "title: '[[FILL: the title]]'"),
        [(2, "T701", "the title")],
    ),
    (
        "placeholder in a published issue",
        edit("status: draft", "status: published", edit("A brief of the week.", "[[FILL: the news briefs]]")),
        [(13, "T702", "a published issue still holds the placeholder [[FILL: the news briefs]]")],
    ),
]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "expected"), [c[1:] for c in CONTENT], ids=[c[0] for c in CONTENT]
)
def test_content_rules(text: str, expected: list) -> None:
    assert findings(text) == expected


#: texts whose first word, or whose addresses, are easy to misjudge
TRICKY = [
    "Dear Focus Reader,", "DEAR  focus reader:", "...dear, focus reader", "_Dear_Focus", "dear2 focus",
    "2dear", "Prepared by China-US Focus", "PREPARED\tby", "\u00a0Dear", "Ｄｅａｒ Focus", "ﬁnal dear",
    "Dearly", "", "  ", "-- --", "at https://example.org/a.", "at HTTPS://example.org", "WwW.example.org",
    "www.example.org", "wWw.x", "ww.example.org", "www.", "a@www.example.org", "x.www.example.org",
    "httpſ://example.org", "the wwW. thing", "Ｗｗｗ.example.org", "www\u2024example",
]  # fmt: skip


@pytest.mark.parametrize("text", TRICKY)
def test_quick_answers_agree_with_the_full_reading(text: str) -> None:
    """The rules' shortcuts say no only where the full reading finds nothing."""
    from newsletter.schema.rules import links, structure

    firsts = ("dear", "prepared")
    if structure._first_word_is_none_of(text, firsts):
        assert structure._words(text)[:1] not in [(word,) for word in firsts]
    if not links._may_hold_address(text):
        assert links._BARE_ADDRESS.search(text) is None


def test_quick_answers_answer_most_texts() -> None:
    from newsletter.schema.rules import links, structure

    assert structure._first_word_is_none_of("A brief of the week.", ("dear", "prepared"))
    assert not links._may_hold_address("A brief of the week, at example.org.")


def test_only_w_is_w_whatever_the_case() -> None:
    """What :func:`links._may_hold_address` relies on, over every character."""
    import re
    import sys
    from array import array

    w = re.compile("w", re.IGNORECASE)
    # every character but NUL, once each, and each one's lower case between NULs (NUL is
    # its own lower case, and no other character's holds it): made, matched and lowered in
    # C, not one character at a time in Python (1.3 s)
    assert not w.fullmatch("\0") and "\0".lower() == "\0"
    codes = array("I", range(1, sys.maxunicode + 1))
    characters = codes.tobytes().decode("utf-32-le", "surrogatepass")
    spaced = array("I", bytes(2 * codes.itemsize * len(codes)))
    spaced[::2] = codes
    lowered = spaced.tobytes().decode("utf-32-le", "surrogatepass").lower()
    holding_w, at = set(), lowered.find("w")
    while at >= 0:
        holding_w.add(characters[lowered.count("\0", 0, at)])
        at = lowered.find("w", at + 1)
    assert set(w.findall(characters)) | holding_w == {"w", "W"}


#: what the rules read of an inline token's children: these types, and a text's address
CHILDREN_READ = {"link_open", "link_close", "image", "html_inline", "myst_role"}
#: the characters where inline Markdown, or an address, may begin
INLINE_ALPHABET = "[]()<>{}!\\&#;:/.@`*_~$^|=-+ \nwWhtpsx0é"
INLINE_TRICKY = [
    "plain text", "a [link](https://x.org)", "<https://x.org>", "<b>bold</b>", "{sub}`2`",
    "www.example.org", "WwW.x.org", "http:\\/\\/x.org", "http&#58;//x.org", "&#119;ww.x.org",
    "ww&#x77;.x.org", "h*ttp://*x", "www*.*x.org", "`www.x.org`", "a\\\nwww.x", "[^1]", "![](x)",
    "*emphasis* and _more_", "x  \nhttps://x.org", "a: //b", "w ww.x",
]  # fmt: skip


def _children_a_rule_reads(content: str) -> list[str]:
    from newsletter.schema import markup
    from newsletter.schema.rules import links

    found = []
    for inline in markup.markdown_parser().parseInline(content):
        for child in inline.children or ():
            if child.type in CHILDREN_READ:
                found.append(child.type)
            elif child.type == "text" and links._BARE_ADDRESS.search(child.content):
                found.append(f"address {child.content!r}")
    return found


@pytest.mark.parametrize("text", INLINE_TRICKY)
def test_inline_tokens_left_unparsed_hold_nothing_a_rule_reads(text: str) -> None:
    """The checker parses an inline token's children only where
    :func:`~newsletter.schema.rules.parsing.children_read`: where it says no, the full
    parse finds nothing there that any rule reads."""
    from newsletter.schema.rules import parsing

    if not parsing.children_read(text):
        assert _children_a_rule_reads(text) == []


@settings(max_examples=examples(400), deadline=None)
@given(st.text(alphabet=INLINE_ALPHABET, max_size=40))
def test_random_inline_text_left_unparsed_holds_nothing_a_rule_reads(text: str) -> None:
    from newsletter.schema.rules import parsing

    if not parsing.children_read(text):
        assert _children_a_rule_reads(text) == []


def test_the_checker_parses_the_inline_tokens_of_links_only() -> None:
    from newsletter.schema.rules import parsing

    assert not parsing.children_read("A brief of the week, at example.org.")
    parsed = parsing.checker_parser().parse("A brief.\n\nA [link](https://x.org).\n")
    assert [len(t.children or ()) for t in parsed if t.type == "inline"] == [0, 5]


#: lines that start blocks, with and without the marks of the rules the checker leaves out
BLOCK_LINES = [
    "| a | b |", "|---|---|", "a | b", "--- | ---", "<div>", "<!-- x -->", "[^1]: a note",
    "% a comment", "+++", "+ + +", "+ item", "(target)=", "> a quote", ">quote", "    code",
    "\tcode", "  - item", "-     code", "1. item", "1)  item", "```", ":::{quote}", ":::", "text",
    "", "", "---", "***", "a ) = b", "## Heading", "Heading", "===", "[a]: https://x.org",
    "- [a](https://x.org)", "summary: >-", "~~~", "````", "~~~ python", "[a]:", "[x]: <y>",
    "[label", "continued]: https://x.org", "[a]: https://x.org 'title'", "[a]", ": x",
    "\u00a0(target)=", " \t- item", "\t> q", "5) x", "٣. x", "* * *", "- - -", "_ _ _", "#tag",
    "  # h", "%%", "<!-- x -->", "[^a]: note", "\f- x", "\u3000- x", "::: x", "+ + +", "~~~~",
    "`code`", "<br>", "1.", "-", ">", "#", "+", "*", "[", "<", "`", "~", ":", "%", "(",
]  # fmt: skip


@functools.cache
def _markdown_its() -> object:
    """The checker's parser with every block rule, tried in turn at each line by
    markdown-it's own ``ParserBlock.tokenize``: what the checker's must read as."""
    from newsletter.schema.rules import parsing

    parser = parsing._parser_without.__wrapped__(frozenset())
    del parser.block.tokenize
    return parser


@settings(max_examples=examples(300), deadline=None)
@given(
    st.lists(st.sampled_from(BLOCK_LINES), max_size=12),
    st.sampled_from(["", "  ", "> ", "- ", "1. ", "    ", "\t", "> - ", "   > "]),
)
def test_the_checker_leaves_out_only_block_rules_that_cannot_start_a_block(
    lines: list[str], indent: str
) -> None:
    """The checker's parser leaves out the block rules whose marks a text lacks, and tries
    at each line only the rules that can start a block with its first character: its
    tokens are those of the same parser with every rule, each tried at each line."""
    from newsletter.schema.rules import parsing

    text = "\n".join(indent + line for line in lines) + "\n"
    assert parsing.checker_parser().parse(text) == _markdown_its().parse(text)


@pytest.mark.parametrize(
    "text",
    [
        "[a]:\nhttps://x.org\n\n[a]\n",
        "[a\nb]:\nhttps://x.org 'title'\n\n[a b]\n",
        "> [a]:https://x.org\n\n[a]\n",
        "~~~\ncode\n~~~\n",
        "- ````\n  x\n  ````\n",
        "text\n~~~~\n",
        "(target)=\n+++\n% comment\n",
        "- a--\n  ---\n",  # (a front matter in a list item: its rule looks at the text's first character)
        "\u00a0(target)=\n",  # (a target's rule strips all white space)
    ],
)
def test_the_checker_leaves_out_only_block_rules_that_cannot_start_a_block_here(text: str) -> None:
    from newsletter.schema.rules import parsing

    assert parsing.checker_parser().parse(text) == _markdown_its().parse(text)


#: one line each, read at once or not by the checker's parser
PARAGRAPHS = [
    "Words.", "The joint data of the Federal Reserve in 2012.", "“Quoted,” she said.",
    '"The pragmatic markets comes amid new drought."', "‘Single’ and 'plain' quotes.",
    "«Guillemets» and „low quotes“.", "Émile, 中文, Ωmega.", "Words  ", "Words\u00a0", "Words\t",
    "Words with a [link](https://x.org).", "A <b>tag</b>.", "A {sub}`role`.", "An &amp; entity.",
    "A \\* escape.", "See https://x.org now.", "See www.x.org.", "Two\nlines.", "A\rline.",
    "A\x00NUL.", "", " Words.", "    Code.", "\tTabbed.", "# Heading", "- item", "* item",
    "+ item", "1. item", "1) item", "> quote", "---", "***", "___", "```", "~~~", ":::{quote}",
    "%comment", "+++", "(target)=", "[a]: https://x.org", "[^1]: note", "<div>", "| a | b |",
    "Words ending with two spaces  ", "Setext\n===", "a|b", "_emphasis_", "*emphasis*",
    "`code`", "Trailing\\", "Ünïcödé.", "1980 was a year.", "'", "“",
]  # fmt: skip


@pytest.mark.parametrize("text", PARAGRAPHS)
def test_a_plain_paragraph_read_at_once_is_read_as_the_parser_reads_it(text: str) -> None:
    from newsletter.schema.rules import parsing

    quick = parsing.one_plain_paragraph(text)
    assert quick is None or quick == _markdown_its().parse(text)


def test_plain_paragraphs_are_read_at_once() -> None:
    from newsletter.schema.rules import parsing

    answered = [text for text in PARAGRAPHS if parsing.one_plain_paragraph(text) is not None]
    assert answered == [
        *PARAGRAPHS[:10],
        "Words ending with two spaces  ",
        "a|b",
        "Ünïcödé.",
        "'",
        "“",
    ]


@settings(max_examples=examples(300), deadline=None)
@given(st.text("aZé “\"'‘«„-*+#>|:`~%(=[<&{\\_ \t\n\r\x00\u00a01.)", max_size=12))
def test_random_lines_read_at_once_are_read_as_the_parser_reads_them(text: str) -> None:
    from newsletter.schema.rules import parsing

    quick = parsing.one_plain_paragraph(text)
    assert quick is None or quick == _markdown_its().parse(text)


def _inline_children(content: str) -> list:
    """markdown-it's inline tokens of ``content`` as its core rules leave them (the inline
    parse, then text_join), and the checker's quick reading of them (None: not plain)."""
    from markdown_it.rules_core import StateCore
    from markdown_it.rules_core.text_join import text_join
    from markdown_it.token import Token

    from newsletter.schema.rules import parsing

    md = _markdown_its()
    state = StateCore(content, md, {})
    inline = Token("inline", "", 0, children=[], content=content)
    md.inline.parse(content, md, state.env, inline.children)
    state.tokens = [inline]
    text_join(state)
    return [parsing.plain_links(content, md), inline.children]


#: texts of links, plain or not
LINK_TEXTS = [
    "Learn more in our [latest content](https://www.example.org/2019/12/20/a-b/), with more.",
    "[Robust dollar](https://www.example.org/2020/01/01/x/), by Jun Novak.",
    "x [a](b) y [c](https://d.org/e?f=1#g)", "[a](b)", "[a](b).", "[a](b)[c](d)", "[a](b) ",
    "Text: (a) - b + c % d ~ e $ f ^ g @ h = i # j [k](l) m.", "é [ü](https://例え.jp/) ö",
    "[a](https://x.org/a%20b)", "[a](mailto:a@b.org)", "[a](HTTPS://X.ORG)", "[a b c](d)",
    "[a](b c)", "[a](<b>)", "[a](b 'title')", "[a]( b)", "[a](b)(c)", "[^a](b)", "![a](b)",
    "[a [b]](c)", "[a](b\\)c)", "[a](b(c))", "[`a`](b)", "[a](b)]", "[a](b", "[a]b", "[](b)",
    "[a](b)\nc", "[*a*](b)", "[a](b) *c*", "[a](b) <c>", "[a](b) &amp;", "[a](b) {x}`y`",
    "[a](b) \\*", "[a](b) https://x.org", "[a](b) www.x.org", "[a](javascript:alert(1))",
    "[a](b)  ", "a  [b](c)", "[a](b\tc)", "[a](\x7f)", "[a](b)!", "[a](b)_",
]  # fmt: skip


@pytest.mark.parametrize("text", LINK_TEXTS)
def test_plain_links_read_at_once_are_read_as_markdown_it_reads_them(text: str) -> None:
    quick, markdown_its = _inline_children(text)
    assert quick is None or quick == markdown_its


def test_plain_links_are_read_at_once() -> None:
    answered = [text for text in LINK_TEXTS if _inline_children(text)[0] is not None]
    assert answered == [*LINK_TEXTS[:13], "[a](b)(c)", "[a](b) https://x.org",
                        "[a](b) www.x.org", "[a](b)  ", "a  [b](c)"]  # fmt: skip


@settings(max_examples=examples(300), deadline=None)
@given(
    st.lists(
        st.sampled_from(["[", "](", ")", "a", " ", "https://x.org/p", "b c", "^", "!", "<", ">",
                         "(", "\\", "`", "*", "_", "&", "{", "}", "\n", "\t", "é", ":", "'"]),
        max_size=14,
    )
)  # fmt: skip
def test_random_links_read_at_once_are_read_as_markdown_it_reads_them(pieces: list[str]) -> None:
    quick, markdown_its = _inline_children("".join(pieces))
    assert quick is None or quick == markdown_its


def test_the_checker_leaves_out_the_block_rules_an_issue_does_not_use() -> None:
    from newsletter.schema.rules import parsing

    from .conftest import SEED

    text = SEED.read_text()
    left_out = {
        rule
        for rule, marks in parsing._BLOCK_RULE_MARKS.items()
        if not any(m in text for m in marks)
    }
    assert {"table", "html_block", "code", "fence", "reference"} <= left_out
    assert parsing.checker_parser().parse(text) == _markdown_its().parse(text)


@pytest.mark.parametrize(
    "text",
    ["a\nb\n", "a\r\nb\r\n", "a\rb\r", "a\r\r\nb", "a\x00b\n", "\r", "\x00", "", "é\u2028\n"],
)
def test_the_checker_normalizes_a_text_as_markdown_it_does(text: str) -> None:
    """markdown-it's "normalize" (line endings, NUL) is left out where there is nothing to
    normalize: the text is the same."""
    from markdown_it.rules_core import StateCore
    from markdown_it.rules_core.normalize import normalize

    from newsletter.schema import markup
    from newsletter.schema.rules import parsing

    states = [StateCore(text, markup.markdown_parser(), {}) for _ in range(2)]
    normalize(states[0])
    parsing._normalize_where_needed(states[1])
    assert states[1].src == states[0].src


def test_the_checkers_block_rules_read_as_markdown_its_and_say_nothing(caplog) -> None:
    """The checker's parser runs copies of markdown-it's block rules whose logger says
    nothing; markdown-it's own rules, and every other parser, still log."""
    import dataclasses
    import logging

    from newsletter.schema import markup
    from newsletter.schema.rules import parsing

    from .conftest import SEED

    text = (
        SEED.read_text(encoding="utf-8") + "\n> a quote\n\n```\ncode\n```\n\n[a]: https://x.org\n"
    )
    every_rule = parsing._parser_without(frozenset())
    with caplog.at_level(logging.DEBUG, logger="markdown_it"):
        expected = markup.new_markdown_parser().parse(text)
        logged = len(caplog.records)
        got = every_rule.parse(text)
    assert logged > 100 and len(caplog.records) == logged
    # (the checker leaves unparsed the inline tokens where no rule finds anything)
    assert [dataclasses.replace(t, children=None) for t in got] == [
        dataclasses.replace(t, children=None) for t in expected
    ]
    assert [t.children for t in got if t.children] == [
        t.children for t in expected if t.children and parsing.children_read(t.content)
    ]


#: addresses whose normalization is easy to misjudge
ADDRESSES = [
    "https://example.org", "https://example.org/a/b-c_d.e~f/", "http://x.org?q=1&r=2#top",
    "HTTPS://Example.ORG/Path", "mailto:editor@example.org", "https://@example.org",
    "https://example.org:8080/", "https://例え.jp/", "https://x.org/a b", "https://x.org/%7e",
    "https://x.org/ä", "javascript:alert(1)", "//example.org", "https://[::1]/", "mailto:a@",
    "https://-x.org", "https://x..org", "https://x.org/?", "https://x.org#", "",
]  # fmt: skip
URL_PIECES = ["https://", "http://", "mailto:", "HTTPS://", "//", "www.", "Example.ORG", "xn--",
              "a@b", ":8080", "/p", "?q=1&r=2", "#h", "..", "::", "@", "%", "[", "é", " "]  # fmt: skip


@pytest.mark.parametrize("url", ADDRESSES)
def test_the_checkers_addresses_are_markdown_its(url: str) -> None:
    from markdown_it.common.normalize_url import normalizeLink

    from newsletter.schema.rules import parsing

    assert parsing.normalize_link(url) == normalizeLink(url)


@settings(max_examples=examples(300), deadline=None)
@given(st.lists(st.sampled_from(URL_PIECES) | st.text("abXY09-._~/?#=&:@!$'()*+,;%", max_size=3)))
def test_random_addresses_are_normalized_as_markdown_it_does(pieces: list[str]) -> None:
    from markdown_it.common.normalize_url import normalizeLink

    from newsletter.schema.rules import parsing

    url = "".join(pieces)
    assert parsing.normalize_link(url) == normalizeLink(url)


def test_plain_addresses_are_told_at_once() -> None:
    from newsletter.schema.rules import parsing

    assert parsing._PLAIN_ADDRESS.fullmatch("https://www.example.org/2020/12/a-b/?x=1#y")


#: the text after a link's "(": where its address is easy to misread
DESTINATIONS = [
    "https://x.org/a) b", "https://x.org/a(b)c) d", "https://x.org/a(b c)", "<https://x.org/a b>) c",
    "<a<b>)", "<a", "a\\)b) c", "a\\ b)", "a\\", ") x", " x)", "", "a\tb)", "a\nb)", "a\x7fb)",
    "a\x00b)", "é€)", "a&amp;b)", "a\\(b)", "(((a)))", "(" * 40 + ")" * 40, "a 'title')",
]  # fmt: skip


def _destinations(text: str, pos: int, maximum: int) -> tuple:
    from markdown_it.helpers import parseLinkDestination

    from newsletter.schema.rules import parsing

    return tuple(
        (found.ok, found.pos, found.str)
        for found in (
            parsing.parse_link_destination(text, pos, maximum),
            parseLinkDestination(text, pos, maximum),
        )
    )


@pytest.mark.parametrize("text", DESTINATIONS)
def test_the_checker_reads_a_links_address_as_markdown_it_does(text: str) -> None:
    for pos, maximum in (
        (0, len(text)),
        (0, len(text) // 2),
        (1, len(text)),
        (len(text), len(text)),
    ):
        quick, markdown_its = _destinations(text, pos, maximum)
        assert quick == markdown_its


@settings(max_examples=examples(300), deadline=None)
@given(
    st.lists(st.sampled_from(URL_PIECES) | st.text("ab()\\<> \t\n\x00\x7f&;#", max_size=3)),
    st.integers(0, 3),
    st.integers(0, 3),
)
def test_random_addresses_are_read_as_markdown_it_does(
    pieces: list[str], pos: int, cut: int
) -> None:
    text = "".join(pieces) + ") rest"
    quick, markdown_its = _destinations(text, min(pos, len(text)), len(text) - cut)
    assert quick == markdown_its


def _splits(url: str) -> tuple:
    """(type, scheme, netloc, path, query, fragment, hostname, port) of validators.split_url
    and of what it answered before its quick split: urlsplit, or None where urlsplit or
    the host or port it gives raise."""
    from urllib.parse import urlsplit

    from newsletter.schema import validators

    def before() -> object:
        try:
            parts = urlsplit(url)
            parts.hostname  # noqa: B018
            parts.port  # noqa: B018
        except ValueError:
            return None
        return parts

    found = []
    for parts in (validators.split_url.__wrapped__(url), before()):
        try:
            found.append(parts and (type(parts), *parts, parts.hostname, parts.port))
        except ValueError as error:  # (split_url answers a host and port that can be read)
            found.append(f"raises {error}")
    return tuple(found)


SPLIT_ADDRESSES = [
    *ADDRESSES, "https://x.org/a#b?c", "https://x.org?a#b", "https://x.org#a?b", "https://x.org/?",
    "https://x.org:8080/a", "https://u@x.org/", "https://X.ORG/A", "HTTPS://x.org/", "http://x",
    "https:///a", "https://x.org/a b", "https://x.org/\ta", " https://x.org/", "https://x.org/\x7f",
    "https://[::1]:8/", "https://x.org/a?b?c#d#e", "https://x.org/%20", "mailto:a@b.org", "ftp://x.org/",
    "https://-/", "https://.", "https://x.org/ä", "https://x.org:/", "https://x.org:abc/",
    "https://x.org:99999/", "https://x.org:80",
]  # fmt: skip


@pytest.mark.parametrize("url", SPLIT_ADDRESSES)
def test_an_address_is_split_as_urlsplit_splits_it(url: str) -> None:
    quick, urlsplits = _splits(url)
    assert quick == urlsplits


@settings(max_examples=examples(300), deadline=None)
@given(st.lists(st.sampled_from(URL_PIECES) | st.text("aZ09-._~/?#=&:@!$'()*+,;% \t", max_size=3)))
def test_random_addresses_are_split_as_urlsplit_splits_them(pieces: list[str]) -> None:
    quick, urlsplits = _splits("".join(pieces))
    assert quick == urlsplits


def test_placeholders_are_shown_but_do_not_fail(archive) -> None:
    path = archive / "issues" / "2026" / "2026-01-30.md"
    path.write_text(edit("A brief of the week.", "[[FILL: the news briefs]]"))
    result = run_cli(archive, "check")
    assert result.returncode == 0
    assert result.stdout == "issues/2026/2026-01-30.md:13: to fill: the news briefs [T701]\n"
    assert result.stderr == "checked 2 issue file(s): no problems, 1 placeholder(s) to fill\n"
    github = run_cli(archive, "check", "--format", "github").stdout
    assert github == "::notice file=issues/2026/2026-01-30.md,line=13,title=T701::the news briefs\n"


def test_other_files_are_read_for_their_front_matter_only(archive) -> None:
    """Naming one file compares its number with the others' front matter, even when the
    rest of another file is broken (that file is reported only when it is checked)."""
    other = archive / "issues" / "2026" / "2026-02-06.md"
    text = other.read_text().replace("number: 3", "number: 2")
    other.write_text(text.replace("## Question of the Week", "## Question of the Weak"))
    named = run_cli(archive, "check", "issues/2026/2026-01-30.md")
    assert named.returncode == 0, named.stdout  # the first of two equal numbers is fine
    result = run_cli(archive, "check")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert "issues/2026/2026-02-06.md:4: number 2 is already the number of " \
        "issues/2026/2026-01-30.md [M210]" in lines  # fmt: skip
    assert any("[S301]" in line for line in lines)  # its missing section, when checked


#: front matters that end in other ways than a plain closing line
FRONT_MATTER_ENDINGS = {
    "a closing line": VALID,
    "CR line endings": VALID.replace("\n", "\r"),
    "CRLF line endings": VALID.replace("\n", "\r\n"),
    "a YAML end marker": VALID.replace("status: draft\n---", "status: draft\n..."),
    "a value line that starts like a closer": VALID.replace(
        "summary: One sentence", "summary: >-\n  ---not a closer\n  One sentence"
    ),
    "a line that starts like a closer": VALID.replace(
        "status: draft\n", "status: draft\n---x: y\n"
    ),
    "never closed": VALID.replace("status: draft\n---", "status: draft\n"),
}


@pytest.mark.parametrize("text", FRONT_MATTER_ENDINGS.values(), ids=FRONT_MATTER_ENDINGS)
def test_front_matter_reader_agrees_with_the_full_reader(text: str) -> None:
    """What other files need of an issue (its number and date) is read from its head
    alone: it must be what reading the whole file gives."""
    from newsletter.schema import issuefile, publication

    from .conftest import ROOT, SEED

    pub = publication.load(ROOT)
    for raw in (text.encode(), SEED.read_bytes()):
        full = issuefile.read("issues/2026/2026-01-30.md", raw, pub).meta
        assert issuefile.read_front_matter("issues/2026/2026-01-30.md", raw, pub).meta == full
    assert issuefile.read("issues/2026/2026-01-30.md", VALID.encode(), pub).meta.number == 2


#: how some files of :func:`large_archive` are broken, by their index
BROKEN = {
    7: lambda text: text.replace("number: 8", "number: 3"),  # a number used twice
    12: lambda text: text.replace("topics: [trade", "topics: [trade, [x"),  # not YAML
    19: lambda text: text.replace("## This Week", "## This Weak"),  # a missing section
    23: lambda text: text.replace("(https://example.org/article)", "(ftp://example.org/a)"),
    30: lambda text: text.replace(":source: https://example.org/stat\n", ""),  # to fill
    41: lambda text: text.replace("number: 42", "number: 3"),  # that number again
    52: lambda text: b"\xff\x00 not text",
    53: lambda text: "",
    60: lambda text: text.replace("A brief of the week.", "<b>A brief</b> at www.example.org"),
}


def large_archive(archive) -> list[str]:
    """Enough issues in ``archive`` for three processes to share, some broken; their paths."""
    import datetime as dt

    for path in (archive / "issues" / "2026").iterdir():
        path.unlink()
    first, paths = dt.date(2026, 1, 2), []
    for index in range(processes.PARALLEL_FROM * 3 // 2 + 2):
        date = first + dt.timedelta(weeks=index)
        text = edit("date: 2026-01-30", f"date: {date}", edit("number: 2", f"number: {index + 1}"))
        target = archive / "issues" / str(date.year) / f"{date}.md"
        target.parent.mkdir(parents=True, exist_ok=True)
        content = BROKEN.get(index, str)(text)
        target.write_bytes(content if isinstance(content, bytes) else content.encode())
        paths.append(target.relative_to(archive).as_posix())
    return paths


@pytest.mark.parametrize("named", [(), (41,), (2, 7, 19, 52)], ids=["all", "one", "several"])
def test_a_large_archive_is_read_in_parallel_with_the_same_result(
    archive, monkeypatch, named
) -> None:
    """Many files are read by several processes, forked from the checker's: each file's
    problems, and the numbers of those not named, are what one process finds alone."""
    import os

    from newsletter.check import checker
    from newsletter.schema import publication

    paths = large_archive(archive)
    chosen = [archive / paths[index] for index in named]
    pub = publication.load(archive)
    forked = []
    fork = os.fork

    def counted_fork() -> int:
        pid = fork()
        forked.extend([pid] if pid else [])
        return pid

    monkeypatch.setattr(os, "cpu_count", lambda: 3)
    monkeypatch.setattr(os, "fork", counted_fork)
    parallel = [str(p) for p in checker.check(chosen, archive, pub)]
    assert len(forked) == 2  # three processes shared the files
    monkeypatch.setattr(processes, "PARALLEL_FROM", 10_000)
    serial = [str(p) for p in checker.check(chosen, archive, pub)]
    assert len(forked) == 2  # and then one alone
    assert parallel == serial
    codes = {line.rsplit("[", 1)[1].rstrip("]") for line in serial}
    expected = {
        (): {"M210", "M202", "S303", "S301", "L501", "D405", "F102", "F104", "H601", "L506"},
        (41,): {"M210"},  # compared with the number of a file read in another process
        (2, 7, 19, 52): {"M210", "S303", "S301", "F102"},
    }
    assert codes == expected[named]


@pytest.mark.parametrize("count", [2, 63, 1024, 1025, 3001])
def test_shared_work_comes_back_whole_and_in_order(count: int) -> None:
    """The processes take portions of the items in turn (a file each, or a few when
    there are more than :data:`~newsletter.processes.PORTIONS`): every result comes
    back once, in the items' order, whoever did it."""
    import os

    def work(items: list[int]) -> list[tuple[int, int]]:
        return [(item * 2, os.getpid()) for item in items]

    results = processes.shared(work, list(range(count)), 3)
    assert [doubled for doubled, _ in results] == [item * 2 for item in range(count)]


def test_a_share_whose_process_fails_is_read_again(archive, monkeypatch) -> None:
    import os

    from newsletter.check import checker
    from newsletter.schema import publication

    large_archive(archive)
    pub = publication.load(archive)
    serial = checker.check([], archive, pub)
    checker_process, read_all = os.getpid(), checker.read_all

    def failing(*args):
        if os.getpid() != checker_process:
            raise RuntimeError("a process that fails")
        return read_all(*args)

    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    monkeypatch.setattr(checker, "read_all", failing)
    assert checker.check([], archive, pub) == serial


def test_paths_are_resolved_as_path_resolve_does(tmp_path) -> None:
    from newsletter.schema import files

    (tmp_path / "real" / "2026").mkdir(parents=True)
    (tmp_path / "real" / "2026" / "a.md").write_text("a")
    (tmp_path / "issues").mkdir()
    (tmp_path / "issues" / "2026").symlink_to(tmp_path / "real" / "2026")
    (tmp_path / "issues" / "b.md").symlink_to(tmp_path / "real" / "2026" / "a.md")
    (tmp_path / "issues" / "c.md").write_text("c")
    paths = [
        *(tmp_path / "issues" / name for name in ("2026/a.md", "b.md", "c.md", "missing.md", "..")),
        tmp_path / "issues" / "2026" / ".." / "c.md",
        tmp_path / "real" / "2026" / "a.md",
        tmp_path / "issues" / "2026" / "a.md",
    ]
    assert files.resolved(paths) == [path.resolve() for path in paths]


@pytest.mark.parametrize("newline", ["\r\n", "\r"], ids=["crlf", "cr"])
def test_other_files_with_other_line_endings_are_read_alike(archive, newline: str) -> None:
    first = archive / "issues" / "2026" / "2026-01-30.md"
    first.write_bytes(first.read_text().replace("\n", newline).encode())
    second = archive / "issues" / "2026" / "2026-02-06.md"
    second.write_text(second.read_text().replace("number: 3", "number: 2"))
    expected = (
        "issues/2026/2026-02-06.md:4: number 2 is already the number of "
        "issues/2026/2026-01-30.md [M210]\n"
    )
    assert run_cli(archive, "check", "issues/2026/2026-02-06.md").stdout == expected


def test_the_checker_imports_no_urllib_request_and_leaves_it_whole(tmp_path) -> None:
    """A check that reads a block with MyST's directive parser does not import
    urllib.request (docutils' misc directives, which the parser imports, import it for an
    include of a URL, which no issue may use): their ``urlopen`` imports it when called,
    and whatever imports it afterwards gets the real module."""
    import subprocess
    import sys

    from .conftest import ROOT

    page = tmp_path / "page.txt"
    page.write_text("read through the stand-in")
    program = f"""
import sys
import newsletter.check.cli
from newsletter.schema import block_reading
from newsletter.schema.blockspec import BLOCKS
print(block_reading.read_by_myst(BLOCKS["stat"], "", ":source: 'x'", 1))
print(sorted({{"urllib.request", "http.client", "ssl"}} & set(sys.modules)))
import docutils.parsers.rst.directives.misc as misc
print(misc.urlopen({page.as_uri()!r}).read().decode())
import urllib.request
print(sys.modules["urllib.request"] is urllib.request, hasattr(urllib.request, "Request"))
"""
    done = subprocess.run(
        [sys.executable, "-c", program], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.splitlines() == [
        "1 argument(s) required, 0 supplied",
        "[]",
        "read through the stand-in",
        "True True",
    ]


def test_a_check_of_plain_blocks_imports_no_rest_parser(archive) -> None:
    """The checker reads plain blocks without MyST's directive parser, which imports
    docutils' reST parser and its directives and roles (a tenth of what a check imported):
    it is imported for a block that needs it (:mod:`newsletter.schema.block_reading`)."""
    program = """
import sys
from newsletter.check import cli
code = cli.main(["check"])
print(code, sorted(m for m in sys.modules if m.startswith(("docutils.parsers", "myst_parser.parsers.d"))))
"""
    done = run_python("-c", program, cwd=archive, env={"PATH": "/usr/bin:/bin"}, own_process=True)
    assert done.stdout.splitlines() == ["0 []"], done.stderr
    (archive / "issues" / "2026" / "2026-01-30.md").write_text(
        edit(":attribution: Someone, somewhere", ":attribution: 'Someone, somewhere'")
    )
    done = run_python("-c", program, cwd=archive, env={"PATH": "/usr/bin:/bin"}, own_process=True)
    assert "'myst_parser.parsers.directives'" in done.stdout, done.stderr


def test_a_checked_issue_is_freed_without_the_cyclic_collector(tmp_path, pub) -> None:
    """``python -m newsletter`` runs without the cyclic garbage collector: an issue and
    its tokens are freed as soon as the checker is done with them, held in no cycle (a
    check of 520 issues held them all till the collector came by)."""
    import gc
    import weakref

    from newsletter.check import checker

    path = tmp_path / "issues" / "2026" / "2026-01-30.md"
    path.parent.mkdir(parents=True)
    path.write_text(VALID, encoding="utf-8")
    enabled = gc.isenabled()
    gc.disable()
    try:
        issue = checker.check_file(path, tmp_path, pub)
        assert issue.walked and not issue.problems  # (every rule read it)
        held = [weakref.ref(issue), weakref.ref(issue.meta)]
        del issue
        assert [ref() for ref in held] == [None, None]
    finally:
        if enabled:
            gc.enable()


# -- a block read at once, as MyST's directive parser reads it ----------------------

#: blocks as written (first line, content) that a quote reads at once (a stat needs its
#: figure on the first line)
PLAIN_BLOCKS = [
    ("", ":attribution: Someone, somewhere\n:source: https://example.org/a\nThe words.\n"),
    ("", ":attribution:   spaced   out   \n:source:    https://example.org/s   \nWords.\n"),
    ("", ":attribution:\nWords.\n"),
    ("", ":attribution:    \n:source: https://example.org/e\n"),
    ("", ":attribution: Name: Role, [x] {y} & *z* !t %u @v `w` |p >g -h ?i\nWords.\n"),
    ("", ":attribution: José Ñ — ‘x’ “y” 中文\u00a0nbsp\u3000x\nWords.\n"),
    ("", ":attribution: \u3000A\u00a0\n:source: https://example.org/s\x1f\nWords.\n"),
    ("", ":source: https://example.org/a\n:source: https://example.org/b\nWords.\n"),
    ("", ":attribution: A\n\n\nWords.\n\n"),
    ("", "  :attribution: Indented\n   :source: https://example.org/i\nWords.\n"),
    ("", ":as-of: 2020-01-01\n:a_b.c: x\n:-dash: y\n:1: z\nWords.\n"),
    ("", ":attribution: A\n::::{stat} 1\n::::\n"),
    ("", ":attribution: A\n   continued\n"),
    ("", "Words only.\n"),
    ("", "\n\nWords after blank lines.\n"),
    ("", ""),
    ("On the first line", "Words.\n"),
    ("On the first line", ":attribution: A\n"),
    ("On the first line", ":attribution: A\n\n"),
    ("", ":source: https://example.org/s\nWhat.\n"),
    ("", ":attribution: A\r:source: https://example.org/cr\n"),
    ("", ":attribution: A\x0b:source: https://example.org/vt\x0cX\n"),
    ("", ":attribution: A\u2028B\u2029C\x85D\n"),
    ("", ":attribution: A\r\n:source: https://example.org/crlf\r\nWords.\r\n"),
]  # fmt: skip
#: blocks that a quote leaves to MyST's directive parser: it warns about them or refuses
#: them, or reads their options as YAML does
OTHER_BLOCKS = [
    ("On the first line", ":attribution: A\nWords.\n"),
    ("$437.2 billion", ":source: https://example.org/s\n:as-of: 2019-12-07\nWhat it measures.\n"),
    ("  3   words  here ", ":source: https://example.org/s\nWhat.\n"),
    ("", ":attribution: A\n:not an option\n"),
    ("", ":attribution: a #comment\n:source: https://example.org/c#frag\n"),
    ("", ":attribution: a#b\n"),
    ("", ':attribution: "quoted \\u00e9"\n:source: \'https://example.org/sq\'\n'),
    ("", ":attribution: >\n:source: https://example.org/f\n"),
    ("", ":attribution: |\n   line one\n:source: https://example.org/l\n"),
    ("", ":attribution:Name\n"),
    ("", ":attribution:\tTab\n"),
    ("", ":attribution: Tab\there\n"),
    ("", ":attribution: A\n:   continued\n"),
    ("", ":\n:attribution: A\n"),
    ("", ": x\n"),
    ("", ":a:b: c\n"),
    ("", "::x: y\n"),
    ("", ":attribution: \ufeffA\n"),
    ("", ":attribution: A\x00B\n"),
    ("", "\n:attribution: A\n"),
    ("", " \n:attribution: A\n"),
    ("", "---\nattribution: Y\nsource: https://example.org/y\n--- trailing text\n"),
    ("", "---\nattribution: Y\n"),
    ("", ":é: x\n"),
    ("", ":source:\u2003https://example.org/s\n"),
]  # fmt: skip


def _readings(block: str, first_line: str, content: str) -> tuple:
    from newsletter.schema import block_reading
    from newsletter.schema.blockspec import BLOCKS

    spec = BLOCKS[block]
    return (
        block_reading.read_at_once(spec, first_line, content),
        block_reading.read_by_myst(spec, first_line, content, 7),
    )


@pytest.mark.parametrize("block", ["quote", "stat", "question"])
@pytest.mark.parametrize(("first_line", "content"), PLAIN_BLOCKS + OTHER_BLOCKS)
def test_a_block_read_at_once_is_read_as_myst_reads_it(
    block: str, first_line: str, content: str
) -> None:
    at_once, by_myst = _readings(block, first_line, content)
    assert at_once is None or at_once == by_myst


def test_plain_blocks_are_read_at_once() -> None:
    """The quick reading answers every plain block, and leaves every other to MyST."""
    assert [_readings("quote", *text)[0] is not None for text in PLAIN_BLOCKS + OTHER_BLOCKS] == [
        True
    ] * len(PLAIN_BLOCKS) + [False] * len(OTHER_BLOCKS)
    # a stat's figure is its first line: with it, the stat reads at once
    assert all(_readings("stat", *text)[0] is not None for text in OTHER_BLOCKS[:3])


#: pieces of a block's lines: options plain and not, bodies, blank and odd lines
BLOCK_PIECES = [":attribution:", ":source:", ":submit:", ":as-of:", ":x-y.z:", ": ", ":", "::",
                ":::", "---", " ", "  ", "\t", "#", "'", '"', "|", ">", "a", "Name, role",
                "https://example.org/p?q=1", "é", "\u00a0", "\r", "\x85", "\ufeff", "\n", "\n",
                "\n", "\n\n", "{x}", "`c`", "- item"]  # fmt: skip


@settings(max_examples=examples(300), deadline=None)
@given(
    st.sampled_from(["quote", "stat", "question"]),
    st.sampled_from(["", "3", "$1.5 billion", " two  words ", "{x}"]),
    st.lists(st.sampled_from(BLOCK_PIECES) | st.text(":#ab \t\n", max_size=3), max_size=14),
)
def test_random_blocks_read_at_once_are_read_as_myst_reads_them(
    block: str, first_line: str, pieces: list[str]
) -> None:
    at_once, by_myst = _readings(block, first_line, "".join(pieces))
    assert at_once is None or at_once == by_myst


def test_the_blocks_of_an_issue_are_read_at_once(pub) -> None:
    """The blocks of an issue as written (the seed's, the new issue's template's, the
    benchmark's archive's) need no MyST directive parser."""
    import datetime as dt

    from benchmarks.generate import issue_text
    from newsletter.schema import issuefile
    from newsletter.schema.block_reading import read_at_once
    from newsletter.schema.blockspec import BLOCKS
    from newsletter.schema.rules.tokens import directive_of

    from .conftest import ROOT, SEED

    texts = [VALID, SEED.read_text(encoding="utf-8")]
    texts.append((ROOT / "_templates" / "issue.md").read_text(encoding="utf-8"))
    day = dt.date(2020, 1, 3)
    texts += [issue_text(n, day, list(pub.topics), 1) for n in range(1, 60)]
    blocks = 0
    for text in texts:
        for token in issuefile.parse_text("issues/2026/2026-01-30.md", text, pub).tokens:
            if (found := directive_of(token)) and found[0] in BLOCKS:
                assert read_at_once(BLOCKS[found[0]], found[1], token.content) is not None
                blocks += 1
    assert blocks >= 3 * 62


# -- a front matter's data, made at once where it is plain ----------------------------


def _front_matter_data(source: str) -> str:
    """``repr`` of the data (or the error) that frontmatter._compose gives, and of what
    PyYAML's safe constructor gives, as the reader did before reading plain data itself."""
    import sys

    import yaml

    from newsletter.schema import frontmatter

    def constructed() -> object:
        for loader_class in (frontmatter._FastLoader, frontmatter._Loader):
            loader = loader_class(source)
            try:
                node = loader.get_single_node()
                return loader.construct_document(node) if node is not None else None
            except (yaml.YAMLError, ValueError, RecursionError):
                if loader_class is frontmatter._Loader:
                    raise
            finally:
                loader.dispose()
        raise AssertionError

    def shared(data: object, seen: dict) -> list:
        """Where the same list or mapping is found again (an alias), in the order met."""
        if not isinstance(data, list | dict):
            return []
        if id(data) in seen:
            return [seen[id(data)]]
        seen[id(data)] = len(seen)
        items = data.values() if isinstance(data, dict) else data
        return [again for item in items for again in shared(item, seen)]

    found = []
    for make in (lambda: frontmatter._compose(source)[1], constructed):
        try:
            data = make()
        except Exception as error:  # (PyYAML raises others too: IndexError for "!!int")
            found.append(f"{type(error).__name__}: {error}")
            continue
        limit = sys.getrecursionlimit()
        sys.setrecursionlimit(20_000)  # (to write down data nested deep)
        try:
            found.append(f"{data!r} {shared(data, {})}")
        finally:
            sys.setrecursionlimit(limit)
    return found


FRONT_MATTERS = [
    "title: A\nnumber: 2\ntopics:\n  - a\n  - b\ncorrections:\n  - date: 2026-01-30\n    text: t\n",
    *(f"n: {n}\n" for n in ("0", "00", "07", "010", "0x1F", "-3", "+3", "1_000", "1:30", "0b11", "019")),
    "number: 0\nn: 07\no: 010\nx: 0x1F\ns: -3\np: +3\nu: 1_000\nm: 1:30\nb: 0b11\nf: 1.5\ni: .inf\n",
    "a: true\nb: null\nc: ~\nd:\ne: ''\nf: \"dq\"\ng: 'sq'\nh: 2026-02-30\ni: 2026-01-30 10:00:00\n",
    "a: &x v\nb: *x\n",
    "a: &x [1, 2]\nb: *x\n",
    "&k a: 1\n*k : 2\n",
    "base: &b {x: 1}\nc:\n  <<: *b\n  y: 2\n",
    "= : v\n",
    "!!str 1: a\n!!int '2': b\n",
    "a: !!binary aGk=\nb: !!set {x}\nc: !!omap [{a: 1}]\n",
    "a: !!python/name:os.system\n",
    "? [a, b]\n: c\n",
    "? {a: 1}\n: c\n",
    "1: a\ntrue: b\nnull: c\n",
    "a: 1\na: 2\nb: 3\n",
    "a: |\n  block\n  text\nb: >-\n  folded\n  text\n",
    "a: [" * 300 + "]" * 300 + "\n",
    "a: " + "[" * 600 + "]" * 600 + "\n",
    "a: " + "{a: " * 600 + "}" * 600 + "\n",
    "a:\n" + "".join("  " * n + "- \n" for n in range(1, 12)),
    "- a\n- b\n",
    "just text\n",
    "",
    "a: [unclosed\n",
    "a: b: c\n",
    "\tx: 1\n",
]  # fmt: skip


@pytest.mark.parametrize("source", FRONT_MATTERS)
def test_a_front_matters_data_is_what_pyyamls_constructor_makes(source: str) -> None:
    quick, pyyaml = _front_matter_data(source)
    assert quick == pyyaml


#: pieces of a front matter's lines
YAML_PIECES = ["title", "number", "topics", "a", "b", "<<", "?", "&a", "*a", "!!str", "!!int",
               "!!float", "!!map", "!!seq", "x", "1", "01", "-1", "1.5", "1_0", "2:3", "0o7", "true",
               "null", "~", "'q'", '"d"', "[a, 1]", "{a: 1}", "|", ">", "2026-01-30", "é", "#"]  # fmt: skip


@settings(max_examples=examples(300), deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["", "  ", "    ", "- ", "  - "]),
            st.lists(st.sampled_from(YAML_PIECES), min_size=1, max_size=3),
            st.sampled_from([": ", ":", " ", ""]),
            st.lists(st.sampled_from(YAML_PIECES), max_size=3),
        ),
        max_size=8,
    )
)
def test_random_front_matters_data_is_what_pyyamls_constructor_makes(lines: list) -> None:
    source = "".join(f"{indent}{' '.join(k)}{sep}{' '.join(v)}\n" for indent, k, sep, v in lines)
    quick, pyyaml = _front_matter_data(source)
    assert quick == pyyaml


def test_the_front_matters_of_issues_are_read_as_plain_data() -> None:
    import datetime as dt

    import yaml

    from benchmarks.generate import issue_text
    from newsletter.schema import frontmatter

    from .conftest import SEED

    texts = [VALID, SEED.read_text(encoding="utf-8")]
    texts += [
        issue_text(n, dt.date(2020, 1, 3), ["energy", "trade", "a", "b"], 1) for n in range(30)
    ]
    for text in texts:
        source = text.split("---\n")[1]
        node = frontmatter._FastLoader(source).get_single_node()
        assert isinstance(node, yaml.MappingNode)
        assert frontmatter._plain_data(node, set(), 0) is not frontmatter._NOT_PLAIN


def _displayed(path: str, root: str) -> tuple[str, str]:
    """files.display_path, and what it said before telling a path under the root by its
    text (Path.relative_to, then the resolved paths, then the path as given)."""
    import os
    from pathlib import Path

    from newsletter.schema import files

    def before(path: Path, root: Path) -> str:
        try:
            return Path(os.path.abspath(path)).relative_to(os.path.abspath(root)).as_posix()
        except ValueError:
            try:
                return path.resolve().relative_to(root.resolve()).as_posix()
            except ValueError:
                return path.as_posix()

    return files.display_path(Path(path), Path(root)), before(Path(path), Path(root))


@pytest.mark.parametrize(
    ("path", "root"),
    [
        ("issues/2026/a.md", "."), ("issues/2026/a.md", ""), ("/r/issues/a.md", "/r"),
        ("/r/issues/a.md", "/r/"), ("/r/issues/a.md", "/"), ("/r", "/r"), ("/rx/a.md", "/r"),
        ("/r/./issues//a.md", "/r"), ("/r/x/../issues/a.md", "/r"), ("//r/a.md", "//r"),
        ("../a.md", "."), ("/elsewhere/a.md", "."), ("issues/../../a.md", "issues"),
    ],
)  # fmt: skip
def test_a_path_is_displayed_as_before(path: str, root: str) -> None:
    shown, before = _displayed(path, root)
    assert shown == before


@settings(max_examples=examples(500), deadline=None)
@given(
    st.lists(st.sampled_from(["", "/", "r", "r2", "issues", ".", "..", "a.md", "//"]), max_size=6),
    st.lists(st.sampled_from(["", "/", "r", "issues", ".", ".."]), max_size=3),
)
def test_random_paths_are_displayed_as_before(path: list[str], root: list[str]) -> None:
    shown, before = _displayed("/".join(path) or ".", "/".join(root) or ".")
    assert shown == before


@settings(max_examples=examples(300), deadline=None)
@given(
    st.lists(st.sampled_from(["check", "new", "a.md", "issues/2026", "", " ", "é", "-", "--format",
                              "json", "--since", "HEAD", "-h", "--", "--form=json", "@x"]), max_size=5)
)  # fmt: skip
def test_a_plain_check_is_read_as_argparse_reads_it(words: list[str]) -> None:
    """``check [PATH ...]`` is read without argparse, to the same arguments; every other
    command line is left to argparse."""
    from newsletter.check import cli

    quick = cli.plain_check(words)
    if words[:1] == ["check"] and not any(w.startswith("-") for w in words):
        assert quick is not None
        assert vars(quick) == vars(cli.make_parser().parse_args(words))
    else:
        assert quick is None
