"""The plain project: the same issues in a plain Sphinx project, for comparison.

A plain Sphinx + myst-parser + sphinx-book-theme project with no newsletter
extension: an ``index.md`` whose global ``toctree`` (glob) lists every issue, and
the quote/stat/question blocks turned into plain Markdown blockquotes.
"""

from __future__ import annotations

import re
from pathlib import Path

PLAIN_CONF = '''"""A plain Sphinx project of the same pages: no newsletter extension."""

project = "Focus This Week (plain)"
author = "China-US Focus"
extensions = ["myst_parser"]
myst_enable_extensions = ["colon_fence"]
# the title is written in the front matter only; without this the pages have none
myst_title_to_header = True
smartquotes = False
html_theme = "sphinx_book_theme"
'''

PLAIN_INDEX = """# Focus This Week

The weekly China–US newsletter of China-US Focus, without the newsletter extension.

```{toctree}
:glob:
:maxdepth: 1

issues/*/*
```
"""

#: a quote/stat/question block of an issue: its name, argument, then its lines
BLOCK = re.compile(
    r"^:::\{(?P<name>quote|stat|question)\}[ \t]*(?P<argument>[^\n]*)\n(?P<lines>.*?)^:::[ \t]*$",
    re.MULTILINE | re.DOTALL,
)
OPTION = re.compile(r"^:(?P<name>[\w-]+):\s*(?P<value>.*)$")


def plain_block(match: re.Match[str]) -> str:
    """A quote/stat/question block as a Markdown blockquote with the same text.

    The plain project has no quote/stat/question directives, so each block
    becomes a blockquote holding its argument, its body and its options' values.
    """
    options: dict[str, str] = {}
    body: list[str] = []
    for line in match["lines"].splitlines():
        option = OPTION.match(line)
        if option and not body:
            options[option["name"]] = option["value"]
        else:
            body.append(line)
    paragraphs = [match["argument"].strip(), "\n".join(body).strip()]
    name = match["name"]
    if name == "quote":
        paragraphs.append(
            " ".join(
                part
                for part in (
                    f"— {options['attribution']}" if "attribution" in options else "",
                    f"({options['source']})" if "source" in options else "",
                )
                if part
            )
        )
    elif name == "stat":
        paragraphs.append(
            ", ".join(
                f"{label} {options[key]}"
                for key, label in (("source", "Source:"), ("as-of", "as of"))
                if key in options
            )
        )
    elif "submit" in options:
        paragraphs.append(f"Submit your thoughts to {options['submit']}.")
    quoted = []
    for paragraph in (p for p in paragraphs if p):
        quoted.append("\n".join(f"> {line}" if line else ">" for line in paragraph.splitlines()))
    return "\n>\n".join(quoted)


def make_plain(ours: Path, plain: Path) -> None:
    """The plain project of the same issues as the project ``ours``."""
    plain.mkdir(parents=True)
    (plain / "conf.py").write_text(PLAIN_CONF, encoding="utf-8")
    (plain / "index.md").write_text(PLAIN_INDEX, encoding="utf-8")
    for source in sorted((ours / "issues").glob("*/*.md")):
        target = plain / source.relative_to(ours)
        target.parent.mkdir(parents=True, exist_ok=True)
        text = source.read_text(encoding="utf-8")
        target.write_text(BLOCK.sub(plain_block, text), encoding="utf-8")
