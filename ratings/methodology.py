"""The rating methodology: criteria, levels, groups, weights and grade thresholds.

Read from ``fixtures/methodology.yaml``; published as is by ``GET /v1/methodology`` so
that anyone can recompute a grade.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Level = Literal["full", "partial", "none", "no_disclosure", "not_applicable"]
Grade = Literal["A", "B", "C", "D", "E", "F"]
LEVELS: tuple[Level, ...] = ("full", "partial", "none", "no_disclosure", "not_applicable")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Group(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    weight: float = Field(gt=0)


class LevelTexts(_Strict):
    full: str
    partial: str
    none: str


class Criterion(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    group: str
    name: str
    question: str
    levels: LevelTexts
    basis: list[str] = Field(min_length=1)
    baseline: bool = False


class Grading(_Strict):
    thresholds: dict[Grade, float]
    baseline_cap: Grade
    insufficient_data_share: float = Field(ge=0, le=1)
    stale_after_days: int = Field(gt=0)

    @model_validator(mode="after")
    def _thresholds_descend(self) -> Grading:
        values = list(self.thresholds.values())
        if values != sorted(values, reverse=True):
            raise ValueError("grade thresholds must be listed best first, descending")
        return self


class Methodology(_Strict):
    version: int
    published_on: dt.date
    levels: dict[Literal["full", "partial", "none", "no_disclosure"], float]
    groups: list[Group] = Field(min_length=1)
    criteria: list[Criterion] = Field(min_length=1)
    grading: Grading

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
        if set(self.levels) != {"full", "partial", "none", "no_disclosure"}:
            raise ValueError("levels must give points for full, partial, none, no_disclosure")
        return self

    @property
    def criterion_ids(self) -> tuple[str, ...]:
        return tuple(criterion.id for criterion in self.criteria)
