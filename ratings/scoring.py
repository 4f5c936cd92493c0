"""Scores and grades, computed from criterion levels: pure functions, no I/O.

The rule, published in ``fixtures/methodology.yaml`` and ``docs/methodology.md``:

1. each criterion's level is worth points (full 100, partial 50, none and no_disclosure 0);
   ``not_applicable`` criteria are left out;
2. a group's score is the mean of its criteria; the total is the weighted mean of the
   groups that have any applicable criterion, rounded half up to a whole number;
3. the grade is the best one whose threshold the rounded score reaches;
4. a baseline criterion at ``none`` or ``no_disclosure`` caps the grade;
5. when more than the insufficient-data share of applicable criteria is
   ``no_disclosure``, there is no score and no grade.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

from ratings.methodology import Grade, Level, Methodology

GRADE_ORDER: tuple[Grade, ...] = ("A", "B", "C", "D", "E", "F")


@dataclass(frozen=True, slots=True)
class Assessment:
    """The outcome of scoring one service."""

    score: int | None
    grade: Grade | None
    insufficient_data: bool
    capped_by: tuple[str, ...]
    group_scores: Mapping[str, float | None]
    undisclosed_share: float


def grade_for(score: float, methodology: Methodology) -> Grade:
    """The best grade whose threshold ``score`` reaches; F below every threshold."""
    for grade, minimum in methodology.grading.thresholds.items():
        if score >= minimum:
            return grade
    return "F"


def round_half_up(value: Fraction) -> int:
    # Python's round() rounds half to even; a published rule should not surprise people.
    return math.floor(value + Fraction(1, 2))


def assess(levels: Mapping[str, Level], methodology: Methodology) -> Assessment:
    """Score a service from its criterion levels (every criterion of the methodology)."""
    missing = [c.id for c in methodology.criteria if c.id not in levels]
    if missing:
        raise ValueError(f"no level for criteria: {', '.join(missing)}")

    # Exact fractions: a score of 84.5 must round to 85 on every machine, in every language.
    points = {level: Fraction(str(value)) for level, value in methodology.levels.items()}
    sums: dict[str, list[Fraction]] = {group.id: [] for group in methodology.groups}
    applicable = undisclosed = 0
    capped_by: list[str] = []
    for criterion in methodology.criteria:
        level = levels[criterion.id]
        if level == "not_applicable":
            continue
        applicable += 1
        if level == "no_disclosure":
            undisclosed += 1
        if criterion.baseline and level in ("none", "no_disclosure"):
            capped_by.append(criterion.id)
        sums[criterion.group].append(points[level])

    means: dict[str, Fraction | None] = {
        group: (sum(values, Fraction(0)) / len(values) if values else None)
        for group, values in sums.items()
    }
    group_scores = {group: (float(m) if m is not None else None) for group, m in means.items()}
    share = undisclosed / applicable if applicable else 1.0
    if applicable == 0 or share > methodology.grading.insufficient_data_share:
        return Assessment(None, None, True, tuple(capped_by), group_scores, share)

    weighted = total_weight = Fraction(0)
    for group in methodology.groups:
        mean = means[group.id]
        if mean is not None:
            weight = Fraction(str(group.weight))
            weighted += weight * mean
            total_weight += weight
    score = round_half_up(weighted / total_weight)
    grade = grade_for(score, methodology)
    cap = methodology.grading.baseline_cap
    if capped_by and GRADE_ORDER.index(grade) < GRADE_ORDER.index(cap):
        grade = cap
    return Assessment(score, grade, False, tuple(capped_by), group_scores, share)
