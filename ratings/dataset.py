"""The in-memory dataset: every rating, ready to answer from.

Built either from the database (what the API serves) or straight from the fixture files
(``candor bundle export``, tests); both paths produce the same ``Rating`` objects, so the
extension's snapshot and the live API agree.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field

from ratings.fixtures import FixtureSet
from ratings.matching import Match, Matcher, MeetingPattern
from ratings.methodology import Methodology
from ratings.scoring import assess


@dataclass(frozen=True, slots=True)
class CriterionRating:
    id: str
    level: str
    evidence: str
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PatternSpec:
    path: str
    host: str | None
    query: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class GradeEvent:
    changed_at: dt.datetime
    old_grade: str | None
    new_grade: str | None
    old_score: int | None
    new_score: int | None
    reason: str


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
    meeting_patterns: tuple[PatternSpec, ...]
    criteria: tuple[CriterionRating, ...]
    history: tuple[GradeEvent, ...] = ()

    def level_of(self, criterion: str) -> str | None:
        for entry in self.criteria:
            if entry.id == criterion:
                return entry.level
        return None


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

    @classmethod
    def build(
        cls,
        version: str,
        methodology: Methodology,
        ratings: Iterable[Rating],
        loaded_at: dt.datetime,
        today: dt.date | None = None,
        row_keys: Mapping[str, Hashable] | None = None,
    ) -> Dataset:
        ordered = sorted(ratings, key=lambda r: r.name.casefold())
        by_slug = {rating.slug: rating for rating in ordered}
        matcher = Matcher(
            {slug: rating.domains for slug, rating in by_slug.items()},
            {
                slug: [
                    MeetingPattern.compile(p.path, p.host, p.query) for p in rating.meeting_patterns
                ]
                for slug, rating in by_slug.items()
            },
        )
        return cls(
            version, methodology, by_slug, loaded_at, matcher, today or _today(), row_keys or {}
        )

    def match_url(self, url: str) -> Match:
        return self.matcher.match_url(url)

    def match_host(self, host: str) -> Match:
        return self.matcher.match_host(host)


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def is_stale(reviewed_on: dt.date, methodology: Methodology, today: dt.date) -> bool:
    return (today - reviewed_on).days > methodology.grading.stale_after_days


def dataset_from_fixtures(fixtures: FixtureSet, today: dt.date | None = None) -> Dataset:
    """The dataset the files describe, graded, without a database."""
    today = today or _today()
    ratings = []
    for service in fixtures.services.values():
        result = assess(service.levels(), fixtures.methodology)
        ratings.append(
            Rating(
                slug=service.slug,
                name=service.name,
                company=service.company,
                homepage=service.homepage,
                status=service.status,
                discontinued_on=service.discontinued_on,
                reviewed_on=service.reviewed_on,
                stale=is_stale(service.reviewed_on, fixtures.methodology, today),
                summary=service.summary,
                score=result.score,
                grade=result.grade,
                domains=service.domains,
                meeting_patterns=tuple(
                    PatternSpec(p.path, p.host, p.query) for p in service.meeting_patterns
                ),
                criteria=_ordered_criteria(
                    fixtures.methodology,
                    {
                        cid: CriterionRating(cid, e.level, e.evidence, e.sources)
                        for cid, e in service.criteria.items()
                    },
                ),
            )
        )
    return Dataset.build(
        fixtures.version, fixtures.methodology, ratings, dt.datetime.now(dt.UTC), today
    )


def _ordered_criteria(
    methodology: Methodology, entries: Mapping[str, CriterionRating]
) -> tuple[CriterionRating, ...]:
    return tuple(entries[c.id] for c in methodology.criteria if c.id in entries)


# Services whose criteria are read from the database in one query.
_WINDOW = 1000


async def read_version() -> str | None:
    """The loaded dataset's version: one small query, cheap enough to poll."""
    from ratings.models import Dataset as DatasetRow

    rows = await DatasetRow.filter(id=1).values_list("version", flat=True)
    return str(rows[0]) if rows else None


def _row_key(row: Mapping[str, object]) -> Hashable:
    # A service's row changes (updated_at at least) whenever the loader rewrites or
    # regrades it, and every new grade-history row comes with such a change: an equal
    # key means an equal Rating, history included.
    return (row["id"], row["digest"], row["grade"], row["score"], row["updated_at"])


async def dataset_from_database(
    today: dt.date | None = None, previous: Dataset | None = None
) -> Dataset | None:
    """The dataset as loaded in the database, or None when nothing was ever loaded.

    With ``previous`` (the dataset being served), the Ratings of services whose rows did
    not change are reused rather than read again: a reload after a small edit then reads
    a few rows, and the replica holds one copy of the unchanged services, not two, while
    the new dataset is built beside the old one.
    """
    from ratings.models import CriterionAssessment, Domain, GradeChange, MeetingPattern, Service
    from ratings.models import Dataset as DatasetRow

    today = today or _today()
    row = await DatasetRow.filter(id=1).first()
    if row is None:
        return None
    methodology = Methodology.model_validate(row.methodology)
    services = await Service.all().values()
    keys = {s["slug"]: _row_key(s) for s in services}
    reused: dict[str, Rating] = {}
    if previous is not None and previous.built_on == today and previous.methodology == methodology:
        reused = {
            slug: previous.ratings[slug]
            for slug, key in keys.items()
            if previous.row_keys.get(slug) == key
        }
    fresh = [s for s in services if s["slug"] not in reused]
    ids = sorted(s["id"] for s in fresh)
    slugs = sorted(s["slug"] for s in fresh)
    domains: dict[int, list[str]] = {}
    patterns: dict[int, list[PatternSpec]] = {}
    criteria: dict[int, dict[str, CriterionRating]] = {}
    history: dict[str, list[GradeEvent]] = {}
    # In windows of services: the rows of all criteria at once (11 per service, as dicts,
    # lists and strings from the driver) made the peak memory of a 10,000-service load
    # about twice that of the dataset they build. Criterion ids and levels are a handful
    # of distinct strings, interned so that 110,000 rows share them.
    for start in range(0, len(ids), _WINDOW):
        window = ids[start : start + _WINDOW]
        for service_id, name in (
            await Domain.filter(service_id__in=window)
            .order_by("id")
            .values_list("service_id", "name")
        ):
            domains.setdefault(service_id, []).append(name)
        for service_id, host, path, query in (
            await MeetingPattern.filter(service_id__in=window)
            .order_by("service_id", "position")
            .values_list("service_id", "host", "path", "query")
        ):
            patterns.setdefault(service_id, []).append(PatternSpec(path, host, tuple(query)))
        for service_id, cid, level, evidence, sources in await CriterionAssessment.filter(
            service_id__in=window
        ).values_list("service_id", "criterion", "level", "evidence", "sources"):
            cid = sys.intern(cid)
            criteria.setdefault(service_id, {})[cid] = CriterionRating(
                cid, sys.intern(level), evidence, tuple(sources)
            )
    for start in range(0, len(slugs), _WINDOW):
        for event in (
            await GradeChange.filter(slug__in=slugs[start : start + _WINDOW])
            .order_by("changed_at", "id")
            .values()
        ):
            history.setdefault(event["slug"], []).append(
                GradeEvent(
                    event["changed_at"],
                    event["old_grade"],
                    event["new_grade"],
                    event["old_score"],
                    event["new_score"],
                    event["reason"],
                )
            )
    ratings = list(reused.values()) + [
        Rating(
            slug=s["slug"],
            name=s["name"],
            company=s["company"],
            homepage=s["homepage"],
            status=s["status"],
            discontinued_on=s["discontinued_on"],
            reviewed_on=s["reviewed_on"],
            stale=is_stale(s["reviewed_on"], methodology, today),
            summary=s["summary"],
            score=s["score"],
            grade=s["grade"],
            domains=tuple(domains.get(s["id"], ())),
            meeting_patterns=tuple(patterns.get(s["id"], ())),
            criteria=_ordered_criteria(methodology, criteria.get(s["id"], {})),
            history=tuple(history.get(s["slug"], ())),
        )
        for s in fresh
    ]
    return Dataset.build(row.version, methodology, ratings, row.loaded_at, today, keys)
