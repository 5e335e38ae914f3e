"""The checker's commands, without Sphinx: ``python -m newsletter check`` (:mod:`.checker`,
and :mod:`.frozen` with ``--since``) and ``python -m newsletter new`` (:mod:`.scaffold`),
read by :mod:`.cli`."""

from __future__ import annotations

import sys
import types
from typing import Any


def _import_docutils_misc_without_urllib_request() -> None:
    """docutils' misc directives, which MyST's directive parser imports (and so does every
    check), import urllib.request at once for its ``urlopen``, which only an include of a
    URL calls: with http.client, email and ssl, 30 ms of the 160 ms a check spends
    importing, for what no issue may do (the allowlist refuses include). They are
    imported here with a stand-in for urllib.request whose ``urlopen`` imports the real
    one when it is called; the stand-in is then taken away, so that whatever imports
    urllib.request afterwards gets the real module (tested)."""
    if "urllib.request" in sys.modules or "docutils.parsers.rst.directives.misc" in sys.modules:
        return

    def urlopen(*args: Any, **kwargs: Any) -> Any:
        from urllib.request import urlopen as real_urlopen

        return real_urlopen(*args, **kwargs)

    stand_in = types.ModuleType("urllib.request")
    stand_in.urlopen = urlopen  # type: ignore[attr-defined]
    sys.modules["urllib.request"] = stand_in
    try:
        import docutils.parsers.rst.directives.misc  # noqa: F401
    finally:
        if sys.modules.get("urllib.request") is stand_in:
            del sys.modules["urllib.request"]


_import_docutils_misc_without_urllib_request()
