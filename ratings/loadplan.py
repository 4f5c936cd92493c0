"""What a load changes: each service added, changed, removed or regraded, with the grade
event each one leaves in the history. Planned by ``ratings.loader``, written by
``ratings.repository``; pure data, no I/O."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

from ratings.changes import GradeEvent


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

    def grade_event(
        self, methodology_before: int | None, methodology_after: int | None, now: dt.datetime
    ) -> GradeEvent:
        """The history entry this change leaves (when ``grade_changed``)."""
        return GradeEvent(
            now,
            self.old_grade,
            self.new_grade,
            self.old_score,
            self.new_score,
            self.reason(methodology_before, methodology_after),
            self.cause(methodology_before, methodology_after),
            None if self.kind == "added" else methodology_before,
            None if self.kind == "removed" else methodology_after,
        )

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
