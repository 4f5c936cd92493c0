"""Database models (Tortoise ORM). The fixture files are the source of truth; these
tables hold the loaded dataset, its grade history and the dataset version that tells
every API replica when to rebuild its in-memory index.

The rating domain's classes are named ``...Row``: they are rows of a table, not the domain
objects of the same names (``ratings.dataset.Dataset``, ``ratings.matching.MeetingPattern``),
and only ``ratings.repository`` reads or writes them. The table names are fixed by
``Meta.table``, so a class name never reaches the schema (migration 0004 only renamed the
classes in the migration state)."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class ServiceRow(Model):
    id = fields.IntField(primary_key=True)
    slug = fields.CharField(max_length=64, unique=True)
    name = fields.CharField(max_length=80)
    company = fields.CharField(max_length=120)
    homepage = fields.CharField(max_length=2048)
    status = fields.CharField(max_length=16)
    discontinued_on = fields.DateField(null=True)
    reviewed_on = fields.DateField()
    summary = fields.TextField()
    # What was read (examined), where the company publishes (publishers), the second
    # pass (review_notes), the contact and the company's replies: shown, never scored.
    details: fields.JSONField[dict[str, object] | None] = fields.JSONField(null=True)
    score = fields.IntField(null=True)
    grade = fields.CharField(max_length=1, null=True)
    # Digest of the fixture file's content: an unchanged file is not rewritten.
    digest = fields.CharField(max_length=16)
    updated_at = fields.DatetimeField()

    class Meta:
        table = "service"


def _part_of_service(related_name: str) -> fields.ForeignKeyRelation[ServiceRow]:
    """The link from a row that is part of a service (a domain, a meeting pattern, a
    criterion): it goes when the service goes."""
    return fields.ForeignKeyField(
        "models.ServiceRow", related_name=related_name, on_delete=fields.CASCADE
    )


class DomainRow(Model):
    id = fields.IntField(primary_key=True)
    service: fields.ForeignKeyRelation[ServiceRow] = _part_of_service("domains")
    name = fields.CharField(max_length=253, unique=True)

    class Meta:
        table = "domain"


class MeetingPatternRow(Model):
    id = fields.IntField(primary_key=True)
    service: fields.ForeignKeyRelation[ServiceRow] = _part_of_service("meeting_patterns")
    position = fields.IntField()
    host = fields.CharField(max_length=255, null=True)
    path = fields.CharField(max_length=512)
    query: fields.JSONField[list[str]] = fields.JSONField(default=list)

    class Meta:
        table = "meeting_pattern"


class CriterionAssessmentRow(Model):
    id = fields.IntField(primary_key=True)
    service: fields.ForeignKeyRelation[ServiceRow] = _part_of_service("criteria")
    criterion = fields.CharField(max_length=64)
    level = fields.CharField(max_length=16)
    evidence = fields.TextField()
    # Source objects: {url, kind, section, retrieved_on[, language]}.
    sources: fields.JSONField[list[dict[str, str]]] = fields.JSONField(default=list)
    latest_period_end = fields.DateField(null=True)
    # Nullable, like every column added after the first migration: SQLite cannot add a
    # NOT NULL column to a table that has rows, and Tortoise's defaults are Python-side.
    official_silent = fields.BooleanField(default=False, null=True)

    class Meta:
        table = "criterion_assessment"
        unique_together = (("service", "criterion"),)


class _HistoryRecord(Model):
    """What every history row says: which service (by slug, so that the row outlives it),
    under which methodology versions, in which load, and when. History rows are only ever
    added, never rewritten."""

    slug = fields.CharField(max_length=64, db_index=True)
    # The service's name when the row was written: a removed service has no other.
    name = fields.CharField(max_length=80, null=True)
    old_methodology_version = fields.IntField(null=True)
    new_methodology_version = fields.IntField(null=True)
    dataset_version = fields.CharField(max_length=16)
    changed_at = fields.DatetimeField()

    class Meta:
        abstract = True


class GradeChangeRow(_HistoryRecord):
    """One row each time a service's grade or score changes, kept after the service is
    removed (it names the service by slug), so the history is never rewritten."""

    id = fields.IntField(primary_key=True)
    old_grade = fields.CharField(max_length=1, null=True)
    new_grade = fields.CharField(max_length=1, null=True)
    old_score = fields.IntField(null=True)
    new_score = fields.IntField(null=True)
    reason = fields.TextField()
    # "evidence" (a file changed), "methodology" (the rules changed), "added", "removed";
    # null on rows written before methodology v2 (read back from their reason).
    cause = fields.CharField(max_length=16, default="evidence", null=True)

    class Meta:
        table = "grade_change"


class CriterionChangeRow(_HistoryRecord):
    """One row each time a criterion's level moves on a service that stays (a service
    added or removed is one GradeChangeRow, not eleven of these). The change feed is
    built from both."""

    id = fields.IntField(primary_key=True)
    criterion = fields.CharField(max_length=64)
    old_level = fields.CharField(max_length=16, null=True)
    new_level = fields.CharField(max_length=16, null=True)
    # "evidence" (a review found something new), "methodology" (re-reviewed in a load that
    # also moved the methodology version).
    cause = fields.CharField(max_length=16, default="evidence")

    class Meta:
        table = "criterion_change"


class _LoadRecord(Model):
    """What every record of a load says: when it ran and how many services it left."""

    loaded_at = fields.DatetimeField()
    service_count = fields.IntField()

    class Meta:
        abstract = True


class DatasetReleaseRow(_LoadRecord):
    """One row per load that changed the dataset version: what ``since=<version>`` on the
    change feed resolves against, and the list of published releases."""

    id = fields.IntField(primary_key=True)
    version = fields.CharField(max_length=16, db_index=True)
    methodology_version = fields.IntField()

    class Meta:
        table = "dataset_release"


class DatasetVersionRow(_LoadRecord):
    """A single row: the version of the loaded dataset and the methodology it was graded by."""

    id = fields.IntField(primary_key=True)
    version = fields.CharField(max_length=16)
    methodology: fields.JSONField[dict[str, object]] = fields.JSONField()

    class Meta:
        table = "dataset"


class ApiKey(Model):
    """A third party's API key, stored only as a SHA-256 digest."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=100)
    prefix = fields.CharField(max_length=12, unique=True)
    digest = fields.CharField(max_length=64, unique=True)
    per_minute = fields.IntField()
    created_at = fields.DatetimeField()
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "api_key"


class Suggestion(Model):
    """A reader's report of an error, or a service to rate, from the /suggest form. Shown
    to maintainers by `candor suggestions list`, never on a public page. Nothing about the
    sender is kept but what they typed (``reply_to`` is optional)."""

    id = fields.IntField(primary_key=True)
    created_at = fields.DatetimeField(db_index=True)
    service = fields.CharField(max_length=64, null=True)
    criterion = fields.CharField(max_length=64, null=True)
    host = fields.CharField(max_length=253, null=True)
    message = fields.TextField()
    reply_to = fields.CharField(max_length=200, null=True)
    dataset_version = fields.CharField(max_length=16, null=True)

    class Meta:
        table = "suggestion"
