"""What an issue file may make the build do: only what ``newsletter.allowed`` lists.

Every directive and role that docutils, Sphinx, MyST and our extension register is
found at test time; each one outside the allowlist must be refused by the checker
(one line each) and by the strict build, and a build without ``-W`` must publish
nothing of it: not on the page, in the feed, ``archive.json``, the search index or
the email edition. The same holds for link schemes, raw HTML in its forms and paths
that lead out of the repository.
"""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest

from newsletter.schema import allowed

from .conftest import copy_project, edit, findings, run_python, sphinx_build

#: prints the names of every directive and role a build of ours can reach
ENUMERATE = """
import json, sys
from docutils.parsers.rst import directives, roles
from docutils.parsers.rst.languages import en
from sphinx.application import Sphinx
src, out = sys.argv[1], sys.argv[2]
app = Sphinx(src, src, out + "/html", out + "/doctrees", "html", status=None, warning=None)
names = {"directive": {"eval-rst"}, "role": set()}  # eval-rst: MyST's own, unregistered
names["directive"] |= {*directives._directive_registry, *directives._directives, *en.directives}
names["role"] |= {*roles._role_registry, *roles._roles, *en.roles}
for domain in app.env.domains.sorted():
    for kind, found in (("directive", domain.directives), ("role", domain.roles)):
        names[kind] |= {f"{domain.name}:{name}" for name in found}
        if domain.name in ("std", app.config.primary_domain):
            names[kind] |= set(found)  # reachable without the prefix
print(json.dumps({kind: sorted(found) for kind, found in names.items()}))
"""


@pytest.fixture(scope="module")
def registered(tmp_path_factory) -> dict[str, list[str]]:
    import json

    tmp = tmp_path_factory.mktemp("registry")
    src = copy_project(tmp / "src")
    done = run_python("-c", ENUMERATE, str(src), str(tmp / "out"), cwd=src)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


def refused(registered: dict[str, list[str]]) -> tuple[list[str], list[str]]:
    directives = [n for n in registered["directive"] if n not in allowed.DIRECTIVES]
    roles = [n for n in registered["role"] if n not in allowed.ROLES]
    return directives, roles


def test_the_allowlist_names_only_what_exists(registered) -> None:
    assert set(allowed.DIRECTIVES) <= set(registered["directive"])
    assert set(allowed.ROLES) <= set(registered["role"])
    directives, roles = refused(registered)
    # the dangerous ones are among what the registry shows, and all are refused
    assert {"raw", "eval-rst", "include", "literalinclude", "csv-table", "toctree", "only",
            "image", "figure", "meta", "role", "default-role"} <= set(directives)  # fmt: skip
    assert {"download", "raw", "doc", "ref", "file", "any"} <= set(roles)
    assert len(directives) > 100 and len(roles) > 80


# -- an issue using everything at once ------------------------------------------------

HOSTILE_TOP = "## This Week\n\nA brief of the week.\n"


def hostile_issue(directives: list[str], roles: list[str]) -> tuple[str, dict[str, int]]:
    """A published issue using every refused directive and role, each marked ``LEAK...``;
    and the line each one is on."""
    lines = [f":::{{{name}}}\nLEAKD{n}\n:::\n" for n, name in enumerate(directives)]
    lines += [f"{{{name}}}`LEAKR{n}`\n" for n, name in enumerate(roles)]
    text = edit("status: draft", "status: published")
    text = edit(HOSTILE_TOP, HOSTILE_TOP + "\n" + "\n".join(lines), text)
    where: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if m := re.match(r"^:::\{(.+)\}$", line):
            where.setdefault(f"directive {m[1]}", number)
        elif m := re.match(r"^\{(.+?)\}`LEAKR", line):
            where[f"role {m[1]}"] = number
    return text, where


def test_the_checker_refuses_each_one_once(registered) -> None:
    directives, roles = refused(registered)
    text, where = hostile_issue(directives, roles)
    found = findings(text)
    expected = sorted(
        [
            (where[f"directive {n}"], "H604", allowed.refused_directive_message(n))
            for n in directives
        ]
        + [(where[f"role {n}"], "H605", allowed.refused_role_message(n)) for n in roles]
    )
    assert [f for f in found if f[1] in ("H604", "H605")] == expected
    assert [f for f in found if f[1] not in ("H604", "H605")] == []


def all_text(folder: Path) -> str:
    """Every file of a build's output as text, compressed ones (the search index) opened."""
    parts = []
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or ".doctrees" in path.parts:
            continue
        data = path.read_bytes()
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
        parts.append(data.decode("utf-8", "replace"))
    return "\n".join(parts)


def test_the_builds_refuse_and_publish_nothing_of_it(registered, tmp_path: Path) -> None:
    directives, roles = refused(registered)
    text, _ = hostile_issue(directives, roles)
    src = copy_project(tmp_path / "src")
    issue = src / "issues" / "2026" / "2026-01-30.md"
    issue.parent.mkdir(parents=True)
    issue.write_text(text, encoding="utf-8")

    strict = sphinx_build(src, tmp_path / "strict")
    assert strict.returncode != 0
    said = strict.stderr
    assert said.count("[newsletter.H604]") == len(directives)
    assert said.count("[newsletter.H605]") == len(roles)

    loose = sphinx_build(src, tmp_path / "html", strict=False)
    assert loose.returncode == 0, loose.stderr[-3000:]
    email = sphinx_build(src, tmp_path / "email", "-b", "email", strict=False)
    assert email.returncode == 0, email.stderr[-3000:]
    site = all_text(tmp_path / "html")
    assert "A brief of the week." in site  # the issue is there, in the page and the index
    assert "A brief of the week." in all_text(tmp_path / "email")
    for output in (site, all_text(tmp_path / "email")):
        assert re.findall(r"LEAK[DR]\d+", output) == []


# -- links, raw HTML, paths out of the repository, per-file parser settings ------------

#: addresses no issue may link to, with the part that must never be published
BAD_URLS = {
    "javascript:alert('LEAKJS1')": "LEAKJS1",
    "JaVaScRiPt:alert('LEAKJS2')": "LEAKJS2",
    "vbscript:msgbox('LEAKVB')": "LEAKVB",
    "data:text/html,LEAKDATA": "LEAKDATA",
    "file:///etc/LEAKFILE": "LEAKFILE",
    "ftp://example.org/LEAKFTP": "LEAKFTP",
    "//example.org/LEAKPROTO": "LEAKPROTO",
    "../../../LEAKREL.txt": "LEAKREL",
}

#: raw HTML in its forms, with the codes the checker gives each line
RAW_HTML = [
    ('<div title="LEAKH1">', {"H601"}),  # a block
    ('A <span title="LEAKH2">word</span>.', {"H601"}),  # inline
    ("<!-- LEAKH3 -->", {"H601"}),  # a comment
    ('An <img src="x.png" alt="" onerror="LEAKH4"> image.', {"H603"}),  # an attribute
    ("<script>LEAKH5</script>", {"H602"}),
    # the opening and the closing tags (the text between them is only text)
    ('Inline <script src="LEAKH6.js">alert(1)</script> script.', {"H602", "H601"}),
]

FRONT_MATTER_SETTINGS = """\
myst:
  enable_extensions: [substitution, html_image]
  substitutions:
    evil: LEAKSUB
"""


def hostile_links_and_html(secret: Path) -> str:
    """An issue with every bad address in every place, raw HTML in its forms, paths to
    ``secret`` and MyST settings of its own in the front matter."""
    body = []
    for n, url in enumerate(BAD_URLS):
        body.append(f"A [link {n}]({url}) here.")
        if ":" in url.split("/")[0]:  # an autolink needs a scheme
            body.append(f"An autolink <{url}> here.")
        body.append(f"An image ![image {n}]({url}) here.")
        body.append(f":::{{quote}}\n:source: {url}\nQuoted {n}.\n:::")
    body += [html for html, _ in RAW_HTML]
    body += [f"A path [out]({secret}) and ![a picture]({secret}).", "A {{ evil }} substitution."]
    text = edit("status: draft", "status: published")
    text = edit("summary:", FRONT_MATTER_SETTINGS + "summary:", text)
    return edit(HOSTILE_TOP, HOSTILE_TOP + "\n" + "\n\n".join(body) + "\n", text)


def test_links_raw_html_and_paths_are_refused_everywhere(tmp_path: Path) -> None:
    secret = tmp_path / "outside" / "LEAKSECRET.txt"
    secret.parent.mkdir()
    secret.write_text("LEAKSECRETCONTENT\n", encoding="utf-8")
    text = hostile_links_and_html(secret)

    found = findings(text)
    lines = text.splitlines()
    for number, line in enumerate(lines, 1):
        leaks = re.findall(r"LEAK\w+", line)
        if not leaks or line.startswith("    evil:"):
            continue
        codes = {code for at, code, _ in found if at == number}
        # a link, autolink or image: L501; a block's address option: the block's D401
        assert codes & {"L501", "D401", "H601", "H602", "H603"}, (number, line, found)
    assert any(code == "M205" and '"myst"' in message for _, code, message in found)
    assert {html: codes for html, codes in RAW_HTML} == {
        html: {c for at, c, _ in found if lines[at - 1] == html} for html, _ in RAW_HTML
    }

    # an issue file that is a link out of the repository, and a folder that is one
    src = copy_project(tmp_path / "src")
    folder = src / "issues" / "2026"
    folder.mkdir(parents=True)
    (folder / "2026-01-30.md").write_text(text, encoding="utf-8")
    outside_issue = tmp_path / "outside" / "2026-02-06.md"
    outside_issue.write_text(
        edit("number: 2", "number: 3", edit("date: 2026-01-30", "date: 2026-02-06"))
        .replace("status: draft", "status: published")
        .replace("A brief of the week.", "LEAKLINKEDISSUE"),
        encoding="utf-8",
    )
    (folder / "2026-02-06.md").symlink_to(outside_issue)
    (tmp_path / "outside" / "2027").mkdir()
    (tmp_path / "outside" / "2027" / "2027-01-01.md").write_text(
        outside_issue.read_text("utf-8").replace("2026-02-06", "2027-01-01"), encoding="utf-8"
    )
    (src / "issues" / "2027").symlink_to(tmp_path / "outside" / "2027")

    checked = run_python("-m", "newsletter", "check", cwd=src)
    assert checked.returncode == 1
    for linked in ("issues/2026/2026-02-06.md", "issues/2027/2027-01-01.md"):
        assert f"{linked}:1: an issue file is a regular file in issues/" in checked.stdout
    assert "LEAKLINKEDISSUE" not in checked.stdout  # a linked file is not read

    strict = sphinx_build(src, tmp_path / "strict")
    assert strict.returncode != 0 and "[newsletter.F108]" in strict.stderr
    loose = sphinx_build(src, tmp_path / "html", strict=False)
    assert loose.returncode == 0, loose.stderr[-3000:]
    email = sphinx_build(src, tmp_path / "email", "-b", "email", strict=False)
    assert email.returncode == 0, email.stderr[-3000:]
    for out in (tmp_path / "html", tmp_path / "email"):
        output = all_text(out)
        assert "A brief of the week." in output
        assert sorted(set(re.findall(r"LEAK\w+", output))) == [], out.name
        assert not (out / "_downloads").exists() and not (out / "_images").exists()
