"""Per-client rate limits: a token bucket per client IP (or per API key), in a bounded
map, so a flood of distinct addresses cannot grow memory without limit.

``RateLimiter`` is the policy (who is asking, how much may they ask); the edge middleware
(api/middleware.py) applies it, in the same single layer as metrics, CORS and the security
headers.
"""

from __future__ import annotations

import math
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from cachetools import LRUCache
from starlette.responses import Response
from starlette.types import Scope

from api.clients import Network, client_ip
from api.problems import Problem, problem_response

EXEMPT = frozenset({"/healthz", "/readyz", "/metrics"})

RawHeaders = list[tuple[bytes, bytes]]


@dataclass(slots=True)
class Bucket:
    tokens: float
    updated: float


class Decision(NamedTuple):
    # A named tuple, not a frozen dataclass: one is made per request, and a frozen
    # dataclass pays an object.__setattr__ per field.
    allowed: bool
    limit: int
    remaining: int
    reset: int  # seconds until the bucket is full again
    retry_after: int  # seconds until one more request is allowed (0 when allowed)


class TokenBuckets:
    """Token buckets: ``per_minute`` requests a minute on average, bursts up to that many.

    Kept in a cachetools ``LRUCache``: a flood of distinct addresses evicts the least
    recently seen clients instead of growing memory. An evicted client only gets a fresh
    budget, the bounded cost of bounded memory (an idle bucket refills within a minute
    anyway). LRU rather than TTL: its bookkeeping is cheaper on the hot path, and
    forgetting idle clients early buys nothing while there is room.
    """

    def __init__(
        self, max_clients: int = 100_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.clock = clock
        self.max_clients = max_clients
        self._buckets: LRUCache[str, Bucket] = LRUCache(maxsize=max_clients)

    def take(self, client: str, per_minute: int) -> Decision:
        now = self.clock()
        rate = per_minute / 60.0
        bucket = self._buckets.get(client)
        if bucket is None:
            bucket = Bucket(float(per_minute), now)
            self._buckets[client] = bucket
        else:
            tokens = bucket.tokens + (now - bucket.updated) * rate
            bucket.tokens = tokens if tokens < per_minute else float(per_minute)
            bucket.updated = now
        tokens = bucket.tokens
        if tokens >= 1.0:
            bucket.tokens = tokens = tokens - 1.0
            return Decision(
                True, per_minute, int(tokens), math.ceil((per_minute - tokens) / rate), 0
            )
        reset = math.ceil((per_minute - tokens) / rate)
        retry = max(1, math.ceil((1.0 - tokens) / rate))
        return Decision(False, per_minute, int(tokens), reset, retry)

    def __len__(self) -> int:
        return len(self._buckets)


KeyResolver = Callable[[str], Awaitable["tuple[str, int] | None"]]


@lru_cache(maxsize=64)
def _limit_header(limit: int) -> tuple[bytes, bytes]:
    return b"ratelimit-limit", str(limit).encode()


class RateLimiter:
    """Decides whether a request may proceed, and with which ``RateLimit-*`` headers.

    A request with ``Authorization: Bearer <key>`` is limited by the key's own budget; an
    unknown or revoked key is refused with 401, never silently served as anonymous.
    """

    def __init__(
        self,
        *,
        per_minute: int,
        proxies: Sequence[Network],
        resolve_key: KeyResolver,
        buckets: TokenBuckets,
        on_limited: Callable[[], None] = lambda: None,
    ) -> None:
        self.per_minute = per_minute
        self.proxies = proxies
        self.resolve_key = resolve_key
        self.buckets = buckets
        self.on_limited = on_limited

    def admit(self, scope: Scope) -> tuple[RawHeaders, Response | None]:
        """For an anonymous request: the headers to add to the answer, and the refusal to
        send instead of it (or None). Synchronous: the hot path awaits nothing here."""
        if scope["path"] in EXEMPT or scope["method"] == "OPTIONS":
            return [], None
        return self._decide(scope, "ip:" + client_ip(scope, self.proxies), self.per_minute)

    async def admit_with_key(
        self, scope: Scope, authorization: str
    ) -> tuple[RawHeaders, Response | None]:
        """As ``admit``, for a request that sent an ``Authorization`` header."""
        if scope["path"] in EXEMPT or scope["method"] == "OPTIONS":
            return [], None
        scheme, _, secret = authorization.partition(" ")
        resolved = await self.resolve_key(secret.strip()) if scheme.lower() == "bearer" else None
        if resolved is None:
            problem = Problem(
                401,
                "The API key is missing, malformed, unknown or revoked",
                headers={"WWW-Authenticate": 'Bearer realm="candor"'},
            )
            return [], problem_response(problem, scope["path"])
        return self._decide(scope, *resolved)

    def _decide(
        self, scope: Scope, identity: str, per_minute: int
    ) -> tuple[RawHeaders, Response | None]:
        decision = self.buckets.take(identity, per_minute)
        if not decision.allowed:
            self.on_limited()
            problem = Problem(
                429,
                f"More than {decision.limit} requests a minute; retry in {decision.retry_after} s",
                headers={
                    "RateLimit-Limit": str(decision.limit),
                    "RateLimit-Remaining": str(decision.remaining),
                    "RateLimit-Reset": str(decision.reset),
                    "Retry-After": str(decision.retry_after),
                },
            )
            return [], problem_response(problem, scope["path"])
        return [
            _limit_header(decision.limit),
            (b"ratelimit-remaining", b"%d" % decision.remaining),
            (b"ratelimit-reset", b"%d" % decision.reset),
        ], None
