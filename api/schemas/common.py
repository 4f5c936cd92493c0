"""The types every resource's schemas share: grades, levels, statuses, the frozen base
of every answer, and a meeting-link template."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

# A letter of the methodology's scale (GET /v1/methodology lists them, best first); the
# letters are data, so the schema does not enumerate them.
GradeValue = Annotated[str, Field(pattern=r"^[A-Z]$", examples=["B"])]


# Named enums rather than inline literals: each is one schema in the OpenAPI document,
# so a generated client has one type for it, not one per field that uses it.
class Level(StrEnum):
    """A criterion's level (`GET /v1/methodology` gives each its label and points)."""

    full = "full"
    partial = "partial"
    none = "none"
    no_disclosure = "no_disclosure"
    not_assessed = "not_assessed"
    not_applicable = "not_applicable"


class ServiceStatus(StrEnum):
    active = "active"
    discontinued = "discontinued"


class SourceKind(StrEnum):
    """official: the company's own page; independent: an audit, regulator, court,
    newsroom or NGO."""

    official = "official"
    independent = "independent"


class OutModel(BaseModel):
    """Every answer's body: frozen once built."""

    model_config = ConfigDict(frozen=True)


class PatternOut(OutModel):
    host: str | None
    path: str
    query: list[str]
