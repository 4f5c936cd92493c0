"""Request and response bodies of the public API. The OpenAPI document is generated
from these same models, so the contract and the answers cannot drift apart."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ratings.dataset import Rating
from ratings.methodology import Methodology

# A letter of the methodology's scale (GET /v1/methodology lists them, best first); the
# letters are data, so the schema does not enumerate them.
GradeValue = Annotated[str, Field(pattern=r"^[A-Z]$", examples=["B"])]


# Named enums rather than inline literals: each is one schema in the OpenAPI document,
# so a generated client has one type for it, not one per field that uses it.
class Level(StrEnum):
    """A criterion's level (`GET /v1/methodology` gives each its label and points)."""

    full = "full"
    partial = "partial"
    none = "none"
    no_disclosure = "no_disclosure"
    not_assessed = "not_assessed"
    not_applicable = "not_applicable"


class ServiceStatus(StrEnum):
    active = "active"
    discontinued = "discontinued"


class SourceKind(StrEnum):
    """official: the company's own page; independent: an audit, regulator, court,
    newsroom or NGO."""

    official = "official"
    independent = "independent"


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


class SourceOut(_Out):
    url: str
    kind: SourceKind
    section: str = Field(description="Where on the page the fact is")
    retrieved_on: dt.date
    language: str | None = Field(
        default=None, description="Set only for a page with no English version"
    )


class CriterionOut(_Out):
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


class GroupScoreOut(_Out):
    id: str
    name: str
    weight: float
    score: int | None = Field(ge=0, le=100, description="null when nothing in it is scored")


class ExaminedOut(_Out):
    url: str
    title: str
    retrieved_on: dt.date


class ReviewNoteOut(_Out):
    criterion: str | None
    challenge: str
    resolution: str


class ResponseOut(_Out):
    date: dt.date
    summary: str
    url: str


class ContactOut(_Out):
    url: str
    label: str
    source: SourceOut


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


class DatasetSource(_Out):
    url: str
    kind: SourceKind


class DatasetRow(_Out):
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


class DatasetLicense(_Out):
    id: str = Field(examples=["CC-BY-4.0"])
    name: str
    url: str


class DatasetOut(_Out):
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


class ChangeState(_Out):
    grade: GradeValue | None = Field(
        default=None, description="grade changes: the grade (null: none, or in progress)"
    )
    score: int | None = Field(default=None, ge=0, le=100)
    level: Level | None = Field(
        default=None, description="criterion changes: the level (null before it existed)"
    )


class ChangeMethodology(_Out):
    before: int | None = Field(description="Methodology version before the change")
    after: int | None = Field(description="Methodology version after it")


class ChangeLinks(_Out):
    service: str | None = Field(description="The service's API resource (null once removed)")
    html: str | None = Field(description="The service's page (null once removed)")


class ChangeOut(_Out):
    id: str = Field(description="Stable URI of this change; also its Atom entry id")
    kind: Literal["grade", "criterion"] = Field(
        description="grade: the service's grade or score moved (or it was added or removed); "
        "criterion: one criterion's level moved"
    )
    slug: str
    service: str = Field(description="The service's name")
    criterion: str | None = Field(description="The criterion's id (criterion changes)")
    criterion_name: str | None
    before: ChangeState
    after: ChangeState
    cause: Literal["evidence", "methodology", "added", "removed"] = Field(
        description="new evidence, a methodology change, or the service coming or going"
    )
    reason: str = Field(description="What moved and why, in words")
    methodology: ChangeMethodology
    dataset_version: str = Field(description="The dataset version the change came with")
    changed_at: dt.datetime
    links: ChangeLinks


class ChangePage(_Out):
    items: list[ChangeOut]
    total: int
    page: int
    per_page: int
    pages: int
    next: str | None
    prev: str | None
    since: dt.datetime | None = Field(description="Changes after this moment only (from since=)")
    dataset_version: str
    feed: str = Field(description="The same changes as an Atom feed")


class ServicePage(_Out):
    items: list[RatingSummary]
    total: int
    page: int
    per_page: int
    pages: int
    next: str | None
    prev: str | None
    dataset_version: str


class MethodologyOut(Methodology):
    """The published methodology, as served, with the dataset it grades."""

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


class HostPrefixEntry(_Out):
    sha256: str = Field(
        pattern=r"^[0-9a-f]{64}$",
        description="SHA-256 (lowercase hex) of one rated domain, as the API normalises "
        "host names: lowercase A-labels, no trailing dot",
    )
    service: RatingSummary = Field(description="The service that domain belongs to")
    meeting_patterns: list[PatternOut] = Field(
        description="The service's meeting-link templates (docs/fixture-format.md)"
    )


class HostPrefixResult(_Out):
    prefix: str = Field(pattern=r"^[0-9a-f]{5}$", examples=["caf3a"])
    entries: list[HostPrefixEntry] = Field(
        description="Every rated domain whose SHA-256 starts with the prefix, by digest; "
        "usually none or one"
    )


class BundleColours(_Out):
    background: str = Field(pattern=r"^#[0-9A-Fa-f]{6}$")
    text: str = Field(pattern=r"^#[0-9A-Fa-f]{6}$")


class BundleGrade(_Out):
    letter: GradeValue
    min_score: float | None = Field(description="null for the lowest grade")
    meaning: str
    colours: BundleColours | None = Field(
        default=None,
        description="The letter's badge colours (background, text); absent when the "
        "methodology gives none: a client then draws the letter in a neutral colour",
    )


class BundleGroup(_Out):
    id: str
    name: str
    weight: float


class BundleCriterionName(_Out):
    id: str
    name: str
    group: str


class BundleMethodology(_Out):
    version: int
    levels: list[Level]
    level_labels: dict[Level, str]
    level_points: dict[Level, float] = Field(
        description="Points of each scored level, for explaining what costs a grade most"
    )
    grades: list[BundleGrade] = Field(description="Best first")
    groups: list[BundleGroup]
    criteria: list[BundleCriterionName]


class BundleSource(_Out):
    url: str
    kind: SourceKind
    section: str


class BundleCriterion(_Out):
    id: str
    level: Level
    counted_level: Level
    evidence: str | None
    sources: list[BundleSource]
    latest_period_end: dt.date | None = Field(
        default=None, description="Present only for a report criterion with a report period"
    )


class BundleGroupScore(_Out):
    id: str
    score: int | None = Field(ge=0, le=100)


class BundleService(_Out):
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


class Bundle(_Out):
    """docs/bundle-format.md; a client rejects a `format` it does not know."""

    format: int
    version: str
    generated_at: dt.datetime
    methodology: BundleMethodology
    services: list[BundleService]


class Liveness(_Out):
    status: Literal["ok"]


class Health(_Out):
    status: Literal["ok", "unavailable"]
    database: bool
    dataset_loaded: bool
    dataset_version: str | None
    services: int
    detail: str | None = None


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
                sources=[
                    SourceOut(
                        url=s.url,
                        kind=s.kind,
                        section=s.section,
                        retrieved_on=s.retrieved_on,
                        language=s.language,
                    )
                    for s in c.sources
                ],
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
        history=[
            GradeEventOut(
                changed_at=e.changed_at,
                old_grade=e.old_grade,
                new_grade=e.new_grade,
                old_score=e.old_score,
                new_score=e.new_score,
                reason=e.reason,
                cause=e.cause,
                old_methodology_version=e.old_methodology_version,
                new_methodology_version=e.new_methodology_version,
            )
            for e in rating.history
        ],
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
