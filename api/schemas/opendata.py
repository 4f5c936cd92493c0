"""The open dataset (CC BY 4.0): ``/v1/dataset.json``, one row per service and criterion."""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from api.schemas.common import GradeValue, Level, OutModel, ServiceStatus, SourceKind


class DatasetSource(OutModel):
    url: str
    kind: SourceKind


class DatasetRow(OutModel):
    """One service and one criterion, as in dataset.csv."""

    slug: str
    service: str
    company: str
    status: ServiceStatus
    criterion: str
    criterion_name: str
    group: str
    level: Level
    counted_level: Level
    latest_period_end: dt.date | None
    evidence: str | None
    sources: list[DatasetSource]
    reviewed_on: dt.date
    grade: GradeValue | None
    score: int | None = Field(ge=0, le=100)
    methodology_version: int
    dataset_version: str


class DatasetLicense(OutModel):
    id: str = Field(examples=["CC-BY-4.0"])
    name: str
    url: str


class DatasetOut(OutModel):
    """The open dataset (CC BY 4.0): GET /v1/dataset.json."""

    format: int
    title: str
    dataset_version: str
    methodology_version: int
    license: DatasetLicense
    attribution: str
    methodology: str
    columns: list[str]
    rows: list[DatasetRow]
