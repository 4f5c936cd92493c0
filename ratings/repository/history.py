"""The history tables (``grade_change``, ``criterion_change``, ``dataset_release``) read
as grade events and as the change log, and the one mapping between a grade event and its
row."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from typing import Any

from ratings.changes import Change, ChangeLog, GradeEvent, Release, criterion_reason
from ratings.models import CriterionChangeRow, DatasetReleaseRow, GradeChangeRow


def cause_of_reason(reason: str) -> str:
    """The cause of a history row written before rows recorded it (methodology v1)."""
    if reason in ("service added", "service removed"):
        return reason.removeprefix("service ")
    return "methodology" if reason == "methodology changed" else "evidence"


# A grade event's fields are the grade_change columns of the same names: the one mapping
# between the two, both ways.
_EVENT_FIELDS = tuple(f.name for f in fields(GradeEvent))


def grade_event(row: Mapping[str, Any]) -> GradeEvent:
    """The grade event a ``grade_change`` row records."""
    values = {name: row[name] for name in _EVENT_FIELDS}
    # Rows written before rows recorded a cause (methodology v1) have none.
    values["cause"] = values["cause"] or cause_of_reason(values["reason"])
    return GradeEvent(**values)


def grade_change_row(
    slug: str, name: str | None, dataset_version: str, event: GradeEvent
) -> GradeChangeRow:
    """The row that records ``event`` (the inverse of ``grade_event``)."""
    columns = {field: getattr(event, field) for field in _EVENT_FIELDS}
    return GradeChangeRow(slug=slug, name=name, dataset_version=dataset_version, **columns)


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
