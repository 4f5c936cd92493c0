"""Syncing the fixture files into the database, in one transaction.

Loading the same files twice writes nothing; a changed file rewrites only its service;
a removed file removes its service; every change of grade or score leaves a history row
that says which criteria moved. Invalid fixtures never get here: ``read_fixtures`` raises
first, so a bad file means nothing is written.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

from tortoise.transactions import in_transaction

from ratings.fixtures import FixtureSet, ServiceFile, service_digest
from ratings.models import (
    CriterionAssessment,
    Dataset,
    Domain,
    GradeChange,
    MeetingPattern,
    Service,
)
from ratings.scoring import Assessment, assess

# Any constant works: it only has to be the same for every process that loads.
_LOAD_LOCK_KEY = 0x43414E444F52


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

    @property
    def grade_changed(self) -> bool:
        # A service appearing or going is always a grade event, even "insufficient data".
        if self.kind in ("added", "removed"):
            return True
        return (self.old_grade, self.old_score) != (self.new_grade, self.new_score)

    def reason(self) -> str:
        if self.kind in ("added", "removed"):
            return f"service {self.kind}"
        parts = [f"{criterion}: {old} -> {new}" for criterion, old, new in self.moved]
        if not parts:
            parts = ["methodology changed"] if self.kind == "regraded" else ["details edited"]
        return "; ".join(parts)


@dataclass
class SyncReport:
    version_before: str | None
    version_after: str
    changes: list[ServiceChange]
    dry_run: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.changes) or self.version_before != self.version_after


async def _current_state() -> tuple[str | None, dict[str, dict[str, Any]]]:
    row = await Dataset.filter(id=1).first()
    services = await Service.all().values("id", "slug", "digest", "grade", "score")
    return (row.version if row else None), {s["slug"]: s for s in services}


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
    version, current = await _current_state()
    assessments = {
        slug: assess(s.levels(), fixtures.methodology) for slug, s in fixtures.services.items()
    }
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
            changes.append(ServiceChange(slug, "added", None, result.grade, None, result.score))
            continue
        if row["digest"] == digests[slug] and (row["grade"], row["score"]) == (
            result.grade,
            result.score,
        ):
            continue
        kind: Literal["changed", "regraded"] = (
            "changed" if row["digest"] != digests[slug] else "regraded"
        )
        change = ServiceChange(slug, kind, row["grade"], result.grade, row["score"], result.score)
        before = old_levels.get(row["id"], {})
        for criterion, entry in service.criteria.items():
            if before.get(criterion) != entry.level and kind == "changed":
                change.moved.append((criterion, before.get(criterion), entry.level))
        changes.append(change)
    for slug, row in sorted(current.items()):
        if slug not in fixtures.services:
            changes.append(ServiceChange(slug, "removed", row["grade"], None, row["score"], None))
    return SyncReport(version, fixtures.version, changes)


async def sync_fixtures(fixtures: FixtureSet, *, dry_run: bool = False) -> SyncReport:
    """Make the database hold exactly ``fixtures``, in one transaction."""
    async with in_transaction() as connection:
        if connection.capabilities.dialect == "postgres":
            # Two loads at once are serialised; each then sees the other's result.
            await connection.execute_query("SELECT pg_advisory_xact_lock($1)", [_LOAD_LOCK_KEY])
        report = await plan_sync(fixtures)
        report.dry_run = dry_run
        if dry_run or not report.changed:
            return report
        now = dt.datetime.now(dt.UTC)
        _, current = await _current_state()
        for change in report.changes:
            if change.kind == "removed":
                await Service.filter(slug=change.slug).delete()
            else:
                service = fixtures.services[change.slug]
                result = assess(service.levels(), fixtures.methodology)
                if change.kind == "added":
                    await _insert(service, result, now)
                elif change.kind == "changed":
                    await Service.filter(slug=change.slug).delete()
                    await _insert(service, result, now)
                else:
                    await Service.filter(id=current[change.slug]["id"]).update(
                        grade=result.grade, score=result.score, updated_at=now
                    )
            if change.grade_changed:
                await GradeChange.create(
                    slug=change.slug,
                    old_grade=change.old_grade,
                    new_grade=change.new_grade,
                    old_score=change.old_score,
                    new_score=change.new_score,
                    reason=change.reason(),
                    dataset_version=fixtures.version,
                    changed_at=now,
                )
        await _write_dataset_row(fixtures, now)
        return report


async def _write_dataset_row(fixtures: FixtureSet, now: dt.datetime) -> None:
    values: dict[str, Any] = {
        "version": fixtures.version,
        "methodology": fixtures.methodology.model_dump(mode="json"),
        "loaded_at": now,
        "service_count": len(fixtures.services),
    }
    updated = await Dataset.filter(id=1).update(**values)
    if not updated:
        await Dataset.create(id=1, **values)


async def _insert(service: ServiceFile, result: Assessment, now: dt.datetime) -> None:
    row = await Service.create(
        slug=service.slug,
        name=service.name,
        company=service.company,
        homepage=service.homepage,
        status=service.status,
        discontinued_on=service.discontinued_on,
        reviewed_on=service.reviewed_on,
        summary=service.summary,
        score=result.score,
        grade=result.grade,
        digest=service_digest(service),
        updated_at=now,
    )
    await Domain.bulk_create([Domain(service_id=row.id, name=name) for name in service.domains])
    if service.meeting_patterns:
        await MeetingPattern.bulk_create(
            [
                MeetingPattern(
                    service_id=row.id,
                    position=index,
                    host=spec.host,
                    path=spec.path,
                    query=list(spec.query),
                )
                for index, spec in enumerate(service.meeting_patterns)
            ]
        )
    await CriterionAssessment.bulk_create(
        [
            CriterionAssessment(
                service_id=row.id,
                criterion=criterion,
                level=entry.level,
                evidence=entry.evidence,
                sources=list(entry.sources),
            )
            for criterion, entry in service.criteria.items()
        ]
    )
