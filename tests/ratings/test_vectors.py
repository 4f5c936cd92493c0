"""The shared URL vectors against the fixtures (what ``candor fixtures check`` runs): the
real vectors hold, and each way a case can go wrong is reported against that case."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ratings.fixtures import FixtureSet, read_fixtures
from ratings.vectors import check_vectors, read_vectors
from tests.conftest import FIXTURES, VECTORS


@pytest.fixture(scope="module")
def fixtures() -> FixtureSet:
    return read_fixtures(FIXTURES)


def write_cases(path: Path, *cases: dict[str, Any]) -> Path:
    path.write_text(json.dumps({"cases": list(cases)}), encoding="utf-8")
    return path


def test_the_shared_vectors_hold_for_the_real_fixtures(fixtures: FixtureSet) -> None:
    assert len(read_vectors(VECTORS)) > 10
    assert check_vectors(fixtures, VECTORS) == []


def test_a_case_read_without_optional_fields_takes_the_defaults(tmp_path: Path) -> None:
    [case] = read_vectors(write_cases(tmp_path / "v.json", {"input": "https://zoom.us/"}))
    assert (case.service, case.meeting, case.error, case.kind, case.note) == (
        None,
        False,
        False,
        "url",
        "",
    )


def test_each_wrong_expectation_is_a_problem_of_its_case(
    fixtures: FixtureSet, tmp_path: Path
) -> None:
    path = write_cases(
        tmp_path / "v.json",
        {"input": "https://zoom.us/j/123", "service": "zoom", "meeting": True},
        {"input": "https://zoom.us/j/123", "service": "zoom", "meeting": False},
        {"input": "https://zoom.us/", "error": True},
        {"input": "https://", "service": None},
        {"input": "ZOOM.us.", "kind": "host", "service": "teams"},
    )
    problems = check_vectors(fixtures, path)
    assert [problem.field for problem in problems] == ["cases.1", "cases.2", "cases.3", "cases.4"]
    messages = [problem.message for problem in problems]
    assert "matched (zoom, meeting=True), expected (zoom, meeting=False)" in messages[0]
    assert "accepted, expected it to be rejected as invalid" in messages[1]
    assert "rejected as invalid, expected a valid input" in messages[2]
    assert "matched (zoom, meeting=False), expected (teams, meeting=False)" in messages[3]
    assert all(str(path) in str(problem) for problem in problems)
