"""Reading a database behind the loader's back (sqlite3 / asyncpg, no Tortoise), so the
tests see what another process would see, not what the code under test believes."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import ROOT
from tests.process import CANDOR

TABLES = ("service", "domain", "criterion_assessment", "grade_change")


@dataclass(frozen=True)
class DbState:
    version: str | None
    counts: dict[str, int]
    slugs: frozenset[str]
    # The dataset versions that wrote grade history: one per load that changed something.
    history_versions: frozenset[str]


def sqlite_path(url: str) -> str:
    return url.removeprefix("sqlite://").split("?", 1)[0]


def read_state(url: str) -> DbState:
    if url.startswith("sqlite://"):
        return _read_sqlite(sqlite_path(url))
    return asyncio.run(_read_postgres(url))


def _read_sqlite(path: str) -> DbState:
    # A fresh connection: it must ignore any uncommitted frames a killed writer left in the
    # WAL, which is the point of several tests.
    connection = sqlite3.connect(path, timeout=10)
    try:
        row = connection.execute("SELECT version FROM dataset WHERE id = 1").fetchone()
        counts = {
            table: int(connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
            for table in TABLES
        }
        slugs = frozenset(r[0] for r in connection.execute("SELECT slug FROM service"))
        history = frozenset(
            r[0] for r in connection.execute("SELECT DISTINCT dataset_version FROM grade_change")
        )
        return DbState(row[0] if row else None, counts, slugs, history)
    finally:
        connection.close()


async def _read_postgres(url: str) -> DbState:
    import asyncpg

    connection = await asyncpg.connect(url)
    try:
        version = await connection.fetchval("SELECT version FROM dataset WHERE id = 1")
        counts = {
            table: int(await connection.fetchval(f"SELECT count(*) FROM {table}"))
            for table in TABLES
        }
        slugs = frozenset(r["slug"] for r in await connection.fetch("SELECT slug FROM service"))
        history = frozenset(
            r[0]
            for r in await connection.fetch("SELECT DISTINCT dataset_version FROM grade_change")
        )
        return DbState(version, counts, slugs, history)
    finally:
        await connection.close()


def candor_env(url: str) -> dict[str, str]:
    return {**os.environ, "CANDOR_DATABASE_URL": url}


def load(url: str, directory: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """``candor fixtures load DIR`` as an operator runs it."""
    return subprocess.run(
        [CANDOR, "fixtures", "load", str(directory)],
        cwd=ROOT,
        env=candor_env(url),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def synth(count: int, directory: Path) -> Path:
    """``candor fixtures synth N DIR`` (run from the project root: it copies the real
    methodology from ./fixtures)."""
    subprocess.run(
        [CANDOR, "fixtures", "synth", str(count), str(directory)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=120,
    )
    return directory
