"""Database configuration and schema migrations, shared by the CLI and the API."""

from __future__ import annotations

import os
from typing import Any

DEFAULT_DATABASE_URL = "sqlite://candor.sqlite3"
MODELS = ["ratings.models"]


def database_url() -> str:
    return os.environ.get("CANDOR_DATABASE_URL") or DEFAULT_DATABASE_URL


# How long an SQLite writer waits for another one (ms). Loads take the write lock for
# their whole transaction (ratings/loader.py), so a second load waits for the first
# rather than failing with "database is locked"; a big load takes seconds, not minutes.
SQLITE_BUSY_TIMEOUT_MS = 120_000


def with_sqlite_defaults(url: str) -> str:
    """The URL, plus a busy timeout for SQLite when it names none (Tortoise turns query
    parameters of an SQLite URL into PRAGMAs on its connection)."""
    if not url.startswith("sqlite:") or "busy_timeout=" in url:
        return url
    return f"{url}{'&' if '?' in url else '?'}busy_timeout={SQLITE_BUSY_TIMEOUT_MS}"


def tortoise_config(url: str | None = None) -> dict[str, Any]:
    return {
        "connections": {"default": with_sqlite_defaults(url or database_url())},
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


async def migrate(url: str | None = None) -> None:
    """Apply every committed migration (creating the schema on a new database)."""
    from tortoise.migrations.api import migrate as run_migrations

    await run_migrations(config=tortoise_config(url))


TORTOISE_ORM = tortoise_config()
