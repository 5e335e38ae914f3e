"""The headless browser that the browser tests and the search benchmark drive.

Debian's Chromium (``apt-get install chromium``; ``make test`` installs it when missing,
with ``tools/ensure-chromium``), through the ``playwright`` package, whose own browser
downloads are not used.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CHROMIUM = Path("/usr/bin/chromium")
#: no sandbox (containers run as root), and nothing that talks to the network by itself
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@contextmanager
def chromium() -> Iterator[Any]:
    """``with chromium() as browser:`` a headless Chromium (a playwright ``Browser``)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        browser = driver.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()
