"""Scores and grades, computed from criterion levels: pure functions, no I/O.

The rule (methodology version 2), published in ``fixtures/methodology.yaml`` and
``docs/methodology.md``:

1. report freshness: a criterion named in ``report_freshness`` at a level better than its
   cap, whose latest report period ended more than ``max_age_months`` before the review,
   counts at the cap level;
2. each criterion's level is worth points (full 100, partial 50, none and no_disclosure
   0); ``not_assessed`` and ``not_applicable`` criteria are left out;
3. a group's score is the mean of its scored criteria; the total is the weighted mean of
   the groups that have any, rounded half up to a whole number;
4. the grade is the best one whose threshold the rounded score reaches;
5. a baseline criterion at one of the ``baseline_cap`` levels caps the grade;
6. when more than ``review_in_progress_share`` of the applicable criteria (all but
   ``not_applicable``) are ``not_assessed``, there is no score and no grade yet.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction

from ratings.methodology import Grade, Level, Methodology

_RANK = {"full": 0, "partial": 1, "none": 2, "no_disclosure": 3}


@dataclass(frozen=True, slots=True)
class Assessment:
    """The outcome of scoring one service."""

    score: int | None
    grade: Grade | None
    review_in_progress: bool
    capped_by: tuple[str, ...]
    # Group id -> the exact mean of its scored criteria (None: nothing scored there).
    group_means: Mapping[str, Fraction | None]
    # Criterion id -> the level that was scored, after the freshness rule.
    counted: Mapping[str, Level]
    not_assessed_share: float

    @property
    def group_scores(self) -> dict[str, int | None]:
        """Sub-scores as shown to people: whole numbers, rounded half up."""
        return {g: (None if m is None else round_half_up(m)) for g, m in self.group_means.items()}


def grade_for(score: float, methodology: Methodology) -> Grade:
    """The best grade whose threshold ``score`` reaches; the lowest grade below them all."""
    for grade, minimum in methodology.grading.thresholds.items():
        if score >= minimum:
            return grade
    return methodology.grading.lowest_grade


def round_half_up(value: Fraction) -> int:
    # Python's round() rounds half to even; a published rule should not surprise people.
    return math.floor(value + Fraction(1, 2))


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved ``months`` calendar months on, clamped to the month's last day."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def report_is_stale(period_end: dt.date, reviewed_on: dt.date, methodology: Methodology) -> bool:
    """Did the latest report's period end more than the allowed months before the review?"""
    freshness = methodology.grading.report_freshness
    return reviewed_on > add_months(period_end, freshness.max_age_months)


def counted_level(
    criterion: str,
    level: Level,
    period_end: dt.date | None,
    reviewed_on: dt.date | None,
    methodology: Methodology,
) -> Level:
    """The level that is scored: ``level``, or the freshness cap for an old report."""
    freshness = methodology.grading.report_freshness
    if (
        criterion in freshness.criteria
        and level in _RANK
        and _RANK[level] < _RANK[freshness.cap_level]
        and period_end is not None
        and reviewed_on is not None
        and report_is_stale(period_end, reviewed_on, methodology)
    ):
        return freshness.cap_level
    return level


@dataclass
class _Tally:
    """The criteria of one service, counted: points by group, and the counts that decide
    whether it is graded yet."""

    sums: dict[str, list[Fraction]]
    counted: dict[str, Level] = field(default_factory=dict)
    applicable: int = 0
    not_assessed: int = 0
    capped_by: list[str] = field(default_factory=list)

    @property
    def share(self) -> float:
        return self.not_assessed / self.applicable if self.applicable else 1.0


def _tally(
    levels: Mapping[str, Level],
    methodology: Methodology,
    periods: Mapping[str, dt.date | None],
    reviewed_on: dt.date | None,
) -> _Tally:
    # Exact fractions: a score of 84.5 must round to 85 on every machine, in every language.
    points = {level: Fraction(str(value)) for level, value in methodology.levels.items()}
    tally = _Tally({group.id: [] for group in methodology.groups})
    cap = methodology.grading.baseline_cap
    for criterion in methodology.criteria:
        level = counted_level(
            criterion.id, levels[criterion.id], periods.get(criterion.id), reviewed_on, methodology
        )
        tally.counted[criterion.id] = level
        if level == "not_applicable":
            continue
        tally.applicable += 1
        if level == "not_assessed":
            tally.not_assessed += 1
            continue
        if criterion.baseline and level in cap.levels:
            tally.capped_by.append(criterion.id)
        tally.sums[criterion.group].append(points[level])
    return tally


def _weighted_mean(
    means: Mapping[str, Fraction | None], methodology: Methodology
) -> Fraction | None:
    """The weighted mean of the groups that have a mean, or None when none has."""
    weighted = total_weight = Fraction(0)
    for group in methodology.groups:
        mean = means[group.id]
        if mean is not None:
            weight = Fraction(str(group.weight))
            weighted += weight * mean
            total_weight += weight
    return weighted / total_weight if total_weight else None


def assess(
    levels: Mapping[str, Level],
    methodology: Methodology,
    *,
    periods: Mapping[str, dt.date | None] | None = None,
    reviewed_on: dt.date | None = None,
) -> Assessment:
    """Score a service from its criterion levels (every criterion of the methodology),
    the end of each latest report period (``periods``) and the review date."""
    missing = [c.id for c in methodology.criteria if c.id not in levels]
    if missing:
        raise ValueError(f"no level for criteria: {', '.join(missing)}")
    tally = _tally(levels, methodology, periods or {}, reviewed_on)
    means: dict[str, Fraction | None] = {
        group: (sum(values, Fraction(0)) / len(values) if values else None)
        for group, values in tally.sums.items()
    }
    capped_by, share = tuple(tally.capped_by), tally.share
    mean = _weighted_mean(means, methodology)
    if (
        tally.applicable == 0
        or share > methodology.grading.review_in_progress_share
        or mean is None
    ):
        return Assessment(None, None, True, capped_by, means, tally.counted, share)
    score = round_half_up(mean)
    grade = grade_for(score, methodology)
    order = methodology.grades
    cap = methodology.grading.baseline_cap
    if capped_by and order.index(grade) < order.index(cap.grade):
        grade = cap.grade
    return Assessment(score, grade, False, capped_by, means, tally.counted, share)
