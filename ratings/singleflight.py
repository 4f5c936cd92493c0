"""An async single-flight cache: concurrent misses for one key share one computation.

cachetools caches values, not coroutines (``@cached`` on an ``async def`` caches the
coroutine object, which can be awaited once). Caching the *task* instead gives both: a
finished task is a cached value, a running one is a flight that later callers join.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable, MutableMapping
from typing import Generic, TypeVar

V = TypeVar("V")


class SingleFlight(Generic[V]):
    def __init__(
        self,
        cache: MutableMapping[Hashable, asyncio.Task[V]],
        *,
        keep_results: bool = True,
        resize: bool = False,
    ) -> None:
        self._cache = cache
        # keep_results=False: only share flights in progress; every later call computes anew.
        self._keep_results = keep_results
        # resize=True: the cache weighs its entries (cachetools' getsizeof), and a flight
        # is weighed again once its result is known (a running one has no size yet).
        self._resize = resize
        self.hits = 0
        self.misses = 0

    async def get(self, key: Hashable, compute: Callable[[], Awaitable[V]]) -> V:
        task = self._cache.get(key)
        if task is None:
            self.misses += 1
            task = asyncio.ensure_future(compute())
            self._cache[key] = task
            if not self._keep_results:
                task.add_done_callback(lambda done: self._forget(key, done))
            elif self._resize:
                task.add_done_callback(lambda done: self._weigh(key, done))
        else:
            self.hits += 1
        try:
            # shield: one caller giving up (client disconnect) must not cancel the work
            # the other callers are waiting for.
            return await asyncio.shield(task)
        except BaseException:
            failed = task.done() and (task.cancelled() or task.exception() is not None)
            # A failure is not cached: the next caller tries again.
            if failed and self._cache.get(key) is task:
                del self._cache[key]
            raise

    def finished(self, key: Hashable) -> tuple[bool, V | None]:
        """``(True, value)`` when a successful result for ``key`` is cached, else
        ``(False, None)``; never starts or waits for anything."""
        task = self._cache.get(key)
        if task is None or not task.done() or task.cancelled() or task.exception() is not None:
            return False, None
        return True, task.result()

    def _weigh(self, key: Hashable, task: asyncio.Task[V]) -> None:
        if self._cache.get(key) is not task:
            return
        try:
            self._cache[key] = task  # cachetools weighs it again, evicting to make room
        except ValueError:  # larger than the whole cache: not kept
            self._forget(key, task)

    def _forget(self, key: Hashable, task: asyncio.Task[V]) -> None:
        if self._cache.get(key) is task:
            del self._cache[key]

    def size_bytes(self) -> int:
        """The weight the cache gives its entries (cachetools' currsize), when it weighs."""
        return int(getattr(self._cache, "currsize", 0)) if self._resize else 0

    def clear(self) -> None:
        self._cache.clear()

    def __len__(self) -> int:
        return len(self._cache)
