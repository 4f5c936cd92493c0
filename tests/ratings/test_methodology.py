"""The methodology as read from methodology.yaml: the grade colours are part of it, and it
refuses to load when its parts contradict each other: every grade, group, criterion and
level a rule names must exist, once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from ratings.colour import contrast_ratio
from ratings.methodology import Methodology
from tests.conftest import FIXTURES


def _raw() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((FIXTURES / "methodology.yaml").read_text())
    return data


def test_every_grade_has_readable_colours() -> None:
    methodology = Methodology.model_validate(_raw())
    colours = methodology.grading.grade_colours
    assert colours is not None
    assert list(colours) == list(methodology.grades)
    assert colours["A"].background == "#009E73" and colours["A"].text == "#000000"
    for pair in colours.values():
        assert contrast_ratio(pair.background, pair.text) >= 4.5


def test_a_new_grade_comes_with_its_colours() -> None:
    raw = _raw()
    raw["grading"]["thresholds"]["E"] = 25
    raw["grading"]["grade_meanings"]["E"] = "Poor."
    with pytest.raises(ValidationError, match="grade_colours must colour every grade"):
        Methodology.model_validate(raw)
    raw["grading"]["grade_colours"]["E"] = {"background": "#CC79A7", "text": "#000000"}
    assert Methodology.model_validate(raw).grading.grade_colours["E"].background == "#CC79A7"  # type: ignore[index]


def test_colours_for_no_grade_are_refused() -> None:
    raw = _raw()
    raw["grading"]["grade_colours"]["Z"] = {"background": "#FFFFFF", "text": "#000000"}
    with pytest.raises(ValidationError, match="only those"):
        Methodology.model_validate(raw)


@pytest.mark.parametrize(
    ("colours", "problem"),
    [
        ({"background": "#F0E442", "text": "#FFFFFF"}, "contrast of 1.32:1"),
        ({"background": "green", "text": "#000000"}, "pattern"),
        ({"background": "#009E73"}, "text"),
        ({"background": "#009E73", "text": "#000000", "border": "#000000"}, "border"),
    ],
)
def test_unreadable_or_malformed_colours_are_refused(colours: dict[str, str], problem: str) -> None:
    raw = _raw()
    raw["grading"]["grade_colours"]["A"] = colours
    with pytest.raises(ValidationError, match=problem):
        Methodology.model_validate(raw)


def test_a_methodology_stored_without_colours_still_loads() -> None:
    raw = _raw()
    del raw["grading"]["grade_colours"]
    assert Methodology.model_validate(raw).grading.grade_colours is None


Edit = Callable[[dict[str, Any]], None]


def _swap_first_thresholds(data: dict[str, Any]) -> None:
    thresholds = data["grading"]["thresholds"]
    first, second, *rest = thresholds.items()
    data["grading"]["thresholds"] = dict([second, first, *rest])


def _repeat_a_letter(data: dict[str, Any]) -> None:
    grading = data["grading"]
    grading["lowest_grade"] = next(iter(grading["thresholds"]))


def _forget_a_meaning(data: dict[str, Any]) -> None:
    meanings = data["grading"]["grade_meanings"]
    del meanings[next(iter(meanings))]


def _cap_at_unknown_grade(data: dict[str, Any]) -> None:
    data["grading"]["baseline_cap"]["grade"] = "Q"


def _repeat_a_group(data: dict[str, Any]) -> None:
    data["groups"].append(dict(data["groups"][0]))


def _repeat_a_criterion(data: dict[str, Any]) -> None:
    data["criteria"].append(dict(data["criteria"][0]))


def _criterion_in_unknown_group(data: dict[str, Any]) -> None:
    data["criteria"][0]["group"] = "nowhere"


def _drop_scored_level(data: dict[str, Any]) -> None:
    del data["levels"]["partial"]


def _drop_level_label(data: dict[str, Any]) -> None:
    del data["level_labels"]["not_applicable"]


def _fresh_unknown_criterion(data: dict[str, Any]) -> None:
    data["grading"]["report_freshness"]["criteria"].append("no_such_criterion")


CONTRADICTIONS: dict[str, tuple[Edit, str]] = {
    "thresholds out of order": (_swap_first_thresholds, "best first, descending"),
    "a letter twice": (_repeat_a_letter, "a grade letter is used twice"),
    "a grade unexplained": (_forget_a_meaning, "grade_meanings must explain every grade"),
    "cap at no grade": (_cap_at_unknown_grade, "baseline_cap.grade 'Q' is not a grade"),
    "a group twice": (_repeat_a_group, "group ids must be unique"),
    "a criterion twice": (_repeat_a_criterion, "criterion ids must be unique"),
    "unknown group": (_criterion_in_unknown_group, "names unknown group nowhere"),
    "a level without points": (_drop_scored_level, "levels must give points"),
    "a level without a label": (_drop_level_label, "level_labels must name every level"),
    "freshness of no criterion": (
        _fresh_unknown_criterion,
        "report_freshness names unknown criterion no_such_criterion",
    ),
}


def test_the_real_methodology_is_consistent() -> None:
    methodology = Methodology.model_validate(_raw())
    assert methodology.grades[-1] == _raw()["grading"]["lowest_grade"]
    first = methodology.criteria[0]
    assert methodology.group_of(first.id).id == first.group


@pytest.mark.parametrize("name", sorted(CONTRADICTIONS))
def test_a_contradiction_is_refused_with_its_reason(name: str) -> None:
    edit, reason = CONTRADICTIONS[name]
    data = _raw()
    edit(data)
    with pytest.raises(ValidationError, match=reason):
        Methodology.model_validate(data)


def test_a_grade_letter_must_be_one_capital() -> None:
    data = _raw()
    grading = data["grading"]
    grading["thresholds"] = {
        ("AA" if i == 0 else letter): value
        for i, (letter, value) in enumerate(grading["thresholds"].items())
    }
    with pytest.raises(ValidationError, match="grades are single capital letters"):
        Methodology.model_validate(data)


def test_group_of_an_unknown_criterion_is_a_key_error() -> None:
    methodology = Methodology.model_validate(_raw())
    with pytest.raises(KeyError, match="no_such_criterion"):
        methodology.group_of("no_such_criterion")
