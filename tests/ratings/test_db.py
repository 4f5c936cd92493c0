from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from contextlib import nullcontext
from pathlib import Path
from typing import Any

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


_UPGRADE = """
import asyncio, sys
from tortoise import Tortoise
from ratings.db import migrate, tortoise_config

async def main(url: str) -> None:
    await migrate(url, target="models.0001_initial")
    await Tortoise.init(config=tortoise_config(url), _enable_global_fallback=True)
    connection = Tortoise.get_connection("default")
    # A methodology v1 database with data in it: a service, a criterion, a history row.
    await connection.execute_script(
        "INSERT INTO service (id, slug, name, company, homepage, status, reviewed_on, summary,"
        " score, grade, digest, updated_at) VALUES (1, 'old', 'Old', 'Old Inc.',"
        " 'https://old.example/', 'active', '2026-01-01', 'An old service.', 50, 'D', 'x',"
        " '2026-01-01T00:00:00+00:00');"
        "INSERT INTO criterion_assessment (service_id, criterion, level, evidence, sources)"
        " VALUES (1, 'e2ee_calls', 'none', 'No end-to-end encryption.', '[]');"
        "INSERT INTO grade_change (slug, old_grade, new_grade, old_score, new_score, reason,"
        " dataset_version, changed_at) VALUES ('old', NULL, 'D', NULL, 50, 'service added',"
        " 'v1', '2026-01-01T00:00:00+00:00');"
    )
    await Tortoise.close_connections()
    await migrate(url)

asyncio.run(main(sys.argv[1]))
"""


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_a_methodology_v1_database_upgrades_in_place(backend: str, tmp_path: Path) -> None:
    """An existing database (rows in every table) takes the v2 migration: SQLite cannot add
    a NOT NULL column to a table with rows, and a failed migration must not hang."""
    if backend == "postgres" and not POSTGRES_URL:
        pytest.skip("PostgreSQL tests skipped: set CANDOR_TEST_POSTGRES_URL (CI does)")
    context = (
        postgres_database()
        if backend == "postgres"
        else nullcontext(f"sqlite://{tmp_path}/v1.sqlite3")
    )
    with context as url:
        run = subprocess.run(
            [sys.executable, "-c", _UPGRADE, url], capture_output=True, text=True, timeout=120
        )
        assert run.returncode == 0, run.stderr

        async def read() -> list[Any]:
            from tortoise import Tortoise

            from ratings.repository import cause_of_reason

            await Tortoise.init(config=tortoise_config(url), _enable_global_fallback=True)
            try:
                rows = await Tortoise.get_connection("default").execute_query_dict(
                    "SELECT reason, cause FROM grade_change"
                )
            finally:
                await Tortoise.close_connections()
            return [(row["cause"], cause_of_reason(row["reason"])) for row in rows]

        assert asyncio.run(read()) == [(None, "added")]


_BROKEN_MIGRATION = """
from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("models", "0001_initial")]
    operations = [
        ops.AddField(model_name="Service", name="broken", field=fields.IntField(default=0)),
    ]
"""

_MIGRATE_WITH = """
import asyncio, sys
import ratings.db as db
from ratings.migrations import __name__ as _

base = db.tortoise_config
def config(url=None):
    found = base(url)
    found["apps"]["models"]["migrations"] = "brokenmigs"
    return found
db.tortoise_config = config
asyncio.run(db.migrate(sys.argv[1]))
"""


def test_a_failed_migration_exits_instead_of_hanging(tmp_path: Path) -> None:
    """A migration that fails on a database with rows (SQLite cannot add a NOT NULL column
    to a table that has rows) reports the error and exits; it used to hang for ever."""
    import shutil

    import ratings.migrations

    package = tmp_path / "brokenmigs"
    package.mkdir()
    (package / "__init__.py").write_text("")
    source = Path(ratings.migrations.__file__).parent / "0001_initial.py"
    shutil.copy(source, package / "0001_initial.py")
    (package / "0002_broken.py").write_text(_BROKEN_MIGRATION)
    url = f"sqlite://{tmp_path}/rows.sqlite3"
    first = subprocess.run(
        [sys.executable, "-c", _MIGRATE_WITH.replace('"brokenmigs"', '"ratings.migrations"'), url],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert first.returncode == 0, first.stderr
    import sqlite3

    with sqlite3.connect(tmp_path / "rows.sqlite3") as connection:
        connection.execute(
            "INSERT INTO service (slug, name, company, homepage, status, reviewed_on, summary,"
            " digest, updated_at, details) VALUES ('x', 'X', 'X', 'https://x.example/',"
            " 'active', '2026-01-01', 'A service.', 'd', '2026-01-01', NULL)"
        )
        connection.execute("DELETE FROM tortoise_migrations WHERE name != '0001_initial'")
    run = subprocess.run(
        [sys.executable, "-c", _MIGRATE_WITH, url],
        capture_output=True,
        text=True,
        timeout=60,
        env={
            **os.environ,
            "PYTHONPATH": f"{tmp_path}{os.pathsep}{os.environ.get('PYTHONPATH', '')}",
        },
    )
    assert run.returncode != 0
    assert "NOT NULL" in run.stderr
