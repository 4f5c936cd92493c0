"""The hot path under load, and under abuse, against a real ``candor serve`` (SQLite).

1. 200 concurrent clients for 30 s at ``GET /v1/ratings/{host}``: every answer is 200 or
   304 (no errors, no exceptions), and the server's memory does not grow once warm.
2. An abusive client at 10x the rate limit does not hurt the others: their p99 latency
   with the abuser stays within 2x of their p99 without it (same server, same run), and
   the abuser is answered 429.

Every client is 127.0.0.1, so the server trusts 127.0.0.0/8 as a proxy and each client
names its own address in X-Forwarded-For, as clients behind a load balancer would.
"""

from __future__ import annotations

import asyncio
import collections
import json
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from ratings.fixtures import read_fixtures
from tests.conftest import FIXTURES, ROOT
from tests.process import serving

REAL = read_fixtures(FIXTURES)
# Several rated hosts, subdomains included (they take the suffix match, not an exact hit).
HOSTS = [
    "zoom.us",
    "us02web.zoom.us",
    "meet.google.com",
    "teams.microsoft.com",
    *(service.domains[0] for service in list(REAL.services.values())[:8]),
]

CLIENTS = 200
LOAD_SECONDS = 30.0
WARM_UP_SECONDS = 5.0
# Growth allowed after the warm-up: allocator and interpreter noise, not a leak (a leak of
# 1 KB per request would be about 25 MB over the 25,000-odd requests after the warm-up).
RSS_SLACK_BYTES = 15 * 1024 * 1024
RSS_SLACK_FRACTION = 0.10

LIMIT_PER_MINUTE = 600  # 10/s per client
ABUSER_PER_SECOND = 100  # 10x the limit
POLITE_CLIENTS = 50
POLITE_PER_SECOND = 4  # well under the limit: never throttled
# Alternating windows without and with the abuser (8 each).
WINDOWS = 16
WINDOW_SECONDS = 1.0
ABUSER_DRAIN_SECONDS = 3.0  # the abuser's start-up and its 600-request burst fit in this
# p99s of a few ms are mostly scheduling noise on a shared 2-core machine; the ratio is
# taken against at least this, so noise cannot double a tiny number.
P99_FLOOR_SECONDS = 0.005


def rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


def p99(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


@dataclass
class Tally:
    statuses: collections.Counter[int] = field(default_factory=collections.Counter)
    errors: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)

    async def get(
        self, http: httpx.AsyncClient, path: str, headers: dict[str, str]
    ) -> httpx.Response | None:
        started = time.perf_counter()
        try:
            response = await http.get(path, headers=headers)
        except Exception as exc:  # any failure counts; the test lists them
            self.errors.append(f"{path}: {type(exc).__name__}: {exc}")
            return None
        self.latencies.append(time.perf_counter() - started)
        self.statuses[response.status_code] += 1
        return response


def clients(count: int, connections: int = 1) -> list[httpx.AsyncClient]:
    """One httpx client (own keep-alive connections) per simulated client.

    Not one shared pool sized for all of them: httpcore's pool does work proportional to
    its connections on every request, and at 200 connections the test process, not the
    server, was the bottleneck (about 240 requests/s with the server 97% idle, against
    about 850/s with a client each)."""
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    return [httpx.AsyncClient(limits=limits, timeout=30) for _ in range(count)]


async def closing(http: list[httpx.AsyncClient]) -> None:
    await asyncio.gather(*(client.aclose() for client in http))


async def run_until(deadline: float, step: Callable[[int], Awaitable[None]]) -> None:
    count = 0
    while time.monotonic() < deadline:
        await step(count)
        count += 1


@pytest.mark.timed
async def test_200_clients_get_answers_and_memory_stays_flat(tmp_path: Path) -> None:
    env = {"CANDOR_RATE_LIMIT_PER_MINUTE": "100000000"}
    with serving(f"sqlite://{tmp_path}/candor.sqlite3", tmp_path, extra_env=env) as (
        base,
        process,
    ):
        tally = Tally()
        started = time.monotonic()
        deadline = started + LOAD_SECONDS

        async def client(number: int, http: httpx.AsyncClient) -> None:
            etags: dict[str, str] = {}

            async def step(count: int) -> None:
                host = HOSTS[(number + count) % len(HOSTS)]
                # Every other request revalidates with the ETag it has for the host (304),
                # as browsers and the extension do; the others ask afresh (200).
                etag = etags.get(host) if count % 2 else None
                headers = {"If-None-Match": etag} if etag else {}
                response = await tally.get(http, f"{base}/v1/ratings/{host}", headers)
                if response is not None and response.status_code == 200:
                    etags[host] = response.headers["etag"]

            await run_until(deadline, step)

        async def sample_rss() -> int:
            await asyncio.sleep(WARM_UP_SECONDS)
            return rss_bytes(process.pid)

        http = clients(CLIENTS)
        try:
            warm_task = asyncio.create_task(sample_rss())
            await asyncio.gather(*(client(number, http[number]) for number in range(CLIENTS)))
            warm = await warm_task
        finally:
            await closing(http)
        end = rss_bytes(process.pid)
        elapsed = time.monotonic() - started

    total = sum(tally.statuses.values())
    print(
        f"\n{total} requests in {elapsed:.1f} s ({total / elapsed:.0f}/s), {dict(tally.statuses)};"
        f" RSS {warm / 2**20:.1f} MiB after warm-up, {end / 2**20:.1f} MiB at the end;"
        f" p99 {p99(tally.latencies) * 1000:.1f} ms"
    )
    assert not tally.errors, tally.errors[:5]
    assert set(tally.statuses) <= {200, 304}, tally.statuses
    assert tally.statuses[200] > 0 and tally.statuses[304] > 0
    assert total > CLIENTS * 10  # every client really kept asking
    assert end <= warm + max(RSS_SLACK_BYTES, warm * RSS_SLACK_FRACTION), (warm, end)


@pytest.mark.timed
async def test_an_abusive_client_does_not_raise_the_others_p99(tmp_path: Path) -> None:
    env = {
        "CANDOR_RATE_LIMIT_PER_MINUTE": str(LIMIT_PER_MINUTE),
        "CANDOR_TRUSTED_PROXIES": "127.0.0.0/8",
    }
    with serving(f"sqlite://{tmp_path}/candor.sqlite3", tmp_path, extra_env=env) as (base, _):
        # The abuser first spends its burst allowance (not measured, done before `started`),
        # so the measured windows see it at its steady 10x rate, mostly refused.
        started = time.monotonic() + ABUSER_DRAIN_SECONDS
        abuser = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.faults.abuser",
            f"{base}/v1/ratings/zoom.us",
            f"--rate={ABUSER_PER_SECOND}",
            f"--start={started}",
            f"--windows={WINDOWS}",
            f"--window={WINDOW_SECONDS}",
            cwd=ROOT,
            stdout=asyncio.subprocess.PIPE,
        )
        polite = clients(POLITE_CLIENTS)
        # Windows without and with the abuser alternate (even, odd), so both see the same
        # background noise: this machine is shared with benchmarks.
        without, with_abuser = Tally(), Tally()
        deadline = started + WINDOWS * WINDOW_SECONDS

        async def client(number: int) -> None:
            headers = {"X-Forwarded-For": f"10.0.1.{number}"}
            interval = 1 / POLITE_PER_SECOND
            # Spread the clients over the interval: a steady stream, not bursts.
            await asyncio.sleep(started - time.monotonic() + interval * number / POLITE_CLIENTS)

            async def step(count: int) -> None:
                due = time.monotonic() + interval
                host = HOSTS[(number + count) % len(HOSTS)]
                window = int((time.monotonic() - started) / WINDOW_SECONDS)
                tally = with_abuser if window % 2 else without
                await tally.get(polite[number], f"{base}/v1/ratings/{host}", headers)
                await asyncio.sleep(max(0.0, due - time.monotonic()))

            await run_until(deadline, step)

        try:
            await asyncio.gather(*(client(n) for n in range(POLITE_CLIENTS)))
        finally:
            await closing(polite)
        output, _ = await asyncio.wait_for(abuser.communicate(), timeout=30)
        assert abuser.returncode == 0
        abused = json.loads(output)

    before, during = p99(without.latencies), p99(with_abuser.latencies)
    statuses = {int(code): count for code, count in abused["statuses"].items()}
    sent = sum(statuses.values())
    abusing_seconds = WINDOWS // 2 * WINDOW_SECONDS
    print(
        f"\npolite p99 {before * 1000:.1f} ms without the abuser, {during * 1000:.1f} ms with it"
        f" ({len(without.latencies)} and {len(with_abuser.latencies)} requests);"
        f" abuser: {statuses} in {abusing_seconds:.0f} s"
    )
    assert not without.errors and not with_abuser.errors, [*without.errors, *with_abuser.errors]
    assert not abused["errors"], abused["errors"][:5]
    # Well-behaved clients are never limited, even while the abuser is.
    assert set(without.statuses) | set(with_abuser.statuses) <= {200, 304}
    assert len(with_abuser.latencies) > 500 and len(without.latencies) > 500
    assert during <= 2 * max(before, P99_FLOOR_SECONDS), (before, during)
    # The abuser sent its 10x and got no more than its budget: 10/s from the moment its
    # bucket was empty (it refills while the abuser pauses too), give or take a token or two
    # of timing between the processes.
    assert abused["drained_at"] < started and abused["drained"]["429"] == 1
    assert sent == ABUSER_PER_SECOND * abusing_seconds
    allowed = sent - statuses.get(429, 0)
    budget = LIMIT_PER_MINUTE / 60 * (deadline - abused["drained_at"])
    assert allowed <= budget + 2, (statuses, budget)
    assert set(statuses) <= {200, 429}, statuses
