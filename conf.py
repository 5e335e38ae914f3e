"""Sphinx configuration of the Focus This Week archive.

The publication's settings live in publication.toml; this file only maps them
onto Sphinx's names. Our own behaviour is in the ``newsletter`` extension.
"""

from pathlib import Path

from newsletter.history import checkout
from newsletter.schema import markup, publication

ROOT = Path(__file__).parent.resolve()
site = publication.load(ROOT).site
checkout.pin_build_date(ROOT)  # dates come from the commit, not the clock

project = site.title
author = site.publisher
copyright = f"%Y, {site.publisher}"
language = site.language
html_title = site.title
html_baseurl = site.base_url

extensions = ["myst_parser", "newsletter"]
include_patterns = ["index.md", "issues/**.md"]
# Sphinx looks for them in every folder it is not told to leave out: the virtual
# environment and node_modules/ alone hold 24,000 files, 0.26 s twice a build.
exclude_patterns = [".*", "_*", "node_modules"]
templates_path = ["_templates"]
html_static_path = ["_static"]
html_css_files = ["newsletter.css"]

# MyST reads issues exactly as the checker does (newsletter/schema/markup.py).
myst_enable_extensions = list(markup.ENABLE_EXTENSIONS)
myst_title_to_header = markup.TITLE_TO_HEADER
myst_heading_anchors = markup.HEADING_ANCHORS
smartquotes = False  # quotations are printed exactly as the editors wrote them

nitpicky = True
html_theme = "sphinx_book_theme"
html_theme_options = {
    "home_page_in_toc": False,
    "use_download_button": False,
    "use_fullscreen_button": False,
    "show_toc_level": 1,
    # one search entry point: the sidebar's field on wide screens, the article header's
    # button on phones (not a second field in a top bar)
    "navbar_persistent": [],
    "primary_sidebar_end": [],  # no advertisement slot
    "back_to_top_button": False,  # ours, with an inline icon (_templates/layout.html)
}
html_sidebars = {"**": ["navbar-logo.html", "search-button-field.html", "archive-nav.html"]}
html_show_sourcelink = False
html_copy_source = False
html_use_index = False  # no empty genindex.html, no <link rel="index">
