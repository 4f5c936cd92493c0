"""The services filter shared by GET /v1/services and the home page."""

from __future__ import annotations

import dataclasses

import pytest

from ratings.dataset import dataset_from_fixtures
from ratings.fixtures import read_fixtures
from ratings.query import MAX_TEXT, InvalidQuery, ServiceQuery
from tests.conftest import FIXTURES

DATASET = dataset_from_fixtures(read_fixtures(FIXTURES))
GRADES = DATASET.methodology.grades
RATINGS = list(DATASET.ratings.values())


def test_nothing_asked_matches_everything() -> None:
    query = ServiceQuery.parse({}, GRADES)
    assert query == ServiceQuery()
    assert query.apply(RATINGS) == RATINGS


@pytest.mark.parametrize(
    ("raw", "grade"), [("B", "B"), ("b", "B"), ("none", "none"), ("NONE", "none")]
)
def test_grades_are_matched_case_insensitively(raw: str, grade: str) -> None:
    query = ServiceQuery.parse({"grade": raw}, GRADES)
    assert query.grade == grade
    wanted = [r for r in RATINGS if (r.grade or "none") == grade]
    assert query.apply(RATINGS) == wanted


def test_status_and_text_narrow_the_list_in_the_order_given() -> None:
    query = ServiceQuery.parse({"status": "active", "q": "  ZOOM "}, GRADES)
    assert (query.status, query.q, query.needle) == ("active", "ZOOM", "zoom")
    chosen = query.apply(reversed(RATINGS))
    assert chosen == [
        r
        for r in reversed(RATINGS)
        if r.status == "active" and "zoom" in f"{r.name} {r.slug} {r.company}".casefold()
    ]
    assert chosen


def test_text_matches_name_slug_or_company() -> None:
    zoom = DATASET.ratings["zoom"]
    renamed = dataclasses.replace(zoom, name="Alpha", slug="beta", company="Gamma Corp")
    for text in ("alp", "BETA", "gamma c"):
        assert ServiceQuery(q=text).matches(renamed), text
    assert not ServiceQuery(q="zoom").matches(renamed)


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"grade": "Z"}, "grade"),
        ({"grade": "AB"}, "grade"),
        ({"grade": ""}, "grade"),  # a form's "any" is left out by the page, not sent
        ({"status": "gone"}, "status"),
        ({"status": ""}, "status"),
        ({"q": "x" * (MAX_TEXT + 1)}, "q"),
    ],
)
def test_invalid_values_raise_one_error_naming_the_field(
    values: dict[str, str], field: str
) -> None:
    with pytest.raises(InvalidQuery) as raised:
        ServiceQuery.parse(values, GRADES)
    assert raised.value.field == field
    assert raised.value.reason


def test_the_longest_text_is_accepted() -> None:
    assert ServiceQuery.parse({"q": "x" * MAX_TEXT}, GRADES).q == "x" * MAX_TEXT
