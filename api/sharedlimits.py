"""Rate-limit buckets shared by every worker and replica, in Redis (``CANDOR_REDIS_URL``).

Without it each process keeps its own buckets, and a client gets its budget once per
worker per replica. With it, one token bucket per client lives in Redis, taken atomically
by a Lua script that reads Redis's own clock (so replicas with skewed clocks agree).

If Redis cannot be reached, each process falls back to its own buckets (the limit still
holds per process: degraded, never off), says so once in the log and in ``/metrics``
(``candor_rate_limit_shared 0``), and tries Redis again every few seconds.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError

from api.ratelimit import Decision, TokenBuckets, decision
from api.settings import Settings

log = logging.getLogger("candor.ratelimit")

# KEYS[1] the bucket; ARGV[1] capacity (= per minute), ARGV[2] cost. Returns
# {allowed (0/1), tokens left (as text: Lua numbers become integers in replies)}.
TAKE = """
local capacity = tonumber(ARGV[1])
local cost = tonumber(ARGV[2])
local rate = capacity / 60.0
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'updated')
local tokens = tonumber(state[1])
local updated = tonumber(state[2])
if tokens == nil or updated == nil then
  tokens = capacity
  updated = now
end
tokens = math.min(capacity, tokens + math.max(0, now - updated) * rate)
local allowed = 0
if tokens >= cost then
  tokens = tokens - cost
  allowed = 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'updated', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil((capacity - tokens) / rate * 1000) + 1000)
return {allowed, tostring(tokens)}
"""

# How long a request waits for Redis before the process decides it is down: the limit
# must never become the slow part of an answer.
TIMEOUT = 0.25
RETRY_AFTER = 5.0


class SharedBuckets:
    def __init__(
        self,
        redis: Redis,
        local: TokenBuckets,
        prefix: str = "candor:",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.redis = redis
        self.local = local
        self.prefix = prefix + "rl:"
        self.clock = clock
        self._take = redis.register_script(TAKE)
        self.up = True
        self.failures = 0
        self._retry_at = 0.0

    async def take(self, client: str, per_minute: int, cost: int) -> Decision:
        if not self.up and self.clock() < self._retry_at:
            return self.local.take(client, per_minute, cost)
        try:
            reply: Any = await self._take(keys=[self.prefix + client], args=[per_minute, cost])
        except (RedisError, OSError, TimeoutError) as exc:
            self.failures += 1
            if self.up:
                log.warning(
                    "Redis unreachable (%s): rate limits are per process until it is back",
                    type(exc).__name__,
                )
            self.up = False
            self._retry_at = self.clock() + RETRY_AFTER
            return self.local.take(client, per_minute, cost)
        if not self.up:
            log.warning("Redis is back: rate limits are shared again")
            self.up = True
        allowed, tokens = int(reply[0]), float(reply[1])
        return decision(bool(allowed), per_minute, tokens, cost)

    async def close(self) -> None:
        await self.redis.aclose()


def shared_store(settings: Settings, local: TokenBuckets) -> SharedBuckets | None:
    if not settings.redis_url:
        return None
    redis = Redis.from_url(
        settings.redis_url,
        socket_timeout=TIMEOUT,
        socket_connect_timeout=TIMEOUT,
        # A dead connection in the pool is found out by the next command, not by a ping.
        retry_on_timeout=False,
    )
    return SharedBuckets(redis, local, settings.redis_prefix)
