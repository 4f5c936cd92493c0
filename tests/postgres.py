"""PostgreSQL databases for tests: each made with a unique name, each dropped afterwards.

Every database a test makes on the server goes through here, so that none outlives its
test: the drop runs even when the test failed, and first ends any connection still open
to the database (a ``candor serve`` the test started, a migration subprocess), which would
otherwise make ``DROP DATABASE`` fail. The names made by this process are kept, so that the
session can check at its end that none is left (tests/conftest.py).

``CANDOR_TEST_DATABASE_PREFIX`` sets the names' prefix (default ``candor_test``): a run
given a prefix of its own can tell afterwards that it left nothing behind.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

PREFIX_VARIABLE = "CANDOR_TEST_DATABASE_PREFIX"
DEFAULT_PREFIX = "candor_test"

# Name -> the URL of a database on its server, for every database this process made.
created: dict[str, str] = {}


def database_prefix() -> str:
    return os.environ.get(PREFIX_VARIABLE) or DEFAULT_PREFIX


def server_url() -> str:
    """The tests' server: CANDOR_TEST_POSTGRES_URL, any database on it."""
    url = os.environ.get("CANDOR_TEST_POSTGRES_URL")
    assert url, "CANDOR_TEST_POSTGRES_URL is not set"
    return url


def with_database(url: str, name: str) -> str:
    """``url`` with its database name replaced by ``name``."""
    return url.rsplit("/", 1)[0] + "/" + name


async def _execute(admin_url: str, sql: str, *args: Any) -> list[Any]:
    import asyncpg

    connection = await asyncpg.connect(admin_url)
    try:
        return list(await connection.fetch(sql, *args))
    finally:
        await connection.close()


async def create_database(admin_url: str | None = None, prefix: str | None = None) -> str:
    """Make an empty database with a fresh name; returns its URL. The caller must drop it
    (``drop_database``): prefer ``postgres_database``, which always does."""
    admin = admin_url or server_url()
    name = f"{prefix or database_prefix()}_{uuid.uuid4().hex[:12]}"
    await _execute(admin, f'CREATE DATABASE "{name}"')
    created[name] = admin
    return with_database(admin, name)


async def drop_database(url: str, admin_url: str | None = None) -> None:
    """Drop the database ``url`` names, ending the connections still open to it first."""
    admin = admin_url or created.get(url.rsplit("/", 1)[1]) or server_url()
    name = url.rsplit("/", 1)[1]
    # New connections may arrive between the two statements (a subprocess reconnecting):
    # FORCE ends those as well, and the database is gone once the DROP returns.
    await _execute(
        admin,
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
        " WHERE datname = $1 AND pid <> pg_backend_pid()",
        name,
    )
    await _execute(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def left_behind() -> list[str]:
    """The databases this process made that are still on their server, sorted."""
    left: list[str] = []
    for admin in set(created.values()):
        names = [name for name, server in created.items() if server == admin]
        rows = await _execute(
            admin, "SELECT datname FROM pg_database WHERE datname = ANY($1::text[])", names
        )
        left.extend(row["datname"] for row in rows)
    return sorted(left)


async def existing_with_prefix(prefix: str, admin_url: str | None = None) -> list[str]:
    """The databases on the server whose names start with ``prefix``, sorted."""
    rows = await _execute(
        admin_url or server_url(),
        # LIKE would read the prefix's underscores as wildcards.
        "SELECT datname FROM pg_database WHERE starts_with(datname, $1) ORDER BY datname",
        prefix,
    )
    return [row["datname"] for row in rows]


@asynccontextmanager
async def postgres_database_async(
    admin_url: str | None = None, prefix: str | None = None
) -> AsyncIterator[str]:
    """A fresh database (yields its URL), dropped afterwards whatever happened."""
    url = await create_database(admin_url, prefix)
    try:
        yield url
    finally:
        await drop_database(url, admin_url)


@contextmanager
def postgres_database(admin_url: str | None = None, prefix: str | None = None) -> Iterator[str]:
    """``postgres_database_async`` for synchronous code. ``admin_url`` is any database on
    the server (default: the tests' ``CANDOR_TEST_POSTGRES_URL``)."""
    url = asyncio.run(create_database(admin_url, prefix))
    try:
        yield url
    finally:
        asyncio.run(drop_database(url, admin_url))
