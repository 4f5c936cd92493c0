"""The security suite: issue 13's attacks, rerun against real ``candor serve`` processes."""

from __future__ import annotations

import asyncio
import resource
import time
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest

from tests.process import serving


@pytest.fixture(scope="session", autouse=True)
def enough_descriptors() -> None:
    """The slow-client attack opens 1,100 sockets from this process."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 4096 if hard == resource.RLIM_INFINITY else min(hard, 4096)
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


@pytest.fixture(scope="module")
def open_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    """One SQLite-backed server with a budget no attack here exhausts: (base URL, pid)."""
    workdir = tmp_path_factory.mktemp("security")
    env = {"CANDOR_RATE_LIMIT_PER_MINUTE": "100000000"}
    with serving(f"sqlite://{workdir}/candor.sqlite3", workdir, extra_env=env) as (base, proc):
        yield base, proc.pid


def pg_transactions(admin_url: str, database: str, quiet: float = 2.0, limit: float = 20) -> int:
    """Committed plus rolled-back transactions of ``database`` so far, once PostgreSQL's
    statistics have settled (backends flush them about once a second when idle)."""

    async def read() -> int:
        connection = await asyncpg.connect(admin_url)
        try:
            value = await connection.fetchval(
                "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = $1",
                database,
            )
            return int(value or 0)
        finally:
            await connection.close()

    deadline = time.monotonic() + limit
    last = asyncio.run(read())
    stable_since = time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = asyncio.run(read())
        if now != last:
            last, stable_since = now, time.monotonic()
        elif time.monotonic() - stable_since >= quiet:
            break
    return last


def read_log(workdir: Path, base: str) -> Path:
    return workdir / f"serve-{base.rsplit(':', 1)[1]}.log"
