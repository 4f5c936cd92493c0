"""Fixture loads that die or collide: the database holds one whole dataset, always.

``candor fixtures load`` promises one transaction: a load killed halfway (SIGKILL, so no
handler, no rollback in Python) leaves the old dataset exactly, and two loads at once are
serialised (the second waits for the first, it does not fail or interleave).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sqlite3
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Protocol

import pytest

from ratings.fixtures import read_fixtures
from ratings.repository import LOAD_LOCK_KEY as _LOAD_LOCK_KEY
from tests.conftest import FIXTURES, POSTGRES_URL, ROOT, copy_real_fixtures, edit_service, set_level
from tests.faults.dbstate import candor_env, load, read_state, sqlite_path, synth
from tests.process import CANDOR

# Big enough that the load's transaction lasts long enough to catch it mid-write (on this
# machine: about a second of writing, several MB of rows).
BIG = 3000


@pytest.fixture(scope="module")
def big_fixtures(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return synth(BIG, tmp_path_factory.mktemp("big") / "fixtures")


def start_load(url: str, directory: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [CANDOR, "fixtures", "load", str(directory)],
        cwd=ROOT,
        env=candor_env(url),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for(condition: Callable[[], bool], what: str, timeout: float, *alive: Any) -> None:
    """Poll ``condition`` every 10 ms; fail if it takes too long or a process ends first."""
    deadline = time.monotonic() + timeout
    while not condition():
        for process in alive:
            if process.poll() is not None:
                _, err = process.communicate()
                raise AssertionError(f"{what}: the load ended first ({process.returncode}):\n{err}")
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting until {what}")
        time.sleep(0.01)


class Probe(Protocol):
    """What a backend shows to an outside observer while a load runs."""

    def writing(self) -> bool:
        """The load is inside its transaction and has written rows (not yet committed)."""

    def in_transaction(self) -> bool:
        """The load holds its transaction open (it has not committed)."""

    def settled(self) -> bool:
        """Nothing of the dead load remains on the server side."""

    def close(self) -> None: ...


class SqliteProbe:
    def __init__(self, url: str) -> None:
        self.path = sqlite_path(url)

    def in_transaction(self) -> bool:
        # The loader takes SQLite's write lock as its transaction's first statement and
        # keeps it to the commit; we cannot take it (timeout 0) exactly while it is held.
        connection = sqlite3.connect(self.path, timeout=0, isolation_level=None)
        try:
            connection.execute("BEGIN IMMEDIATE")
            connection.execute("ROLLBACK")
            return False
        except sqlite3.OperationalError as exc:
            assert "locked" in str(exc), exc
            return True
        finally:
            connection.close()

    def writing(self) -> bool:
        # Rows past the page cache spill into the WAL before the commit: a WAL of 256 KiB
        # while the write lock is still held is uncommitted data on disk (the previous
        # load's WAL was checkpointed and removed when it closed).
        wal = Path(self.path + "-wal")
        return wal.exists() and wal.stat().st_size > 256 * 1024 and self.in_transaction()

    def settled(self) -> bool:
        return True  # nothing outlives the process: the next reader ignores the WAL's tail

    def close(self) -> None:
        pass


class PostgresProbe:
    def __init__(self, url: str) -> None:
        import asyncpg

        assert POSTGRES_URL
        self.database = url.rsplit("/", 1)[1]
        self.runner = asyncio.Runner()
        # On the admin database: pg_stat_activity shows every database's backends.
        self.connection = self.runner.run(asyncpg.connect(POSTGRES_URL))

    def _count(self, condition: str) -> int:
        query = f"SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND {condition}"
        return int(self.runner.run(self.connection.fetchval(query, self.database)))

    def writing(self) -> bool:
        # backend_xid is assigned at a transaction's first write; by the first INSERT the
        # old services are already deleted in that transaction.
        return self._count("backend_xid IS NOT NULL AND query LIKE 'INSERT%'") > 0

    def in_transaction(self) -> bool:
        return self._count("backend_xid IS NOT NULL") > 0

    def settled(self) -> bool:
        # The server aborts the transaction when it notices the client is gone.
        return self._count("TRUE") == 0

    def close(self) -> None:
        self.runner.run(self.connection.close())
        self.runner.close()


@contextlib.contextmanager
def probe_for(url: str) -> Iterator[Probe]:
    probe: Probe = SqliteProbe(url) if url.startswith("sqlite:") else PostgresProbe(url)
    try:
        yield probe
    finally:
        probe.close()


def assert_sqlite_intact(url: str) -> None:
    if url.startswith("sqlite:"):
        connection = sqlite3.connect(sqlite_path(url))
        try:
            assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        finally:
            connection.close()


def test_a_load_killed_inside_its_transaction_leaves_the_old_dataset(
    database_url: str, big_fixtures: Path
) -> None:
    first = load(database_url, FIXTURES)
    assert first.returncode == 0, first.stderr
    old = read_state(database_url)
    assert old.version == read_fixtures(FIXTURES).version
    assert old.counts["service"] == len(read_fixtures(FIXTURES).services)

    process = start_load(database_url, big_fixtures)
    try:
        with probe_for(database_url) as probe:
            wait_for(probe.writing, "the load writes inside its transaction", 60, process)
            # Freeze it, check it really is still mid-transaction (not committing as we
            # looked), and only then kill it: a kill after the commit would prove nothing.
            process.send_signal(signal.SIGSTOP)
            assert probe.in_transaction(), "the load left its transaction before the kill"
            process.kill()
            process.wait(timeout=10)
            wait_for(probe.settled, "the server has dropped the killed load", 10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.communicate()
    assert process.returncode == -signal.SIGKILL

    assert read_state(database_url) == old
    assert_sqlite_intact(database_url)
    # And nothing is left locked: the next load runs, and finds the old files unchanged.
    again = load(database_url, FIXTURES, timeout=30)
    assert again.returncode == 0, again.stderr
    assert "no changes" in again.stdout


Gate = Callable[[list[subprocess.Popen[str]]], None]


@contextlib.contextmanager
def loads_gate(url: str) -> Iterator[Gate]:
    """Hold the loaders' lock from outside, so loads started now must all wait for it and
    then for each other: they are certain to collide, not merely likely to. Yields a
    function that returns once every given load is blocked on the lock."""
    gate = sqlite_gate if url.startswith("sqlite:") else postgres_gate
    with gate(url) as blocked:
        yield blocked


def cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def has_open(pid: int, path: str) -> bool:
    with contextlib.suppress(OSError):
        for fd in os.listdir(f"/proc/{pid}/fd"):
            with contextlib.suppress(OSError):
                if os.readlink(f"/proc/{pid}/fd/{fd}") == path:
                    return True
    return False


@contextlib.contextmanager
def sqlite_gate(url: str) -> Iterator[Gate]:
    path = sqlite_path(url)
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("BEGIN IMMEDIATE")

    def blocked(processes: list[subprocess.Popen[str]]) -> None:
        # Blocked = has the database open and burns no CPU for half a second (SQLite's
        # busy handler sleeps between retries).
        wait_for(
            lambda: all(has_open(p.pid, path) for p in processes),
            "both loads open the database",
            60,
            *processes,
        )
        before = [cpu_ticks(p.pid) for p in processes]
        while True:
            time.sleep(0.5)
            now = [cpu_ticks(p.pid) for p in processes]
            if now == before:
                return
            before = now

    try:
        yield blocked
    finally:
        connection.execute("ROLLBACK")
        connection.close()


@contextlib.contextmanager
def postgres_gate(url: str) -> Iterator[Gate]:
    import asyncpg

    assert POSTGRES_URL
    database = url.rsplit("/", 1)[1]
    with asyncio.Runner() as runner:
        holder = runner.run(asyncpg.connect(url))
        runner.run(holder.execute("SELECT pg_advisory_lock($1)", _LOAD_LOCK_KEY))

        def waiting() -> int:
            query = (
                "SELECT count(*) FROM pg_stat_activity WHERE datname = $1"
                " AND wait_event_type = 'Lock' AND wait_event = 'advisory'"
            )
            return int(runner.run(holder.fetchval(query, database)))

        def blocked(processes: list[subprocess.Popen[str]]) -> None:
            count = len(processes)
            wait_for(lambda: waiting() == count, "both loads wait for the lock", 60, *processes)

        try:
            yield blocked
        finally:
            runner.run(holder.close())


def test_two_loads_at_once_are_serialised(database_url: str, tmp_path: Path) -> None:
    assert load(database_url, FIXTURES).returncode == 0
    synthetic = synth(200, tmp_path / "synthetic")
    renamed = copy_real_fixtures(tmp_path / "renamed")

    def regrade(data: dict[str, Any]) -> None:
        # A new score, not only a new name: a load writes history only for grade changes,
        # and the check below needs each load's own history rows.
        data["name"] = "Zoom Renamed"
        set_level(data["criteria"]["transparency_report"], "none")

    edit_service(renamed, "zoom", regrade)
    datasets = {d: read_fixtures(d) for d in (synthetic, renamed)}

    with loads_gate(database_url) as wait_until_blocked:
        processes = [start_load(database_url, directory) for directory in datasets]
        wait_until_blocked(processes)
    outputs = [process.communicate(timeout=60) for process in processes]

    for process, (_, err) in zip(processes, outputs, strict=True):
        # On SQLite the loser used to fail at once with "database is locked".
        assert process.returncode == 0, err
    state = read_state(database_url)
    winners = [d for d, fixtures in datasets.items() if fixtures.version == state.version]
    assert len(winners) == 1, state.version
    final = datasets[winners[0]]
    assert state.slugs == set(final.services)
    assert state.counts["domain"] == sum(len(s.domains) for s in final.services.values())
    assert state.counts["criterion_assessment"] == sum(
        len(s.criteria) for s in final.services.values()
    )
    # Both loads committed changes (each wrote history under its own version): the second
    # planned against the first one's result instead of both planning from the old data.
    assert {f.version for f in datasets.values()} <= state.history_versions
