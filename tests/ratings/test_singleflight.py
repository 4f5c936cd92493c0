from __future__ import annotations

import asyncio

import pytest
from cachetools import TTLCache

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
