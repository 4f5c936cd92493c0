"""No PostgreSQL database outlives the test that made it: a pytest run of its own, with a
database-name prefix of its own, passing and failing tests alike, leaves none behind."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests import postgres
from tests.conftest import POSTGRES_URL, ROOT

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not POSTGRES_URL, reason="PostgreSQL tests skipped: set CANDOR_TEST_POSTGRES_URL (CI does)"
    ),
]

# Real tests of the suite, one per way a test gets a database: the ``db`` fixture, a
# database shared with migration subprocesses, and one a ``candor serve`` is connected to.
REAL_TESTS = [
    "tests/ratings/test_loader.py::test_loading_twice_changes_nothing[postgres]",
    "tests/ratings/test_db.py::test_replicas_migrating_at_once_do_not_collide",
    "tests/api/test_serve.py::test_serve_loads_an_empty_database_and_answers[postgres]",
]

# Tests that fail on purpose, each after noting the databases of the run's prefix that
# exist while it runs (its own), so the outer test knows that they were made.
FAILING_TESTS = """
import asyncio
import os
import subprocess
import sys
from pathlib import Path

from tortoise.context import TortoiseContext

from tests.conftest import db
from tests.postgres import PREFIX_VARIABLE, existing_with_prefix, postgres_database

HOLD = (
    "import asyncio, sys, asyncpg; asyncio.run(asyncpg.connect(sys.argv[1]));"
    " print('ready', flush=True); input()"
)


def note(names: list[str]) -> None:
    with Path(os.environ["NAMES_FILE"]).open("a") as file:
        file.writelines(name + "\\n" for name in names)


async def test_a_failing_test_on_the_db_fixture(db: TortoiseContext) -> None:
    note(await existing_with_prefix(os.environ[PREFIX_VARIABLE]))
    raise AssertionError("fails on purpose")


def test_a_failing_test_whose_subprocess_holds_a_connection() -> None:
    holder = None
    try:
        with postgres_database() as url:
            note(asyncio.run(existing_with_prefix(os.environ[PREFIX_VARIABLE])))
            holder = subprocess.Popen(
                [sys.executable, "-c", HOLD, url], stdin=subprocess.PIPE, stdout=subprocess.PIPE
            )
            assert holder.stdout is not None and holder.stdout.readline() == b"ready\\n"
            raise AssertionError("fails on purpose, its database still in use")
    finally:
        if holder is not None:
            holder.kill()
            holder.wait()


def test_a_passing_test_that_leaves_its_database() -> None:
    from tests.postgres import create_database

    note([asyncio.run(create_database()).rsplit("/", 1)[1]])
"""

# Any quick test of the suite: with it in the run, tests/conftest.py (and so the check at
# the end of the session) is in force.
QUICK_TEST = "tests/ratings/test_db.py::test_sqlite_urls_get_a_busy_timeout"


def run_pytest(tmp_path: Path, prefix: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        postgres.PREFIX_VARIABLE: prefix,
        "NAMES_FILE": str(tmp_path / "names.txt"),
    }
    options = ["-q", "-p", "no:cacheprovider", "-c", "pyproject.toml"]
    return subprocess.run(
        [sys.executable, "-m", "pytest", *options, "--basetemp", str(tmp_path / "inner"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def inner_tests(tmp_path: Path, *names: str) -> list[str]:
    module = tmp_path / "test_failing_on_purpose.py"
    module.write_text(FAILING_TESTS)
    return [f"{module}::{name}" for name in names]


def test_every_database_a_run_makes_is_dropped_even_when_its_test_fails(tmp_path: Path) -> None:
    prefix = f"candor_dropcheck_{uuid.uuid4().hex[:8]}"
    failing = inner_tests(
        tmp_path,
        "test_a_failing_test_on_the_db_fixture[postgres]",
        "test_a_failing_test_whose_subprocess_holds_a_connection",
    )
    try:
        run = run_pytest(tmp_path, prefix, *REAL_TESTS, *failing)
        report = run.stdout + run.stderr
        assert run.returncode == 1, report
        assert "2 failed, 3 passed" in report, report
        assert "left behind" not in report, report
        made = set((tmp_path / "names.txt").read_text().split())
        assert len(made) == 2 and all(name.startswith(prefix) for name in made), made
        assert asyncio.run(postgres.existing_with_prefix(prefix)) == []
    finally:
        drop_all(prefix)


def test_a_run_that_leaves_a_database_behind_fails(tmp_path: Path) -> None:
    prefix = f"candor_dropcheck_{uuid.uuid4().hex[:8]}"
    leaving = inner_tests(tmp_path, "test_a_passing_test_that_leaves_its_database")
    try:
        run = run_pytest(tmp_path, prefix, QUICK_TEST, *leaving)
        report = run.stdout + run.stderr
        [left] = (tmp_path / "names.txt").read_text().split()
        assert "2 passed" in report, report
        assert run.returncode == 1, report
        assert f"PostgreSQL test databases left behind by this run: {left}" in report, report
    finally:
        drop_all(prefix)


def drop_all(prefix: str) -> None:
    """Whatever the inner run left (the checks above tell): this test leaves nothing."""
    for name in asyncio.run(postgres.existing_with_prefix(prefix)):
        asyncio.run(postgres.drop_database(postgres.with_database(postgres.server_url(), name)))
