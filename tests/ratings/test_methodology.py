"""The methodology refuses to load when its parts contradict each other: every grade, group,
criterion and level a rule names must exist, once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from ratings.methodology import Methodology
from tests.conftest import FIXTURES

Edit = Callable[[dict[str, Any]], None]


def real_methodology() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((FIXTURES / "methodology.yaml").read_text())
    return data


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
    methodology = Methodology.model_validate(real_methodology())
    assert methodology.grades[-1] == real_methodology()["grading"]["lowest_grade"]
    first = methodology.criteria[0]
    assert methodology.group_of(first.id).id == first.group


@pytest.mark.parametrize("name", sorted(CONTRADICTIONS))
def test_a_contradiction_is_refused_with_its_reason(name: str) -> None:
    edit, reason = CONTRADICTIONS[name]
    data = real_methodology()
    edit(data)
    with pytest.raises(ValidationError, match=reason):
        Methodology.model_validate(data)


def test_a_grade_letter_must_be_one_capital() -> None:
    data = real_methodology()
    grading = data["grading"]
    grading["thresholds"] = {
        ("AA" if i == 0 else letter): value
        for i, (letter, value) in enumerate(grading["thresholds"].items())
    }
    with pytest.raises(ValidationError, match="grades are single capital letters"):
        Methodology.model_validate(data)


def test_group_of_an_unknown_criterion_is_a_key_error() -> None:
    methodology = Methodology.model_validate(real_methodology())
    with pytest.raises(KeyError, match="no_such_criterion"):
        methodology.group_of("no_such_criterion")
