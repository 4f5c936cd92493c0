"""Security headers: what every answer, and every HTML page, tells the browser.

Every answer: no content sniffing. HTML pages also get a strict CSP, no referrer and no
framing; on JSON, SVG and text those would only cost bytes and time on the hot path (a
browser does not render them as pages), so they are left off there.
"""

from __future__ import annotations

RawHeaders = list[tuple[bytes, bytes]]

PAGE_CSP = (
    b"default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'self'; "
    b"form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
# /docs (Swagger UI) differs in one directive: connect-src 'self', since it fetches
# /openapi.json and sends "Try it out" requests from the page; the public pages fetch
# nothing, so theirs stays 'none' (from default-src). Still only this origin: a request
# to anywhere else is refused by the browser. Swagger UI needs nothing else, and no
# 'unsafe-inline' or 'unsafe-eval': its script, its stylesheet and its configuration
# (api/static/docs.js) are files from this origin, its icons are data: images, it uses
# system fonts only (font-src stays 'none'), and the inline styling React applies goes
# through the CSSOM, which style-src does not govern. The browser test listens for CSP
# violations on /docs and fails on any.
DOCS_CSP = PAGE_CSP + b"; connect-src 'self'"

_NOSNIFF = (b"x-content-type-options", b"nosniff")
_HTML_ONLY = (
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
)
_PAGE_CSP_HEADER = (b"content-security-policy", PAGE_CSP)
# Set here on every answer: an answer's own value is dropped (api/middleware.py), never
# duplicated, but for an HTML page's own Content-Security-Policy: a page that needs a
# different policy (only /docs, with DOCS_CSP) sends it and keeps it.
OWNED = frozenset(
    {
        b"x-content-type-options",
        b"referrer-policy",
        b"x-frame-options",
        b"content-security-policy",
    }
)


def add_security_headers(out: RawHeaders, html: bool, own_csp: bytes | None) -> None:
    """Append the security headers of an answer (``html``: a page) to ``out``."""
    out.append(_NOSNIFF)
    if html:
        out.extend(_HTML_ONLY)
        out.append(_PAGE_CSP_HEADER if own_csp is None else (b"content-security-policy", own_csp))
