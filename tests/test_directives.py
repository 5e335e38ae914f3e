"""The quote, stat and question directives in a small Sphinx project of their own."""

from __future__ import annotations

import html as htmllib
import re
import subprocess
from pathlib import Path

import pytest

from .conftest import copy_project, edit, make_project, run_cli, sphinx_build

PAGE_MD = """\
# Blocks

:::{quote}
:attribution: Jane Doe, *minister*
:source: https://example.org/q
Words **worth** quoting.
:::

:::{stat} $900.6 billion
:source: https://example.org/s
:as-of: 2025-12-08
The total budget.
:::

:::{question}
:submit: editor@example.org
What do you think?
:::

:::{question}
:submit: https://example.org/answer
And this?
:::
"""

PAGE_RST = """\
Blocks in reST
==============

.. quote::
   :attribution: Jane Doe

   Quoted in reST.

.. stat:: 42%

   A share.

.. question::
   :submit: editor@example.org

   Asked in reST?
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("blocks")
    src = make_project(tmp)
    (src / "index.md").write_text(PAGE_MD + "\n```{toctree}\nrst_page\n```\n", encoding="utf-8")
    (src / "rst_page.rst").write_text(PAGE_RST, encoding="utf-8")
    out = tmp / "html"
    result = sphinx_build(src, out)
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr
    text_out = tmp / "text"
    result = sphinx_build(src, text_out, "-b", "text")
    assert result.returncode == 0, result.stderr
    return tmp


def html(built: Path, name: str = "index") -> str:
    return (built / "html" / f"{name}.html").read_text(encoding="utf-8")


def compact(markup: str) -> str:
    """The markup with entities decoded and white space collapsed."""
    return re.sub(r"\s+", " ", htmllib.unescape(markup))


def test_quote_is_a_figure_with_blockquote_and_caption(built: Path) -> None:
    page = compact(html(built))
    assert '<figure class="ftw-block ftw-quote"> <blockquote>' in page
    assert "<p>Words <strong>worth</strong> quoting.</p>" in page
    assert (
        '<figcaption> <p class="ftw-quote-attribution">— Jane Doe, <em>minister</em> '
        '(<a class="reference external" href="https://example.org/q">example.org</a>)</p> '
        "</figcaption>"
    ) in page


def test_stat_shows_the_figure_what_it_measures_and_its_source(built: Path) -> None:
    page = compact(html(built))
    assert (
        '<figure class="ftw-block ftw-stat"> <p class="ftw-stat-figure">$900.6 billion</p>' in page
    )
    assert "<figcaption> <p>The total budget.</p>" in page
    assert (
        '<p class="ftw-stat-source">Source: <a class="reference external" '
        'href="https://example.org/s">example.org</a>, as of 8 December 2025.</p>'
    ) in page


def test_question_invites_readers_to_answer(built: Path) -> None:
    page = compact(html(built))
    assert (
        '<figure class="ftw-block ftw-question"> <figcaption> <p>We want to hear from you!</p>'
        in page
    )
    assert (
        'Submit your thoughts to <a class="reference external" href="mailto:editor@example.org">'
        "editor@example.org</a> for a chance to be featured in next week's Focus This Week."
    ) in page
    assert 'href="https://example.org/answer">https://example.org/answer</a>' in page


def test_directives_work_in_restructuredtext(built: Path) -> None:
    page = compact(html(built, "rst_page"))
    assert '<figure class="ftw-block ftw-quote"> <blockquote> <div><p>Quoted in reST.</p>' in page
    assert '<p class="ftw-stat-figure">42%</p>' in page
    assert 'href="mailto:editor@example.org"' in page


def test_text_builder_degrades_to_plain_text(built: Path) -> None:
    text = (built / "text" / "index.txt").read_text(encoding="utf-8")
    assert "Words **worth** quoting." in text
    assert "— Jane Doe, *minister* (example.org)" in text
    assert (
        "$900.6 billion\n\nThe total budget.\n\nSource: example.org, as of 8 December 2025." in text
    )
    assert "We want to hear from you!\n\nWhat do you think?" in text
    assert "Submit your thoughts to editor@example.org for a chance" in text


BAD_USES = [
    ("stat without figure", ":::{stat}\nA body.\n:::", "index.md:3: ERROR: Directive 'stat': 1 argument(s) required, 0 supplied"),
    ("unknown option", ":::{quote}\n:colour: red\nWords.\n:::", 'index.md:4: WARNING: the "quote" block has no option ":colour:" (options: attribution, source) [newsletter.D401]'),
    ("misspelt option", ":::{quote}\n:source: https://x.org/a\n:attributon: A\nWords.\n:::", 'index.md:5: WARNING: the "quote" block has no option ":attributon:"; did you mean ":attribution:"? (options: attribution, source) [newsletter.D401]'),
    ("misspelt option in reST", "```{eval-rst}\n.. quote::\n   :attributon: A\n\n   Words.\n```", 'index.md:5: WARNING: the "quote" block has no option ":attributon:"; did you mean ":attribution:"? (options: attribution, source) [newsletter.D401]'),
    ("source not http", ":::{quote}\n:source: ftp://x.org/a\nWords.\n:::", 'index.md:4: WARNING: the "quote" block\'s ":source:" is not valid: \'ftp://x.org/a\' is not an http(s) URL [newsletter.D401]'),
    ("malformed address", ":::{question}\n:submit: not-an-address\nWhy?\n:::", "index.md:4: WARNING: the \"question\" block's \":submit:\" is not valid: 'not-an-address' is neither an email address nor an https URL [newsletter.D401]"),
    ("no body", ":::{stat} 12\n:::", 'index.md:3: ERROR: the "stat" block needs a body: what the figure measures'),
    ("no submit", ":::{question}\nWhy?\n:::", 'index.md:3: ERROR: the "question" block needs a ":submit:" option'),
]  # fmt: skip


@pytest.fixture(scope="module")
def bad_uses(tmp_path_factory) -> subprocess.CompletedProcess:
    """One strict build of a project with each bad use on a page of its own (page N holds
    bad use N, at the line where ``index.md`` held it when it had a project to itself)."""
    tmp = tmp_path_factory.mktemp("bad-uses")
    src = make_project(tmp)
    pages = [f"bad-{number}" for number in range(len(BAD_USES))]
    toctree = "```{toctree}\n" + "\n".join(pages) + "\n```\n"
    (src / "index.md").write_text(f"# Bad uses\n\n{toctree}", encoding="utf-8")
    for page, (_, markup, _) in zip(pages, BAD_USES, strict=True):
        (src / f"{page}.md").write_text(f"# Page\n\n{markup}\n", encoding="utf-8")
    return sphinx_build(src, tmp / "out")


@pytest.mark.parametrize("number", range(len(BAD_USES)), ids=[b[0] for b in BAD_USES])
def test_bad_use_fails_the_build_with_its_location(bad_uses, number: int) -> None:
    expected = BAD_USES[number][2].replace("index.md:", f"bad-{number}.md:", 1)
    assert bad_uses.returncode != 0  # every line below is a warning or an error, under -W
    assert expected in bad_uses.stderr
    assert "Traceback" not in bad_uses.stderr
    assert "[myst.directive_option]" not in bad_uses.stderr  # said once, by the block itself


# -- issues: the build reports what the checker reports --------------------------

_FURTHER = "- [An article](https://example.org/article)"
_QUOTE = (
    ":::{quote}\n:attribution: Someone, somewhere\n:source: https://example.org/quote\n"
    "Words worth quoting.\n:::"
)
_CLOSING = (
    "Prepared by China-US Focus editorial teams in Hong Kong and New York, this weekly "
    "newsletter offers you snap shots of latest trends.\n"
)


def _issue(date: str, number: int, *edits: tuple[str, str]) -> str:
    text = edit("date: 2026-01-30", f"date: {date}", edit("number: 2", f"number: {number}"))
    for old, new in edits:
        text = edit(old, new, text)
    return text


#: issue files with the mistakes of an editor in a hurry, and what each one is told
BROKEN_ISSUES = {
    "2026-01-02.md": _issue(
        "2026-01-02", 10,
        ("A brief of the week.", "Dear Focus Reader,\n\nA brief of the week."),
        (_FURTHER, f"{_FURTHER}\n- More at https://example.org/more"),
        (":attribution:", ":attributon:"),
        ("What do you think?\n:::\n", "What do you think?\n:::\n\n" + _CLOSING),
    ),
    "2026-01-09.md": _issue(
        "2026-01-09", 11,
        ("status: draft", "status: published\ncorrections:\n  - date: 2026-01-12\n    text: B.\n"
                          "  - date: 2026-01-10\n    text: A.\n  - date: 2026-01-08\n    text: C."),
        (_QUOTE, "> Words worth quoting.\n>\n> — Someone, somewhere"),
        (":source: https://example.org/stat\n", ""),
    ),
    "2026-01-16.md": _issue("2026-01-16", 12, (":source: https://example.org/stat\n", "")),
}  # fmt: skip

S310 = "is added to every issue from publication.toml"
EXPECTED_FROM_BROKEN_ISSUES = [
    ("2026-01-02.md", 13, "S310", f'the salutation "Dear Focus Reader," {S310}; delete this line'),
    ("2026-01-02.md", 20, "D401", 'the "quote" block has no option ":attributon:"; did you mean '
                                  '":attribution:"? (options: attribution, source)'),
    ("2026-01-02.md", 36, "L506", "a bare address is shown as plain text; write it as a link: "
                                  "[what it is](https://example.org/more)"),
    ("2026-01-02.md", 45, "S310", 'the closing paragraph ("Prepared by China-US Focus editorial '
                                  f'teams in Hong ...") {S310}; delete this paragraph'),
    ("2026-01-09.md", 12, "M212", "correction dated 2026-01-10 comes after one dated 2026-01-12: "
                                  "list the corrections oldest first"),
    ("2026-01-09.md", 14, "M211", "correction dated 2026-01-08 is earlier than the issue "
                                  "(2026-01-09): date it the day the correction was made"),
    ("2026-01-09.md", 24, "S307", 'section "Quote of the Week": write the quote as a block: '
                                  ":::{quote} ... ::: (a '>' blockquote is not the quote block)"),
    ("2026-01-09.md", 30, "D404", 'the "stat" block of a published issue needs a ":source:" '
                                  "option: the address the figure comes from (:source: https://...)"),
]  # fmt: skip

_WARNING = re.compile(r"^(?:.*/)?issues/2026/(\S+\.md):(\d+): WARNING: (.*) \[(\S+)\]$")
_FOUND = re.compile(r"^issues/2026/(\S+\.md):(\d+): (.*) \[(\S+)\]$")


@pytest.fixture(scope="module")
def broken_issues(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    tmp = tmp_path_factory.mktemp("broken-issues")
    src = copy_project(tmp / "src")
    folder = src / "issues" / "2026"
    folder.mkdir(parents=True)
    for name, text in BROKEN_ISSUES.items():
        (folder / name).write_text(text, encoding="utf-8")
    return src, sphinx_build(src, tmp / "out")


def test_the_build_reports_each_mistake_once_as_the_checker_does(broken_issues) -> None:
    src, result = broken_issues
    assert result.returncode != 0 and "Traceback" not in result.stderr
    warnings = [line for line in result.stderr.splitlines() if "WARNING" in line]
    reported = sorted(_WARNING.match(line).groups() for line in warnings)  # type: ignore[union-attr]
    expected = sorted(
        (name, str(line), message, f"newsletter.{code}")
        for name, line, code, message in EXPECTED_FROM_BROKEN_ISSUES
    )
    assert reported == expected  # each once: no word of MyST's own about the options
    checked = run_cli(src, "check")
    assert checked.returncode == 1, checked.stderr
    found = sorted(_FOUND.match(line).groups() for line in checked.stdout.splitlines())  # type: ignore[union-attr]
    errors = [(n, line, m, f"newsletter.{c}") for n, line, m, c in found if c != "D405"]
    assert errors == expected


def test_a_draft_stat_without_its_source_is_to_fill(broken_issues) -> None:
    src, result = broken_issues
    to_fill = (
        'issues/2026/2026-01-16.md:25: to fill: the "stat" block\'s ":source:" option: '
        "the address the figure comes from (:source: https://...)"
    )
    assert to_fill in result.stdout
    assert "2026-01-16.md" not in result.stderr  # not a warning: a draft may wait for it
    assert to_fill + " [D405]" in run_cli(src, "check").stdout.splitlines()
