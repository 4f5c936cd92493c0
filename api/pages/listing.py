"""The home page's table of services: its columns, and the query that filters (the
shared ``ServiceQuery``) and sorts it, with the links that change one or the other."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urlencode

from api.pages.common import e2ee_text, transparency_text
from ratings.dataset import Rating
from ratings.query import InvalidQuery, ServiceQuery

Order = Literal["asc", "desc"]


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    label: str
    default_order: Order
    # A rating's value in this column, given the methodology's grades (best first).
    value: Callable[[Rating, Sequence[str]], object]
    order_labels: tuple[str, str]  # what asc and desc mean for this column

    def order_label(self, order: Order) -> str:
        return self.order_labels[0 if order == "asc" else 1]


_E2EE_RANK = {"On by default": 0, "Optional": 1, "No": 2, "Unknown": 3}
_TRANSPARENCY_RANK = {"Yes": 0, "No": 1}


def _grade_rank(rating: Rating, grades: Sequence[str]) -> int | None:
    # The methodology lists its grades best first: its order, not the alphabet's.
    return None if rating.grade is None else grades.index(rating.grade)


def _transparency_rank(rating: Rating, grades: Sequence[str]) -> int | None:
    return _TRANSPARENCY_RANK.get(transparency_text(rating.level_of("transparency_report")) or "")


def _e2ee_rank(rating: Rating, grades: Sequence[str]) -> int | None:
    return _E2EE_RANK.get(e2ee_text(rating.level_of("e2ee_calls")) or "")


COLUMNS: tuple[Column, ...] = (
    Column("service", "Service", "asc", lambda r, _: r.name.casefold(), ("A to Z", "Z to A")),
    Column("grade", "Grade", "asc", _grade_rank, ("best first", "worst first")),
    Column("score", "Score", "desc", lambda r, _: r.score, ("lowest first", "highest first")),
    Column(
        "transparency", "Transparency report", "asc", _transparency_rank, ("yes first", "no first")
    ),
    Column("e2ee", "E2EE default", "asc", _e2ee_rank, ("strongest first", "weakest first")),
    Column(
        "reviewed",
        "Last review",
        "desc",
        lambda r, _: r.reviewed_on,
        ("oldest first", "newest first"),
    ),
)
COLUMN = {column.key: column for column in COLUMNS}

# How the page names each filter in its error message.
_FIELD_NAMES = {"grade": "grade", "status": "status", "q": "search text"}


class BadQuery(ValueError):
    """A query parameter the home page cannot honour (answered with a 400 page)."""


@dataclass(frozen=True, slots=True)
class HomeQuery:
    filters: ServiceQuery = field(default_factory=ServiceQuery)
    sort: str = "service"
    order: Order = "asc"

    @classmethod
    def parse(cls, params: Iterable[tuple[str, str]], grades: Sequence[str]) -> HomeQuery:
        # Empty values are what a GET form sends for "any": treated as absent.
        values = {key: value.strip() for key, value in params if value.strip()}
        try:
            filters = ServiceQuery.parse(values, grades)
        except InvalidQuery as exc:
            raise BadQuery(f"The {_FIELD_NAMES[exc.field]} {exc.reason}.") from exc
        sort = values.get("sort", "service")
        if sort not in COLUMN:
            raise BadQuery(f"Sort by one of: {', '.join(COLUMN)}.")
        order = values.get("order") or COLUMN[sort].default_order
        if order not in ("asc", "desc"):
            raise BadQuery("The order must be asc or desc.")
        return cls(filters, sort, "asc" if order == "asc" else "desc")

    @property
    def column(self) -> Column:
        return COLUMN[self.sort]

    @property
    def is_default_order(self) -> bool:
        return self.order == self.column.default_order

    def href(self, **changes: str | None) -> str:
        """This page's URL with some parameters changed; defaults are left out."""
        values: dict[str, str | None] = {
            "grade": self.filters.grade,
            "status": self.filters.status,
            "q": self.filters.q or None,
            "sort": self.sort,
            "order": self.order,
        }
        values.update(changes)
        sort = values["sort"] or "service"
        if values["order"] == COLUMN[sort].default_order:
            values["order"] = None
        if sort == "service":
            values["sort"] = None
        query = urlencode({k: v for k, v in values.items() if v})
        return f"/?{query}" if query else "/"

    def select(self, ratings: Iterable[Rating], grades: Sequence[str]) -> list[Rating]:
        chosen = self.filters.apply(ratings)
        column = self.column

        def value(rating: Rating) -> object:
            return column.value(rating, grades)

        # Missing values (no grade, no score) go last in either order. Python's sort is
        # stable, so equal values stay in name order.
        present = sorted(
            (r for r in chosen if value(r) is not None), key=lambda r: r.name.casefold()
        )
        missing = sorted((r for r in chosen if value(r) is None), key=lambda r: r.name.casefold())
        # One column's values are all of one type (str, int or date), so they compare.
        present.sort(key=value, reverse=self.order == "desc")  # type: ignore[arg-type]
        return present + missing

    def caption(self, shown: int, total: int) -> str:
        """The table's caption: what it shows, filtered how, sorted how."""
        filters = []
        if self.filters.grade:
            grade = self.filters.grade
            filters.append("review in progress" if grade == "none" else f"grade {grade}")
        if self.filters.status:
            filters.append(self.filters.status)
        if self.filters.q:
            filters.append(f"matching “{self.filters.q}”")
        caption = f"Rated services: {shown} of {total} shown"
        if filters:
            caption += f" ({', '.join(filters)})"
        order = self.column.order_label(self.order)
        return caption + f", sorted by {self.column.label.lower()}, {order}."


@dataclass(frozen=True, slots=True)
class HeaderCell:
    """A column's header: a link that sorts by it (or flips its order)."""

    column: Column
    href: str
    hint: str  # what the link does, as "best first"
    arrow: str  # ▲ or ▼ on the sorted column, else empty
    aria_sort: str | None


def header_cells(query: HomeQuery) -> list[HeaderCell]:
    cells = []
    for column in COLUMNS:
        here = query.sort == column.key
        if here:
            next_order: Order = "desc" if query.order == "asc" else "asc"
        else:
            next_order = column.default_order
        arrow = ("▲" if query.order == "asc" else "▼") if here else ""
        aria_sort = ("ascending" if query.order == "asc" else "descending") if here else None
        cells.append(
            HeaderCell(
                column,
                query.href(sort=column.key, order=next_order),
                column.order_label(next_order),
                arrow,
                aria_sort,
            )
        )
    return cells
