"""Fixture sync: ``candor fixtures load`` of synthetic services, fresh and unchanged."""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.procs import ROOT, run_cli


@dataclass
class SyncFigures:
    backend: str
    services: int
    load_s: list[float] = field(default_factory=list)  # CLI wall time, empty database
    reload_s: list[float] = field(default_factory=list)  # CLI wall time, unchanged files
    read_s: list[float] = field(default_factory=list)  # in-process: read + validate files
    sync_s: list[float] = field(default_factory=list)  # in-process: the load transaction
    noop_s: list[float] = field(default_factory=list)  # in-process: unchanged, transaction

    @staticmethod
    def median(values: list[float]) -> float:
        return statistics.median(values) if values else float("nan")


def postgres_url() -> str | None:
    return os.environ.get("CANDOR_BENCH_POSTGRES_URL") or os.environ.get("CANDOR_TEST_POSTGRES_URL")


@contextmanager
def fresh_database(backend: str, workdir: Path) -> Iterator[str]:
    """An empty database of either kind; yields its URL and removes it afterwards."""
    if backend == "sqlite":
        path = workdir / f"sync-{uuid.uuid4().hex[:8]}.sqlite3"
        try:
            yield f"sqlite://{path}"
        finally:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    from tests.process import postgres_database

    with postgres_database(postgres_url(), prefix="candor_bench") as url:
        yield url


async def _probe(kind: str, directory: Path, url: str) -> dict[str, float]:
    """Run in a fresh process (``python -m benchmarks.sync``): Tortoise caches statements
    per connection name, so SQLite and PostgreSQL must not share one process."""
    from tortoise import Tortoise

    from ratings.db import migrate, tortoise_config
    from ratings.fixtures import read_fixtures
    from ratings.loader import sync_fixtures

    started = time.perf_counter()
    fixtures = read_fixtures(directory)
    read = time.perf_counter() - started
    if kind == "fresh":
        await migrate(url)
        await Tortoise.close_connections()
    await Tortoise.init(config=tortoise_config(url))
    try:
        started = time.perf_counter()
        await sync_fixtures(fixtures)
        return {"read": read, "sync": time.perf_counter() - started}
    finally:
        await Tortoise.close_connections()


def _in_process(kind: str, directory: Path, url: str) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.sync", kind, str(directory), url],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    figures: dict[str, float] = json.loads(done.stdout)
    return figures


def measure(backend: str, directory: Path, services: int, workdir: Path, runs: int) -> SyncFigures:
    figures = SyncFigures(backend, services)
    for _ in range(runs):
        with fresh_database(backend, workdir) as url:
            load, _ = run_cli("fixtures", "load", str(directory), database_url=url)
            reload, output = run_cli("fixtures", "load", str(directory), database_url=url)
            if "no changes" not in output:
                raise RuntimeError(f"reloading unchanged files changed something:\n{output}")
            figures.load_s.append(load)
            figures.reload_s.append(reload)
            unchanged = _in_process("unchanged", directory, url)
            figures.read_s.append(unchanged["read"])
            figures.noop_s.append(unchanged["sync"])
        with fresh_database(backend, workdir) as url:
            figures.sync_s.append(_in_process("fresh", directory, url)["sync"])
    return figures


if __name__ == "__main__":
    kind, directory, url = sys.argv[1:4]
    print(json.dumps(asyncio.run(_probe(kind, Path(directory), url))))
