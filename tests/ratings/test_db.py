from __future__ import annotations

import asyncio
import subprocess
import sys

import pytest

from ratings.db import tortoise_config, with_sqlite_defaults
from tests.conftest import POSTGRES_URL
from tests.process import postgres_database

_MIGRATE = "import asyncio, sys; from ratings.db import migrate; asyncio.run(migrate(sys.argv[1]))"


def test_sqlite_urls_get_a_busy_timeout() -> None:
    assert with_sqlite_defaults("sqlite://x.sqlite3") == "sqlite://x.sqlite3?busy_timeout=120000"
    assert with_sqlite_defaults("sqlite://x?busy_timeout=5") == "sqlite://x?busy_timeout=5"
    assert with_sqlite_defaults("postgres://h/db") == "postgres://h/db"
    assert tortoise_config("sqlite://y")["connections"]["default"].endswith("busy_timeout=120000")


@pytest.mark.postgres
@pytest.mark.skipif(
    not POSTGRES_URL, reason="PostgreSQL tests skipped: set CANDOR_TEST_POSTGRES_URL (CI does)"
)
def test_replicas_migrating_at_once_do_not_collide() -> None:
    with postgres_database() as url:
        runs = [
            subprocess.Popen(
                [sys.executable, "-c", _MIGRATE, url], stderr=subprocess.PIPE, text=True
            )
            for _ in range(3)
        ]
        errors = [run.communicate(timeout=120)[1] for run in runs]
        assert [run.returncode for run in runs] == [0, 0, 0], errors

        async def tables() -> set[str]:
            import asyncpg

            connection = await asyncpg.connect(url)
            try:
                rows = await connection.fetch(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                )
            finally:
                await connection.close()
            return {row["tablename"] for row in rows}

        assert {"service", "domain", "grade_change", "dataset", "api_key"} <= asyncio.run(tables())
