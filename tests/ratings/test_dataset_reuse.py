"""A reload lends the unchanged services of the dataset being served to the new one
(ratings/repository/reads.py): the result must equal a dataset read from scratch."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tortoise.context import TortoiseContext

from ratings.dataset import Dataset
from ratings.fixtures import read_fixtures
from ratings.loader import sync_fixtures
from ratings.repository import dataset_from_database
from tests.conftest import edit_service, set_level


async def _both(previous: Dataset) -> tuple[Dataset, Dataset]:
    reused = await dataset_from_database(previous.built_on, previous)
    scratch = await dataset_from_database(previous.built_on)
    assert reused is not None and scratch is not None
    assert reused.version == scratch.version
    assert dict(reused.ratings) == dict(scratch.ratings)
    assert list(reused.ratings) == list(scratch.ratings)  # same order (by name)
    return reused, scratch


async def test_unchanged_services_are_reused_and_edited_ones_reread(
    db: TortoiseContext, make_fixtures: Callable[..., Path]
) -> None:
    directory = make_fixtures(4)
    await sync_fixtures(read_fixtures(directory))
    first = await dataset_from_database()
    assert first is not None

    def all_none(data: dict) -> None:
        for entry in data["criteria"].values():
            set_level(entry, "none")

    edit_service(directory, "synth-00001", all_none)  # a new grade and a history row
    edit_service(directory, "synth-00002", lambda d: d.update(name="Renamed Service"))
    (directory / "services" / "synth-00003.yaml").unlink()
    await sync_fixtures(read_fixtures(directory))
    reused, _ = await _both(first)

    assert reused.ratings["synth-00000"] is first.ratings["synth-00000"]
    assert reused.ratings["synth-00001"] is not first.ratings["synth-00001"]
    assert reused.ratings["synth-00001"].grade == "F"
    assert len(reused.ratings["synth-00001"].history) == 2
    assert reused.ratings["synth-00002"].name == "Renamed Service"
    assert "synth-00003" not in reused.ratings
    assert reused.match_host("synth00003.example").service is None
    assert reused.match_host("synth00001.example").service == "synth-00001"


async def test_a_methodology_change_rereads_everything(
    db: TortoiseContext, make_fixtures: Callable[..., Path]
) -> None:
    import yaml

    directory = make_fixtures(3)
    await sync_fixtures(read_fixtures(directory))
    first = await dataset_from_database()
    assert first is not None
    path = directory / "methodology.yaml"
    spec = yaml.safe_load(path.read_text())
    spec["grading"]["stale_after_days"] = spec["grading"]["stale_after_days"] + 1
    path.write_text(yaml.safe_dump(spec, sort_keys=False))
    await sync_fixtures(read_fixtures(directory))
    reused, _ = await _both(first)
    assert all(reused.ratings[slug] is not first.ratings[slug] for slug in first.ratings)
