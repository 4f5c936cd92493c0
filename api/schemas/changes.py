"""The change log: ``/v1/changes`` (the Atom feeds carry the same changes)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from api.schemas.common import GradeValue, Level, OutModel


class ChangeState(OutModel):
    grade: GradeValue | None = Field(
        default=None, description="grade changes: the grade (null: none, or in progress)"
    )
    score: int | None = Field(default=None, ge=0, le=100)
    level: Level | None = Field(
        default=None, description="criterion changes: the level (null before it existed)"
    )


class ChangeMethodology(OutModel):
    before: int | None = Field(description="Methodology version before the change")
    after: int | None = Field(description="Methodology version after it")


class ChangeLinks(OutModel):
    service: str | None = Field(description="The service's API resource (null once removed)")
    html: str | None = Field(description="The service's page (null once removed)")


class ChangeOut(OutModel):
    id: str = Field(description="Stable URI of this change; also its Atom entry id")
    kind: Literal["grade", "criterion"] = Field(
        description="grade: the service's grade or score moved (or it was added or removed); "
        "criterion: one criterion's level moved"
    )
    slug: str
    service: str = Field(description="The service's name")
    criterion: str | None = Field(description="The criterion's id (criterion changes)")
    criterion_name: str | None
    before: ChangeState
    after: ChangeState
    cause: Literal["evidence", "methodology", "added", "removed"] = Field(
        description="new evidence, a methodology change, or the service coming or going"
    )
    reason: str = Field(description="What moved and why, in words")
    methodology: ChangeMethodology
    dataset_version: str = Field(description="The dataset version the change came with")
    changed_at: dt.datetime
    links: ChangeLinks


class ChangePage(OutModel):
    items: list[ChangeOut]
    total: int
    page: int
    per_page: int
    pages: int
    next: str | None
    prev: str | None
    since: dt.datetime | None = Field(description="Changes after this moment only (from since=)")
    dataset_version: str
    feed: str = Field(description="The same changes as an Atom feed")
