"""The in-memory dataset: every rating, ready to answer from.

Built either from the database (what the API serves) or straight from the fixture files
(``candor bundle export``, tests); both paths produce the same ``Rating`` objects, so the
extension's snapshot and the live API agree.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from ratings.changes import ChangeLog, read_change_log
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
    cause: str = "evidence"
    old_methodology_version: int | None = None
    new_methodology_version: int | None = None


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
    patterns: Iterable[PatternSpec],
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


def cause_of_reason(reason: str) -> str:
    """The cause of a history row written before rows recorded it (methodology v1)."""
    if reason in ("service added", "service removed"):
        return reason.removeprefix("service ")
    return "methodology" if reason == "methodology changed" else "evidence"


def source_from_json(value: Mapping[str, Any]) -> Source:
    return Source(
        value["url"],
        sys.intern(value["kind"]),
        value["section"],
        dt.date.fromisoformat(value["retrieved_on"]),
        value.get("language"),
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
            {
                slug: [
                    MeetingPattern.compile(p.path, p.host, p.query) for p in rating.meeting_patterns
                ]
                for slug, rating in by_slug.items()
            },
        )
        return cls(
            version,
            methodology,
            by_slug,
            loaded_at,
            matcher,
            today or _today(),
            row_keys or {},
            changes or ChangeLog(),
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
        patterns = [PatternSpec(p.path, p.host, p.query) for p in service.meeting_patterns]
        ratings.append(
            make_rating(fields, criteria, patterns, service.domains, fixtures.methodology, today)
        )
    return Dataset.build(
        fixtures.version, fixtures.methodology, ratings, dt.datetime.now(dt.UTC), today
    )


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
        for (
            service_id,
            cid,
            level,
            evidence,
            sources,
            period,
            silent,
        ) in await CriterionAssessment.filter(service_id__in=window).values_list(
            "service_id",
            "criterion",
            "level",
            "evidence",
            "sources",
            "latest_period_end",
            "official_silent",
        ):
            cid = sys.intern(cid)
            criteria.setdefault(service_id, {})[cid] = CriterionRating(
                cid,
                sys.intern(level),
                evidence or None,
                tuple(source_from_json(source) for source in sources),
                period,
                official_silent=bool(silent),
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
                    event["cause"] or cause_of_reason(event["reason"]),
                    event["old_methodology_version"],
                    event["new_methodology_version"],
                )
            )
    ratings = list(reused.values()) + [
        make_rating(
            s,
            criteria.get(s["id"], {}),
            patterns.get(s["id"], ()),
            domains.get(s["id"], ()),
            methodology,
            today,
            history.get(s["slug"], ()),
        )
        for s in fresh
    ]
    changes = await read_change_log(previous.changes if previous is not None else None)
    return Dataset.build(row.version, methodology, ratings, row.loaded_at, today, keys, changes)
