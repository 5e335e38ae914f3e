"""The Content-Security-Policy of every web page, as a ``<meta http-equiv>``.

Static hosts may not let us set headers, so the policy travels in each page's
head, first after its character set (a policy applies to what follows it).
Scripts run only from the site itself; an inline script runs only when its
SHA-256 is listed, and the hashes are those of the inline scripts the page's
template wrote, computed as the page is rendered. Anything planted in a page
later, or slipped through by an issue, does not run. Pagefind's WebAssembly is
allowed (``'wasm-unsafe-eval'``); plugins and frames are not.

Sphinx has no event after a page is rendered and before it is written, so the
HTML builders' template renderer is wrapped once, at ``builder-inited``.
"""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any

from sphinx.application import Sphinx

from newsletter.site import pages

#: The policy, directive by directive; ``script-src`` also gets each page's hashes.
POLICY: dict[str, tuple[str, ...]] = {
    "default-src": ("'self'",),
    "script-src": ("'self'", "'wasm-unsafe-eval'"),
    # the theme and its scripts set style attributes; styles cannot run code
    "style-src": ("'self'", "'unsafe-inline'"),
    # an issue may show an image from an https address
    "img-src": ("'self'", "https:", "data:"),
    "font-src": ("'self'",),
    "connect-src": ("'self'",),
    "object-src": ("'none'",),
    "frame-src": ("'none'",),
    "base-uri": ("'self'",),
    "form-action": ("'self'",),
}

_INLINE_SCRIPT = re.compile(
    r"<script\b(?![^>]*\bsrc\s*=)[^>]*>(?P<code>.*?)</script\s*>", re.IGNORECASE | re.DOTALL
)
_CHARSET = re.compile(r"<meta\s+charset=[^>]*>", re.IGNORECASE)
_HEAD = re.compile(r"<head\b[^>]*>", re.IGNORECASE)


def script_hash(code: str) -> str:
    digest = hashlib.sha256(code.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def policy_for(page: str) -> str:
    """The policy of one rendered page: :data:`POLICY` and the hashes of its inline scripts."""
    hashes = dict.fromkeys(script_hash(m["code"]) for m in _INLINE_SCRIPT.finditer(page))
    directives = {**POLICY, "script-src": (*POLICY["script-src"], *hashes)}
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


def with_policy(page: str) -> str:
    """The page with its policy in a ``<meta http-equiv>`` first in its head."""
    anchor = _CHARSET.search(page) or _HEAD.search(page)
    if anchor is None:
        return page
    meta = f'\n<meta http-equiv="Content-Security-Policy" content="{policy_for(page)}">'
    return page[: anchor.end()] + meta + page[anchor.end() :]


def wrap_renderer(app: Sphinx) -> None:
    """``builder-inited``: every page the web archive's builders render carries its policy
    (not the email edition's: it is for mail clients)."""
    templates = getattr(app.builder, "templates", None)
    if app.builder.name not in pages.SITE_BUILDERS or templates is None:
        return
    render = templates.render

    def render_with_policy(template: str, context: dict[str, Any]) -> str:
        return with_policy(render(template, context))

    templates.render = render_with_policy


def setup(app: Sphinx) -> None:
    app.connect("builder-inited", wrap_renderer)
