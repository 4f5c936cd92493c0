"""Database configuration and schema migrations, shared by the CLI and the API.

Every function takes the database URL from its caller: nothing here reads the
environment, or builds a configuration when the module is imported.
"""

from __future__ import annotations

from typing import Any

DEFAULT_DATABASE_URL = "sqlite://candor.sqlite3"
MODELS = ["ratings.models"]

# How long an SQLite writer waits for another one (ms). Loads take the write lock for
# their whole transaction (ratings/repository/writes.py), so a second load waits for the first
# rather than failing with "database is locked"; a big load takes seconds, not minutes.
SQLITE_BUSY_TIMEOUT_MS = 120_000


def with_sqlite_defaults(url: str) -> str:
    """The URL, plus a busy timeout for SQLite when it names none (Tortoise turns query
    parameters of an SQLite URL into PRAGMAs on its connection)."""
    if not url.startswith("sqlite:") or "busy_timeout=" in url:
        return url
    return f"{url}{'&' if '?' in url else '?'}busy_timeout={SQLITE_BUSY_TIMEOUT_MS}"


def tortoise_config(url: str) -> dict[str, Any]:
    return {
        "connections": {"default": with_sqlite_defaults(url)},
        "apps": {
            "models": {
                "models": MODELS,
                "migrations": "ratings.migrations",
                "default_connection": "default",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


def is_postgres(url: str) -> bool:
    return url.startswith(("postgres://", "postgresql://", "asyncpg://"))


async def migrate(url: str, target: str | None = None) -> None:
    """Apply every committed migration (creating the schema on a new database), or those
    up to ``target`` (``models.0001_initial``, say)."""
    if not is_postgres(url):
        await _run_migrations(url, target)
        return
    # Replicas started together (docker compose --scale) would otherwise race to create
    # the same tables: a session-level advisory lock lets one migrate while the others
    # wait, then find nothing left to do.
    import asyncpg

    holder = await asyncpg.connect(url.replace("asyncpg://", "postgres://", 1))
    try:
        await holder.execute("SELECT pg_advisory_lock($1)", _MIGRATION_LOCK_KEY)
        await _run_migrations(url, target)
    finally:
        await holder.close()  # closing the session releases its lock


async def _run_migrations(url: str, target: str | None) -> None:
    from tortoise import Tortoise
    from tortoise.migrations.api import migrate as run_migrations

    try:
        await run_migrations(config=tortoise_config(url), target=target)
    finally:
        # Also when a migration fails: an SQLite connection left open keeps its worker
        # thread alive, and the process would hang at exit instead of reporting the error.
        await Tortoise.close_connections()


_MIGRATION_LOCK_KEY = 0x43414E444F53
