"""The change log: every grade, score and criterion-level change, newest first.

Built from the two append-only history tables (``grade_change``, ``criterion_change``) and
the release table (read by ``ratings.repository.read_change_log``), and held in memory
beside the dataset it belongs to, so that the JSON feed, the Atom feeds and the /changes
page answer from one consistent snapshot and reach every replica with the dataset version
(one poll). Rows are never rewritten, so a reload after a load reads only the rows past
the last ones seen.
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
class GradeEvent:
    """One change of a service's grade or score (a ``grade_change`` row), as shown in its
    history and, with the service's slug and name, in the change log."""

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

    @classmethod
    def of_grade(
        cls, row_id: int, slug: str, name: str | None, dataset_version: str, event: GradeEvent
    ) -> Change:
        """The change log's entry for a grade event of service ``slug``."""
        return cls(
            "grade",
            row_id,
            slug,
            name,
            None,
            event.old_grade,
            event.new_grade,
            event.old_score,
            event.new_score,
            None,
            None,
            event.cause,
            event.reason,
            event.old_methodology_version,
            event.new_methodology_version,
            dataset_version,
            event.changed_at,
        )

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
