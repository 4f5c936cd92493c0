"""ratings/loadplan.py: what a planned change says in the history, before any database."""

from __future__ import annotations

import datetime as dt

import pytest

from ratings.loadplan import ServiceChange, SyncReport

NOW = dt.datetime(2026, 11, 30, 12, tzinfo=dt.UTC)


def test_an_added_service_is_a_grade_event_with_no_past() -> None:
    change = ServiceChange("new", "added", None, "B", None, 72, name="New")
    assert change.grade_changed
    event = change.grade_event(2, 2, NOW)
    assert (event.reason, event.cause) == ("service added", "added")
    assert (event.old_methodology_version, event.new_methodology_version) == (None, 2)
    assert (event.old_grade, event.new_grade, event.new_score, event.changed_at) == (
        None,
        "B",
        72,
        NOW,
    )


def test_a_removed_service_keeps_its_last_grade_and_no_future() -> None:
    event = ServiceChange("old", "removed", "C", None, 60, None).grade_event(2, 3, NOW)
    assert (event.reason, event.cause) == ("service removed", "removed")
    assert (event.old_methodology_version, event.new_methodology_version) == (2, None)


def test_moved_criteria_name_the_reason_and_make_it_evidence() -> None:
    change = ServiceChange("s", "changed", "B", "C", 72, 60, moved=[("e2ee_calls", "full", "none")])
    event = change.grade_event(2, 2, NOW)
    assert (event.reason, event.cause) == ("e2ee_calls: full -> none", "evidence")
    # The same move in a load that also changed the rules names both, still evidence.
    both = change.grade_event(2, 3, NOW)
    assert both.reason == "methodology version 2 -> 3; e2ee_calls: full -> none"
    assert both.cause == "evidence"


@pytest.mark.parametrize(
    ("kind", "before", "after", "reason", "cause"),
    [
        ("regraded", 2, 3, "methodology version 2 -> 3", "methodology"),
        ("regraded", 2, 2, "methodology changed", "methodology"),
        ("changed", 2, 2, "details edited", "evidence"),
        ("changed", 2, 3, "methodology version 2 -> 3", "methodology"),
    ],
)
def test_a_change_without_moved_criteria(
    kind: str, before: int, after: int, reason: str, cause: str
) -> None:
    change = ServiceChange("s", kind, "B", "A", 80, 86)  # type: ignore[arg-type]
    assert (change.reason(before, after), change.cause(before, after)) == (reason, cause)


def test_only_a_moved_grade_or_score_is_a_grade_event() -> None:
    assert not ServiceChange("s", "changed", "B", "B", 80, 80).grade_changed
    assert ServiceChange("s", "changed", "B", "B", 80, 81).grade_changed
    assert ServiceChange("s", "added").grade_changed


def test_a_report_changed_when_a_service_or_the_version_did() -> None:
    assert not SyncReport("v1", "v1", []).changed
    assert SyncReport("v1", "v2", []).changed
    assert SyncReport("v1", "v1", [ServiceChange("s", "regraded")]).changed
