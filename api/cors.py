"""CORS: any origin may read the API, which is public and takes no cookies.

Two jobs, both for the edge layer (api/middleware.py): the headers every answer carries,
and the answer to a browser's preflight (an ``OPTIONS`` with ``Origin`` and
``Access-Control-Request-Method``). The allowed origin is ``*`` whatever the request's
``Origin``, so an answer is one answer for every client and needs no ``Vary: Origin``.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.responses import PlainTextResponse, Response
from starlette.types import Scope

ALLOW_METHODS = ("GET", "HEAD", "POST")
# What a browser may send besides the CORS-safelisted headers, which are allowed anyway.
ALLOW_HEADERS = ("Authorization", "Content-Type", "If-None-Match")
SAFELISTED_HEADERS = ("Accept", "Accept-Language", "Content-Language", "Content-Type")
EXPOSE_HEADERS = (
    "ETag",
    "Retry-After",
    "RateLimit-Limit",
    "RateLimit-Remaining",
    "RateLimit-Reset",
)
# A day: browsers cap it lower anyway (Chromium at two hours).
MAX_AGE = 86400
# Preflight answers depend on these request headers (a cache keeping one must know).
PREFLIGHT_VARY = (
    "Origin, Access-Control-Request-Method, Access-Control-Request-Headers, "
    "Access-Control-Request-Private-Network"
)


class CorsPolicy:
    def __init__(self) -> None:
        allowed = sorted({*SAFELISTED_HEADERS, *ALLOW_HEADERS})
        self.allowed_headers = frozenset(name.lower() for name in allowed)
        # Sent on every answer but preflights, already encoded.
        self.simple_headers: tuple[tuple[bytes, bytes], ...] = (
            (b"access-control-allow-origin", b"*"),
            (b"access-control-expose-headers", ", ".join(EXPOSE_HEADERS).encode("latin-1")),
        )
        self.preflight_headers = {
            "Vary": PREFLIGHT_VARY,
            "Access-Control-Allow-Origin": "*",
            "Access-Control-Allow-Methods": ", ".join(ALLOW_METHODS),
            "Access-Control-Max-Age": str(MAX_AGE),
            "Access-Control-Allow-Headers": ", ".join(allowed),
        }

    def preflight(self, scope: Scope) -> Response:
        """The answer to a preflight: 200, or 400 naming what is not allowed."""
        failures = self.refused(Headers(scope=scope))
        if failures:
            text = "Disallowed CORS " + ", ".join(failures)
            return PlainTextResponse(text, status_code=400, headers=self.preflight_headers)
        return PlainTextResponse("OK", headers=self.preflight_headers)

    def refused(self, request: Headers) -> list[str]:
        """What the preflight asks for that is not allowed (any origin is)."""
        failures = []
        if request["access-control-request-method"] not in ALLOW_METHODS:
            failures.append("method")
        asked = request.get("access-control-request-headers")
        if asked is not None and any(
            name.strip().lower() not in self.allowed_headers for name in asked.split(",")
        ):
            failures.append("headers")
        # A public server asked to be reachable from a private network's pages: no.
        if request.get("access-control-request-private-network") is not None:
            failures.append("private-network")
        return failures
