"""Reads: the dataset version, the state a load is planned against, and the in-memory
dataset (its ratings built by ``ratings.dataset.make_rating``, its grade histories and
change log by ``ratings.repository.history``)."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Hashable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

from ratings.changes import GradeEvent
from ratings.dataset import CriterionRating, Dataset, Rating, Source, make_rating, utc_today
from ratings.matching import MeetingPattern
from ratings.methodology import Methodology
from ratings.models import (
    CriterionAssessmentRow,
    DatasetVersionRow,
    DomainRow,
    GradeChangeRow,
    MeetingPatternRow,
    ServiceRow,
)
from ratings.repository.history import grade_event, read_change_log

# Services (or slugs) whose rows are read in one query.
WINDOW = 1000
T = TypeVar("T")


def windows(items: Sequence[T], size: int = WINDOW) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# The loaded state --------------------------------------------------------------------


async def read_version() -> str | None:
    """The loaded dataset's version: one small query, cheap enough to poll."""
    rows = await DatasetVersionRow.filter(id=1).values_list("version", flat=True)
    return str(rows[0]) if rows else None


async def read_loaded_state() -> tuple[str | None, int | None, dict[str, dict[str, Any]]]:
    """The loaded version, its methodology version and each service's row by slug (id,
    name, digest, grade, score): what a load is planned against."""
    row = await DatasetVersionRow.filter(id=1).first()
    services = await ServiceRow.all().values("id", "slug", "name", "digest", "grade", "score")
    methodology_version = int(row.methodology["version"]) if row else None  # type: ignore[call-overload]
    return (row.version if row else None), methodology_version, {s["slug"]: s for s in services}


async def read_levels(service_ids: Sequence[int]) -> dict[int, dict[str, str]]:
    """Service id -> criterion -> level, as loaded."""
    levels: dict[int, dict[str, str]] = {}
    for window in windows(service_ids):
        for service_id, criterion, level in await CriterionAssessmentRow.filter(
            service_id__in=window
        ).values_list("service_id", "criterion", "level"):
            levels.setdefault(service_id, {})[criterion] = level
    return levels


# The in-memory dataset ----------------------------------------------------------------------


def source_from_json(value: Mapping[str, Any]) -> Source:
    return Source(
        value["url"],
        sys.intern(value["kind"]),
        value["section"],
        dt.date.fromisoformat(value["retrieved_on"]),
        value.get("language"),
    )


def _row_key(row: Mapping[str, object]) -> Hashable:
    # A service's row changes (updated_at at least) whenever the loader rewrites or
    # regrades it, and every new grade-history row comes with such a change: an equal
    # key means an equal Rating, history included.
    return (row["id"], row["digest"], row["grade"], row["score"], row["updated_at"])


class _ServiceParts:
    """The domains, meeting patterns and criteria of some services, by service id."""

    def __init__(self) -> None:
        self.domains: dict[int, list[str]] = {}
        self.patterns: dict[int, list[MeetingPattern]] = {}
        self.criteria: dict[int, dict[str, CriterionRating]] = {}

    async def read(self, window: Sequence[int]) -> None:
        for service_id, name in (
            await DomainRow.filter(service_id__in=window)
            .order_by("id")
            .values_list("service_id", "name")
        ):
            self.domains.setdefault(service_id, []).append(name)
        for service_id, host, path, query in (
            await MeetingPatternRow.filter(service_id__in=window)
            .order_by("service_id", "position")
            .values_list("service_id", "host", "path", "query")
        ):
            pattern = MeetingPattern.compile(path, host, query)
            self.patterns.setdefault(service_id, []).append(pattern)
        for (
            service_id,
            cid,
            level,
            evidence,
            sources,
            period,
            silent,
        ) in await CriterionAssessmentRow.filter(service_id__in=window).values_list(
            "service_id",
            "criterion",
            "level",
            "evidence",
            "sources",
            "latest_period_end",
            "official_silent",
        ):
            # Criterion ids and levels are a handful of distinct strings, interned so
            # that 110,000 rows share them.
            cid = sys.intern(cid)
            self.criteria.setdefault(service_id, {})[cid] = CriterionRating(
                cid,
                sys.intern(level),
                evidence or None,
                tuple(source_from_json(source) for source in sources),
                period,
                official_silent=bool(silent),
            )


async def _read_histories(slugs: Sequence[str]) -> dict[str, list[GradeEvent]]:
    history: dict[str, list[GradeEvent]] = {}
    for window in windows(slugs):
        for row in (
            await GradeChangeRow.filter(slug__in=window).order_by("changed_at", "id").values()
        ):
            history.setdefault(row["slug"], []).append(grade_event(row))
    return history


def _reusable(
    previous: Dataset | None,
    keys: Mapping[str, Hashable],
    methodology: Methodology,
    today: dt.date,
) -> dict[str, Rating]:
    if previous is None or previous.built_on != today or previous.methodology != methodology:
        return {}
    return {
        slug: previous.ratings[slug]
        for slug, key in keys.items()
        if previous.row_keys.get(slug) == key
    }


async def dataset_from_database(
    today: dt.date | None = None, previous: Dataset | None = None
) -> Dataset | None:
    """The dataset as loaded in the database, or None when nothing was ever loaded.

    With ``previous`` (the dataset being served), the Ratings of services whose rows did
    not change are reused rather than read again: a reload after a small edit then reads
    a few rows, and the replica holds one copy of the unchanged services, not two, while
    the new dataset is built beside the old one.
    """
    today = today or utc_today()
    row = await DatasetVersionRow.filter(id=1).first()
    if row is None:
        return None
    methodology = Methodology.model_validate(row.methodology)
    services = await ServiceRow.all().values()
    keys = {s["slug"]: _row_key(s) for s in services}
    reused = _reusable(previous, keys, methodology, today)
    fresh = [s for s in services if s["slug"] not in reused]
    # In windows of services: the rows of all criteria at once (11 per service, as dicts,
    # lists and strings from the driver) made the peak memory of a 10,000-service load
    # about twice that of the dataset they build.
    parts = _ServiceParts()
    for window in windows(sorted(s["id"] for s in fresh)):
        await parts.read(window)
    history = await _read_histories(sorted(s["slug"] for s in fresh))
    ratings = list(reused.values()) + [
        make_rating(
            s,
            parts.criteria.get(s["id"], {}),
            parts.patterns.get(s["id"], ()),
            parts.domains.get(s["id"], ()),
            methodology,
            today,
            history.get(s["slug"], ()),
        )
        for s in fresh
    ]
    changes = await read_change_log(previous.changes if previous is not None else None)
    return Dataset.build(row.version, methodology, ratings, row.loaded_at, today, keys, changes)
