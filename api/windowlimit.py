"""A slow limit for rare actions (the /suggest form): N per client per window, and M for
everyone together, so that a flood from many addresses cannot fill the table either.

The API's token buckets (api/ratelimit.py) allow bursts of a minute's budget; a form that
writes to the database wants a budget per hour. Counts live in a bounded TTL cache per
process: a replica restart forgets them, which costs at most one more window's worth.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from cachetools import TTLCache


@dataclass(slots=True)
class _Window:
    started: float
    count: int


class WindowLimiter:
    def __init__(
        self,
        per_client: int,
        total: int,
        window_seconds: float = 3600.0,
        max_clients: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.per_client = per_client
        self.total = total
        self.window = window_seconds
        self.clock = clock
        self._clients: TTLCache[str, _Window] = TTLCache(
            maxsize=max_clients, ttl=window_seconds, timer=clock
        )
        self._all = _Window(clock(), 0)

    def take(self, client: str) -> int:
        """0 when ``client`` may act now (and counts it), else the seconds to wait."""
        now = self.clock()
        if now - self._all.started >= self.window:
            self._all = _Window(now, 0)
        mine = self._clients.get(client)
        if mine is None or now - mine.started >= self.window:
            mine = _Window(now, 0)
        if mine.count >= self.per_client:
            return max(1, math.ceil(mine.started + self.window - now))
        if self._all.count >= self.total:
            return max(1, math.ceil(self._all.started + self.window - now))
        mine.count += 1
        self._all.count += 1
        self._clients[client] = mine
        return 0
