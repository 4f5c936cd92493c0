from __future__ import annotations

import asyncio
from collections.abc import Hashable

import pytest
from cachetools import LRUCache, TTLCache

from ratings.singleflight import SingleFlight


async def test_concurrent_misses_share_one_computation() -> None:
    flight = SingleFlight[int](TTLCache(maxsize=10, ttl=60))
    calls = 0
    gate = asyncio.Event()

    async def compute() -> int:
        nonlocal calls
        calls += 1
        await gate.wait()
        return 42

    waiters = [asyncio.create_task(flight.get("k", compute)) for _ in range(50)]
    await asyncio.sleep(0)
    gate.set()
    assert await asyncio.gather(*waiters) == [42] * 50
    assert calls == 1
    assert await flight.get("k", compute) == 42 and calls == 1  # then cached
    assert (flight.misses, flight.hits) == (1, 50)


async def test_failures_are_not_cached() -> None:
    flight = SingleFlight[int](TTLCache(maxsize=10, ttl=60))
    attempts = 0

    async def flaky() -> int:
        nonlocal attempts
        attempts += 1
        if attempts == 1:
            raise ConnectionError("database down")
        return 7

    with pytest.raises(ConnectionError):
        await flight.get("k", flaky)
    assert await flight.get("k", flaky) == 7


async def test_one_caller_cancelled_does_not_cancel_the_others() -> None:
    flight = SingleFlight[int](TTLCache(maxsize=10, ttl=60))
    gate = asyncio.Event()

    async def compute() -> int:
        await gate.wait()
        return 1

    first = asyncio.create_task(flight.get("k", compute))
    second = asyncio.create_task(flight.get("k", compute))
    await asyncio.sleep(0)
    first.cancel()
    gate.set()
    assert await second == 1
    with pytest.raises(asyncio.CancelledError):
        await first


async def test_without_keeping_results_only_flights_are_shared() -> None:
    flight = SingleFlight[int]({}, keep_results=False)
    calls = 0

    async def compute() -> int:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0)
        return calls

    assert list(await asyncio.gather(flight.get("k", compute), flight.get("k", compute))) == [1, 1]
    assert await flight.get("k", compute) == 2
    assert len(flight) == 0


def _weighed_cache(maxsize: int) -> LRUCache[Hashable, asyncio.Task[str]]:
    """A cache that weighs a finished flight by its result's length (a running one: 1)."""

    def weight(task: asyncio.Task[str]) -> int:
        return len(task.result()) if task.done() else 1

    return LRUCache(maxsize=maxsize, getsizeof=weight)


async def test_a_finished_flight_is_weighed_by_its_result() -> None:
    flight = SingleFlight[str](_weighed_cache(100), resize=True)

    async def compute() -> str:
        await asyncio.sleep(0)
        return "x" * 40

    assert await flight.get("k", compute) == "x" * 40
    await asyncio.sleep(0)  # the done callbacks run on the next turn of the loop
    assert flight.size_bytes() == 40 and len(flight) == 1


async def test_a_result_heavier_than_the_whole_cache_is_returned_but_not_kept() -> None:
    flight = SingleFlight[str](_weighed_cache(10), resize=True)
    calls = 0

    async def compute() -> str:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0)
        return "x" * 50

    assert await flight.get("k", compute) == "x" * 50
    await asyncio.sleep(0)
    assert len(flight) == 0 and flight.size_bytes() == 0
    assert await flight.get("k", compute) == "x" * 50 and calls == 2


async def test_without_resize_the_size_is_not_reported() -> None:
    flight = SingleFlight[str](_weighed_cache(100))

    async def compute() -> str:
        return "abc"

    assert await flight.get("k", compute) == "abc"
    assert flight.size_bytes() == 0 and len(flight) == 1


async def test_finished_tells_only_of_cached_successes() -> None:
    flight = SingleFlight[int]({})
    gate = asyncio.Event()

    async def slow() -> int:
        await gate.wait()
        return 7

    async def failing() -> int:
        raise RuntimeError("no")

    assert flight.finished("k") == (False, None)
    waiter = asyncio.create_task(flight.get("k", slow))
    await asyncio.sleep(0)
    assert flight.finished("k") == (False, None)  # still running
    gate.set()
    assert await waiter == 7
    assert flight.finished("k") == (True, 7)
    with pytest.raises(RuntimeError):
        await flight.get("bad", failing)
    assert flight.finished("bad") == (False, None)
    flight.clear()
    assert flight.finished("k") == (False, None) and len(flight) == 0
