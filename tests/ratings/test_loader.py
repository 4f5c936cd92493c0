from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import pytest
import yaml
from tortoise.context import TortoiseContext

from ratings.dataset import dataset_from_fixtures
from ratings.fixtures import FixtureErrors, read_fixtures
from ratings.loader import plan_sync, sync_fixtures
from ratings.methodology import Methodology
from ratings.models import (
    CriterionAssessmentRow,
    DatasetVersionRow,
    DomainRow,
    GradeChangeRow,
    MeetingPatternRow,
    ServiceRow,
)
from ratings.repository import dataset_from_database
from tests.conftest import FIXTURES, edit_service, set_level


async def snapshot() -> dict[str, Any]:
    """Everything in the database, to compare before and after."""
    return {
        "services": await ServiceRow.all().order_by("slug").values(),
        "domains": await DomainRow.all().order_by("name").values(),
        "patterns": await MeetingPatternRow.all().order_by("id").values(),
        "criteria": await CriterionAssessmentRow.all().order_by("id").values(),
        "history": await GradeChangeRow.all().order_by("id").values(),
        "dataset": await DatasetVersionRow.all().values(),
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
    assert sorted(cast("list[str]", await ServiceRow.all().values_list("slug", flat=True))) == [
        "synth-00000",
        "synth-00002",
    ]
    assert await DomainRow.filter(name__startswith="synth00001").count() == 0
    assert await CriterionAssessmentRow.all().count() == 2 * 11
    removal = await GradeChangeRow.filter(slug="synth-00001").order_by("-id").first()
    assert removal is not None and removal.new_grade is None and removal.reason == "service removed"


async def test_grade_change_records_history_with_the_criteria_that_moved(
    db: TortoiseContext, make_fixtures: Callable[..., Path]
) -> None:
    directory = make_fixtures(2)
    await sync_fixtures(read_fixtures(directory))
    old = await ServiceRow.get(slug="synth-00000")

    def all_none(data: dict) -> None:
        for entry in data["criteria"].values():
            set_level(entry, "none")

    edit_service(directory, "synth-00000", all_none)
    fixtures = read_fixtures(directory)
    diff = await plan_sync(fixtures)
    assert [c.slug for c in diff.changes] == ["synth-00000"]
    report = await sync_fixtures(fixtures)
    [change] = report.changes
    assert change.kind == "changed" and change.new_grade == "F" and change.new_score == 0
    new = await ServiceRow.get(slug="synth-00000")
    assert (new.grade, new.score) == ("F", 0)
    events = await GradeChangeRow.filter(slug="synth-00000").order_by("id")
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
        lambda d: d["criteria"]["e2ee_calls"].update(
            evidence="Rewritten evidence, same level as before."
        ),
    )
    report = await sync_fixtures(read_fixtures(directory))
    assert [c.kind for c in report.changes] == ["changed"]
    assert await GradeChangeRow.filter(slug="synth-00000").count() == 1
    entry = await CriterionAssessmentRow.get(service__slug="synth-00000", criterion="e2ee_calls")
    assert entry.evidence == "Rewritten evidence, same level as before."


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

    import ratings.repository.writes as writes

    seen_inside: list[str] = []

    async def failing_last_write(*args: Any, **kwargs: Any) -> None:
        # Every service row has been rewritten by now (bulk statements): fail the last step.
        names = await ServiceRow.all().order_by("slug").values_list("name", flat=True)
        seen_inside.extend(cast("list[str]", names))
        raise RuntimeError("disk full")

    monkeypatch.setattr(writes, "write_dataset_version", failing_last_write)
    with pytest.raises(RuntimeError, match="disk full"):
        await sync_fixtures(read_fixtures(directory))
    assert "First write" in seen_inside and "Second write" in seen_inside
    assert await snapshot() == before


async def test_methodology_change_regrades_without_file_changes(
    db: TortoiseContext, make_fixtures: Callable[..., Path]
) -> None:
    """Lowering the best grade's threshold to the score of the best service one grade
    below regrades exactly the services of that grade scoring at least that much."""
    directory = make_fixtures(6)
    first = await sync_fixtures(read_fixtures(directory))
    path = directory / "methodology.yaml"
    spec = yaml.safe_load(path.read_text())
    thresholds = spec["grading"]["thresholds"]
    best, second = list(thresholds)[:2]
    # A grade above the baseline cap is never a capped one: its services are graded by
    # their score alone, so the new grade follows from the score and the new threshold.
    assert second != spec["grading"]["baseline_cap"]["grade"]
    seconds = {c.slug: c.new_score for c in first.changes if c.new_grade == second}
    assert seconds, "the synthetic services must include one graded " + second
    threshold = max(score for score in seconds.values() if score is not None)
    expected = {slug for slug, score in seconds.items() if score is not None and score >= threshold}
    old_version = spec["version"]
    spec["version"] = old_version + 1
    thresholds[best] = threshold
    path.write_text(yaml.safe_dump(spec, sort_keys=False, allow_unicode=True))

    fixtures = read_fixtures(directory)
    report = await sync_fixtures(fixtures)
    regraded = [c for c in report.changes if c.kind == "regraded"]
    assert expected and {c.slug for c in regraded} == expected
    assert [c.slug for c in report.changes] == [c.slug for c in regraded]
    assert all((c.old_grade, c.new_grade) == (second, best) for c in regraded)
    reason = f"methodology version {old_version} -> {old_version + 1}"
    assert all(c.reason(old_version, old_version + 1) == reason for c in regraded)
    rows = await GradeChangeRow.filter(cause="methodology").values()
    assert {r["slug"] for r in rows} == expected
    assert all(
        (r["old_methodology_version"], r["new_methodology_version"])
        == (old_version, old_version + 1)
        for r in rows
    )
    row = await DatasetVersionRow.get(id=1)
    assert row.version == fixtures.version
    assert Methodology.model_validate(row.methodology).grading.thresholds[best] == threshold
    loaded = await dataset_from_database()
    assert loaded is not None
    for slug in expected:
        event = loaded.ratings[slug].history[-1]
        assert (event.cause, event.old_methodology_version, event.new_methodology_version) == (
            "methodology",
            old_version,
            old_version + 1,
        )
        assert loaded.ratings[slug].grade == best


async def test_evidence_change_under_a_new_methodology_names_both(
    db: TortoiseContext, make_fixtures: Callable[..., Path]
) -> None:
    """A v1 -> v2 style move: files and methodology change in one load; the history row
    names the criteria that moved and the methodology versions, with cause evidence."""
    directory = make_fixtures(2)
    await sync_fixtures(read_fixtures(directory))
    path = directory / "methodology.yaml"
    path.write_text(path.read_text().replace("version: 2", "version: 3"))

    def all_full(data: dict[str, Any]) -> None:
        for entry in data["criteria"].values():
            set_level(entry, "full")
            if "latest_period_end" not in entry:
                entry["latest_period_end"] = "2026-06-30"
            if entry is not data["criteria"].get("transparency_report") and entry is not (
                data["criteria"].get("moderation_transparency")
            ):
                entry.pop("latest_period_end", None)

    edit_service(directory, "synth-00001", all_full)
    report = await sync_fixtures(read_fixtures(directory))
    [change] = [c for c in report.changes if c.slug == "synth-00001"]
    assert change.kind == "changed" and change.new_grade == "A"
    reason = change.reason(report.methodology_before, report.methodology_after)
    assert reason.startswith("methodology version 2 -> 3; ")
    assert change.cause(2, 3) == "evidence"
    [row] = await GradeChangeRow.filter(slug="synth-00001", cause="evidence").values()
    assert row["reason"] == reason
