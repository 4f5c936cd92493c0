from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from tortoise.context import TortoiseContext

from ratings.dataset import dataset_from_database, dataset_from_fixtures
from ratings.fixtures import FixtureErrors, read_fixtures
from ratings.loader import plan_sync, sync_fixtures
from ratings.models import (
    CriterionAssessment,
    Dataset,
    Domain,
    GradeChange,
    MeetingPattern,
    Service,
)
from tests.conftest import FIXTURES, edit_service


async def snapshot() -> dict[str, Any]:
    """Everything in the database, to compare before and after."""
    return {
        "services": await Service.all().order_by("slug").values(),
        "domains": await Domain.all().order_by("name").values(),
        "patterns": await MeetingPattern.all().order_by("id").values(),
        "criteria": await CriterionAssessment.all().order_by("id").values(),
        "history": await GradeChange.all().order_by("id").values(),
        "dataset": await Dataset.all().values(),
    }


async def test_round_trip_of_the_real_fixtures(db: TortoiseContext) -> None:
    fixtures = read_fixtures(FIXTURES)
    report = await sync_fixtures(fixtures)
    assert {c.slug for c in report.changes if c.kind == "added"} == set(fixtures.services)
    loaded = await dataset_from_database()
    expected = dataset_from_fixtures(fixtures)
    assert loaded is not None and loaded.version == fixtures.version
    for slug, rating in expected.ratings.items():
        got = loaded.ratings[slug]
        assert (got.grade, got.score, got.domains, got.meeting_patterns, got.criteria) == (
            rating.grade,
            rating.score,
            rating.domains,
            rating.meeting_patterns,
            rating.criteria,
        )
        assert got.history[0].new_grade == rating.grade


async def test_loading_twice_changes_nothing(
    db: TortoiseContext, make_fixtures: Callable[..., Path]
) -> None:
    fixtures = read_fixtures(make_fixtures(5))
    await sync_fixtures(fixtures)
    before = await snapshot()
    report = await sync_fixtures(read_fixtures(fixtures.directory))
    assert not report.changed and report.changes == []
    assert await snapshot() == before


async def test_removed_file_removes_its_service(
    db: TortoiseContext, make_fixtures: Callable[..., Path]
) -> None:
    directory = make_fixtures(3)
    await sync_fixtures(read_fixtures(directory))
    (directory / "services" / "synth-00001.yaml").unlink()
    report = await sync_fixtures(read_fixtures(directory))
    assert [(c.slug, c.kind) for c in report.changes] == [("synth-00001", "removed")]
    assert sorted(await Service.all().values_list("slug", flat=True)) == [
        "synth-00000",
        "synth-00002",
    ]
    assert await Domain.filter(name__startswith="synth00001").count() == 0
    assert await CriterionAssessment.all().count() == 2 * 11
    removal = await GradeChange.filter(slug="synth-00001").order_by("-id").first()
    assert removal is not None and removal.new_grade is None and removal.reason == "service removed"


async def test_grade_change_records_history_with_the_criteria_that_moved(
    db: TortoiseContext, make_fixtures: Callable[..., Path]
) -> None:
    directory = make_fixtures(2)
    await sync_fixtures(read_fixtures(directory))
    old = await Service.get(slug="synth-00000")

    def all_none(data: dict) -> None:
        for entry in data["criteria"].values():
            entry["level"] = "none"

    edit_service(directory, "synth-00000", all_none)
    fixtures = read_fixtures(directory)
    diff = await plan_sync(fixtures)
    assert [c.slug for c in diff.changes] == ["synth-00000"]
    report = await sync_fixtures(fixtures)
    [change] = report.changes
    assert change.kind == "changed" and change.new_grade == "F" and change.new_score == 0
    new = await Service.get(slug="synth-00000")
    assert (new.grade, new.score) == ("F", 0)
    events = await GradeChange.filter(slug="synth-00000").order_by("id")
    assert len(events) == 2
    assert (events[1].old_grade, events[1].new_grade, events[1].old_score) == (
        old.grade,
        "F",
        old.score,
    )
    moved = {part.split(":")[0] for part in events[1].reason.split("; ")}
    assert moved and moved <= set(fixtures.methodology.criterion_ids)
    loaded = await dataset_from_database()
    assert (
        loaded is not None
        and [e.new_grade for e in loaded.ratings["synth-00000"].history][-1] == "F"
    )


async def test_editing_evidence_only_writes_no_history(
    db: TortoiseContext, make_fixtures: Callable[..., Path]
) -> None:
    directory = make_fixtures(2)
    await sync_fixtures(read_fixtures(directory))
    edit_service(
        directory,
        "synth-00000",
        lambda d: d["criteria"]["e2ee_calls"].update(evidence="Rewritten evidence."),
    )
    report = await sync_fixtures(read_fixtures(directory))
    assert [c.kind for c in report.changes] == ["changed"]
    assert await GradeChange.filter(slug="synth-00000").count() == 1
    entry = await CriterionAssessment.get(service__slug="synth-00000", criterion="e2ee_calls")
    assert entry.evidence == "Rewritten evidence."


async def test_dry_run_writes_nothing(
    db: TortoiseContext, make_fixtures: Callable[..., Path]
) -> None:
    directory = make_fixtures(2)
    await sync_fixtures(read_fixtures(directory))
    before = await snapshot()
    (directory / "services" / "synth-00000.yaml").unlink()
    report = await sync_fixtures(read_fixtures(directory), dry_run=True)
    assert [c.kind for c in report.changes] == ["removed"]
    assert await snapshot() == before


async def test_a_broken_file_among_good_ones_leaves_the_database_as_it_was(
    db: TortoiseContext, make_fixtures: Callable[..., Path]
) -> None:
    directory = make_fixtures(4)
    await sync_fixtures(read_fixtures(directory))
    before = await snapshot()
    # Good changes beside one broken file: none of them may land.
    edit_service(directory, "synth-00000", lambda d: d.update(name="Changed name"))
    (directory / "services" / "synth-00003.yaml").unlink()
    edit_service(
        directory, "synth-00002", lambda d: d["criteria"]["e2ee_calls"].update(level="sometimes")
    )
    with pytest.raises(FixtureErrors) as caught:
        await sync_fixtures(read_fixtures(directory))
    assert [Path(p.file).stem for p in caught.value.problems] == ["synth-00002"]
    assert await snapshot() == before


async def test_a_failure_inside_the_transaction_rolls_everything_back(
    db: TortoiseContext, make_fixtures: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    directory = make_fixtures(3)
    await sync_fixtures(read_fixtures(directory))
    before = await snapshot()
    edit_service(directory, "synth-00000", lambda d: d.update(name="First write"))
    edit_service(directory, "synth-00002", lambda d: d.update(name="Second write"))

    import ratings.loader as loader

    seen_inside: list[str] = []

    async def failing_last_write(*args: Any, **kwargs: Any) -> None:
        # Every service row has been rewritten by now (bulk statements): fail the last step.
        seen_inside.extend(await Service.all().order_by("slug").values_list("name", flat=True))
        raise RuntimeError("disk full")

    monkeypatch.setattr(loader, "_write_dataset_row", failing_last_write)
    with pytest.raises(RuntimeError, match="disk full"):
        await sync_fixtures(read_fixtures(directory))
    assert "First write" in seen_inside and "Second write" in seen_inside
    assert await snapshot() == before


async def test_methodology_change_regrades_without_file_changes(
    db: TortoiseContext, make_fixtures: Callable[..., Path]
) -> None:
    directory = make_fixtures(3)
    await sync_fixtures(read_fixtures(directory))
    path = directory / "methodology.yaml"
    path.write_text(path.read_text().replace("    A: 85", "    A: 99"))
    fixtures = read_fixtures(directory)
    report = await sync_fixtures(fixtures)
    regraded = [c for c in report.changes if c.kind == "regraded"]
    assert all(c.reason() == "methodology changed" for c in regraded)
    row = await Dataset.get(id=1)
    assert row.version == fixtures.version and row.methodology["grading"]["thresholds"]["A"] == 99
