"""Shared fixtures: fixture directories to load, and databases (SQLite always,
PostgreSQL when CANDOR_TEST_POSTGRES_URL names a server: CI sets it)."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from tortoise.context import TortoiseContext, tortoise_test_context

from ratings.db import MODELS
from ratings.synth import write_synthetic

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


def postgres_test_url() -> str:
    """A URL whose database name tortoise_test_context fills with a fresh random name."""
    assert POSTGRES_URL
    base, _, _ = POSTGRES_URL.rpartition("/")
    return base + "/candor_test_{}"


@pytest.fixture(params=BACKENDS)
async def db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[TortoiseContext]:
    """A fresh, empty database with the schema, on each backend."""
    url = f"sqlite://{tmp_path}/test.sqlite3" if request.param == "sqlite" else postgres_test_url()
    # A connection label per backend: Tortoise caches each model's INSERT statement by
    # connection name, and a cached SQLite statement ("?" placeholders) fails on asyncpg.
    async with tortoise_test_context(MODELS, db_url=url, connection_label=request.param) as ctx:
        yield ctx


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
