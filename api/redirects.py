"""Trailing-slash redirects with a relative ``Location``.

Starlette's router redirects ``/v1/services/`` to the URL without the slash, built from
the request's Host header: a forged Host then names another site in ``Location``, which
a shared cache may keep. This does the same redirect with only the path (RFC 9110 allows
a relative reference), so no header of the request ever reaches the answer.
"""

from __future__ import annotations

from starlette.responses import RedirectResponse
from starlette.routing import Match, Router
from starlette.types import Receive, Scope, Send


class SlashRedirect:
    """The router's default app: redirect when the path with (or without) its trailing
    slash matches a route, else the router's 404."""

    def __init__(self, router: Router) -> None:
        self.router = router

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope["path"]
        if scope["type"] == "http" and path != "/":
            other = path.rstrip("/") if path.endswith("/") else path + "/"
            # "//host/..." would be a scheme-relative reference: another site.
            if other and not other.startswith("//"):
                alternative = {**scope, "path": other}
                if any(r.matches(alternative)[0] is not Match.NONE for r in self.router.routes):
                    raw: bytes = scope.get("raw_path") or path.encode()
                    target = raw.rstrip(b"/") if path.endswith("/") else raw + b"/"
                    query: bytes = scope.get("query_string", b"")
                    location = target.decode("latin-1")
                    if query:
                        location += "?" + query.decode("latin-1")
                    await RedirectResponse(location, status_code=307)(scope, receive, send)
                    return
        await self.router.not_found(scope, receive, send)
