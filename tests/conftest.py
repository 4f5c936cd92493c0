"""Shared fixtures: fixture directories to load, and databases (SQLite always,
PostgreSQL when CANDOR_TEST_POSTGRES_URL names a server: CI sets it)."""

from __future__ import annotations

import asyncio
import os
import shutil
import warnings
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml
from tortoise.backends.base.config_generator import generate_config
from tortoise.context import TortoiseContext
from tortoise.warnings import TortoiseLoopSwitchWarning

from ratings.db import MODELS
from ratings.synth import write_synthetic
from tests import postgres

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
VECTORS = ROOT / "tests" / "vectors" / "urls.json"
POSTGRES_URL = os.environ.get("CANDOR_TEST_POSTGRES_URL")
if os.environ.get("CANDOR_REQUIRE_POSTGRES") and not POSTGRES_URL:
    raise RuntimeError("CANDOR_REQUIRE_POSTGRES is set but CANDOR_TEST_POSTGRES_URL is not")

BACKENDS = [
    "sqlite",
    pytest.param(
        "postgres",
        marks=[
            pytest.mark.postgres,
            pytest.mark.skipif(
                not POSTGRES_URL,
                reason="PostgreSQL tests skipped: set CANDOR_TEST_POSTGRES_URL (CI does)",
            ),
        ],
    ),
]


@asynccontextmanager
async def tortoise_context(url: str, connection_label: str) -> AsyncIterator[TortoiseContext]:
    """Tortoise on the existing, empty database ``url``, with the schema. Not Tortoise's
    tortoise_test_context: it creates a PostgreSQL database it never drops."""
    with warnings.catch_warnings():
        # Each test has an event loop of its own; the context is made and closed in it.
        warnings.filterwarnings("ignore", category=TortoiseLoopSwitchWarning)
        config = generate_config(
            url, app_modules={"models": MODELS}, connection_label=connection_label, testing=True
        )
        async with TortoiseContext() as context:
            await context.init(config=config)
            await context.generate_schemas(safe=False)
            yield context


@pytest.fixture(params=BACKENDS)
async def db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[TortoiseContext]:
    """A fresh, empty database with the schema, on each backend."""
    # A connection label per backend: Tortoise caches each model's INSERT statement by
    # connection name, and a cached SQLite statement ("?" placeholders) fails on asyncpg.
    if request.param == "sqlite":
        async with tortoise_context(f"sqlite://{tmp_path}/test.sqlite3", "sqlite") as context:
            yield context
    else:
        async with (
            postgres.postgres_database_async() as url,
            tortoise_context(url, "postgres") as context,
        ):
            yield context


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the run if a PostgreSQL database a test of this run made is still there."""
    if not postgres.created:
        return
    left = asyncio.run(postgres.left_behind())
    if left:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        message = f"PostgreSQL test databases left behind by this run: {', '.join(left)}"
        if reporter is not None:
            reporter.write_line(message, red=True, bold=True)
        else:
            print(message)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture
def make_fixtures(tmp_path: Path) -> Callable[..., Path]:
    """Write a fixtures directory of ``count`` synthetic services (real methodology)."""

    def make(count: int = 3, name: str = "fixtures") -> Path:
        directory = tmp_path / name
        write_synthetic(count, directory, FIXTURES / "methodology.yaml")
        return directory

    return make


def edit_service(directory: Path, slug: str, change: Callable[[dict[str, Any]], None]) -> Path:
    path = directory / "services" / f"{slug}.yaml"
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def set_level(entry: dict[str, Any], level: str) -> None:
    """Set a criterion's level in a fixture mapping, keeping it valid: only a report
    criterion at full or partial records the end of its latest report period."""
    entry["level"] = level
    if level not in ("full", "partial"):
        entry.pop("latest_period_end", None)


def copy_real_fixtures(target: Path) -> Path:
    shutil.copytree(FIXTURES, target)
    return target
