"""Part 7: limits shared across workers and replicas through the real Redis server: two
replicas of two workers each allow one budget between them; without Redis each process
allows its own; with Redis down, per-process limits hold and say so."""

from __future__ import annotations

import contextlib
import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis

from tests.process import free_port, serving

REDIS_URL = os.environ.get("CANDOR_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
BUDGET = 20


def _redis_up() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.fixture
def prefix() -> Iterator[str]:
    """A key prefix of this test's own: other tests (and worktrees) share the server."""
    if not _redis_up():
        if os.environ.get("CANDOR_REQUIRE_REDIS"):  # CI starts Redis: skipping would hide it
            pytest.fail(f"Redis is not reachable at {REDIS_URL}")
        pytest.skip(f"Redis tests skipped: no Redis at {REDIS_URL}")
    name = f"candor-test-{uuid.uuid4().hex[:12]}:"
    yield name
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(f"{name}*"):
        client.delete(key)


def _replicas(tmp_path: Path, env: dict[str, str]) -> contextlib.ExitStack:
    stack = contextlib.ExitStack()
    url = f"sqlite://{tmp_path}/candor.sqlite3"
    bases = [
        stack.enter_context(serving(url, tmp_path, extra_env=env, args=["--workers", "2"]))[0]
        for _ in range(2)
    ]
    stack.bases = bases  # type: ignore[attr-defined]
    return stack


def _spend(bases: list[str], count: int) -> tuple[int, float]:
    """``count`` requests over both replicas, a new connection each (so both workers of
    each replica take some); the number answered 200, and the seconds it took."""
    ok = 0
    started = time.monotonic()
    for number in range(count):
        status = httpx.get(f"{bases[number % 2]}/v1/ratings/zoom.us", timeout=10).status_code
        assert status in (200, 429)
        ok += status == 200
    return ok, time.monotonic() - started


def test_two_replicas_of_two_workers_allow_one_budget(tmp_path: Path, prefix: str) -> None:
    env = {
        "CANDOR_RATE_LIMIT_PER_MINUTE": str(BUDGET),
        "CANDOR_REDIS_URL": REDIS_URL,
        "CANDOR_REDIS_PREFIX": prefix,
    }
    with _replicas(tmp_path, env) as stack:
        ok, seconds = _spend(stack.bases, 100)  # type: ignore[attr-defined]
        metrics = httpx.get(f"{stack.bases[0]}/metrics").text  # type: ignore[attr-defined]
    refilled = int(seconds * BUDGET / 60) + 1
    print(f"\n4 processes, shared budget {BUDGET}: {ok} of 100 allowed in {seconds:.1f} s")
    assert BUDGET <= ok <= BUDGET + refilled
    assert "candor_rate_limit_shared 1.0" in metrics


def test_without_redis_each_process_has_its_own_budget(tmp_path: Path) -> None:
    env = {"CANDOR_RATE_LIMIT_PER_MINUTE": str(BUDGET)}
    with _replicas(tmp_path, env) as stack:
        ok, _ = _spend(stack.bases, 100)  # type: ignore[attr-defined]
    print(f"\n4 processes, per-process budget {BUDGET}: {ok} of 100 allowed")
    assert ok > BUDGET  # what the README warns about: up to workers x replicas budgets


def test_with_redis_down_limits_fall_back_to_the_process_and_say_so(tmp_path: Path) -> None:
    env = {
        "CANDOR_RATE_LIMIT_PER_MINUTE": "5",
        "CANDOR_REDIS_URL": f"redis://127.0.0.1:{free_port()}/0",  # nothing listens
    }
    with serving(f"sqlite://{tmp_path}/c.sqlite3", tmp_path, extra_env=env) as (base, _):
        statuses = [httpx.get(f"{base}/v1/ratings/zoom.us").status_code for _ in range(8)]
        metrics = httpx.get(f"{base}/metrics").text
        log = (tmp_path / f"serve-{base.rsplit(':', 1)[1]}.log").read_text()
    assert statuses == [200] * 5 + [429] * 3
    assert "candor_rate_limit_shared 0.0" in metrics
    assert "Redis unreachable" in log and log.count("Redis unreachable") == 1
