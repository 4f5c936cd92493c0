"""Per-client rate limits: a token bucket per client IP (or per API key), in a bounded
cachetools map, so a flood of distinct addresses cannot grow memory without limit."""

from __future__ import annotations

import math
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from cachetools import TTLCache
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.clients import Network, client_ip
from api.problems import Problem, problem_response

EXEMPT = frozenset({"/healthz", "/readyz", "/metrics"})


@dataclass(slots=True)
class Bucket:
    tokens: float
    updated: float


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    limit: int
    remaining: int
    reset: int  # seconds until the bucket is full again
    retry_after: int  # seconds until one more request is allowed (0 when allowed)


class TokenBuckets:
    """Token buckets: ``per_minute`` requests a minute on average, bursts up to that many."""

    def __init__(
        self, max_clients: int = 100_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        # An idle bucket refills completely within a minute; forgetting it after two
        # minutes changes nothing, and bounds memory.
        self.clock = clock
        self._buckets: TTLCache[str, Bucket] = TTLCache(
            maxsize=max_clients, ttl=120, timer=lambda: self.clock()
        )

    def take(self, client: str, per_minute: int) -> Decision:
        now = self.clock()
        rate = per_minute / 60.0
        bucket = self._buckets.get(client)
        if bucket is None:
            bucket = Bucket(float(per_minute), now)
        else:
            bucket.tokens = min(float(per_minute), bucket.tokens + (now - bucket.updated) * rate)
            bucket.updated = now
        allowed = bucket.tokens >= 1.0
        if allowed:
            bucket.tokens -= 1.0
        self._buckets[client] = bucket
        reset = math.ceil((per_minute - bucket.tokens) / rate)
        retry = 0 if allowed else max(1, math.ceil((1.0 - bucket.tokens) / rate))
        return Decision(allowed, per_minute, int(bucket.tokens), reset, retry)

    def __len__(self) -> int:
        return len(self._buckets)


KeyResolver = Callable[[str], Awaitable["tuple[str, int] | None"]]


class RateLimit:
    """Applies the buckets to HTTP requests and sets the ``RateLimit-*`` headers.

    A request with ``Authorization: Bearer <key>`` is limited by the key's own budget; an
    unknown or revoked key is refused with 401, never silently served as anonymous.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        per_minute: int,
        proxies: Sequence[Network],
        resolve_key: KeyResolver,
        buckets: TokenBuckets,
        on_limited: Callable[[], None] = lambda: None,
    ) -> None:
        self.app = app
        self.per_minute = per_minute
        self.proxies = proxies
        self.resolve_key = resolve_key
        self.buckets = buckets
        self.on_limited = on_limited

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in EXEMPT or scope["method"] == "OPTIONS":
            await self.app(scope, receive, send)
            return
        identity, per_minute = f"ip:{client_ip(scope, self.proxies)}", self.per_minute
        authorization = _header(scope, b"authorization")
        if authorization is not None:
            scheme, _, secret = authorization.partition(" ")
            resolved = (
                await self.resolve_key(secret.strip()) if scheme.lower() == "bearer" else None
            )
            if resolved is None:
                problem = Problem(
                    401,
                    "The API key is missing, malformed, unknown or revoked",
                    headers={"WWW-Authenticate": 'Bearer realm="candor"'},
                )
                await problem_response(problem, scope["path"])(scope, receive, send)
                return
            identity, per_minute = resolved
        decision = self.buckets.take(identity, per_minute)
        headers = {
            "RateLimit-Limit": str(decision.limit),
            "RateLimit-Remaining": str(decision.remaining),
            "RateLimit-Reset": str(decision.reset),
            "RateLimit-Policy": f"{decision.limit};w=60",
        }
        if not decision.allowed:
            self.on_limited()
            headers["Retry-After"] = str(decision.retry_after)
            problem = Problem(
                429,
                f"More than {decision.limit} requests a minute; retry in {decision.retry_after} s",
                headers=headers,
            )
            await problem_response(problem, scope["path"])(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                mutable = MutableHeaders(scope=message)
                for name, value in headers.items():
                    mutable[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None


__all__ = ["Decision", "RateLimit", "TokenBuckets"]
