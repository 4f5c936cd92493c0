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
from typing import Literal

from ratings import repository
from ratings.fixtures import FixtureSet, service_digest
from ratings.loadplan import ServiceChange, SyncReport

__all__ = ["ServiceChange", "SyncReport", "plan_sync", "sync_fixtures"]


async def plan_sync(fixtures: FixtureSet) -> SyncReport:
    """What ``sync_fixtures`` would change, without writing anything."""
    version, old_methodology, current = await repository.read_loaded_state()
    assessments = {slug: s.assess(fixtures.methodology) for slug, s in fixtures.services.items()}
    digests = {slug: service_digest(s) for slug, s in fixtures.services.items()}
    edited = [
        current[slug]["id"]
        for slug in fixtures.services
        if slug in current and current[slug]["digest"] != digests[slug]
    ]
    old_levels = await repository.read_levels(edited)
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
    async with repository.load_transaction():
        report = await plan_sync(fixtures)
        report.dry_run = dry_run
        if dry_run or not report.changed:
            return report
        await repository.write_load(fixtures, report, dt.datetime.now(dt.UTC))
        return report
