"""The in-memory dataset: every rating, ready to answer from.

Built either from the database (``ratings.repository.dataset_from_database``: what the API
serves) or straight from the fixture files (``dataset_from_fixtures``: ``candor bundle
export``, tests); both paths build their ``Rating`` objects with ``make_rating``, so the
extension's snapshot and the live API agree. Nothing here touches the database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

# GradeEvent belongs to a Rating (its history): importable from here as well.
from ratings.changes import ChangeLog
from ratings.changes import GradeEvent as GradeEvent
from ratings.fixtures import FixtureSet, ServiceFile
from ratings.matching import Match, Matcher, MeetingPattern
from ratings.methodology import Methodology
from ratings.scoring import assess


@dataclass(frozen=True, slots=True)
class Source:
    url: str
    kind: str  # "official" | "independent"
    section: str
    retrieved_on: dt.date
    language: str | None = None


@dataclass(frozen=True, slots=True)
class CriterionRating:
    id: str
    level: str
    evidence: str | None
    sources: tuple[Source, ...]
    # The last day covered by the latest report (transparency criteria only).
    latest_period_end: dt.date | None = None
    # The level that was scored: ``level``, or lower when the latest report is too old.
    counted_level: str | None = None
    official_silent: bool = False


@dataclass(frozen=True, slots=True)
class GroupScore:
    id: str
    name: str
    weight: float
    score: int | None


@dataclass(frozen=True, slots=True)
class Rating:
    slug: str
    name: str
    company: str
    homepage: str
    status: str
    discontinued_on: dt.date | None
    reviewed_on: dt.date
    stale: bool
    summary: str
    score: int | None
    grade: str | None
    domains: tuple[str, ...]
    meeting_patterns: tuple[MeetingPattern, ...]
    criteria: tuple[CriterionRating, ...]
    groups: tuple[GroupScore, ...] = ()
    methodology_version: int = 0
    # examined, publishers, contact, review_notes, responses: as in the file (JSON-ready).
    details: Mapping[str, Any] = field(default_factory=dict)
    history: tuple[GradeEvent, ...] = ()

    @property
    def review_in_progress(self) -> bool:
        return self.grade is None

    def level_of(self, criterion: str) -> str | None:
        for entry in self.criteria:
            if entry.id == criterion:
                return entry.level
        return None


def make_rating(
    service: Mapping[str, Any],
    criteria: Mapping[str, CriterionRating],
    patterns: Iterable[MeetingPattern],
    domains: Iterable[str],
    methodology: Methodology,
    today: dt.date,
    history: Iterable[GradeEvent] = (),
) -> Rating:
    """The one place a ``Rating`` is built, from the files or from the database: the
    score, the grade, the sub-scores and each criterion's counted level all come from
    ``ratings.scoring`` here, so the two paths cannot disagree."""
    reviewed_on: dt.date = service["reviewed_on"]
    result = assess(
        {cid: entry.level for cid, entry in criteria.items()},  # type: ignore[misc]
        methodology,
        periods={cid: entry.latest_period_end for cid, entry in criteria.items()},
        reviewed_on=reviewed_on,
    )
    sub_scores = result.group_scores
    ordered = tuple(
        replace(criteria[c.id], counted_level=result.counted[c.id])
        for c in methodology.criteria
        if c.id in criteria
    )
    return Rating(
        slug=service["slug"],
        name=service["name"],
        company=service["company"],
        homepage=service["homepage"],
        status=service["status"],
        discontinued_on=service["discontinued_on"],
        reviewed_on=reviewed_on,
        stale=is_stale(reviewed_on, methodology, today),
        summary=service["summary"],
        score=result.score,
        grade=result.grade,
        domains=tuple(domains),
        meeting_patterns=tuple(patterns),
        criteria=ordered,
        groups=tuple(
            GroupScore(g.id, g.name, g.weight, sub_scores[g.id]) for g in methodology.groups
        ),
        methodology_version=methodology.version,
        details=service.get("details") or {},
        history=tuple(history),
    )


_DETAILS = {"inside", "publishers", "examined", "contact", "review_notes", "responses"}


def service_details(service: ServiceFile) -> dict[str, Any]:
    """What a service file says besides its criteria, as stored and served (only these
    fields are dumped: the criteria, most of a file, are not needed here)."""
    return service.model_dump(mode="json", include=_DETAILS)


@dataclass(frozen=True)
class Dataset:
    version: str
    methodology: Methodology
    ratings: Mapping[str, Rating]
    loaded_at: dt.datetime
    matcher: Matcher = field(repr=False)
    built_on: dt.date
    # slug -> what the service's database row said when its Rating was built (see
    # dataset_from_database); empty for a dataset built from the files.
    row_keys: Mapping[str, Hashable] = field(default_factory=dict, repr=False, compare=False)
    # Every grade, score and level change, and the releases (empty from the files).
    changes: ChangeLog = field(default_factory=ChangeLog, repr=False, compare=False)

    @classmethod
    def build(
        cls,
        version: str,
        methodology: Methodology,
        ratings: Iterable[Rating],
        loaded_at: dt.datetime,
        today: dt.date | None = None,
        row_keys: Mapping[str, Hashable] | None = None,
        changes: ChangeLog | None = None,
    ) -> Dataset:
        ordered = sorted(ratings, key=lambda r: r.name.casefold())
        by_slug = {rating.slug: rating for rating in ordered}
        matcher = Matcher(
            {slug: rating.domains for slug, rating in by_slug.items()},
            {slug: rating.meeting_patterns for slug, rating in by_slug.items()},
        )
        return cls(
            version,
            methodology,
            by_slug,
            loaded_at,
            matcher,
            today or utc_today(),
            row_keys or {},
            changes or ChangeLog(),
        )

    def match_url(self, url: str) -> Match:
        return self.matcher.match_url(url)

    def match_host(self, host: str) -> Match:
        return self.matcher.match_host(host)


def utc_today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def is_stale(reviewed_on: dt.date, methodology: Methodology, today: dt.date) -> bool:
    return (today - reviewed_on).days > methodology.grading.stale_after_days


def dataset_from_fixtures(fixtures: FixtureSet, today: dt.date | None = None) -> Dataset:
    """The dataset the files describe, graded, without a database."""
    today = today or utc_today()
    ratings = []
    for service in fixtures.services.values():
        fields = {
            "slug": service.slug,
            "name": service.name,
            "company": service.company,
            "homepage": service.homepage,
            "status": service.status,
            "discontinued_on": service.discontinued_on,
            "reviewed_on": service.reviewed_on,
            "summary": service.summary,
            "details": service_details(service),
        }
        criteria = {
            cid: CriterionRating(
                cid,
                e.level,
                e.evidence,
                tuple(
                    Source(s.url, s.kind, s.section, s.retrieved_on, s.language) for s in e.sources
                ),
                e.latest_period_end,
                official_silent=e.official_silent,
            )
            for cid, e in service.criteria.items()
        }
        patterns = [spec.compile() for spec in service.meeting_patterns]
        ratings.append(
            make_rating(fields, criteria, patterns, service.domains, fixtures.methodology, today)
        )
    return Dataset.build(
        fixtures.version, fixtures.methodology, ratings, dt.datetime.now(dt.UTC), today
    )
