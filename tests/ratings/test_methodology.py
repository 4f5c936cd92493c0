"""The methodology as read from methodology.yaml: the grade colours are part of it."""

from __future__ import annotations

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
