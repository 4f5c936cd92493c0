"""ratings/models.py and ratings/migrations agree: the committed migrations describe the
models exactly (nothing for ``makemigrations`` to write), and a database migrated from
them has the tables the models are named after in ``Meta.table``."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tortoise import Tortoise
from tortoise.migrations.autodetector import MigrationAutodetector

from ratings.db import migrate, tortoise_config

TABLES = {
    "service",
    "domain",
    "meeting_pattern",
    "criterion_assessment",
    "grade_change",
    "criterion_change",
    "dataset_release",
    "dataset",
    "api_key",
    "suggestion",
}


async def test_the_migrations_describe_the_models(tmp_path: Path) -> None:
    config = tortoise_config(f"sqlite://{tmp_path}/models.sqlite3")
    await Tortoise.init(config=config)
    try:
        pending = await MigrationAutodetector(Tortoise.apps, config["apps"]).changes()
    finally:
        await Tortoise.close_connections()
    assert [op.describe() for writer in pending for op in writer.operations] == []


async def test_the_migrated_tables_keep_their_names(tmp_path: Path) -> None:
    """Renaming a model class (``Dataset`` to ``DatasetVersionRow``) renames no table."""
    path = tmp_path / "migrated.sqlite3"
    await migrate(f"sqlite://{path}")
    with sqlite3.connect(path) as connection:
        tables = {
            name
            for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
    assert tables - {"sqlite_sequence", "tortoise_migrations"} == TABLES
