"""Syncing the fixture files into the database, in one transaction.

Loading the same files twice writes nothing; a changed file rewrites only its service;
a removed file removes its service; every change of grade or score leaves a history row
that says which criteria moved, every level that moves on a service leaves a criterion
row, and every load that changes the dataset version leaves a release row. Invalid
fixtures never get here: ``read_fixtures`` raises first, so a bad file means nothing is
written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from ratings.dataset import service_details
from ratings.fixtures import FixtureSet, service_digest
from ratings.models import (
    CriterionAssessment,
    CriterionChange,
    Dataset,
    DatasetRelease,
    Domain,
    GradeChange,
    MeetingPattern,
    Service,
)

# Any constant works: it only has to be the same for every process that loads.
_LOAD_LOCK_KEY = 0x43414E444F52
# Rows per bulk statement, and slugs per IN (...): far below the bound-parameter limits of
# SQLite (32,766) and PostgreSQL (32,767) even for the widest table.
_CHUNK = 500
T = TypeVar("T")


@dataclass
class ServiceChange:
    slug: str
    kind: Literal["added", "changed", "removed", "regraded"]
    old_grade: str | None = None
    new_grade: str | None = None
    old_score: int | None = None
    new_score: int | None = None
    moved: list[tuple[str, str | None, str | None]] = field(default_factory=list)
    fields: list[str] = field(default_factory=list)
    # The service's name (the file's, or the database's for a removed service).
    name: str | None = None

    @property
    def grade_changed(self) -> bool:
        # A service appearing or going is always a grade event, even "insufficient data".
        if self.kind in ("added", "removed"):
            return True
        return (self.old_grade, self.old_score) != (self.new_grade, self.new_score)

    def reason(self, methodology_before: int | None, methodology_after: int | None) -> str:
        if self.kind in ("added", "removed"):
            return f"service {self.kind}"
        parts = [f"{criterion}: {old} -> {new}" for criterion, old, new in self.moved]
        if methodology_before != methodology_after and methodology_before is not None:
            parts.insert(0, f"methodology version {methodology_before} -> {methodology_after}")
        if not parts:
            parts = ["methodology changed"] if self.kind == "regraded" else ["details edited"]
        return "; ".join(parts)

    def cause(self, methodology_before: int | None, methodology_after: int | None) -> str:
        """Why the grade moved: the service came or went, its evidence changed, or only
        the rules it is graded by did."""
        if self.kind in ("added", "removed"):
            return self.kind
        if self.kind == "regraded" or (not self.moved and methodology_before != methodology_after):
            return "methodology"
        return "evidence"


@dataclass
class SyncReport:
    version_before: str | None
    version_after: str
    changes: list[ServiceChange]
    methodology_before: int | None = None
    methodology_after: int | None = None
    dry_run: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.changes) or self.version_before != self.version_after


async def _current_state() -> tuple[str | None, int | None, dict[str, dict[str, Any]]]:
    row = await Dataset.filter(id=1).first()
    services = await Service.all().values("id", "slug", "name", "digest", "grade", "score")
    methodology_version = int(row.methodology["version"]) if row else None  # type: ignore[call-overload]
    return (row.version if row else None), methodology_version, {s["slug"]: s for s in services}


async def _levels_of(service_ids: list[int]) -> dict[int, dict[str, str]]:
    levels: dict[int, dict[str, str]] = {}
    if not service_ids:
        return levels
    rows = await CriterionAssessment.filter(service_id__in=service_ids).values(
        "service_id", "criterion", "level"
    )
    for row in rows:
        levels.setdefault(row["service_id"], {})[row["criterion"]] = row["level"]
    return levels


async def plan_sync(fixtures: FixtureSet) -> SyncReport:
    """What ``sync_fixtures`` would change, without writing anything."""
    version, old_methodology, current = await _current_state()
    assessments = {slug: s.assess(fixtures.methodology) for slug, s in fixtures.services.items()}
    digests = {slug: service_digest(s) for slug, s in fixtures.services.items()}
    edited = [
        current[slug]["id"]
        for slug in fixtures.services
        if slug in current and current[slug]["digest"] != digests[slug]
    ]
    old_levels = await _levels_of(edited)
    changes: list[ServiceChange] = []
    for slug, service in sorted(fixtures.services.items()):
        result = assessments[slug]
        row = current.get(slug)
        if row is None:
            changes.append(
                ServiceChange(
                    slug, "added", None, result.grade, None, result.score, name=service.name
                )
            )
            continue
        if row["digest"] == digests[slug] and (row["grade"], row["score"]) == (
            result.grade,
            result.score,
        ):
            continue
        kind: Literal["changed", "regraded"] = (
            "changed" if row["digest"] != digests[slug] else "regraded"
        )
        change = ServiceChange(
            slug, kind, row["grade"], result.grade, row["score"], result.score, name=service.name
        )
        before = old_levels.get(row["id"], {})
        for criterion, entry in service.criteria.items():
            if before.get(criterion) != entry.level and kind == "changed":
                change.moved.append((criterion, before.get(criterion), entry.level))
        changes.append(change)
    for slug, row in sorted(current.items()):
        if slug not in fixtures.services:
            changes.append(
                ServiceChange(
                    slug, "removed", row["grade"], None, row["score"], None, name=row["name"]
                )
            )
    return SyncReport(
        version, fixtures.version, changes, old_methodology, fixtures.methodology.version
    )


async def sync_fixtures(fixtures: FixtureSet, *, dry_run: bool = False) -> SyncReport:
    """Make the database hold exactly ``fixtures``, in one transaction."""
    async with in_transaction() as connection:
        await _take_load_lock(connection)
        report = await plan_sync(fixtures)
        report.dry_run = dry_run
        if dry_run or not report.changed:
            return report
        await _apply(fixtures, report, dt.datetime.now(dt.UTC))
        return report


async def _take_load_lock(connection: BaseDBAsyncClient) -> None:
    """Serialise loads: a second load waits for the first, then plans against its result."""
    if connection.capabilities.dialect == "postgres":
        await connection.execute_query("SELECT pg_advisory_xact_lock($1)", [_LOAD_LOCK_KEY])
    elif connection.capabilities.dialect == "sqlite":
        # Tortoise opens SQLite transactions with a plain (deferred) BEGIN: two loads would
        # both read, and the second one's upgrade to a writer fails at once with "database
        # is locked" (SQLite cannot wait there without breaking isolation). Writing first
        # takes the write lock up front, as BEGIN IMMEDIATE would; a second load then waits
        # in SQLite's busy handler (busy_timeout, see ratings/db.py) and reads the first
        # one's committed result. The statement changes no row.
        await connection.execute_query("UPDATE dataset SET version = version WHERE id = 1")


def _chunks(items: list[T], size: int = _CHUNK) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


async def _apply(fixtures: FixtureSet, report: SyncReport, now: dt.datetime) -> None:
    """Write the planned changes in a few bulk statements (not a few per service: a
    database round trip per row made a 1,000-service load take half a minute)."""
    version = report.version_after
    replaced = [c.slug for c in report.changes if c.kind in ("removed", "changed")]
    for chunk in _chunks(replaced):
        # Rows of domains, patterns and criteria go with them (ON DELETE CASCADE).
        await Service.filter(slug__in=chunk).delete()

    regrades: dict[tuple[str | None, int | None], list[str]] = {}
    for change in report.changes:
        if change.kind == "regraded":
            regrades.setdefault((change.new_grade, change.new_score), []).append(change.slug)
    for (grade, score), slugs in regrades.items():
        for chunk in _chunks(slugs):
            await Service.filter(slug__in=chunk).update(grade=grade, score=score, updated_at=now)

    inserted = [c for c in report.changes if c.kind in ("added", "changed")]
    await _insert(fixtures, inserted, now)

    await GradeChange.bulk_create(
        [
            GradeChange(
                slug=change.slug,
                name=change.name,
                old_grade=change.old_grade,
                new_grade=change.new_grade,
                old_score=change.old_score,
                new_score=change.new_score,
                reason=change.reason(report.methodology_before, report.methodology_after),
                cause=change.cause(report.methodology_before, report.methodology_after),
                old_methodology_version=(
                    None if change.kind == "added" else report.methodology_before
                ),
                new_methodology_version=(
                    None if change.kind == "removed" else report.methodology_after
                ),
                dataset_version=version,
                changed_at=now,
            )
            for change in report.changes
            if change.grade_changed
        ],
        batch_size=_CHUNK,
    )
    await CriterionChange.bulk_create(_criterion_rows(report, now), batch_size=_CHUNK)
    await DatasetRelease.create(
        version=version,
        methodology_version=fixtures.methodology.version,
        service_count=len(fixtures.services),
        loaded_at=now,
    )
    await _write_dataset_row(fixtures, version, now)


def _criterion_rows(report: SyncReport, now: dt.datetime) -> list[CriterionChange]:
    """A row per level that moved on a service that stays. In a load that also moves the
    methodology version, the new level came from a re-review under the new rules."""
    before, after = report.methodology_before, report.methodology_after
    cause = "methodology" if before is not None and before != after else "evidence"
    return [
        CriterionChange(
            slug=change.slug,
            name=change.name,
            criterion=criterion,
            old_level=old,
            new_level=new,
            cause=cause,
            old_methodology_version=before,
            new_methodology_version=after,
            dataset_version=report.version_after,
            changed_at=now,
        )
        for change in report.changes
        if change.kind == "changed"
        for criterion, old, new in change.moved
    ]


async def _write_dataset_row(fixtures: FixtureSet, version: str, now: dt.datetime) -> None:
    values: dict[str, Any] = {
        "version": version,
        "methodology": fixtures.methodology.model_dump(mode="json"),
        "loaded_at": now,
        "service_count": len(fixtures.services),
    }
    updated = await Dataset.filter(id=1).update(**values)
    if not updated:
        await Dataset.create(id=1, **values)


async def _insert(fixtures: FixtureSet, changes: list[ServiceChange], now: dt.datetime) -> None:
    if not changes:
        return
    services = [fixtures.services[change.slug] for change in changes]
    await Service.bulk_create(
        [
            Service(
                slug=service.slug,
                name=service.name,
                company=service.company,
                homepage=service.homepage,
                status=service.status,
                discontinued_on=service.discontinued_on,
                reviewed_on=service.reviewed_on,
                summary=service.summary,
                details=service_details(service),
                score=change.new_score,
                grade=change.new_grade,
                digest=service_digest(service),
                updated_at=now,
            )
            for service, change in zip(services, changes, strict=True)
        ],
        batch_size=_CHUNK,
    )
    ids: dict[str, int] = {}
    for chunk in _chunks([service.slug for service in services]):
        ids.update(await Service.filter(slug__in=chunk).values_list("slug", "id"))
    await Domain.bulk_create(
        [Domain(service_id=ids[s.slug], name=name) for s in services for name in s.domains],
        batch_size=_CHUNK,
    )
    await MeetingPattern.bulk_create(
        [
            MeetingPattern(
                service_id=ids[s.slug],
                position=index,
                host=spec.host,
                path=spec.path,
                query=list(spec.query),
            )
            for s in services
            for index, spec in enumerate(s.meeting_patterns)
        ],
        batch_size=_CHUNK,
    )
    await CriterionAssessment.bulk_create(
        [
            CriterionAssessment(
                service_id=ids[s.slug],
                criterion=criterion,
                level=entry.level,
                evidence=entry.evidence or "",
                sources=[source.model_dump(mode="json") for source in entry.sources],
                latest_period_end=entry.latest_period_end,
                official_silent=entry.official_silent,
            )
            for s in services
            for criterion, entry in s.criteria.items()
        ],
        batch_size=_CHUNK,
    )
