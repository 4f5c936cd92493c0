"""The change log: criterion-level rows, releases, and the in-memory log built from them
(incrementally after a reload), on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import pytest
import yaml
from tortoise.context import TortoiseContext

from ratings.changes import BadSince, ChangeLog
from ratings.fixtures import read_fixtures
from ratings.loader import sync_fixtures
from ratings.models import CriterionChangeRow, DatasetReleaseRow, GradeChangeRow
from ratings.repository import dataset_from_database, read_change_log
from tests.conftest import edit_service, set_level

SLUG = "synth-00001"


def _set(directory: Path, slug: str, criterion: str, level: str) -> None:
    edit_service(directory, slug, lambda d: set_level(d["criteria"][criterion], level))


def _level(directory: Path, slug: str, criterion: str) -> str:
    data = yaml.safe_load((directory / "services" / f"{slug}.yaml").read_text())
    return str(data["criteria"][criterion]["level"])


def _other(level: str) -> str:
    return "none" if level != "none" else "partial"


async def test_a_moved_level_writes_one_criterion_row_and_a_release(
    db: TortoiseContext, make_fixtures: Callable[..., Path]
) -> None:
    directory = make_fixtures(3)
    first = await sync_fixtures(read_fixtures(directory))
    # A new service is one grade row ("service added"), never eleven level rows.
    assert await CriterionChangeRow.all().count() == 0
    versions = await DatasetReleaseRow.all().values_list("version", flat=True)
    assert cast("list[str]", versions) == [first.version_after]

    old = _level(directory, SLUG, "e2ee_calls")
    new = _other(old)
    _set(directory, SLUG, "e2ee_calls", new)
    second = await sync_fixtures(read_fixtures(directory))
    rows = await CriterionChangeRow.all().values()
    assert [(r["slug"], r["criterion"], r["old_level"], r["new_level"]) for r in rows] == [
        (SLUG, "e2ee_calls", old, new)
    ]
    row = rows[0]
    assert row["cause"] == "evidence"
    assert row["dataset_version"] == second.version_after
    assert row["name"] == read_fixtures(directory).services[SLUG].name
    assert (row["old_methodology_version"], row["new_methodology_version"]) == (2, 2)
    releases = await DatasetReleaseRow.all().order_by("id").values_list("version", flat=True)
    assert cast("list[str]", releases) == [first.version_after, second.version_after]

    # Loading the same files again writes no row of any kind.
    await sync_fixtures(read_fixtures(directory))
    assert await CriterionChangeRow.all().count() == 1
    assert await DatasetReleaseRow.all().count() == 2


async def test_a_level_change_that_keeps_the_grade_is_still_recorded(
    db: TortoiseContext, make_fixtures: Callable[..., Path]
) -> None:
    """Two levels trading places in one group leave grade and score alone: no grade row,
    but the feed must still show both criterion changes."""
    directory = make_fixtures(2)
    await sync_fixtures(read_fixtures(directory))
    grade_rows = await GradeChangeRow.all().count()

    def swap(data: dict[str, Any]) -> None:
        set_level(data["criteria"]["e2ee_calls"], "full")
        set_level(data["criteria"]["transport_encryption"], "partial")

    def before(data: dict[str, Any]) -> None:
        set_level(data["criteria"]["e2ee_calls"], "partial")
        set_level(data["criteria"]["transport_encryption"], "full")

    edit_service(directory, SLUG, before)
    await sync_fixtures(read_fixtures(directory))
    grade_rows = await GradeChangeRow.all().count()
    levels_before = await CriterionChangeRow.all().count()
    edit_service(directory, SLUG, swap)
    report = await sync_fixtures(read_fixtures(directory))
    change = next(c for c in report.changes if c.slug == SLUG)
    assert not change.grade_changed
    assert await GradeChangeRow.all().count() == grade_rows
    moved = await CriterionChangeRow.filter(id__gt=levels_before).values_list(
        "criterion", "old_level", "new_level"
    )
    assert sorted(moved) == [
        ("e2ee_calls", "partial", "full"),
        ("transport_encryption", "full", "partial"),
    ]


async def test_a_load_that_moves_the_methodology_marks_level_changes_as_re_reviews(
    db: TortoiseContext, make_fixtures: Callable[..., Path]
) -> None:
    directory = make_fixtures(2)
    await sync_fixtures(read_fixtures(directory))
    path = directory / "methodology.yaml"
    path.write_text(path.read_text().replace("version: 2\n", "version: 3\n", 1))
    old = _level(directory, SLUG, "account_security")
    _set(directory, SLUG, "account_security", _other(old))
    await sync_fixtures(read_fixtures(directory))
    row = await CriterionChangeRow.get(slug=SLUG)
    assert row.cause == "methodology"
    assert (row.old_methodology_version, row.new_methodology_version) == (2, 3)
    log = await read_change_log()
    [change] = [c for c in log.changes if c.kind == "criterion"]
    assert change.reason.endswith("(re-reviewed under methodology version 2 -> 3)")
    assert change.methodology_changed


async def test_the_log_read_after_a_load_equals_a_log_read_whole(
    db: TortoiseContext, make_fixtures: Callable[..., Path]
) -> None:
    directory = make_fixtures(4)
    await sync_fixtures(read_fixtures(directory))
    dataset = await dataset_from_database()
    assert dataset is not None
    assert len(dataset.changes.changes) == 4  # four services added
    _set(directory, SLUG, "policy_access", _other(_level(directory, SLUG, "policy_access")))
    (directory / "services" / "synth-00003.yaml").unlink()
    await sync_fixtures(read_fixtures(directory))
    reloaded = await dataset_from_database(previous=dataset)
    assert reloaded is not None
    whole = await read_change_log()
    assert reloaded.changes.changes == whole.changes
    assert reloaded.changes.releases == whole.releases
    assert reloaded.changes.last_ids == whole.last_ids
    kinds = {(c.slug, c.kind, c.cause) for c in whole.changes[: len(whole.changes) - 4]}
    assert ("synth-00003", "grade", "removed") in kinds
    assert (SLUG, "criterion", "evidence") in kinds
    # The removed service keeps its history, by slug and name.
    removed = [c for c in whole.for_service("synth-00003")]
    assert [c.cause for c in removed] == ["removed", "added"]
    assert removed[0].name == removed[1].name is not None
    # Ids are stable: the same rows, read twice, name the same changes.
    assert [c.id for c in reloaded.changes.changes] == [c.id for c in whole.changes]
    assert len({c.id for c in whole.changes}) == len(whole.changes)


def test_since_takes_a_date_a_timestamp_or_a_known_version() -> None:
    from ratings.changes import Change, Release

    def change(row: int, at: dt.datetime) -> Change:
        return Change(
            "grade",
            row,
            "s",
            "S",
            None,
            None,
            "B",
            None,
            70,
            None,
            None,
            "added",
            "service added",
            None,
            2,
            "a" * 16,
            at,
        )

    day1 = dt.datetime(2026, 11, 1, 12, tzinfo=dt.UTC)
    day2 = dt.datetime(2026, 11, 2, 0, 0, tzinfo=dt.UTC)
    log = ChangeLog.build(
        [change(1, day1), change(2, day2)],
        [Release("a" * 16, 2, 1, day1), Release("b" * 16, 2, 1, day2)],
    )
    assert [c.row_id for c in log.select()] == [2, 1]
    assert [c.row_id for c in log.select(since=log.resolve_since("2026-11-02"))] == [2]
    assert [c.row_id for c in log.select(since=log.resolve_since("2026-11-01"))] == [2, 1]
    assert [c.row_id for c in log.select(since=log.resolve_since("a" * 16))] == [2]
    assert list(log.select(since=log.resolve_since("b" * 16))) == []
    stamp = log.resolve_since("2026-11-01T12:00:00Z")
    assert [c.row_id for c in log.select(since=stamp)] == [2]
    for bad in ("c" * 16, "yesterday", "2026-11-01T12:00:00", "2026-13-01"):
        with pytest.raises(BadSince):
            log.resolve_since(bad)
