"""Services and their ratings: ``/v1/services``, ``/v1/services/{slug}`` and the summary
every other answer embeds, built from the read path's ``Rating``."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import Field

from api.schemas.common import GradeValue, Level, OutModel, PatternOut, ServiceStatus, SourceKind
from ratings.dataset import Rating
from ratings.methodology import Methodology


class Links(OutModel):
    self: str = Field(description="This service's API resource")
    html: str = Field(description="This service's public web page")
    badge: str = Field(description="An embeddable SVG badge")


class RatingSummary(OutModel):
    slug: str = Field(examples=["zoom"])
    name: str = Field(examples=["Zoom"])
    company: str
    grade: GradeValue | None = Field(
        description="A letter of the methodology's scale; null only while the review is in "
        "progress (too many criteria not assessed yet)"
    )
    score: int | None = Field(ge=0, le=100)
    status: ServiceStatus
    review_in_progress: bool = Field(
        description="True while too many criteria are not assessed yet to grade the service"
    )
    groups: list[GroupScoreOut] = Field(description="Sub-scores, one per criteria group")
    methodology_version: int
    reviewed_on: dt.date
    stale: bool = Field(description="True when the review is older than the methodology allows")
    summary: str
    transparency_report: str | None = Field(
        description="The level of the transparency-report criterion"
    )
    e2ee_calls: str | None = Field(description="The level of the end-to-end-encryption criterion")
    links: Links


class SourceOut(OutModel):
    url: str
    kind: SourceKind
    section: str = Field(description="Where on the page the fact is")
    retrieved_on: dt.date
    language: str | None = Field(
        default=None, description="Set only for a page with no English version"
    )


class CriterionOut(OutModel):
    id: str
    name: str
    group: str
    level: Level
    counted_level: Level = Field(
        description="The level that was scored: lower than `level` when the latest report "
        "is older than the methodology's report_freshness allows"
    )
    evidence: str | None
    sources: list[SourceOut]
    latest_period_end: dt.date | None = Field(
        default=None, description="Last day covered by the latest report (report criteria)"
    )
    official_silent: bool = Field(
        default=False, description="The company publishes nothing on it; independent sources only"
    )
    reviewed_on: dt.date = Field(description="When a maintainer last checked this criterion")


class GroupScoreOut(OutModel):
    id: str
    name: str
    weight: float
    score: int | None = Field(ge=0, le=100, description="null when nothing in it is scored")


class ExaminedOut(OutModel):
    url: str
    title: str
    retrieved_on: dt.date


class ReviewNoteOut(OutModel):
    criterion: str | None
    challenge: str
    resolution: str


class ResponseOut(OutModel):
    date: dt.date
    summary: str
    url: str


class ContactOut(OutModel):
    url: str
    label: str
    source: SourceOut


class GradeEventOut(OutModel):
    changed_at: dt.datetime
    old_grade: str | None
    new_grade: str | None
    old_score: int | None
    new_score: int | None
    reason: str
    cause: Literal["evidence", "methodology", "added", "removed"]
    old_methodology_version: int | None
    new_methodology_version: int | None


class ServiceDetail(RatingSummary):
    homepage: str
    discontinued_on: dt.date | None
    domains: list[str]
    meeting_patterns: list[PatternOut]
    criteria: list[CriterionOut]
    examined: list[ExaminedOut] = Field(
        description="The company's own documents read in full: `no_disclosure` means they "
        "say nothing either way"
    )
    publishers: list[str]
    contact: ContactOut | None
    review_notes: list[ReviewNoteOut]
    responses: list[ResponseOut] = Field(
        description="The company's own statements (right of reply), apart from the evidence"
    )
    history: list[GradeEventOut]
    dataset_version: str


class ServicePage(OutModel):
    items: list[RatingSummary]
    total: int
    page: int
    per_page: int
    pages: int
    next: str | None
    prev: str | None
    dataset_version: str


def detail_of(
    rating: Rating, methodology: Methodology, version: str, base: str = ""
) -> ServiceDetail:
    """The full public record of one service."""
    names = {c.id: c for c in methodology.criteria}
    details: dict[str, Any] = dict(rating.details)
    return ServiceDetail(
        **summary_of(rating, base).model_dump(),
        homepage=rating.homepage,
        discontinued_on=rating.discontinued_on,
        domains=list(rating.domains),
        meeting_patterns=[
            PatternOut(host=p.host, path=p.path, query=list(p.query))
            for p in rating.meeting_patterns
        ],
        criteria=[
            CriterionOut(
                id=c.id,
                name=names[c.id].name,
                group=names[c.id].group,
                level=c.level,
                counted_level=(c.counted_level or c.level),
                evidence=c.evidence,
                sources=[SourceOut.model_validate(s, from_attributes=True) for s in c.sources],
                latest_period_end=c.latest_period_end,
                official_silent=c.official_silent,
                # A review checks every criterion of the service (CONTRIBUTING.md).
                reviewed_on=rating.reviewed_on,
            )
            for c in rating.criteria
        ],
        examined=details.get("examined") or [],
        publishers=details.get("publishers") or [],
        contact=details.get("contact"),
        review_notes=details.get("review_notes") or [],
        responses=details.get("responses") or [],
        # The domain objects carry the same field names: read by attribute.
        history=[GradeEventOut.model_validate(e, from_attributes=True) for e in rating.history],
        dataset_version=version,
    )


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
        review_in_progress=rating.review_in_progress,
        groups=[
            GroupScoreOut(id=g.id, name=g.name, weight=g.weight, score=g.score)
            for g in rating.groups
        ],
        methodology_version=rating.methodology_version,
        reviewed_on=rating.reviewed_on,
        stale=rating.stale,
        summary=rating.summary,
        transparency_report=rating.level_of("transparency_report"),
        e2ee_calls=rating.level_of("e2ee_calls"),
        links=links_for(rating, base),
    )
