"""The history tables (``grade_change``, ``criterion_change``, ``dataset_release``) read
as grade events and as the change log, and the one mapping between a grade event and its
row."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ratings.changes import Change, ChangeLog, GradeEvent, Release, criterion_reason
from ratings.models import CriterionChangeRow, DatasetReleaseRow, GradeChangeRow


def cause_of_reason(reason: str) -> str:
    """The cause of a history row written before rows recorded it (methodology v1)."""
    if reason in ("service added", "service removed"):
        return reason.removeprefix("service ")
    return "methodology" if reason == "methodology changed" else "evidence"


def grade_event(row: Mapping[str, Any]) -> GradeEvent:
    """The one mapping of a ``grade_change`` row to a grade event."""
    return GradeEvent(
        row["changed_at"],
        row["old_grade"],
        row["new_grade"],
        row["old_score"],
        row["new_score"],
        row["reason"],
        row["cause"] or cause_of_reason(row["reason"]),
        row["old_methodology_version"],
        row["new_methodology_version"],
    )


def grade_change_row(
    slug: str, name: str | None, dataset_version: str, event: GradeEvent
) -> GradeChangeRow:
    """The row that records ``event`` (the inverse of ``grade_event``)."""
    return GradeChangeRow(
        slug=slug,
        name=name,
        old_grade=event.old_grade,
        new_grade=event.new_grade,
        old_score=event.old_score,
        new_score=event.new_score,
        reason=event.reason,
        cause=event.cause,
        old_methodology_version=event.old_methodology_version,
        new_methodology_version=event.new_methodology_version,
        dataset_version=dataset_version,
        changed_at=event.changed_at,
    )


def _criterion_change(row: Mapping[str, Any]) -> Change:
    return Change(
        "criterion",
        row["id"],
        row["slug"],
        row["name"],
        row["criterion"],
        None,
        None,
        None,
        None,
        row["old_level"],
        row["new_level"],
        row["cause"],
        criterion_reason(
            row["criterion"],
            row["old_level"],
            row["new_level"],
            row["cause"],
            row["old_methodology_version"],
            row["new_methodology_version"],
        ),
        row["old_methodology_version"],
        row["new_methodology_version"],
        row["dataset_version"],
        row["changed_at"],
    )


async def read_change_log(previous: ChangeLog | None = None) -> ChangeLog:
    """The change log as stored, reading only the rows past ``previous``'s (rows are
    append-only). A database whose rows went back (restored, recreated) is read whole."""
    if previous is not None and previous.last_ids != (0, 0, 0):
        newest = await GradeChangeRow.all().order_by("-id").limit(1).values_list("id", flat=True)
        if int(newest[0] if newest else 0) < previous.last_grade_id:  # type: ignore[arg-type]
            previous = None
    start = previous.last_ids if previous is not None else (0, 0, 0)
    grade_rows = await GradeChangeRow.filter(id__gt=start[0]).order_by("id").values()
    criterion_rows = await CriterionChangeRow.filter(id__gt=start[1]).order_by("id").values()
    release_rows = await DatasetReleaseRow.filter(id__gt=start[2]).order_by("id").values()
    changes = [
        Change.of_grade(
            row["id"], row["slug"], row["name"], row["dataset_version"], grade_event(row)
        )
        for row in grade_rows
    ]
    changes += [_criterion_change(row) for row in criterion_rows]
    releases = [
        Release(r["version"], r["methodology_version"], r["service_count"], r["loaded_at"])
        for r in release_rows
    ]
    last_ids = (
        grade_rows[-1]["id"] if grade_rows else start[0],
        criterion_rows[-1]["id"] if criterion_rows else start[1],
        release_rows[-1]["id"] if release_rows else start[2],
    )
    if previous is None:
        return ChangeLog.build(changes, releases, last_ids)
    return previous.extended(changes, releases, last_ids)
