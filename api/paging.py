"""Page and page-size parameters of the paginated lists (``/v1/services``, ``/v1/changes``):
one parser, so both lists refuse the same input with the same problem."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from starlette.requests import Request

from api.problems import Problem

T = TypeVar("T")

MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 50
# Far past any real list; bounds the arithmetic a client can ask for.
MAX_PAGE = 1_000_000


def int_param(request: Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    # ASCII digits only: int() also takes full-width digits, signs and spaces.
    if not (raw.isascii() and raw.isdigit()) or not low <= int(raw) <= high:
        raise Problem(400, f"'{name}' must be a whole number from {low} to {high}")
    return int(raw)


def page_params(request: Request) -> tuple[int, int]:
    """(page, per_page) of a request, validated."""
    page = int_param(request, "page", 1, 1, MAX_PAGE)
    per_page = int_param(request, "per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE)
    return page, per_page


@dataclass(frozen=True, slots=True)
class Window:
    """One page of a list: which items it shows, and the fields every paginated answer
    carries (total, page, per_page, pages, next, prev)."""

    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    def items(self, selected: Sequence[T]) -> Sequence[T]:
        start = (self.page - 1) * self.per_page
        return selected[start : start + self.per_page]

    def fields(self, link: Callable[[int], str]) -> dict[str, Any]:
        """The paging fields of the answer; ``link(n)`` is the URL of page n."""
        page, pages = self.page, self.pages
        return {
            "total": self.total,
            "page": page,
            "per_page": self.per_page,
            "pages": pages,
            "next": link(page + 1) if page < pages else None,
            # A page past the end still links back to the last one.
            "prev": link(page - 1) if 1 < page <= pages + 1 else None,
        }
