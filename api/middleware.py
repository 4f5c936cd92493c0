"""The edge: the one pure-ASGI middleware layer every request crosses.

It applies, in order: metrics (time and status of every answer, 429s included), the rate
limit (api/ratelimit.py), the Host allow-list (api/hosts.py), CORS preflights
(api/cors.py) and the hot lane (api/hotroutes.py); then it adds the CORS, rate-limit and
security headers (api/securityheaders.py) to the answer. Each policy is its own object
with one job; this layer only composes them. One layer rather than a middleware per
policy: each stacked middleware wrapped ``send`` in a closure and rewrote the headers
through ``MutableHeaders``, and on the hot path (a cached rating) that was the largest
part of Candor's own time per request. One layer appending pre-encoded header bytes in a
single pass keeps the same behaviour for less (docs/performance.md).

Pure ASGI on purpose: BaseHTTPMiddleware would break the contextvars Tortoise uses.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.cors import CorsPolicy
from api.hosts import HostPolicy
from api.metrics import Metrics
from api.problems import Problem, problem_response
from api.ratelimit import TICKET, RateLimiter, Ticket, limit_headers
from api.securityheaders import DOCS_CSP, OWNED, PAGE_CSP, add_security_headers

# Where they have always been imported from (tests, pages).
__all__ = ["DOCS_CSP", "PAGE_CSP", "Edge"]

RawHeaders = list[tuple[bytes, bytes]]
# (route template, answer) for a request answered before routing (api/hotroutes.py).
HotAnswer = Callable[[Scope], tuple[str, ASGIApp] | None]

# Vary is this layer's too: an answer's own values are joined with ours into one header.
_DROPPED = OWNED | {b"vary"}


# Plain tuples rather than named ones or objects: one of each is made per request.
# (host, authorization, preflight)
RequestFacts = tuple[bytes | None, str | None, bool]
# (headers kept, Vary values, HTML?, own CSP, own RateLimit-*?, shareable?)
AnswerFacts = tuple[RawHeaders, list[bytes], bool, bytes | None, bool, bool]


def request_facts(scope: Scope) -> RequestFacts:
    """What the edge reads from the request headers, in one pass."""
    origin = request_method = False
    authorization: bytes | None = None
    host: bytes | None = None
    for name, value in scope["headers"]:
        if name == b"host":
            host = value if host is None else host
        elif name == b"origin":
            origin = True
        elif name == b"access-control-request-method":
            request_method = True
        elif name == b"authorization" and authorization is None:
            authorization = value
    return (
        host,
        None if authorization is None else authorization.decode("latin-1"),
        origin and request_method and scope["method"] == "OPTIONS",  # a CORS preflight
    )


def answer_facts(headers: Sequence[tuple[bytes, bytes]]) -> AnswerFacts:
    """What the edge needs to know of an answer's own headers, and those it keeps."""
    kept: RawHeaders = []
    vary: list[bytes] = []
    html = own_limits = False
    shareable = True
    own_csp: bytes | None = None
    for name, value in headers:
        if name in _DROPPED:
            if name == b"vary":
                vary.append(value)
            elif name == b"content-security-policy" and own_csp is None:
                own_csp = value
            continue
        if name == b"content-type":
            html = value.startswith(b"text/html")
        elif name == b"cache-control":
            shareable = b"no-store" not in value and b"private" not in value
        elif name.startswith(b"ratelimit-"):
            own_limits = True  # a 429 built with its own numbers
        kept.append((name, value))
    return kept, vary, html, own_csp, own_limits, shareable


class Edge:
    def __init__(
        self,
        app: ASGIApp,
        *,
        metrics: Metrics,
        limiter: RateLimiter,
        cors: CorsPolicy | None = None,
        clock: Callable[[], float] = time.perf_counter,
        hot: HotAnswer | None = None,
        hosts: HostPolicy | None = None,
    ) -> None:
        self.app = app
        self.hosts = hosts or HostPolicy(["*"])
        self.hot = hot
        self.metrics = metrics
        self.limiter = limiter
        self.cors = cors or CorsPolicy()
        self.clock = clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = self.clock()
        status = 500
        host, authorization, preflight = request_facts(scope)

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = self._headers(
                    message.get("headers", ()), scope.get(TICKET), preflight
                )
            await send(message)

        template: str | None = None
        try:
            template = await self._answer(
                scope, receive, send_with_headers, host, authorization, preflight
            )
        finally:
            route = scope.get("route")
            template = template or getattr(route, "path", None) or "unmatched"
            self.metrics.observe(scope["method"], template, status, self.clock() - started)

    async def _answer(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        host: bytes | None,
        authorization: str | None,
        preflight: bool,
    ) -> str | None:
        """Answer the request; the route template when answered from the hot lane."""
        # Every request pays, OPTIONS, preflights and foreign Hosts included: a flood of
        # any kind is a flood.
        refusal = await self.limiter.admit(scope, authorization)
        if refusal is not None:
            await refusal(scope, receive, send)
        elif not self.hosts.allows(host, scope["path"]):
            problem = Problem(400, "The Host header names no site this server answers for")
            await problem_response(problem)(scope, receive, send)
        elif preflight:
            # Answered here: a browser sends these before the real request.
            await self.cors.preflight(scope)(scope, receive, send)
        elif (hit := self.hot(scope) if self.hot is not None else None) is not None:
            template, answer = hit
            await answer(scope, receive, send)
            return template
        else:
            await self.app(scope, receive, send)
        return None

    def _headers(
        self, headers: Sequence[tuple[bytes, bytes]], ticket: Ticket | None, preflight: bool
    ) -> RawHeaders:
        """The answer's headers plus ours, in one pass over the few it already has."""
        out, vary, html, own_csp, own_limits, shareable = answer_facts(headers)
        if preflight:
            # The preflight answer carries its own CORS headers and Vary.
            out.extend((b"vary", value) for value in vary)
        else:
            if ticket is not None and not own_limits:
                out.extend(limit_headers(ticket, shareable, vary))
            # The same CORS headers whatever the Origin, and with none: the answer is then
            # one answer for every client, so it needs no `Vary: Origin`. That would make
            # a shared cache keep a copy per origin (a Firefox extension's origin is unique
            # to each install) and, in an outage, answer an origin it had not seen yet
            # with an error instead of its stale copy.
            out.extend(self.cors.simple_headers)
            if vary:
                out.append((b"vary", b", ".join(vary)))
        add_security_headers(out, html, own_csp)
        return out
