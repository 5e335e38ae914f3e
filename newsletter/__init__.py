"""Focus This Week: the publication's own code, laid out by the data's way.

``issues/*.md`` is read by one schema (:mod:`newsletter.schema`: what an issue is,
without Sphinx) and two readers of it: the checker (:mod:`newsletter.check`,
``python -m newsletter check|new``) and the Sphinx extension
(:mod:`newsletter.extension` wires :mod:`newsletter.site`, which reads the issues
into records, and :mod:`newsletter.outputs`, which writes ``_build/`` from them).
:mod:`newsletter.history` is what git says. ARCHITECTURE.md draws it.
"""

from __future__ import annotations

from typing import Any


def setup(app: Any) -> dict[str, Any]:
    """Sphinx entry point (``extensions = ["newsletter"]``); imported lazily so that the
    checker does not load Sphinx."""
    from newsletter.extension import setup as setup_extension

    return setup_extension(app)
