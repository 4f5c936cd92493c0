"""The extension's dataset, ``/v1/bundle`` (docs/bundle-format.md)."""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from api.schemas.common import GradeValue, Level, OutModel, PatternOut, ServiceStatus, SourceKind


class BundleColours(OutModel):
    background: str = Field(pattern=r"^#[0-9A-Fa-f]{6}$")
    text: str = Field(pattern=r"^#[0-9A-Fa-f]{6}$")


class BundleGrade(OutModel):
    letter: GradeValue
    min_score: float | None = Field(description="null for the lowest grade")
    meaning: str
    colours: BundleColours | None = Field(
        default=None,
        description="The letter's badge colours (background, text); absent when the "
        "methodology gives none: a client then draws the letter in a neutral colour",
    )


class BundleGroup(OutModel):
    id: str
    name: str
    weight: float


class BundleCriterionName(OutModel):
    id: str
    name: str
    group: str


class BundleMethodology(OutModel):
    version: int
    levels: list[Level]
    level_labels: dict[Level, str]
    level_points: dict[Level, float] = Field(
        description="Points of each scored level, for explaining what costs a grade most"
    )
    grades: list[BundleGrade] = Field(description="Best first")
    groups: list[BundleGroup]
    criteria: list[BundleCriterionName]


class BundleSource(OutModel):
    url: str
    kind: SourceKind
    section: str


class BundleCriterion(OutModel):
    id: str
    level: Level
    counted_level: Level
    evidence: str | None
    sources: list[BundleSource]
    latest_period_end: dt.date | None = Field(
        default=None, description="Present only for a report criterion with a report period"
    )


class BundleGroupScore(OutModel):
    id: str
    score: int | None = Field(ge=0, le=100)


class BundleService(OutModel):
    slug: str
    name: str
    company: str
    status: ServiceStatus
    grade: GradeValue | None
    score: int | None = Field(ge=0, le=100)
    reviewed_on: dt.date
    stale: bool
    summary: str
    domains: list[str]
    inside: list[str] = Field(
        description="Services whose domains this service's domains may lie under (declared)"
    )
    meeting_patterns: list[PatternOut]
    groups: list[BundleGroupScore]
    criteria: list[BundleCriterion]


class Bundle(OutModel):
    """docs/bundle-format.md; a client rejects a `format` it does not know."""

    format: int
    version: str
    generated_at: dt.datetime
    methodology: BundleMethodology
    services: list[BundleService]
