"""Writes: a load's planned changes (``ratings.loadplan.SyncReport``), in a few bulk
statements inside the loader's transaction (``load_transaction``), so that a load is
written whole or not at all."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from ratings.dataset import service_details
from ratings.fixtures import (
    CriterionEntry,
    FixtureSet,
    MeetingPatternEntry,
    ServiceFile,
    service_digest,
)
from ratings.loadplan import ServiceChange, SyncReport
from ratings.models import (
    CriterionAssessmentRow,
    CriterionChangeRow,
    DatasetReleaseRow,
    DatasetVersionRow,
    DomainRow,
    GradeChangeRow,
    MeetingPatternRow,
    ServiceRow,
)
from ratings.repository.history import grade_change_row
from ratings.repository.reads import windows

# Any constant works: it only has to be the same for every process that loads.
LOAD_LOCK_KEY = 0x43414E444F52
# Rows per bulk statement, and slugs per IN (...): far below the bound-parameter limits of
# SQLite (32,766) and PostgreSQL (32,767) even for the widest table.
_CHUNK = 500


@asynccontextmanager
async def load_transaction() -> AsyncIterator[BaseDBAsyncClient]:
    """A transaction no other load runs beside: a second load waits for the first, then
    plans against its result."""
    async with in_transaction() as connection:
        await _take_load_lock(connection)
        yield connection


async def _take_load_lock(connection: BaseDBAsyncClient) -> None:
    if connection.capabilities.dialect == "postgres":
        await connection.execute_query("SELECT pg_advisory_xact_lock($1)", [LOAD_LOCK_KEY])
    elif connection.capabilities.dialect == "sqlite":
        # Tortoise opens SQLite transactions with a plain (deferred) BEGIN: two loads would
        # both read, and the second one's upgrade to a writer fails at once with "database
        # is locked" (SQLite cannot wait there without breaking isolation). Writing first
        # takes the write lock up front, as BEGIN IMMEDIATE would; a second load then waits
        # in SQLite's busy handler (busy_timeout, see ratings/db.py) and reads the first
        # one's committed result. The statement changes no row.
        await connection.execute_query("UPDATE dataset SET version = version WHERE id = 1")


async def write_load(fixtures: FixtureSet, report: SyncReport, now: dt.datetime) -> None:
    """Write the planned changes in a few bulk statements (not a few per service: a
    database round trip per row made a 1,000-service load take half a minute)."""
    replaced = [c.slug for c in report.changes if c.kind in ("removed", "changed")]
    for chunk in windows(replaced, _CHUNK):
        # Rows of domains, patterns and criteria go with them (ON DELETE CASCADE).
        await ServiceRow.filter(slug__in=chunk).delete()
    await _regrade([c for c in report.changes if c.kind == "regraded"], now)
    inserted = [c for c in report.changes if c.kind in ("added", "changed")]
    await _insert(fixtures, inserted, now)
    await _write_history(report, now)
    await DatasetReleaseRow.create(
        version=report.version_after,
        methodology_version=fixtures.methodology.version,
        service_count=len(fixtures.services),
        loaded_at=now,
    )
    await write_dataset_version(fixtures, report.version_after, now)


async def _regrade(changes: list[ServiceChange], now: dt.datetime) -> None:
    by_grade: dict[tuple[str | None, int | None], list[str]] = {}
    for change in changes:
        by_grade.setdefault((change.new_grade, change.new_score), []).append(change.slug)
    for (grade, score), slugs in by_grade.items():
        for chunk in windows(slugs, _CHUNK):
            await ServiceRow.filter(slug__in=chunk).update(grade=grade, score=score, updated_at=now)


async def _write_history(report: SyncReport, now: dt.datetime) -> None:
    before, after = report.methodology_before, report.methodology_after
    await GradeChangeRow.bulk_create(
        [
            grade_change_row(
                change.slug,
                change.name,
                report.version_after,
                change.grade_event(before, after, now),
            )
            for change in report.changes
            if change.grade_changed
        ],
        batch_size=_CHUNK,
    )
    await CriterionChangeRow.bulk_create(_criterion_rows(report, now), batch_size=_CHUNK)


def _criterion_rows(report: SyncReport, now: dt.datetime) -> list[CriterionChangeRow]:
    """A row per level that moved on a service that stays. In a load that also moves the
    methodology version, the new level came from a re-review under the new rules."""
    before, after = report.methodology_before, report.methodology_after
    cause = "methodology" if before is not None and before != after else "evidence"
    return [
        CriterionChangeRow(
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


async def write_dataset_version(fixtures: FixtureSet, version: str, now: dt.datetime) -> None:
    """The single row every replica polls: written last, so that a replica that sees the
    new version reads the rows written with it."""
    values: dict[str, Any] = {
        "version": version,
        "methodology": fixtures.methodology.model_dump(mode="json"),
        "loaded_at": now,
        "service_count": len(fixtures.services),
    }
    updated = await DatasetVersionRow.filter(id=1).update(**values)
    if not updated:
        await DatasetVersionRow.create(id=1, **values)


async def _insert(fixtures: FixtureSet, changes: list[ServiceChange], now: dt.datetime) -> None:
    if not changes:
        return
    services = [fixtures.services[change.slug] for change in changes]
    await ServiceRow.bulk_create(
        [
            _service_row(service, change, now)
            for service, change in zip(services, changes, strict=True)
        ],
        batch_size=_CHUNK,
    )
    ids: dict[str, int] = {}
    for chunk in windows([service.slug for service in services], _CHUNK):
        ids.update(await ServiceRow.filter(slug__in=chunk).values_list("slug", "id"))
    domains: list[DomainRow] = []
    patterns: list[MeetingPatternRow] = []
    criteria: list[CriterionAssessmentRow] = []
    for service in services:
        service_id = ids[service.slug]
        domains += (DomainRow(service_id=service_id, name=name) for name in service.domains)
        patterns += (
            _pattern_row(service_id, position, entry)
            for position, entry in enumerate(service.meeting_patterns)
        )
        criteria += (
            _criterion_row(service_id, criterion, entry)
            for criterion, entry in service.criteria.items()
        )
    await DomainRow.bulk_create(domains, batch_size=_CHUNK)
    await MeetingPatternRow.bulk_create(patterns, batch_size=_CHUNK)
    await CriterionAssessmentRow.bulk_create(criteria, batch_size=_CHUNK)


def _pattern_row(service_id: int, position: int, entry: MeetingPatternEntry) -> MeetingPatternRow:
    query = list(entry.query)
    return MeetingPatternRow(
        service_id=service_id, position=position, host=entry.host, path=entry.path, query=query
    )


def _criterion_row(
    service_id: int, criterion: str, entry: CriterionEntry
) -> CriterionAssessmentRow:
    return CriterionAssessmentRow(
        service_id=service_id,
        criterion=criterion,
        level=entry.level,
        evidence=entry.evidence or "",
        sources=[source.model_dump(mode="json") for source in entry.sources],
        latest_period_end=entry.latest_period_end,
        official_silent=entry.official_silent,
    )


def _service_row(service: ServiceFile, change: ServiceChange, now: dt.datetime) -> ServiceRow:
    return ServiceRow(
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
