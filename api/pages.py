"""The public web pages: the list of services, each service's evidence, the methodology.

Server-rendered HTML that works without JavaScript: sorting and filtering are links and a
plain GET form, answered here. The pages obey the CSP the API sends on HTML (no inline
script or style; the stylesheet is ``/static/candor.css``), load nothing from elsewhere
and set no cookies. Each page is rendered once per dataset version and query, and served
with an ETag like the JSON answers.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urlencode, urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route

from api import assets
from api.accountability import ask_section, history_chart, responses_section
from api.html import Child, Html, join, render_markdown, safe_url, tag
from api.palette import INSUFFICIENT, colours_for
from api.responses import Rendered, cached_response
from api.state import AppState, state_of
from ratings.dataset import CriterionRating, Dataset, GradeEvent, Rating, Source
from ratings.letter import compose
from ratings.methodology import Criterion, Methodology
from ratings.opendata import LICENSE_ID
from ratings.readpath import DatasetUnavailable

HTML_TYPE = "text/html; charset=utf-8"
DEFAULT_METHODOLOGY_DOC = Path(__file__).resolve().parent.parent / "docs" / "methodology.md"
MAX_QUERY = 100

_YEAR = 365 * 24 * 3600


# static assets --------------------------------------------------------------------------


def _css_href() -> str:
    # The content hash in the URL lets the stylesheet be cached for a year: a changed file
    # gets a new URL (and the pages that name it a new ETag).
    return assets.href("candor.css")


async def static_asset(request: Request) -> Response:
    name = request.path_params["name"]
    if name not in assets.FILES:
        return _error_page(request, 404, "Not found", "There is no such file.")
    asset = assets.asset(name)
    # The gzip form when the client takes it: one representation per encoding, each with
    # its own ETag, and Vary tells caches in front which one they hold.
    wants_gzip = "gzip" in request.headers.get("accept-encoding", "").lower()
    rendered = asset.gzipped if wants_gzip else asset.plain
    if request.query_params.get("v") != asset.digest:
        # Unversioned (or an old version's) URL: cached like any other answer.
        max_age = state_of(request).settings.cache_max_age
        response = cached_response(request, rendered, max_age=max_age, vary="Accept-Encoding")
    else:
        response = cached_response(request, rendered, max_age=_YEAR, vary="Accept-Encoding")
        # This URL names these exact bytes: they never change, so no revalidation is needed.
        response.headers["Cache-Control"] = f"public, max-age={_YEAR}, immutable"
    if wants_gzip and response.status_code == 200:
        response.headers["Content-Encoding"] = "gzip"
    return response


# layout -------------------------------------------------------------------------------

_NAV = (
    ("/", "Services", "home"),
    ("/methodology", "Methodology", "methodology"),
    ("/changes", "Changes", "changes"),
    ("/docs", "API", "api"),
)


def layout(
    *,
    title: str,
    main: Html,
    current: str | None,
    description: str,
    dataset: Dataset | None,
    styles: Sequence[str] = (),
    scripts: Sequence[str] = (),
    feeds: Sequence[tuple[str, str]] = (("Candor: rating changes", "/changes.atom"),),
) -> bytes:
    """A whole page: head, site header and nav, ``main``, footer.

    ``styles`` are stylesheet URLs loaded before the site's own (which therefore wins
    where both style the same thing); ``scripts`` are external script URLs, run in order
    after the page is parsed. Nothing inline: the pages' CSP allows neither. ``feeds``
    are (title, URL) of the Atom feeds a feed reader finds on the page.
    """
    nav_items = [
        tag(
            "li",
            None,
            tag("a", {"href": href, "aria-current": "page" if key == current else None}, label),
        )
        for href, label, key in _NAV
    ]
    footer_bits: list[Child] = [
        "Candor rates what video-calling companies publicly commit to. ",
        tag("a", {"href": "/v1/services"}, "Data as JSON"),
        " · ",
        tag("a", {"href": "/v1/methodology"}, "Methodology as JSON"),
        tag("br"),
        tag("a", {"href": "/open-data"}, "Open data"),
        ", free to reuse under ",
        tag("a", {"href": "/open-data#licence", "rel": "license"}, LICENSE_ID.replace("-", " ")),
        " with attribution: ",
        tag("a", {"href": "/v1/dataset.csv"}, "CSV"),
        " · ",
        tag("a", {"href": "/v1/dataset.json"}, "JSON"),
        " · ",
        tag("a", {"href": "/changes.atom"}, "change feed (Atom)"),
    ]
    if dataset is not None:
        footer_bits += [
            tag("br"),
            tag(
                "span",
                {"class": "muted"},
                f"Dataset {dataset.version}, methodology version {dataset.methodology.version}"
                f" (published {dataset.methodology.published_on.isoformat()}).",
            ),
        ]
    page = join(
        [
            Html("<!doctype html>\n"),
            tag(
                "html",
                {"lang": "en"},
                tag(
                    "head",
                    None,
                    tag("meta", {"charset": "utf-8"}),
                    tag(
                        "meta",
                        {"name": "viewport", "content": "width=device-width, initial-scale=1"},
                    ),
                    tag("title", None, f"{title} · Candor"),
                    tag("meta", {"name": "description", "content": description}),
                    tag("meta", {"name": "color-scheme", "content": "light dark"}),
                    # An empty icon: browsers stop asking for /favicon.ico.
                    tag("link", {"rel": "icon", "href": "data:,"}),
                    *(
                        tag(
                            "link",
                            {
                                "rel": "alternate",
                                "type": "application/atom+xml",
                                "title": feed_title,
                                "href": href,
                            },
                        )
                        for feed_title, href in feeds
                    ),
                    *(tag("link", {"rel": "stylesheet", "href": href}) for href in styles),
                    tag("link", {"rel": "stylesheet", "href": _css_href()}),
                    # defer: run in order once the document is parsed, without blocking it.
                    *(tag("script", {"src": src, "defer": True}) for src in scripts),
                ),
                Html("\n"),
                tag(
                    "body",
                    None,
                    tag("a", {"class": "skip-link", "href": "#main"}, "Skip to content"),
                    tag(
                        "header",
                        {"class": "site-header"},
                        tag(
                            "div",
                            {"class": "wrap"},
                            tag("a", {"class": "brand", "href": "/"}, "Candor"),
                            tag(
                                "nav",
                                {"aria-label": "Main"},
                                tag("ul", None, join(nav_items)),
                            ),
                        ),
                    ),
                    Html("\n"),
                    tag("main", {"id": "main", "class": "wrap"}, Html("\n"), main, Html("\n")),
                    Html("\n"),
                    tag(
                        "footer",
                        {"class": "site-footer"},
                        tag("div", {"class": "wrap"}, tag("p", None, join(footer_bits))),
                    ),
                ),
            ),
            Html("\n"),
        ]
    )
    return page.encode()


def _error_page(
    request: Request, status: int, title: str, message: str, dataset: Dataset | None = None
) -> Response:
    main = join(
        [
            tag("h1", None, title),
            tag("p", None, message),
            tag("p", None, tag("a", {"href": "/"}, "See every rated service")),
        ],
        "\n",
    )
    body = layout(title=title, main=main, current=None, description=message, dataset=dataset)
    # Not cached: an error answer should not outlive its cause in anyone's cache.
    return Response(
        body, status_code=status, media_type=HTML_TYPE, headers={"Cache-Control": "no-store"}
    )


def _unavailable(request: Request) -> Response:
    response = _error_page(
        request,
        503,
        "Ratings are loading",
        "The ratings dataset is not loaded yet. Please try again in a few seconds.",
    )
    response.headers["Retry-After"] = "5"
    return response


def _serve(request: Request, state: AppState, rendered: Rendered) -> Response:
    return cached_response(request, rendered, max_age=state.settings.cache_max_age)


# shared bits -----------------------------------------------------------------------------


def level_text(methodology: Methodology, level: str) -> str:
    """A level in the methodology's own words ("Not disclosed", "Not assessed yet")."""
    return methodology.level_labels.get(level, level)  # type: ignore[call-overload, no-any-return]


def transparency_text(level: str | None) -> str | None:
    """The "transparency report" column: does a report exist at all?"""
    return {
        "full": "Yes",
        "partial": "Yes",
        "none": "No",
        "no_disclosure": "Not disclosed",
        "not_assessed": "Not assessed",
    }.get(level or "")


def e2ee_text(level: str | None) -> str | None:
    """The "E2EE default" column: are calls end-to-end encrypted out of the box?"""
    return {
        "full": "On by default",
        "partial": "Optional",
        "none": "No",
        "no_disclosure": "Not disclosed",
        "not_assessed": "Not assessed",
    }.get(level or "")


def _grades(methodology: Methodology) -> list[str]:
    """The grades this methodology can give, best first."""
    return list(methodology.grades)


def _grade_tile(rating: Rating) -> Html:
    if rating.grade is None:
        return join(
            [
                tag("span", {"class": "grade grade-none", "aria-hidden": "true"}, "?"),
                tag("span", {"class": "grade-note"}, "Review in progress"),
            ],
            " ",
        )
    # The letter is the content; colour only repeats it.
    return tag(
        "span",
        {"class": f"grade grade-{rating.grade}"},
        tag("span", {"class": "visually-hidden"}, "Grade "),
        rating.grade,
    )


def _date(day: dt.date) -> Html:
    return tag("time", {"datetime": day.isoformat()}, day.isoformat())


def _timestamp(moment: dt.datetime) -> Html:
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC)
    return tag(
        "time",
        {"datetime": moment.isoformat(timespec="seconds")},
        moment.strftime("%Y-%m-%d %H:%M") + " UTC",
    )


def _external(url: str, text: Child | None = None) -> Html:
    """A link off-site; anything but http(s) is shown as text, not linked."""
    target = safe_url(url)
    if target is None or not target.lower().startswith(("http://", "https://")):
        return tag("span", {"class": "url"}, text if text is not None else url)
    return tag(
        "a",
        {"href": target, "rel": "noopener nofollow"},
        text if text is not None else url,
    )


# For the other page modules (api/accountability.py, api/changes_page.py).
external_link = _external
error_page = _error_page
unavailable_page = _unavailable


def _dash(label: str) -> Html:
    return join(
        [
            tag("span", {"aria-hidden": "true"}, "—"),
            tag("span", {"class": "visually-hidden"}, label),
        ]
    )


# home: the table --------------------------------------------------------------------------

Order = Literal["asc", "desc"]


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    label: str
    default_order: Order
    value: Callable[[Rating], object]
    order_labels: tuple[str, str]  # what asc and desc mean for this column


_E2EE_RANK = {"On by default": 0, "Optional": 1, "No": 2, "Unknown": 3}
_TRANSPARENCY_RANK = {"Yes": 0, "No": 1}


def _grade_rank(rating: Rating) -> int | None:
    return None if rating.grade is None else "ABCDEF".index(rating.grade)


COLUMNS: tuple[Column, ...] = (
    Column("service", "Service", "asc", lambda r: r.name.casefold(), ("A to Z", "Z to A")),
    Column("grade", "Grade", "asc", _grade_rank, ("best first", "worst first")),
    Column("score", "Score", "desc", lambda r: r.score, ("lowest first", "highest first")),
    Column(
        "transparency",
        "Transparency report",
        "asc",
        lambda r: _TRANSPARENCY_RANK.get(
            transparency_text(r.level_of("transparency_report")) or ""
        ),
        ("yes first", "no first"),
    ),
    Column(
        "e2ee",
        "E2EE default",
        "asc",
        lambda r: _E2EE_RANK.get(e2ee_text(r.level_of("e2ee_calls")) or ""),
        ("strongest first", "weakest first"),
    ),
    Column(
        "reviewed", "Last review", "desc", lambda r: r.reviewed_on, ("oldest first", "newest first")
    ),
)
_COLUMN = {column.key: column for column in COLUMNS}


class BadQuery(ValueError):
    """A query parameter the home page cannot honour (answered with a 400 page)."""


@dataclass(frozen=True, slots=True)
class HomeQuery:
    grade: str | None = None  # "A".."F" or "none" (insufficient data)
    status: str | None = None
    q: str = ""
    sort: str = "service"
    order: Order = "asc"

    @classmethod
    def parse(cls, params: Iterable[tuple[str, str]], grades: Sequence[str]) -> HomeQuery:
        # Empty values are what a GET form sends for "any": treated as absent.
        values = {key: value.strip() for key, value in params if value.strip()}
        grade = values.get("grade")
        if grade is not None:
            grade = "none" if grade.lower() == "none" else grade.upper()
            if grade != "none" and grade not in grades:
                raise BadQuery(f"The grade must be one of {', '.join(grades)}, or none.")
        status = values.get("status")
        if status is not None and status not in ("active", "discontinued"):
            raise BadQuery("The status must be active or discontinued.")
        q = values.get("q", "")
        if len(q) > MAX_QUERY:
            raise BadQuery(f"The search text is at most {MAX_QUERY} characters.")
        sort = values.get("sort", "service")
        if sort not in _COLUMN:
            raise BadQuery(f"Sort by one of: {', '.join(_COLUMN)}.")
        order = values.get("order") or _COLUMN[sort].default_order
        if order not in ("asc", "desc"):
            raise BadQuery("The order must be asc or desc.")
        return cls(grade, status, q, sort, "asc" if order == "asc" else "desc")

    def href(self, **changes: str | None) -> str:
        """This page's URL with some parameters changed; defaults are left out."""
        values: dict[str, str | None] = {
            "grade": self.grade,
            "status": self.status,
            "q": self.q or None,
            "sort": self.sort,
            "order": self.order,
        }
        values.update(changes)
        sort = values["sort"] or "service"
        if values["order"] == _COLUMN[sort].default_order:
            values["order"] = None
        if sort == "service":
            values["sort"] = None
        query = urlencode({k: v for k, v in values.items() if v})
        return f"/?{query}" if query else "/"

    def select(self, ratings: Iterable[Rating]) -> list[Rating]:
        needle = self.q.casefold()
        chosen = [
            r
            for r in ratings
            if (self.grade is None or (r.grade or "none") == self.grade)
            and (self.status is None or r.status == self.status)
            and (
                not needle
                or needle in r.name.casefold()
                or needle in r.slug
                or needle in r.company.casefold()
            )
        ]
        column = _COLUMN[self.sort]
        # Missing values (no grade, no score) go last in either order. Python's sort is
        # stable, so equal values stay in name order.
        present = sorted(
            (r for r in chosen if column.value(r) is not None), key=lambda r: r.name.casefold()
        )
        missing = sorted(
            (r for r in chosen if column.value(r) is None), key=lambda r: r.name.casefold()
        )
        # One column's values are all of one type (str, int or date), so they compare.
        present.sort(key=column.value, reverse=self.order == "desc")  # type: ignore[arg-type]
        return present + missing


def _chart(dataset: Dataset) -> Html:
    """The grade distribution as an SVG bar chart: presentation attributes, no CSS needed."""
    grades = _grades(dataset.methodology)
    counts = {grade: 0 for grade in grades}
    unrated = 0
    for rating in dataset.ratings.values():
        if rating.grade is None:
            unrated += 1
        else:
            counts[rating.grade] = counts.get(rating.grade, 0) + 1
    bars: list[tuple[str, str, int, str]] = [  # label, long name, count, fill
        (grade, f"grade {grade}", count, colours_for(grade, dataset.methodology).background)
        for grade, count in counts.items()
    ]
    bars.append(("?", "review in progress", unrated, INSUFFICIENT.background))

    width, height = 420, 200
    top, bottom, left = 24, 36, 8
    slot = (width - 2 * left) / len(bars)
    bar_width = slot * 0.62
    most = max((count for _, _, count, _ in bars), default=0) or 1
    usable = height - top - bottom
    total = len(dataset.ratings)
    desc = "; ".join(
        f"{name}: {count} service{'s' if count != 1 else ''}" for _, name, count, _ in bars
    )
    shapes: list[Html] = []
    for index, (label, _, count, fill) in enumerate(bars):
        bar_height = usable * count / most
        x = left + index * slot + (slot - bar_width) / 2
        y = top + usable - bar_height
        centre = x + bar_width / 2
        if count:
            shapes.append(
                tag(
                    "rect",
                    {
                        "x": f"{x:.1f}",
                        "y": f"{y:.1f}",
                        "width": f"{bar_width:.1f}",
                        "height": f"{bar_height:.1f}",
                        "fill": fill,
                        # A dark outline keeps light bars (yellow) visible on white: WCAG
                        # asks 3:1 for graphics, which the fill alone does not give.
                        "stroke": "currentColor",
                        "stroke-width": "1",
                    },
                )
            )
        shapes.append(
            tag(
                "text",
                {"x": f"{centre:.1f}", "y": f"{y - 6:.1f}", "text-anchor": "middle"},
                str(count),
            )
        )
        shapes.append(
            tag(
                "text",
                {
                    "x": f"{centre:.1f}",
                    "y": f"{height - bottom + 20:.1f}",
                    "text-anchor": "middle",
                    "font-weight": "bold",
                },
                label,
            )
        )
    axis = tag(
        "line",
        {
            "x1": left,
            "x2": width - left,
            "y1": height - bottom,
            "y2": height - bottom,
            "stroke": "currentColor",
        },
    )
    return tag(
        "svg",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "class": "chart",
            "viewBox": f"0 0 {width} {height}",
            "role": "img",
            "aria-labelledby": "chart-title chart-desc",
            "fill": "currentColor",
            "font-size": "14",
        },
        tag("title", {"id": "chart-title"}, f"Grade distribution of {total} rated services"),
        tag("desc", {"id": "chart-desc"}, desc + "."),
        join(shapes),
        axis,
    )


def _filter_form(query: HomeQuery, grades: Sequence[str]) -> Html:
    def select(name: str, label: str, options: Sequence[tuple[str, str]], value: str) -> Html:
        return tag(
            "div",
            {"class": "field"},
            tag("label", {"for": f"f-{name}"}, label),
            tag(
                "select",
                {"id": f"f-{name}", "name": name},
                join(
                    tag("option", {"value": key, "selected": key == value}, text)
                    for key, text in options
                ),
            ),
        )

    grade_options = [("", "Any grade"), *((g, g) for g in grades), ("none", "Insufficient data")]
    sort_options = [(c.key, c.label) for c in COLUMNS]
    order_options = [("", "Default"), ("asc", "Ascending"), ("desc", "Descending")]
    default_order = query.order == _COLUMN[query.sort].default_order
    return tag(
        "form",
        {"class": "filters", "method": "get", "action": "/", "role": "search"},
        tag(
            "div",
            {"class": "field field-wide"},
            tag("label", {"for": "f-q"}, "Search"),
            tag(
                "input",
                {
                    "id": "f-q",
                    "name": "q",
                    "type": "search",
                    "value": query.q,
                    "maxlength": MAX_QUERY,
                    "placeholder": "Service or company",
                },
            ),
        ),
        select("grade", "Grade", grade_options, query.grade or ""),
        select(
            "status",
            "Status",
            [("", "Any status"), ("active", "Active"), ("discontinued", "Discontinued")],
            query.status or "",
        ),
        select("sort", "Sort by", sort_options, query.sort),
        select("order", "Order", order_options, "" if default_order else query.order),
        tag(
            "div",
            {"class": "actions"},
            tag("button", {"type": "submit"}, "Apply"),
            " ",
            tag("a", {"href": "/"}, "Reset"),
        ),
    )


def _header_cell(column: Column, query: HomeQuery) -> Html:
    sorted_here = query.sort == column.key
    if sorted_here:
        next_order: Order = "desc" if query.order == "asc" else "asc"
    else:
        next_order = column.default_order
    hint = column.order_labels[0 if next_order == "asc" else 1]
    arrow = ("▲" if query.order == "asc" else "▼") if sorted_here else ""
    link = tag(
        "a",
        {"href": query.href(sort=column.key, order=next_order), "title": f"Sort {hint}"},
        column.label,
        tag("span", {"class": "sort-arrow", "aria-hidden": "true"}, arrow) if arrow else None,
        tag("span", {"class": "visually-hidden"}, f" (sort {hint})"),
    )
    aria_sort = None
    if sorted_here:
        aria_sort = "ascending" if query.order == "asc" else "descending"
    return tag(
        "th",
        {"scope": "col", "role": "columnheader", "aria-sort": aria_sort, "data-key": column.key},
        link,
    )


def _row(rating: Rating) -> Html:
    name_cell = tag(
        "th",
        {"scope": "row", "role": "rowheader", "class": "service-name"},
        tag("a", {"href": f"/services/{rating.slug}"}, rating.name),
        " ",
        tag("span", {"class": "tag tag-discontinued"}, "Discontinued")
        if rating.status == "discontinued"
        else None,
        tag("span", {"class": "company"}, rating.company),
    )
    transparency = transparency_text(rating.level_of("transparency_report"))
    e2ee = e2ee_text(rating.level_of("e2ee_calls"))
    cells = [
        name_cell,
        tag("td", {"data-label": "Grade", "role": "cell"}, _grade_tile(rating)),
        tag(
            "td",
            {"data-label": "Score", "role": "cell", "class": "num"},
            str(rating.score) if rating.score is not None else _dash("no score"),
        ),
        tag(
            "td",
            {"data-label": "Transparency report", "role": "cell"},
            transparency if transparency else _dash("not assessed"),
        ),
        tag(
            "td",
            {"data-label": "E2EE default", "role": "cell"},
            e2ee if e2ee else _dash("not assessed"),
        ),
        tag(
            "td",
            {"data-label": "Last review", "role": "cell"},
            _date(rating.reviewed_on),
            " ",
            tag("span", {"class": "tag tag-stale"}, "Stale") if rating.stale else None,
        ),
    ]
    row_class = "discontinued" if rating.status == "discontinued" else None
    return tag("tr", {"role": "row", "class": row_class, "data-slug": rating.slug}, join(cells))


def render_home(dataset: Dataset, query: HomeQuery) -> bytes:
    grades = _grades(dataset.methodology)
    rows = query.select(dataset.ratings.values())
    total = len(dataset.ratings)
    column = _COLUMN[query.sort]
    order_label = column.order_labels[0 if query.order == "asc" else 1]
    filters = []
    if query.grade:
        filters.append("review in progress" if query.grade == "none" else f"grade {query.grade}")
    if query.status:
        filters.append(query.status)
    if query.q:
        filters.append(f"matching “{query.q}”")
    caption = f"Rated services: {len(rows)} of {total} shown"
    if filters:
        caption += f" ({', '.join(filters)})"
    caption += f", sorted by {column.label.lower()}, {order_label}."
    body_rows: list[Html] = [_row(rating) for rating in rows]
    if not rows:
        body_rows.append(
            tag(
                "tr",
                {"role": "row"},
                tag(
                    "td",
                    {"colspan": len(COLUMNS), "role": "cell", "class": "empty"},
                    "No service matches these filters. ",
                    tag("a", {"href": "/"}, "Show every service"),
                ),
            )
        )
    stale_after = dataset.methodology.grading.stale_after_days
    main = join(
        [
            tag("h1", None, "How well do video-calling services protect you?"),
            tag(
                "p",
                {"class": "lede"},
                f"Candor grades {total} video-conferencing and calling services from A to F on "
                f"{len(dataset.methodology.criteria)} criteria: transparency about government "
                "demands, encryption, account security and data handling. Every grade is "
                "computed from public evidence; ",
                tag("a", {"href": "/methodology"}, "see how"),
                ".",
            ),
            tag(
                "section",
                {"class": "distribution", "aria-labelledby": "distribution-h"},
                tag("h2", {"id": "distribution-h"}, "Grades at a glance"),
                _chart(dataset),
            ),
            tag(
                "section",
                {"aria-labelledby": "services-h"},
                tag("h2", {"id": "services-h"}, "All rated services"),
                _filter_form(query, grades),
                tag(
                    "div",
                    {"class": "table-scroll"},
                    # Explicit roles: on a phone the CSS turns rows into cards
                    # (display: block), which makes browsers drop the implicit table
                    # semantics; the roles keep it a table for screen readers.
                    tag(
                        "table",
                        {"class": "services", "id": "services", "role": "table"},
                        tag("caption", None, caption),
                        tag(
                            "thead",
                            {"role": "rowgroup"},
                            tag(
                                "tr",
                                {"role": "row"},
                                join(_header_cell(c, query) for c in COLUMNS),
                            ),
                        ),
                        tag("tbody", {"role": "rowgroup"}, join(body_rows, "\n")),
                    ),
                ),
                tag(
                    "p",
                    {"class": "muted legend"},
                    "“?” means too little is disclosed for a grade. "
                    f"A review older than {stale_after} days is marked stale. "
                    "E2EE is end-to-end encryption of calls.",
                ),
            ),
        ],
        "\n",
    )
    return layout(
        title="Privacy and transparency ratings",
        main=main,
        current="home",
        description="Privacy and transparency grades of video-conferencing services.",
        dataset=dataset,
    )


async def home(request: Request) -> Response:
    state = state_of(request)
    try:
        dataset = state.read_path.dataset
    except DatasetUnavailable:
        return _unavailable(request)
    try:
        query = HomeQuery.parse(request.query_params.multi_items(), dataset.methodology.grades)
    except BadQuery as exc:
        return _error_page(request, 400, "That filter does not work", str(exc), dataset)

    async def render() -> Rendered:
        return Rendered.of(render_home(dataset, query), dataset.version, HTML_TYPE)

    key = (dataset.version, "page:home", query, _css_href())
    return _serve(request, state, await state.answer(key, render))


# a service's page ---------------------------------------------------------------------------


def _level_description(criterion: Criterion, level: str) -> str:
    if level in ("full", "partial", "none"):
        text: str = getattr(criterion.levels, level)
        return text
    if level == "no_disclosure":
        return (
            "The company's own documents listed under 'Documents examined' were read and say "
            "nothing either way; scored 0, like none."
        )
    if level == "not_assessed":
        return "Not reviewed yet; left out of the score until it is."
    return "Does not apply to this service; left out of its group's score."


def _source(source: Source) -> Html:
    publisher = (urlsplit(source.url).hostname or source.url).removeprefix("www.")
    return tag(
        "li",
        None,
        tag("span", {"class": f"tag source-{source.kind}"}, source.kind.capitalize()),
        " ",
        _external(source.url, f"{publisher}: {source.section}"),
        tag("span", {"class": "muted"}, f" (read {source.retrieved_on.isoformat()})"),
    )


def _criterion(
    criterion: Criterion, entry: CriterionRating, methodology: Methodology, slug: str
) -> Html:
    sources = [_source(source) for source in entry.sources]
    label = level_text(methodology, entry.level)
    counted = entry.counted_level or entry.level
    period = (
        tag(
            "p",
            {"class": "period"},
            f"Latest report covers up to {entry.latest_period_end.isoformat()}.",
            f" It is more than {methodology.grading.report_freshness.max_age_months} months "
            f"old at the review, so it counts as {level_text(methodology, counted).lower()}."
            if counted != entry.level
            else None,
        )
        if entry.latest_period_end is not None
        else None
    )
    return tag(
        "article",
        {"class": "criterion", "id": f"criterion-{criterion.id}"},
        tag(
            "h4",
            None,
            criterion.name,
            " ",
            tag(
                "span",
                {"class": f"level level-{entry.level}"},
                tag("span", {"class": "visually-hidden"}, "Level: "),
                label,
            ),
        ),
        tag("p", {"class": "question muted"}, criterion.question),
        tag(
            "p",
            {"class": "level-meaning"},
            tag("strong", None, f"{label}: "),
            _level_description(criterion, entry.level),
        ),
        period,
        tag("p", {"class": "evidence"}, entry.evidence) if entry.evidence else None,
        tag(
            "div",
            {"class": "sources"},
            tag("span", {"class": "sources-label"}, "Sources:"),
            tag("ul", None, join(sources)),
        )
        if sources
        else None,
        tag(
            "p",
            {"class": "report"},
            tag(
                "a",
                {
                    "href": "/suggest?" + urlencode({"service": slug, "criterion": criterion.id}),
                    "class": "report-link",
                },
                "Report an error",
                tag("span", {"class": "visually-hidden"}, f" in {criterion.name}"),
            ),
        ),
    )


def _history(events: Sequence[GradeEvent]) -> Html:
    if not events:
        return tag("p", {"class": "muted"}, "No grade changes have been recorded.")

    def grade(value: str | None) -> str:
        return value or "none"

    def score(value: int | None) -> str:
        return "—" if value is None else str(value)

    rows = [
        tag(
            "tr",
            None,
            tag("th", {"scope": "row"}, _timestamp(e.changed_at)),
            tag("td", {"data-label": "Grade"}, f"{grade(e.old_grade)} → {grade(e.new_grade)}"),
            tag("td", {"data-label": "Score"}, f"{score(e.old_score)} → {score(e.new_score)}"),
            tag("td", {"data-label": "Reason"}, e.reason),
        )
        for e in reversed(events)  # newest first
    ]
    head = tag(
        "tr",
        None,
        join(tag("th", {"scope": "col"}, label) for label in ("When", "Grade", "Score", "Reason")),
    )
    return tag(
        "div",
        {"class": "table-scroll"},
        tag(
            "table",
            {"class": "history"},
            tag("caption", None, "Grade and score changes, newest first"),
            tag("thead", None, head),
            tag("tbody", None, join(rows, "\n")),
        ),
    )


def _markdown_text(text: str) -> str:
    # Backslash-escape what Markdown would read as syntax in a link's text.
    return "".join(f"\\{c}" if c in "\\`*_[]()<>!#|" else c for c in text)


def embed_snippets(rating: Rating, base: str) -> tuple[str, str]:
    """The badge as an HTML snippet and as Markdown, linking back to this page."""
    page = f"{base}/services/{rating.slug}"
    image = f"{base}/v1/services/{rating.slug}/badge.svg"
    alt = f"Candor privacy rating of {rating.name}"
    html_snippet = str(
        tag("a", {"href": page}, tag("img", {"src": image, "alt": alt, "height": "20"}))
    )
    markdown = f"[![{_markdown_text(alt)}]({image})]({page})"
    return html_snippet, markdown


def _sub_score(rating: Rating, group_id: str) -> str:
    for group in rating.groups:
        if group.id == group_id:
            return "not scored" if group.score is None else f"{group.score} of 100"
    return "not scored"


def _sub_scores(rating: Rating) -> Html:
    """How the letter was made: one line per group, with a bar a screen reader skips."""
    rows = [
        tag(
            "li",
            None,
            tag("span", {"class": "group-name"}, g.name),
            " ",
            # A <meter>, not a styled span: the pages' CSP allows no inline styles.
            tag(
                "meter",
                {"min": "0", "max": "100", "value": str(g.score or 0), "aria-hidden": "true"},
            ),
            " ",
            tag("span", {"class": "group-score"}, "—" if g.score is None else str(g.score)),
            tag("span", {"class": "muted"}, f" (weight {g.weight:g})"),
        )
        for g in rating.groups
    ]
    return tag("ul", {"class": "sub-scores", "aria-label": "Sub-scores by group"}, join(rows))


def _record(rating: Rating) -> Html:
    """What was read, and the second pass (the company's replies are under the rating)."""
    details = rating.details
    examined = [
        tag(
            "li",
            None,
            _external(doc["url"], doc["title"]),
            tag("span", {"class": "muted"}, f" (read {doc['retrieved_on']})"),
        )
        for doc in details.get("examined") or []
    ]
    notes = [
        tag(
            "li",
            None,
            tag("strong", None, f"{note['criterion']}: ") if note.get("criterion") else None,
            note["challenge"],
            " ",
            tag("em", None, "Settled: "),
            note["resolution"],
        )
        for note in details.get("review_notes") or []
    ]
    return join(
        [
            tag(
                "section",
                {"aria-labelledby": "examined-h"},
                tag("h2", {"id": "examined-h"}, "Documents examined"),
                tag(
                    "p",
                    {"class": "muted"},
                    "The company's own documents read in full for this review. 'Not "
                    "disclosed' means these say nothing either way.",
                ),
                tag("ul", {"class": "examined"}, join(examined))
                if examined
                else tag("p", None, "None listed yet."),
            ),
            tag(
                "section",
                {"aria-labelledby": "notes-h"},
                tag("h2", {"id": "notes-h"}, "Second review"),
                tag(
                    "p",
                    {"class": "muted"},
                    "An independent second pass tried to refute each claim from its sources; "
                    "each disagreement and how it was settled.",
                ),
                tag("ul", {"class": "review-notes"}, join(notes))
                if notes
                else tag("p", None, "No disagreements were recorded."),
            ),
        ],
        "\n",
    )


def render_service(dataset: Dataset, rating: Rating, base: str) -> bytes:
    methodology = dataset.methodology
    by_id = {entry.id: entry for entry in rating.criteria}
    groups: list[Html] = []
    for group in methodology.groups:
        members = [
            _criterion(c, by_id[c.id], methodology, rating.slug)
            for c in methodology.criteria
            if c.group == group.id and c.id in by_id
        ]
        if members:
            groups.append(
                tag(
                    "section",
                    {"class": "group", "aria-labelledby": f"group-{group.id}"},
                    tag(
                        "h3",
                        {"id": f"group-{group.id}"},
                        group.name,
                        " ",
                        tag(
                            "span",
                            {"class": "muted weight"},
                            f"({_sub_score(rating, group.id)}, weight {group.weight:g})",
                        ),
                    ),
                    join(members, "\n"),
                )
            )
    notices: list[Html] = []
    if rating.status == "discontinued":
        when = f" on {rating.discontinued_on.isoformat()}" if rating.discontinued_on else ""
        notices.append(
            tag(
                "p",
                {"class": "notice notice-discontinued"},
                tag("strong", None, "Discontinued. "),
                f"{rating.name} was discontinued{when}. The rating describes the service while "
                "it ran and says nothing about any successor.",
            )
        )
    if rating.stale:
        notices.append(
            tag(
                "p",
                {"class": "notice notice-stale"},
                tag("strong", None, "Stale review. "),
                f"This review is more than {methodology.grading.stale_after_days} days old "
                f"(last reviewed {rating.reviewed_on.isoformat()}); the facts may have changed.",
            )
        )
    if rating.grade is None:
        verdict: Html = tag(
            "p",
            {"class": "verdict"},
            _grade_tile(rating),
            " Review in progress: more than "
            f"{methodology.grading.review_in_progress_share:.0%} of the criteria are not "
            "assessed yet, so there is no grade yet.",
        )
    else:
        verdict = tag(
            "p",
            {"class": "verdict"},
            _grade_tile(rating),
            " ",
            tag("span", {"class": "score"}, f"Score {rating.score} of 100"),
            " ",
            tag(
                "span", {"class": "grade-meaning"}, methodology.grading.grade_meanings[rating.grade]
            ),
        )
    html_snippet, markdown_snippet = embed_snippets(rating, base)
    badge_src = f"/v1/services/{rating.slug}/badge.svg"
    facts = tag(
        "dl",
        {"class": "facts"},
        tag("dt", None, "Company"),
        tag("dd", None, rating.company),
        tag("dt", None, "Website"),
        tag("dd", None, _external(rating.homepage)),
        tag("dt", None, "Status"),
        tag("dd", None, "Discontinued" if rating.status == "discontinued" else "Active"),
        tag("dt", None, "Last reviewed"),
        tag(
            "dd",
            None,
            _date(rating.reviewed_on),
            " ",
            tag("span", {"class": "tag tag-stale"}, "Stale") if rating.stale else None,
        ),
    )
    main = join(
        [
            tag(
                "nav",
                {"class": "breadcrumbs", "aria-label": "Breadcrumb"},
                tag("a", {"href": "/"}, "All services"),
            ),
            tag("h1", None, rating.name),
            verdict,
            join(notices, "\n"),
            tag("p", {"class": "summary"}, rating.summary),
            _sub_scores(rating),
            tag(
                "p",
                {"class": "ask-link"},
                tag("a", {"href": "#ask"}, f"Ask {rating.company} to do better"),
            ),
            responses_section(rating),
            facts,
            tag(
                "section",
                {"aria-labelledby": "criteria-h"},
                tag("h2", {"id": "criteria-h"}, "Criteria"),
                tag(
                    "p",
                    {"class": "muted"},
                    "Each criterion has a level (full, partial, none, not disclosed, or not "
                    "assessed yet), the evidence for it and its sources, each marked official "
                    "(the company's own page) or independent. ",
                    tag("a", {"href": "/methodology"}, "How levels become a grade"),
                    ".",
                ),
                join(groups, "\n"),
            ),
            tag(
                "section",
                {"aria-labelledby": "history-h", "id": "history"},
                tag("h2", {"id": "history-h"}, "Grade history"),
                tag(
                    "p",
                    {"class": "muted"},
                    "Score and grade after each change; a dashed line marks a change of "
                    "methodology, so a move there may come from the rules, not the company. ",
                    tag(
                        "a",
                        {
                            "href": f"/services/{rating.slug}/changes.atom",
                            "type": "application/atom+xml",
                            "class": "feed-link",
                        },
                        f"Follow {rating.name}'s changes (Atom feed)",
                    ),
                    " · ",
                    tag("a", {"href": f"/changes?service={rating.slug}"}, "every change"),
                ),
                history_chart(rating, methodology, _chart_end(dataset, rating)),
                _history(rating.history),
            ),
            ask_section(rating, compose(rating, methodology, f"{base}/services/{rating.slug}")),
            _record(rating),
            # Where the extension's "Report an error" link leads (#report).
            tag(
                "section",
                {"aria-labelledby": "report", "class": "report"},
                tag("h2", {"id": "report"}, "Report an error"),
                tag(
                    "p",
                    None,
                    f"Something here wrong or out of date about {rating.name}? Send the "
                    "maintainers the criterion, what is wrong, and a link to the page that "
                    "shows it (the company's own page where there is one). Every report is "
                    "checked against its source, and a grade that changes says why in the "
                    "history above.",
                ),
            ),
            tag(
                "section",
                {"aria-labelledby": "embed-h", "class": "embed"},
                tag("h2", {"id": "embed-h"}, "Embed this rating"),
                tag(
                    "p",
                    None,
                    tag(
                        "img",
                        {
                            "src": badge_src,
                            "alt": f"Candor badge of {rating.name}",
                            "height": "20",
                        },
                    ),
                ),
                tag("h3", None, "HTML"),
                tag("pre", None, tag("code", None, html_snippet)),
                tag("h3", None, "Markdown"),
                tag("pre", None, tag("code", None, markdown_snippet)),
                tag(
                    "p",
                    {"class": "muted"},
                    "Add ",
                    tag("code", None, "?style=plain"),
                    " to the image URL for square corners. The badge always shows the "
                    "current grade.",
                ),
                None
                if base
                else tag(
                    "p",
                    {"class": "muted"},
                    "These links are relative: this server has no public address configured "
                    "(CANDOR_PUBLIC_URL). Put the address of this site in front of them.",
                ),
            ),
        ],
        "\n",
    )
    grade = rating.grade or "not graded"
    return layout(
        title=f"{rating.name}: {grade}",
        main=main,
        current=None,
        description=f"Candor's privacy and transparency rating of {rating.name}: {grade}.",
        dataset=dataset,
        feeds=(
            (f"Candor: rating changes of {rating.name}", f"/services/{rating.slug}/changes.atom"),
            ("Candor: rating changes", "/changes.atom"),
        ),
    )


def _chart_end(dataset: Dataset, rating: Rating) -> dt.datetime:
    """Where the history chart's time axis ends: the day the dataset was built (a page is
    rendered once per dataset and day), or the last change if later."""
    day = dt.datetime.combine(dataset.built_on, dt.time.min, dt.UTC)
    last = rating.history[-1].changed_at if rating.history else day
    return max(day, last)


def _base_url(state: AppState) -> str:
    # Absolute links only from the configured public URL; without one they are relative.
    # Never from the request's Host header: a forged Host would otherwise reach the page,
    # and every copy a shared cache keeps of it.
    return state.settings.public_url


async def service_page(request: Request) -> Response:
    state = state_of(request)
    try:
        dataset = state.read_path.dataset
    except DatasetUnavailable:
        return _unavailable(request)
    slug = request.path_params["slug"]
    rating = dataset.ratings.get(slug)
    if rating is None:
        return _error_page(
            request,
            404,
            "Service not found",
            f"No rated service has the address “{slug[:64]}”.",
            dataset,
        )
    base = _base_url(state)

    async def render() -> Rendered:
        return Rendered.of(render_service(dataset, rating, base), dataset.version, HTML_TYPE)

    key = (dataset.version, "page:service", slug, _css_href())
    return _serve(request, state, await state.answer(key, render))


# methodology ----------------------------------------------------------------------------------


def render_methodology(source: str, dataset: Dataset | None) -> bytes:
    content = render_markdown(source)
    if "<h1" not in content:
        content = join([tag("h1", None, "Methodology"), content], "\n")
    main = tag("article", {"class": "prose"}, content)
    return layout(
        title="Methodology",
        main=main,
        current="methodology",
        description="How Candor rates video-conferencing services, step by step.",
        dataset=dataset,
    )


def _methodology_endpoint(doc: Path) -> Callable[[Request], Awaitable[Response]]:
    async def methodology_page(request: Request) -> Response:
        state = state_of(request)
        dataset = state.read_path.dataset if state.read_path.loaded else None
        try:
            # The file may sit on a slow disk: off the event loop, like the read below.
            stat = await run_in_threadpool(doc.stat)
        except OSError:
            return _error_page(
                request,
                404,
                "Methodology not found",
                "The methodology document is not available on this server.",
                dataset,
            )

        async def render() -> Rendered:
            # Decoding errors are replaced, not fatal: a stray byte must not take the page down.
            source = await run_in_threadpool(doc.read_text, "utf-8", "replace")
            return Rendered.of(
                render_methodology(source, dataset), f"doc{stat.st_mtime_ns:x}", HTML_TYPE
            )

        key = (
            dataset.version if dataset else None,
            "page:methodology",
            os.fspath(doc),
            stat.st_mtime_ns,
            stat.st_size,
            _css_href(),
        )
        return _serve(request, state, await state.answer(key, render))

    return methodology_page


# routes ------------------------------------------------------------------------------------------


async def favicon(request: Request) -> Response:
    """No icon, and no 404 for asking: the pages name an empty one, but a feed or a file
    a browser shows on its own (an XML document cannot name one) makes it ask here."""
    return Response(status_code=204, headers={"Cache-Control": "public, max-age=86400"})


def page_routes(methodology_doc: Path | None = None) -> list[BaseRoute]:
    """The HTML routes. ``methodology_doc`` defaults to ``CANDOR_METHODOLOGY_DOC``, else the
    repository's docs/methodology.md (an installed package has no repository beside it)."""
    # Imported here: both build their pages with this module's layout.
    from api import changes_page, opendata_page
    from api import suggest as suggest_page

    configured = os.environ.get("CANDOR_METHODOLOGY_DOC")
    doc = methodology_doc or (Path(configured) if configured else DEFAULT_METHODOLOGY_DOC)
    return [
        Route("/", home, methods=["GET"]),
        Route("/services/{slug}", service_page, methods=["GET"]),
        Route("/methodology", _methodology_endpoint(doc), methods=["GET"]),
        Route("/suggest", suggest_page.suggest, methods=["GET"]),
        Route("/suggest", suggest_page.submit, methods=["POST"]),
        Route("/changes", changes_page.changes_page, methods=["GET"]),
        Route("/open-data", opendata_page.open_data_page, methods=["GET"]),
        Route("/favicon.ico", favicon, methods=["GET"]),
        Mount("/static", routes=[Route("/{name:path}", static_asset, methods=["GET"])]),
    ]
