"""The rating methodology: criteria, levels, groups, weights, grades and the rules between.

Read from ``fixtures/methodology.yaml``; published as is by ``GET /v1/methodology`` so
that anyone can recompute a grade. The grade letters, the level names and their words
are data here, not constants in the code: the API, the pages and the extension's bundle
all take them from this one place.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ratings.colour import HEX_COLOUR, MIN_TEXT_CONTRAST, contrast_ratio
from ratings.text import Text

Level = Literal["full", "partial", "none", "no_disclosure", "not_assessed", "not_applicable"]
ScoredLevel = Literal["full", "partial", "none", "no_disclosure"]
# A grade is a letter of the methodology's scale (its thresholds, then the lowest grade).
Grade = str
LEVELS: tuple[Level, ...] = (
    "full",
    "partial",
    "none",
    "no_disclosure",
    "not_assessed",
    "not_applicable",
)
SCORED_LEVELS: tuple[ScoredLevel, ...] = ("full", "partial", "none", "no_disclosure")
_LETTER = r"^[A-Z]$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Group(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: Text
    weight: float = Field(gt=0)


class LevelTexts(_Strict):
    full: Text
    partial: Text
    none: Text


class Criterion(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    group: str
    name: Text
    question: Text
    levels: LevelTexts
    basis: list[Text] = Field(min_length=1)
    baseline: bool = False
    # What a reader asks of a company below full on this criterion, in the imperative
    # ("Publish a report ..."): the "ask the company" letter is made of these.
    ask: str | None = None


class BaselineCap(_Strict):
    grade: str = Field(pattern=_LETTER)
    levels: list[ScoredLevel] = Field(min_length=1)


class ReportFreshness(_Strict):
    criteria: list[str] = Field(min_length=1)
    max_age_months: int = Field(gt=0)
    cap_level: Literal["partial", "none"]


class BadgeColours(_Strict):
    """How a grade looks wherever it is shown: its background and the text on it."""

    background: str = Field(pattern=HEX_COLOUR)
    text: str = Field(pattern=HEX_COLOUR)

    @model_validator(mode="after")
    def _readable(self) -> BadgeColours:
        ratio = contrast_ratio(self.background, self.text)
        if ratio < MIN_TEXT_CONTRAST:
            raise ValueError(
                f"text {self.text} on {self.background} has a contrast of {ratio:.2f}:1; "
                f"at least {MIN_TEXT_CONTRAST}:1 is needed"
            )
        return self


class Grading(_Strict):
    thresholds: dict[str, float]
    lowest_grade: str = Field(pattern=_LETTER)
    grade_meanings: dict[str, Text]
    # Optional only so that a dataset stored before the colours were part of the
    # methodology still loads (its grades are drawn in a neutral colour until the
    # fixtures are loaded again); when given, it must colour every grade.
    grade_colours: dict[str, BadgeColours] | None = None
    baseline_cap: BaselineCap
    review_in_progress_share: float = Field(ge=0, le=1)
    report_freshness: ReportFreshness
    stale_after_days: int = Field(gt=0)

    @model_validator(mode="after")
    def _scale(self) -> Grading:
        import re

        values = list(self.thresholds.values())
        if values != sorted(values, reverse=True):
            raise ValueError("grade thresholds must be listed best first, descending")
        letters = self.grades
        if any(not re.fullmatch(_LETTER, letter) for letter in letters):
            raise ValueError("grades are single capital letters")
        if len(set(letters)) != len(letters):
            raise ValueError("a grade letter is used twice")
        if set(self.grade_meanings) != set(letters):
            raise ValueError("grade_meanings must explain every grade, and only those")
        if self.grade_colours is not None and set(self.grade_colours) != set(letters):
            raise ValueError("grade_colours must colour every grade, and only those")
        if self.baseline_cap.grade not in letters:
            raise ValueError(f"baseline_cap.grade {self.baseline_cap.grade!r} is not a grade")
        return self

    @property
    def grades(self) -> tuple[str, ...]:
        """Every grade letter, best first."""
        return (*self.thresholds, self.lowest_grade)


class Methodology(_Strict):
    version: int
    published_on: dt.date
    levels: dict[ScoredLevel, float]
    level_labels: dict[Level, Text]
    groups: list[Group] = Field(min_length=1)
    criteria: list[Criterion] = Field(min_length=1)
    grading: Grading

    def level_label(self, level: str) -> str:
        """A level in the methodology's own words ("Not disclosed"); a name it does not
        define (a level of an older methodology, in the history) as it is."""
        # level_labels is keyed by the Level literals; any str may be asked.
        return str(self.level_labels.get(level, level))  # type: ignore[call-overload]

    @model_validator(mode="after")
    def _consistent(self) -> Methodology:
        group_ids = [group.id for group in self.groups]
        if len(set(group_ids)) != len(group_ids):
            raise ValueError("group ids must be unique")
        criterion_ids = [criterion.id for criterion in self.criteria]
        if len(set(criterion_ids)) != len(criterion_ids):
            raise ValueError("criterion ids must be unique")
        for criterion in self.criteria:
            if criterion.group not in group_ids:
                raise ValueError(f"criterion {criterion.id} names unknown group {criterion.group}")
        if set(self.levels) != set(SCORED_LEVELS):
            raise ValueError("levels must give points for full, partial, none, no_disclosure")
        if set(self.level_labels) != set(LEVELS):
            raise ValueError(f"level_labels must name every level: {', '.join(LEVELS)}")
        for cid in self.grading.report_freshness.criteria:
            if cid not in criterion_ids:
                raise ValueError(f"report_freshness names unknown criterion {cid}")
        return self

    @property
    def criterion_ids(self) -> tuple[str, ...]:
        return tuple(criterion.id for criterion in self.criteria)

    @property
    def grades(self) -> tuple[str, ...]:
        return self.grading.grades

    def group_of(self, criterion_id: str) -> Group:
        for criterion in self.criteria:
            if criterion.id == criterion_id:
                return next(g for g in self.groups if g.id == criterion.group)
        raise KeyError(criterion_id)
