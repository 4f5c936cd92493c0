"""Which services a reader asked for: the grade, status and text filter of the list of
services, shared by ``GET /v1/services`` and the home page.

Parsed from plain strings, knowing nothing of where they came from: the API answers an
``InvalidQuery`` with a problem, the page with an error page, each in its own words.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from ratings.dataset import Rating

MAX_TEXT = 100
STATUSES = ("active", "discontinued")
NO_GRADE = "none"  # the grade filter's value for "review in progress"

Field = Literal["grade", "status", "q"]


class InvalidQuery(ValueError):
    """A filter value no service could match: ``field`` and what is wrong with it, as in
    "must be active or discontinued"."""

    def __init__(self, field: Field, reason: str) -> None:
        super().__init__(f"{field} {reason}")
        self.field = field
        self.reason = reason


@dataclass(frozen=True, slots=True)
class ServiceQuery:
    grade: str | None = None  # a letter of the scale, or NO_GRADE
    status: str | None = None
    q: str = ""

    @classmethod
    def parse(cls, values: Mapping[str, str], grades: Sequence[str]) -> ServiceQuery:
        """From ``grade``, ``status`` and ``q`` (absent: any). The grade is matched
        case-insensitively; the text is stripped. An empty grade or status is invalid: a
        caller for whom empty means "any" (a GET form) leaves it out."""
        return cls(
            _grade(values.get("grade"), grades),
            _status(values.get("status")),
            _text(values.get("q")),
        )

    @property
    def needle(self) -> str:
        """The text as it is compared: case-insensitively."""
        return self.q.casefold()

    def matches(self, rating: Rating) -> bool:
        if self.grade is not None and (rating.grade or NO_GRADE) != self.grade:
            return False
        if self.status is not None and rating.status != self.status:
            return False
        needle = self.needle
        return (
            not needle
            or needle in rating.name.casefold()
            or needle in rating.slug
            or needle in rating.company.casefold()
        )

    def apply(self, ratings: Iterable[Rating]) -> list[Rating]:
        """The ratings that match, in the order given."""
        return [rating for rating in ratings if self.matches(rating)]


def _grade(raw: str | None, grades: Sequence[str]) -> str | None:
    if raw is None:
        return None
    if raw.lower() == NO_GRADE:
        return NO_GRADE
    if raw.upper() not in grades:
        raise InvalidQuery("grade", f"must be one of {', '.join(grades)} or {NO_GRADE}")
    return raw.upper()


def _status(raw: str | None) -> str | None:
    if raw is not None and raw not in STATUSES:
        raise InvalidQuery("status", f"must be {' or '.join(STATUSES)}")
    return raw


def _text(raw: str | None) -> str:
    text = (raw or "").strip()
    if len(text) > MAX_TEXT:
        raise InvalidQuery("q", f"is at most {MAX_TEXT} characters")
    return text
