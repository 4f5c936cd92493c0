"""What every command shares: errors on stderr, the fixtures read with their problems
reported, and the database for the length of one command."""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TypeAlias

from ratings.db import migrate, tortoise_config
from ratings.fixtures import FixtureErrors, FixtureSet, read_fixtures

DEFAULT_FIXTURES = Path("fixtures")


def err(message: str) -> None:
    print(message, file=sys.stderr)


@contextlib.asynccontextmanager
async def database(url: str) -> AsyncIterator[None]:
    """The database, migrated to the latest schema, for one CLI command."""
    from tortoise import Tortoise

    await migrate(url)
    await Tortoise.close_connections()
    await Tortoise.init(config=tortoise_config(url), _enable_global_fallback=True)
    try:
        yield
    finally:
        await Tortoise.close_connections()


def read_or_report(directory: Path) -> FixtureSet | None:
    """The fixtures, with their warnings on stderr; None (each problem on stderr) when a
    file is wrong."""
    try:
        fixtures = read_fixtures(directory)
    except FixtureErrors as exc:
        for problem in exc.problems:
            err(str(problem))
        err(f"{len(exc.problems)} error(s): nothing was written")
        return None
    for warning in fixtures.warnings:
        err(str(warning))
    return fixtures


# The object add_subparsers() returns, which each command module adds its parsers to.
Subcommands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"
