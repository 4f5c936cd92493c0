"""PostgreSQL going away under a running ``candor serve``, and not being there at start.

The API reaches PostgreSQL through a TCP proxy (tests/faults/tcp_proxy.py) that the test
cuts and restores: to the API that is a stopped database server (reset connections,
refused connects), without stopping the PostgreSQL that other tests share.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest

from ratings.fixtures import read_fixtures
from tests.conftest import FIXTURES, POSTGRES_URL
from tests.faults.tcp_proxy import TcpProxy, tcp_proxy
from tests.process import postgres_database, serving, wait_until_ready

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not POSTGRES_URL,
        reason="PostgreSQL tests skipped: set CANDOR_TEST_POSTGRES_URL (CI does)",
    ),
]

REAL = read_fixtures(FIXTURES)
# Every rated service by a host it owns (its first domain).
HOSTS = {slug: service.domains[0] for slug, service in REAL.services.items()}


@pytest.fixture
def proxied_database() -> Iterator[tuple[str, TcpProxy]]:
    """A fresh database, and its URL through a proxy the test can cut."""
    assert POSTGRES_URL
    with postgres_database() as url, tcp_proxy() as proxy:
        rest = url.split("@", 1)[1]  # host:port/name
        user = url.split("@", 1)[0]
        name = rest.split("/", 1)[1]
        yield f"{user}@127.0.0.1:{proxy.port}/{name}", proxy


def poll(check: Callable[[], bool], timeout: float, interval: float = 0.2) -> float | None:
    """Seconds until ``check()`` held, or None if it never did within ``timeout``."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if check():
            return time.monotonic() - started
        time.sleep(interval)
    return None


def readiness(base: str) -> int:
    try:
        # /readyz gives the database 3 s before it says 503; wait a little longer.
        return httpx.get(f"{base}/readyz", timeout=5).status_code
    except httpx.TransportError:
        return -1


def test_ratings_are_served_through_an_outage_and_readiness_recovers(
    proxied_database: tuple[str, TcpProxy], tmp_path: Path
) -> None:
    url, proxy = proxied_database
    with serving(url, tmp_path) as (base, process), httpx.Client(base_url=base) as http:
        pid = process.pid
        assert http.get("/readyz").status_code == 200

        proxy.stop()
        down_after = poll(lambda: readiness(base) == 503, timeout=10)
        assert down_after is not None, "readiness still 200 with the database gone"
        ready = http.get("/readyz", timeout=5)
        assert (ready.json()["database"], ready.json()["dataset_loaded"]) == (False, True)

        # With the database unreachable, every rated host still answers from memory; most
        # were never asked before, so no cached answer of a previous request helps.
        for slug, host in HOSTS.items():
            answer = http.get(f"/v1/ratings/{host}", timeout=5)
            assert answer.status_code == 200, (host, answer.text)
            assert answer.json()["slug"] == slug
        assert readiness(base) == 503, "the database came back by itself?"

        proxy.start()
        up_after = poll(lambda: readiness(base) == 200, timeout=15)
        assert up_after is not None, "readiness did not recover after the database came back"
        # Recovered in place: the same process, never restarted.
        assert process.poll() is None and process.pid == pid
        assert http.get("/v1/ratings/zoom.us").json()["slug"] == "zoom"
        print(f"readyz 503 after {down_after:.1f} s, 200 again after {up_after:.1f} s")


def test_serve_waits_for_a_database_that_is_not_there_yet(
    proxied_database: tuple[str, TcpProxy], tmp_path: Path
) -> None:
    url, proxy = proxied_database
    proxy.stop()  # the port stays reserved for this proxy: the URL stays valid
    with serving(url, tmp_path, wait_ready=False) as (base, process):
        log = tmp_path / f"serve-{base.rsplit(':', 1)[1]}.log"
        # Waited for, not slept for: on a busy machine starting up takes seconds.
        tried = poll(lambda: "database not reachable" in log.read_text(), timeout=30)
        assert tried is not None, log.read_text()
        assert process.poll() is None, log.read_text()
        assert readiness(base) == -1  # not listening before the database is prepared

        proxy.start()
        started = time.monotonic()
        wait_until_ready(base, process, log, timeout=30)
        zoom = httpx.get(f"{base}/v1/ratings/zoom.us", timeout=5)
        assert zoom.status_code == 200 and zoom.json()["slug"] == "zoom"
        print(f"ready {time.monotonic() - started:.1f} s after the database came up")


def test_the_proxy_cuts_the_path_like_a_stopped_server() -> None:
    """The premise of the tests above: after stop() a held connection is reset and a new
    one refused; after start() the same URL works again."""
    assert POSTGRES_URL
    database = POSTGRES_URL.rsplit("/", 1)[1]

    async def scenario(proxy: TcpProxy) -> None:
        url = f"postgres://postgres@127.0.0.1:{proxy.port}/{database}"
        held = await asyncpg.connect(url)
        assert await held.fetchval("SELECT 1") == 1
        proxy.stop()
        with pytest.raises(asyncpg.ConnectionDoesNotExistError):
            await held.fetchval("SELECT 1")
        with pytest.raises(ConnectionRefusedError):
            await asyncpg.connect(url)
        proxy.start()
        again = await asyncpg.connect(url)
        assert await again.fetchval("SELECT 1") == 1
        await again.close()

    with tcp_proxy() as proxy:
        asyncio.run(scenario(proxy))
