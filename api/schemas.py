"""Request and response bodies of the public API. The OpenAPI document is generated
from these same models, so the contract and the answers cannot drift apart."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ratings.dataset import Rating

GradeValue = Literal["A", "B", "C", "D", "E", "F"]


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class Links(_Out):
    self: str = Field(description="This service's API resource")
    html: str = Field(description="This service's public web page")
    badge: str = Field(description="An embeddable SVG badge")


class RatingSummary(_Out):
    slug: str = Field(examples=["zoom"])
    name: str = Field(examples=["Zoom"])
    company: str
    grade: GradeValue | None = Field(description="A..F, or null when the data is insufficient")
    score: int | None = Field(ge=0, le=100)
    status: Literal["active", "discontinued"]
    insufficient_data: bool
    reviewed_on: dt.date
    stale: bool = Field(description="True when the review is older than the methodology allows")
    summary: str
    transparency_report: str | None = Field(
        description="The level of the transparency-report criterion"
    )
    e2ee_calls: str | None = Field(description="The level of the end-to-end-encryption criterion")
    links: Links


class CriterionOut(_Out):
    id: str
    name: str
    group: str
    level: Literal["full", "partial", "none", "no_disclosure", "not_applicable"]
    evidence: str
    sources: list[str]
    reviewed_on: dt.date = Field(description="When a maintainer last checked this criterion")


class PatternOut(_Out):
    host: str | None
    path: str
    query: list[str]


class GradeEventOut(_Out):
    changed_at: dt.datetime
    old_grade: str | None
    new_grade: str | None
    old_score: int | None
    new_score: int | None
    reason: str


class ServiceDetail(RatingSummary):
    homepage: str
    discontinued_on: dt.date | None
    domains: list[str]
    meeting_patterns: list[PatternOut]
    criteria: list[CriterionOut]
    history: list[GradeEventOut]
    dataset_version: str


class ServicePage(_Out):
    items: list[RatingSummary]
    total: int
    page: int
    per_page: int
    pages: int
    next: str | None
    prev: str | None
    dataset_version: str


class LookupResult(_Out):
    url: str
    host: str | None
    service: RatingSummary | None
    meeting: bool
    error: str | None = Field(
        default=None, description="Why this URL could not be looked up (batch only)"
    )


class LookupBatchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    urls: list[str] = Field(min_length=1, max_length=100)


class LookupBatchResponse(_Out):
    results: list[LookupResult]


class ProblemOut(_Out):
    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None


class Health(_Out):
    status: Literal["ok", "unavailable"]
    database: bool
    dataset_loaded: bool
    dataset_version: str | None
    services: int
    detail: str | None = None


def links_for(rating: Rating, base: str = "") -> Links:
    return Links(
        self=f"{base}/v1/services/{rating.slug}",
        html=f"{base}/services/{rating.slug}",
        badge=f"{base}/v1/services/{rating.slug}/badge.svg",
    )


def summary_of(rating: Rating, base: str = "") -> RatingSummary:
    return RatingSummary(
        slug=rating.slug,
        name=rating.name,
        company=rating.company,
        grade=rating.grade,
        score=rating.score,
        status=rating.status,
        insufficient_data=rating.grade is None,
        reviewed_on=rating.reviewed_on,
        stale=rating.stale,
        summary=rating.summary,
        transparency_report=rating.level_of("transparency_report"),
        e2ee_calls=rating.level_of("e2ee_calls"),
        links=links_for(rating, base),
    )
