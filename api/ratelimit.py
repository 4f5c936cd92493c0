"""Per-client rate limits: a token bucket per client IP (an IPv6 client's /64) or per API
key, in a bounded map, so a flood of distinct addresses cannot grow memory without limit;
or in Redis, shared by every worker and replica (api/sharedlimits.py).

``RateLimiter`` is the policy (who is asking, how much may they ask); the edge middleware
(api/middleware.py) applies it, in the same single layer as metrics, CORS and the security
headers.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple, Protocol

from cachetools import LRUCache
from starlette.responses import Response
from starlette.types import Scope

from api.clients import Network, bucket_of, client_ip
from api.problems import Problem, problem_response

EXEMPT = frozenset({"/healthz", "/readyz", "/metrics"})

# Parsing the address (ipaddress) is the largest part of the limiter's time per request,
# and the same few clients ask again and again; bounded, so a flood of distinct addresses
# only evicts.
_bucket_of = lru_cache(maxsize=4096)(bucket_of)

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

    These are one process's buckets. With ``CANDOR_REDIS_URL`` the buckets live in Redis
    instead (api/sharedlimits.py), and these serve only while Redis is unreachable.
    """

    def __init__(
        self, max_clients: int = 100_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.clock = clock
        self.max_clients = max_clients
        self._buckets: LRUCache[str, Bucket] = LRUCache(maxsize=max_clients)

    def take(self, client: str, per_minute: int, cost: int = 1) -> Decision:
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
        if tokens >= cost:
            bucket.tokens = tokens = tokens - cost
            return decision(True, per_minute, tokens, cost)
        return decision(False, per_minute, tokens, cost)

    def __len__(self) -> int:
        return len(self._buckets)


def decision(allowed: bool, per_minute: int, tokens: float, cost: int) -> Decision:
    """The decision, with its headers' numbers, for a bucket left with ``tokens``."""
    rate = per_minute / 60.0
    reset = math.ceil((per_minute - tokens) / rate)
    if allowed:
        return Decision(True, per_minute, int(tokens), reset, 0)
    retry = max(1, math.ceil((min(cost, per_minute) - tokens) / rate))
    return Decision(False, per_minute, int(tokens), reset, retry)


class SharedStore(Protocol):
    """Buckets kept outside this process (api/sharedlimits.py)."""

    async def take(self, client: str, per_minute: int, cost: int) -> Decision: ...


@dataclass(slots=True)
class Ticket:
    """One request's standing with the limiter, kept in its ASGI scope: who pays, at what
    rate, and the latest decision (a batch charges more once its size is known)."""

    identity: str
    per_minute: int
    decision: Decision
    keyed: bool


TICKET = "candor.ratelimit"


class KeyResolver(Protocol):
    async def __call__(self, secret: str) -> tuple[str, int] | None: ...

    def known(self, secret: str) -> tuple[str, int] | None:
        """The verdict for a key already verified as good (no database work), or None."""
        ...


class RateLimiter:
    """Decides whether a request may proceed, and records its ``Ticket`` in the scope.

    Every request costs at least one token, ``OPTIONS`` included; health, readiness and
    metrics are exempt. A request with ``Authorization: Bearer <key>`` is limited by the
    key's own budget; an unknown or revoked key is refused with 401, never silently served
    as anonymous, and finding that out costs the caller's address a token *before* any
    database lookup, so random keys cannot buy database work beyond that budget.
    """

    def __init__(
        self,
        *,
        per_minute: int,
        proxies: Sequence[Network],
        resolve_key: KeyResolver,
        buckets: TokenBuckets,
        shared: SharedStore | None = None,
        on_limited: Callable[[], None] = lambda: None,
    ) -> None:
        self.per_minute = per_minute
        self.proxies = proxies
        self.resolve_key = resolve_key
        self.buckets = buckets
        self.shared = shared
        self.on_limited = on_limited

    async def admit(self, scope: Scope, authorization: str | None) -> Response | None:
        """None when the request may proceed (its ticket is in the scope), else the
        refusal to send instead of it."""
        if scope["path"] in EXEMPT:
            return None
        if authorization is None:
            return await self._decide(scope, self._address(scope), self.per_minute, False)
        scheme, _, secret = authorization.partition(" ")
        secret = secret.strip() if scheme.lower() == "bearer" else ""
        known = self.resolve_key.known(secret) if secret else None
        if known is not None:
            return await self._decide(scope, *known, True)
        # Not known to be good: the caller's address pays for finding out.
        refusal = await self._decide(scope, self._address(scope), self.per_minute, False)
        if refusal is not None:
            return refusal
        resolved = await self.resolve_key(secret) if secret else None
        if resolved is None:
            problem = Problem(
                401,
                "The API key is missing, malformed, unknown or revoked",
                headers={"WWW-Authenticate": 'Bearer realm="candor"'},
            )
            return problem_response(problem, scope["path"])
        return await self._decide(scope, *resolved, True)

    async def charge(self, scope: Scope, cost: int) -> None:
        """Charge ``cost`` more tokens to the request's payer (a batch, once its size is
        known); raises a 429 problem when the budget does not cover it."""
        ticket: Ticket | None = scope.get(TICKET)
        if ticket is None or cost < 1:
            return
        result = await self._take(ticket.identity, ticket.per_minute, cost)
        ticket.decision = result
        if not result.allowed:
            self.on_limited()
            raise _too_many(result, cost)

    def _address(self, scope: Scope) -> str:
        return _bucket_of(client_ip(scope, self.proxies))

    async def _take(self, identity: str, per_minute: int, cost: int) -> Decision:
        if self.shared is not None:
            return await self.shared.take(identity, per_minute, cost)
        return self.buckets.take(identity, per_minute, cost)

    async def _decide(
        self, scope: Scope, identity: str, per_minute: int, keyed: bool
    ) -> Response | None:
        result = await self._take(identity, per_minute, 1)
        scope[TICKET] = Ticket(identity, per_minute, result, keyed)
        if not result.allowed:
            self.on_limited()
            return problem_response(_too_many(result, 1), scope["path"])
        return None


def _too_many(result: Decision, cost: int) -> Problem:
    what = "request" if cost == 1 else f"request costing {cost} tokens"
    return Problem(
        429,
        f"More than {result.limit} requests a minute; this {what} may be retried in "
        f"{result.retry_after} s",
        headers={
            "RateLimit-Limit": str(result.limit),
            "RateLimit-Remaining": str(result.remaining),
            "RateLimit-Reset": str(result.reset),
            "Retry-After": str(result.retry_after),
        },
    )


@lru_cache(maxsize=64)
def _limit_header(limit: int) -> tuple[bytes, bytes]:
    return b"ratelimit-limit", str(limit).encode()


def limit_headers(ticket: Ticket, shareable: bool, vary: list[bytes]) -> RawHeaders:
    """The RateLimit-* headers of an answer to ``ticket``'s request. A shared cache may keep
    a ``shareable`` answer and replay it to anyone: it gets only the limit, unless it is a
    keyed client's, which then varies by Authorization (added to ``vary``) so that no one
    else is ever sent it."""
    if ticket.keyed and shareable:
        vary.append(b"Authorization")
    return rate_headers(ticket, ticket.keyed or not shareable)


def rate_headers(ticket: Ticket, full: bool) -> RawHeaders:
    """The RateLimit-* headers of an answer. ``full=False`` (an answer a shared cache may
    keep and replay to others) gives only the limit, which is the same for everyone;
    the remaining budget and its reset go only where they cannot reach another client."""
    result = ticket.decision
    if not full:
        return [_limit_header(result.limit)]
    return [
        _limit_header(result.limit),
        (b"ratelimit-remaining", b"%d" % result.remaining),
        (b"ratelimit-reset", b"%d" % result.reset),
    ]
