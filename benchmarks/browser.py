"""The headless browser that the browser tests, Lighthouse and the search benchmark drive.

Debian's build of Chromium's headless shell (``apt-get install chromium-headless-shell``;
``make test`` installs it when missing, with ``tools/ensure-chromium``), through the
``playwright`` package, whose own browser downloads are not used. The shell is the
same Chromium (one Debian source, one version: Blink, V8, the same fonts from
``chromium-common``) without the desktop browser around it; it is what Playwright itself
runs headless tests in. The whole browser in its headless mode (``/usr/bin/chromium``)
spent 60 to 70% more CPU on each page load: measured on the tests' site, 157 to 231 ms
against 96 to 135 ms a load (most of it in the browser process: 55 to 74 ms against 23
to 32), and the browser tests, run one after the other, 131.6 s of CPU against 95.9 s.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

#: Debian's package of it (tools/ensure-chromium installs it)
PACKAGE = "chromium-headless-shell"
CHROMIUM = Path("/usr/bin") / PACKAGE
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
