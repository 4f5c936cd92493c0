from __future__ import annotations

import datetime as dt
from fractions import Fraction
from pathlib import Path
from typing import cast

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ratings.fixtures import load_methodology
from ratings.methodology import Level, Methodology
from ratings.scoring import add_months, assess, grade_for, round_half_up
from tests.conftest import FIXTURES

METHODOLOGY = load_methodology(FIXTURES)
IDS = METHODOLOGY.criterion_ids
ORDER: list[Level] = ["no_disclosure", "none", "partial", "full"]  # worth 0, 0, 50, 100


def levels(default: str = "full", **overrides: str) -> dict[str, Level]:
    result = dict.fromkeys(IDS, default)
    result.update(overrides)
    return cast("dict[str, Level]", result)


def test_everything_full_is_an_a_with_100() -> None:
    result = assess(levels("full"), METHODOLOGY)
    assert (result.score, result.grade, result.review_in_progress) == (100, "A", False)
    assert result.group_scores == dict.fromkeys(result.group_scores, 100)


def test_everything_none_is_an_f_with_0() -> None:
    result = assess(levels("none"), METHODOLOGY)
    assert (result.score, result.grade) == (0, "F")


@pytest.mark.parametrize(
    ("score", "grade"),
    [
        (100, "A"),
        (85, "A"),
        (84, "B"),
        (70, "B"),
        (69, "C"),
        (55, "C"),
        (54, "D"),
        (40, "D"),
        (39, "F"),
        (0, "F"),
    ],
)
def test_grade_boundaries(score: int, grade: str) -> None:
    assert grade_for(score, METHODOLOGY) == grade


def test_weighted_group_means() -> None:
    # Transparency (35) all none, everything else full: 65 / 100 of the weight.
    transparency = {c.id: "none" for c in METHODOLOGY.criteria if c.group == "transparency"}
    result = assess(levels("full", **transparency), METHODOLOGY)
    assert result.group_scores["transparency"] == 0
    assert result.score == 65
    assert result.grade == "C"


def test_half_rounds_up() -> None:
    assert round_half_up(Fraction(169, 2)) == 85
    assert round_half_up(Fraction(1689, 20)) == 84


def test_not_applicable_is_left_out_of_its_group() -> None:
    result = assess(levels("full", moderation_transparency="not_applicable"), METHODOLOGY)
    assert result.score == 100
    partial = assess(
        levels("full", moderation_transparency="not_applicable", transparency_report="partial"),
        METHODOLOGY,
    )
    # Transparency mean over three criteria: (50 + 100 + 100) / 3, exactly; shown as 83.
    assert partial.group_means["transparency"] == Fraction(250, 3)
    assert partial.group_scores["transparency"] == 83


@pytest.mark.parametrize(
    "baseline", ["transport_encryption", "account_security", "vulnerability_handling"]
)
def test_a_baseline_criterion_at_zero_caps_the_grade_at_d(baseline: str) -> None:
    result = assess(levels("full", **{baseline: "none"}), METHODOLOGY)
    assert result.score is not None and result.score >= 85
    assert result.grade == "D"
    assert result.capped_by == (baseline,)


def test_cap_never_raises_a_grade() -> None:
    result = assess(levels("none", transport_encryption="none"), METHODOLOGY)
    assert result.grade == "F"


def test_review_in_progress_when_over_30_percent_not_assessed() -> None:
    # 3 of 11 not assessed (27%) still grades; 4 of 11 (36%) does not.
    three = dict.fromkeys(IDS[:3], "not_assessed")
    four = dict.fromkeys(IDS[:4], "not_assessed")
    graded = assess(levels("full", **three), METHODOLOGY)
    assert graded.grade is not None and not graded.review_in_progress
    result = assess(levels("full", **four), METHODOLOGY)
    assert (result.score, result.grade, result.review_in_progress) == (None, None, True)


def test_silence_is_graded_never_hidden() -> None:
    # Every criterion undisclosed: a company that says nothing gets an F, not a "?".
    result = assess(levels("no_disclosure"), METHODOLOGY)
    assert (result.score, result.grade, result.review_in_progress) == (0, "F", False)
    four = dict.fromkeys(IDS[:4], "no_disclosure")
    assert assess(levels("full", **four), METHODOLOGY).grade is not None


def test_not_applicable_does_not_count_towards_review_in_progress() -> None:
    # 3 not assessed of 8 applicable (37.5%) is over the share, although 3 of 11 is not.
    overrides = dict.fromkeys(IDS[:3], "not_assessed") | dict.fromkeys(IDS[-3:], "not_applicable")
    assert assess(levels("full", **overrides), METHODOLOGY).review_in_progress


@pytest.mark.parametrize("level", ["none", "no_disclosure"])
def test_both_cap_levels_cap(level: str) -> None:
    result = assess(levels("full", account_security=level), METHODOLOGY)
    assert result.grade == METHODOLOGY.grading.baseline_cap.grade
    assert result.capped_by == ("account_security",)


def test_not_assessed_baseline_does_not_cap() -> None:
    result = assess(levels("full", account_security="not_assessed"), METHODOLOGY)
    assert (result.score, result.grade, result.capped_by) == (100, "A", ())


def test_freshness_caps_an_old_full_report_at_partial() -> None:
    review = dt.date(2026, 11, 30)
    old = {"transparency_report": dt.date(2025, 5, 29)}
    result = assess(levels("full"), METHODOLOGY, periods=old, reviewed_on=review)
    assert result.counted["transparency_report"] == "partial"
    fresh = {"transparency_report": dt.date(2025, 5, 30)}
    result = assess(levels("full"), METHODOLOGY, periods=fresh, reviewed_on=review)
    assert result.counted["transparency_report"] == "full"
    # Only the named criteria: an old date elsewhere changes nothing.
    other = {"e2ee_calls": dt.date(2000, 1, 1)}
    assert assess(levels("full"), METHODOLOGY, periods=other, reviewed_on=review).score == 100


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2024, 8, 31), 18, dt.date(2026, 2, 28)),
        (dt.date(2022, 8, 31), 18, dt.date(2024, 2, 29)),
        (dt.date(2025, 6, 30), 18, dt.date(2026, 12, 30)),
        (dt.date(2025, 12, 31), 1, dt.date(2026, 1, 31)),
    ],
)
def test_add_months_clamps_to_the_month_end(day: dt.date, months: int, expected: dt.date) -> None:
    assert add_months(day, months) == expected


def test_missing_criterion_is_an_error() -> None:
    partial = levels("full")
    del partial["e2ee_calls"]
    with pytest.raises(ValueError, match="e2ee_calls"):
        assess(partial, METHODOLOGY)


def test_methodology_rejects_unknown_group() -> None:
    data = METHODOLOGY.model_dump()
    data["criteria"][0]["group"] = "nowhere"
    with pytest.raises(ValueError, match="unknown group"):
        Methodology.model_validate(data)


@settings(max_examples=300, deadline=None)
@given(
    base=st.lists(st.sampled_from(ORDER), min_size=len(IDS), max_size=len(IDS)),
    which=st.integers(min_value=0, max_value=len(IDS) - 1),
)
def test_score_is_monotone_in_every_criterion(base: list[Level], which: int) -> None:
    """Raising any one criterion's level never lowers the score or the grade."""
    before = dict(zip(IDS, base, strict=True))
    position = ORDER.index(before[IDS[which]])
    if position == len(ORDER) - 1:
        return
    after = {**before, IDS[which]: ORDER[position + 1]}
    old, new = assess(before, METHODOLOGY), assess(after, METHODOLOGY)
    if old.score is not None and new.score is not None:
        assert new.score >= old.score
        scale = METHODOLOGY.grades
        assert scale.index(new.grade or "F") <= scale.index(old.grade or "F")
    if old.score is not None:
        # Disclosing more never takes a grade away.
        assert new.score is not None


def test_methodology_file_is_the_published_one() -> None:
    assert Path(FIXTURES / "methodology.yaml").is_file()
    weights = {g.id: g.weight for g in METHODOLOGY.groups}
    assert weights == {"transparency": 35, "encryption": 30, "security": 20, "data_policy": 15}
