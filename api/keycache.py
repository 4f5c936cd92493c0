"""Verifying API keys without a database round trip per request.

A verdict is cached for a few seconds (so a revocation takes effect within that time),
a negative one too (a client repeating a wrong key costs one lookup, not one a request),
and the last verdict for a key is kept to answer with while the database is down:
an outage must not lock out paying users, nor let revoked keys back in.
"""

from __future__ import annotations

from cachetools import LRUCache, TTLCache

from api import keys
from api.keys import KEY_PREFIX, digest_of
from ratings.singleflight import SingleFlight

Verdict = tuple[str, int] | None


class KeyVerifier:
    def __init__(self, ttl: float = 5.0) -> None:
        self._fresh = SingleFlight[Verdict](TTLCache(maxsize=10_000, ttl=ttl))
        self._last: LRUCache[str, Verdict] = LRUCache(maxsize=10_000)

    async def __call__(self, secret: str) -> Verdict:
        """``("key:<prefix>", per_minute)`` for an active key, else None."""
        if not secret.startswith(KEY_PREFIX) or len(secret) > 128:
            return None
        digest = digest_of(secret)
        try:
            verdict = await self._fresh.get(digest, lambda: self._lookup(digest))
        except Exception:
            return self._last.get(digest)
        self._last[digest] = verdict
        return verdict

    def known(self, secret: str) -> Verdict:
        """The cached verdict of a key known to be good, or None (unknown, bad, or not
        looked up lately): the rate limiter charges the caller before looking it up."""
        if not secret.startswith(KEY_PREFIX) or len(secret) > 128:
            return None
        found, verdict = self._fresh.finished(digest_of(secret))
        return verdict if found else None

    async def _lookup(self, digest: str) -> Verdict:
        key = await keys.find_active_key(digest)
        return None if key is None else (f"key:{key.prefix}", key.per_minute)

    def forget(self) -> None:
        self._fresh.clear()
