from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from tortoise.context import TortoiseContext

import ratings.readpath as readpath
from ratings.dataset import Dataset
from ratings.fixtures import read_fixtures
from ratings.loader import sync_fixtures
from ratings.readpath import DatasetUnavailable, ReadPath
from ratings.repository import dataset_from_database
from tests.conftest import edit_service


async def test_concurrent_refreshes_do_one_database_read(
    db: TortoiseContext, make_fixtures: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    await sync_fixtures(read_fixtures(make_fixtures(3)))
    reads = 0
    real = dataset_from_database

    async def counting(*args: Any) -> Dataset | None:
        nonlocal reads
        reads += 1
        return await real(*args)

    monkeypatch.setattr(readpath, "dataset_from_database", counting)
    path = ReadPath()
    results = await asyncio.gather(*(path.refresh() for _ in range(50)))
    assert reads == 1
    assert all(result is results[0] for result in results)
    await path.refresh()
    assert reads == 1  # same version: nothing re-read


async def test_new_version_is_picked_up_and_listeners_told(
    db: TortoiseContext, make_fixtures: Callable[..., Path]
) -> None:
    directory = make_fixtures(2)
    await sync_fixtures(read_fixtures(directory))
    path = ReadPath()
    seen: list[str] = []
    path.on_change(lambda dataset: seen.append(dataset.version))
    first = await path.refresh()
    edit_service(directory, "synth-00000", lambda d: d.update(name="Renamed Service"))
    await sync_fixtures(read_fixtures(directory))
    second = await path.refresh()
    assert first is not None and second is not None and first.version != second.version
    assert second.ratings["synth-00000"].name == "Renamed Service"
    assert seen == [first.version, second.version]


async def test_database_failure_keeps_the_last_dataset(
    db: TortoiseContext, make_fixtures: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    await sync_fixtures(read_fixtures(make_fixtures(2)))
    path = ReadPath()
    dataset = await path.refresh()

    async def down() -> str | None:
        raise ConnectionRefusedError("database is down")

    monkeypatch.setattr(readpath, "read_version", down)
    with pytest.raises(ConnectionRefusedError):
        await path.refresh()
    assert path.dataset is dataset and not path.database_ok
    assert path.dataset.match_host("call.synth00001.example.org").service == "synth-00001"
    assert "database is down" in (path.last_error or "")


async def test_no_dataset_before_the_first_load(db: TortoiseContext) -> None:
    path = ReadPath()
    assert await path.refresh() is None
    with pytest.raises(DatasetUnavailable):
        _ = path.dataset
