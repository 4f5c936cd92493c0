"""The repository (ratings/repository): what a load writes reads back as the same domain
objects, through every read the rest of the code uses."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from pathlib import Path

from tortoise.context import TortoiseContext

from ratings.fixtures import read_fixtures
from ratings.loader import sync_fixtures
from ratings.models import GradeChangeRow
from ratings.repository import (
    dataset_from_database,
    read_change_log,
    read_levels,
    read_loaded_state,
    read_version,
)
from tests.conftest import edit_service, set_level


async def test_an_empty_database_has_no_version_and_no_dataset(db: TortoiseContext) -> None:
    assert await read_version() is None
    assert await dataset_from_database() is None
    assert await read_loaded_state() == (None, None, {})


async def test_the_loaded_state_is_what_the_files_say(
    db: TortoiseContext, make_fixtures: Callable[..., Path]
) -> None:
    fixtures = read_fixtures(make_fixtures(3))
    await sync_fixtures(fixtures)
    version, methodology_version, services = await read_loaded_state()
    assert (version, methodology_version) == (fixtures.version, fixtures.methodology.version)
    assert await read_version() == fixtures.version
    assert set(services) == set(fixtures.services)
    for slug, service in fixtures.services.items():
        assessment = service.assess(fixtures.methodology)
        assert (services[slug]["grade"], services[slug]["score"]) == (
            assessment.grade,
            assessment.score,
        )
    levels = await read_levels([row["id"] for row in services.values()])
    assert {slug: levels[row["id"]] for slug, row in services.items()} == {
        slug: dict(service.levels()) for slug, service in fixtures.services.items()
    }


async def test_meeting_patterns_read_back_as_the_files_patterns(
    db: TortoiseContext, make_fixtures: Callable[..., Path]
) -> None:
    fixtures = read_fixtures(make_fixtures(2))
    await sync_fixtures(fixtures)
    dataset = await dataset_from_database()
    assert dataset is not None
    for slug, service in fixtures.services.items():
        assert dataset.ratings[slug].meeting_patterns == tuple(
            entry.compile() for entry in service.meeting_patterns
        )
    # Compiled, not only stored: the matcher built from them knows a meeting link.
    assert dataset.match_url("https://synth00001-meet.example/abc-defg-hij").meeting
    assert not dataset.match_url("https://synth00001-meet.example/pricing").meeting


async def test_the_history_and_the_change_log_read_the_same_grade_events(
    db: TortoiseContext, make_fixtures: Callable[..., Path]
) -> None:
    directory = make_fixtures(2)
    await sync_fixtures(read_fixtures(directory))

    def all_none(data: dict[str, object]) -> None:
        for entry in data["criteria"].values():  # type: ignore[attr-defined]
            set_level(entry, "none")

    edit_service(directory, "synth-00000", all_none)
    await sync_fixtures(read_fixtures(directory))
    dataset = await dataset_from_database()
    assert dataset is not None
    history = dataset.ratings["synth-00000"].history
    assert [(e.old_grade, e.new_grade) for e in history][-1][1] == "F"
    logged = [c for c in dataset.changes.for_service("synth-00000") if c.kind == "grade"]
    # The log is newest first, the history oldest first; the same events in both.
    assert len(logged) == len(history) == 2
    for change, event in zip(reversed(logged), history, strict=True):
        for name in (f.name for f in dataclasses.fields(event)):
            assert getattr(change, name) == getattr(event, name), name


async def test_a_history_row_without_a_cause_reads_its_cause_from_its_reason(
    db: TortoiseContext, make_fixtures: Callable[..., Path]
) -> None:
    """Rows written before methodology v2 have no cause: both the service's history and
    the change log give the one their reason implies."""
    await sync_fixtures(read_fixtures(make_fixtures(1)))
    await GradeChangeRow.create(
        slug="synth-00000",
        name=None,
        old_grade="C",
        new_grade="B",
        old_score=60,
        new_score=75,
        reason="methodology changed",
        cause=None,
        dataset_version="0" * 16,
        changed_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC),
    )
    dataset = await dataset_from_database()
    assert dataset is not None
    [oldest, *_] = dataset.ratings["synth-00000"].history
    assert (oldest.reason, oldest.cause) == ("methodology changed", "methodology")
    log = await read_change_log()
    [entry] = [c for c in log.changes if c.reason == "methodology changed"]
    assert entry.cause == "methodology"


async def test_the_change_log_reads_only_newer_rows_onto_the_previous_one(
    db: TortoiseContext, make_fixtures: Callable[..., Path]
) -> None:
    directory = make_fixtures(2)
    await sync_fixtures(read_fixtures(directory))
    first = await read_change_log()
    edit_service(directory, "synth-00001", lambda d: d.update(name="Renamed"))
    (directory / "services" / "synth-00000.yaml").unlink()
    await sync_fixtures(read_fixtures(directory))
    extended = await read_change_log(first)
    whole = await read_change_log()
    assert extended.changes == whole.changes and extended.releases == whole.releases
    assert len(whole.changes) == len(first.changes) + 1  # the removal
    assert len(whole.releases) == len(first.releases) + 1
