"""The quote, stat and question directives in a small Sphinx project of their own."""

from __future__ import annotations

import html as htmllib
import re
from pathlib import Path

import pytest

from .conftest import make_project, sphinx_build

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


@pytest.mark.parametrize(
    ("markup", "expected"), [b[1:] for b in BAD_USES], ids=[b[0] for b in BAD_USES]
)
def test_bad_use_fails_the_build_with_its_location(
    tmp_path: Path, markup: str, expected: str
) -> None:
    src = make_project(tmp_path)
    (src / "index.md").write_text(f"# Page\n\n{markup}\n", encoding="utf-8")
    result = sphinx_build(src, tmp_path / "out")
    assert result.returncode != 0
    assert expected in result.stderr
    assert "Traceback" not in result.stderr
    assert "[myst.directive_option]" not in result.stderr  # said once, by the block itself
