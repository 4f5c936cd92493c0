"""The change log: every grade, score and criterion-level change, newest first.

Built from the two append-only history tables (``grade_change``, ``criterion_change``) and
the release table, and held in memory beside the dataset it belongs to, so that the JSON
feed, the Atom feeds and the /changes page answer from one consistent snapshot and reach
every replica with the dataset version (one poll). Rows are never rewritten, so a reload
after a load reads only the rows past the last ones seen.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

ChangeKind = Literal["grade", "criterion"]

# Entry ids are name-based UUIDs (RFC 9562 version 5) in this namespace: the same row always
# gets the same id, on every replica and in every representation (JSON, Atom, the page).
ID_NAMESPACE = uuid.UUID("0f5b8f52-3c6e-5a8e-9d1b-6c616e646f72")
_VERSION = re.compile(r"^[0-9a-f]{16}$")


@dataclass(frozen=True, slots=True)
class Change:
    kind: ChangeKind
    row_id: int
    slug: str
    name: str | None
    criterion: str | None
    old_grade: str | None
    new_grade: str | None
    old_score: int | None
    new_score: int | None
    old_level: str | None
    new_level: str | None
    cause: str
    reason: str
    old_methodology_version: int | None
    new_methodology_version: int | None
    dataset_version: str
    changed_at: dt.datetime

    @property
    def id(self) -> str:
        """A stable URI naming this change (an Atom entry id)."""
        name = f"{self.kind}/{self.row_id}/{self.slug}/{self.changed_at.isoformat()}"
        return uuid.uuid5(ID_NAMESPACE, name).urn

    @property
    def order(self) -> tuple[dt.datetime, int, int]:
        # Newest first; within one load, a service's grade row before its criterion rows.
        return (self.changed_at, 1 if self.kind == "grade" else 0, self.row_id)

    @property
    def methodology_changed(self) -> bool:
        return (
            self.old_methodology_version is not None
            and self.new_methodology_version is not None
            and self.old_methodology_version != self.new_methodology_version
        )


@dataclass(frozen=True, slots=True)
class Release:
    version: str
    methodology_version: int
    service_count: int
    loaded_at: dt.datetime


class BadSince(ValueError):
    """A ``since`` value that is neither a date, a timestamp nor a known dataset version."""


@dataclass(frozen=True)
class ChangeLog:
    # Newest first.
    changes: tuple[Change, ...] = ()
    releases: tuple[Release, ...] = ()
    # The last row ids read, to read only newer rows next time.
    last_grade_id: int = 0
    last_criterion_id: int = 0
    last_release_id: int = 0
    by_slug: dict[str, tuple[Change, ...]] = field(default_factory=dict, compare=False)

    @classmethod
    def build(
        cls,
        changes: Iterable[Change],
        releases: Iterable[Release],
        last_ids: tuple[int, int, int] = (0, 0, 0),
    ) -> ChangeLog:
        ordered = tuple(sorted(changes, key=lambda c: c.order, reverse=True))
        by_slug: dict[str, list[Change]] = {}
        for change in ordered:
            by_slug.setdefault(change.slug, []).append(change)
        return cls(
            ordered,
            tuple(sorted(releases, key=lambda r: r.loaded_at)),
            *last_ids,
            by_slug={slug: tuple(items) for slug, items in by_slug.items()},
        )

    def extended(
        self,
        changes: Sequence[Change],
        releases: Sequence[Release],
        last_ids: tuple[int, int, int],
    ) -> ChangeLog:
        """This log plus newer rows (what a reload after a load read)."""
        if not changes and not releases:
            return (
                self
                if last_ids == self.last_ids
                else self.build(self.changes, self.releases, last_ids)
            )
        return self.build((*self.changes, *changes), (*self.releases, *releases), last_ids)

    @property
    def last_ids(self) -> tuple[int, int, int]:
        return (self.last_grade_id, self.last_criterion_id, self.last_release_id)

    def for_service(self, slug: str) -> tuple[Change, ...]:
        return self.by_slug.get(slug, ())

    def select(
        self, *, since: dt.datetime | None = None, slug: str | None = None
    ) -> Sequence[Change]:
        """Changes after ``since`` (exclusive), of one service or all, newest first."""
        pool = self.changes if slug is None else self.for_service(slug)
        if since is None:
            return pool
        # Newest first: the ones after ``since`` are a prefix.
        count = 0
        for change in pool:
            if change.changed_at <= since:
                break
            count += 1
        return pool[:count]

    def resolve_since(self, raw: str) -> dt.datetime:
        """The moment after which ``since=raw`` asks for changes.

        A date (2026-11-30) includes that whole day; a timestamp (RFC 3339, with an
        offset) is exclusive; a dataset version (16 hex digits) means "after the load
        that made it" (its latest load, if it was loaded more than once)."""
        raw = raw.strip()
        if _VERSION.match(raw):
            loads = [r.loaded_at for r in self.releases if r.version == raw]
            if not loads:
                raise BadSince(
                    f"{raw} is not a dataset version this server has loaded; give a date "
                    "(YYYY-MM-DD) instead"
                )
            return max(loads)
        try:
            if len(raw) == 10:
                day = dt.date.fromisoformat(raw)
                return dt.datetime.combine(day, dt.time.min, dt.UTC) - dt.timedelta(microseconds=1)
            moment = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            raise BadSince(
                "'since' must be a date (YYYY-MM-DD), an RFC 3339 timestamp with an offset, "
                "or a dataset version (16 hexadecimal digits)"
            ) from None
        if moment.tzinfo is None:
            raise BadSince("a 'since' timestamp needs an offset, e.g. 2026-11-30T12:00:00Z")
        return moment


def criterion_reason(
    criterion: str,
    old: str | None,
    new: str | None,
    cause: str,
    old_methodology: int | None,
    new_methodology: int | None,
) -> str:
    """How a criterion row reads: what moved, and why."""
    why = "new evidence"
    if (
        cause == "methodology"
        and old_methodology is not None
        and old_methodology != new_methodology
    ):
        why = f"re-reviewed under methodology version {old_methodology} -> {new_methodology}"
    return f"{criterion}: {old or 'none'} -> {new or 'none'} ({why})"


async def read_change_log(previous: ChangeLog | None = None) -> ChangeLog:
    """The change log as stored, reading only the rows past ``previous``'s (rows are
    append-only). A database whose rows went back (restored, recreated) is read whole."""
    from ratings.models import CriterionChange, DatasetRelease, GradeChange

    if previous is not None and previous.last_ids != (0, 0, 0):
        newest = await GradeChange.all().order_by("-id").limit(1).values_list("id", flat=True)
        if int(newest[0] if newest else 0) < previous.last_grade_id:  # type: ignore[arg-type]
            previous = None
    start = previous.last_ids if previous is not None else (0, 0, 0)
    grade_rows = await GradeChange.filter(id__gt=start[0]).order_by("id").values()
    criterion_rows = await CriterionChange.filter(id__gt=start[1]).order_by("id").values()
    release_rows = await DatasetRelease.filter(id__gt=start[2]).order_by("id").values()
    changes = [
        Change(
            "grade",
            row["id"],
            row["slug"],
            row["name"],
            None,
            row["old_grade"],
            row["new_grade"],
            row["old_score"],
            row["new_score"],
            None,
            None,
            row["cause"],
            row["reason"],
            row["old_methodology_version"],
            row["new_methodology_version"],
            row["dataset_version"],
            row["changed_at"],
        )
        for row in grade_rows
    ]
    changes += [
        Change(
            "criterion",
            row["id"],
            row["slug"],
            row["name"],
            row["criterion"],
            None,
            None,
            None,
            None,
            row["old_level"],
            row["new_level"],
            row["cause"],
            criterion_reason(
                row["criterion"],
                row["old_level"],
                row["new_level"],
                row["cause"],
                row["old_methodology_version"],
                row["new_methodology_version"],
            ),
            row["old_methodology_version"],
            row["new_methodology_version"],
            row["dataset_version"],
            row["changed_at"],
        )
        for row in criterion_rows
    ]
    releases = [
        Release(r["version"], r["methodology_version"], r["service_count"], r["loaded_at"])
        for r in release_rows
    ]
    last_ids = (
        grade_rows[-1]["id"] if grade_rows else start[0],
        criterion_rows[-1]["id"] if criterion_rows else start[1],
        release_rows[-1]["id"] if release_rows else start[2],
    )
    if previous is None:
        return ChangeLog.build(changes, releases, last_ids)
    return previous.extended(changes, releases, last_ids)
