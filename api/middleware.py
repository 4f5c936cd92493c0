"""The edge: the one pure-ASGI middleware layer every request crosses.

It does, in order: metrics (time and status of every answer, 429s included), the rate
limit, the Host allow-list, CORS preflights, and then adds the CORS, rate-limit and
security headers to the answer. These used to be four stacked middlewares, each wrapping
``send`` in a closure and rewriting the headers through ``MutableHeaders``: on the hot
path (a cached rating) that was the largest part of Candor's own time per request. One layer that
appends pre-encoded header bytes in a single pass keeps the same behaviour for less
(docs/performance.md).

Pure ASGI on purpose: BaseHTTPMiddleware would break the contextvars Tortoise uses.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.hosts import HostPolicy
from api.metrics import Metrics
from api.problems import Problem, problem_response
from api.ratelimit import TICKET, RateLimiter, Ticket, rate_headers

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
# Every answer: no content sniffing. HTML pages also get a strict CSP, no referrer and no
# framing; on JSON, SVG and text those would only cost bytes and time on the hot path
# (a browser does not render them as pages), so they are left off there.
_NOSNIFF = (b"x-content-type-options", b"nosniff")
_HTML_ONLY = [
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]
_PAGE_CSP_HEADER = (b"content-security-policy", PAGE_CSP)
# Headers this layer sets on every answer: an inner answer's own value is replaced (its
# Vary values are joined into one header), never duplicated. Endpoints set none of the
# CORS or RateLimit-* headers themselves, except the preflight and 429 answers built
# here, which keep theirs.
# The one exception is an HTML answer's own Content-Security-Policy: a page that needs a
# different policy (only /docs, with DOCS_CSP) sends it and keeps it; every other page
# gets PAGE_CSP.
_OWNED = frozenset(
    {
        b"x-content-type-options",
        b"referrer-policy",
        b"x-frame-options",
        b"content-security-policy",
        b"vary",
    }
)

CORS_EXPOSED = (
    "ETag",
    "Retry-After",
    "RateLimit-Limit",
    "RateLimit-Remaining",
    "RateLimit-Reset",
)


async def _unreachable(scope: Scope, receive: Receive, send: Send) -> None:
    raise AssertionError("the CORS policy object is only asked for preflight answers")


def cors_policy() -> CORSMiddleware:
    """Starlette's CORS rules, used for their preflight answers and simple headers.

    Any origin may read the API (it is public and takes no cookies), so no credentials.
    """
    return CORSMiddleware(
        _unreachable,
        allow_origins=["*"],
        allow_methods=["GET", "HEAD", "POST"],
        allow_headers=["Authorization", "Content-Type", "If-None-Match"],
        expose_headers=list(CORS_EXPOSED),
        allow_credentials=False,
        max_age=86400,
    )


class Edge:
    def __init__(
        self,
        app: ASGIApp,
        *,
        metrics: Metrics,
        limiter: RateLimiter,
        cors: CORSMiddleware | None = None,
        clock: Callable[[], float] = time.perf_counter,
        fast: Callable[[Scope], tuple[str, Response] | None] | None = None,
        hosts: HostPolicy | None = None,
    ) -> None:
        self.app = app
        self.hosts = hosts or HostPolicy(["*"])
        # Answers cached hot answers before routing (api/fastlane.py).
        self.fast = fast
        self.metrics = metrics
        self.limiter = limiter
        self.cors = cors or cors_policy()
        self.clock = clock
        self._cors_simple: Sequence[tuple[bytes, bytes]] = [
            (name.lower().encode("latin-1"), value.encode("latin-1"))
            for name, value in self.cors.simple_headers.items()
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = self.clock()
        status = 500
        origin = False
        preflight = False
        authorization: bytes | None = None
        host: bytes | None = None
        for name, value in scope["headers"]:
            if name == b"host":
                if host is None:
                    host = value
            elif name == b"origin":
                origin = True
            elif name == b"access-control-request-method":
                preflight = True
            elif name == b"authorization" and authorization is None:
                authorization = value
        preflight = preflight and origin and scope["method"] == "OPTIONS"
        fast_template: str | None = None

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = self._headers(
                    message.get("headers", ()), scope.get(TICKET), origin, preflight
                )
            await send(message)

        try:
            # Every request pays, OPTIONS, preflights and foreign Hosts included: a flood
            # of any kind is a flood.
            refusal = await self.limiter.admit(
                scope, None if authorization is None else authorization.decode("latin-1")
            )
            if refusal is not None:
                await refusal(scope, receive, send_with_headers)
                return
            if not self.hosts.allows(host, scope["path"]):
                problem = Problem(400, "The Host header names no site this server answers for")
                await problem_response(problem)(scope, receive, send_with_headers)
                return
            if preflight:
                # Answered here: a browser sends these before the real request.
                response = self.cors.preflight_response(request_headers=Headers(scope=scope))
                await response(scope, receive, send_with_headers)
                return
            hit = self.fast(scope) if self.fast is not None else None
            if hit is not None:
                fast_template, response = hit
                await response(scope, receive, send_with_headers)
                return
            await self.app(scope, receive, send_with_headers)
        finally:
            route = scope.get("route")
            template = fast_template or getattr(route, "path", None) or "unmatched"
            self.metrics.observe(scope["method"], template, status, self.clock() - started)

    def _headers(
        self,
        headers: Sequence[tuple[bytes, bytes]],
        ticket: Ticket | None,
        origin: bool,
        preflight: bool,
    ) -> list[tuple[bytes, bytes]]:
        """The answer's headers plus ours, in one pass over the few it already has."""
        out: list[tuple[bytes, bytes]] = []
        html = False
        own_csp: bytes | None = None
        own_limits = False
        shareable = True
        vary: list[bytes] = []
        for name, value in headers:
            if name in _OWNED:
                if name == b"vary":
                    vary.append(value)
                elif name == b"content-security-policy" and own_csp is None:
                    own_csp = value
                continue
            if name == b"content-type" and value.startswith(b"text/html"):
                html = True
            elif name == b"cache-control":
                shareable = b"no-store" not in value and b"private" not in value
            elif name.startswith(b"ratelimit-"):
                own_limits = True  # a 429 built with its own numbers
            out.append((name, value))
        if preflight:
            # The preflight answer carries its own CORS headers (and Vary, when needed).
            out.extend((b"vary", value) for value in vary)
        else:
            if ticket is not None and not own_limits:
                # A shared cache may keep a shareable answer and replay it to anyone: it
                # gets only the limit, unless it is a keyed client's, which then varies
                # by Authorization so no one else is ever sent it.
                out.extend(rate_headers(ticket, ticket.keyed or not shareable))
                if ticket.keyed and shareable:
                    vary.append(b"Authorization")
            # The same CORS headers whatever the Origin, and with none: the answer is then
            # one answer for every client, so it needs no `Vary: Origin`. That would make
            # a shared cache keep a copy per origin (a Firefox extension's origin is unique
            # to each install) and, in an outage, answer an origin it had not seen yet
            # with an error instead of its stale copy.
            out.extend(self._cors_simple)
            if vary:
                out.append((b"vary", b", ".join(vary)))
        out.append(_NOSNIFF)
        if html:
            out.extend(_HTML_ONLY)
            if own_csp is None:
                out.append(_PAGE_CSP_HEADER)
            else:
                out.append((b"content-security-policy", own_csp))
        return out
