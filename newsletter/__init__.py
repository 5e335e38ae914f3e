"""Focus This Week: the publication's own code.

- ``newsletter.publication``: the one description of the publication (publication.toml)
- ``newsletter.issuefile`` and ``newsletter.rules``: what an issue is, and its rules
- ``newsletter.checker`` and ``newsletter.cli``: ``python -m newsletter check``
- ``newsletter.blocks``: the quote, stat and question directives
- ``newsletter.extension``: the Sphinx extension (``extensions = ["newsletter"]``)
"""

from __future__ import annotations

from typing import Any


def setup(app: Any) -> dict[str, Any]:
    """Sphinx entry point; imported lazily so the checker does not load Sphinx."""
    from newsletter.extension import setup as setup_extension

    return setup_extension(app)
