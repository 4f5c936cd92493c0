"""``GET /``: every rated service in a table, filtered and sorted by plain links and a GET
form (no JavaScript), above a chart of how many services have each grade."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from api.pages.common import e2ee_text, error_page, needs_dataset, serve, transparency_text
from api.pages.distribution import distribution
from api.pages.listing import COLUMNS, BadQuery, HomeQuery, header_cells
from api.pages.templating import HTML_TYPE, css_href, render_page
from api.responses import Rendered
from api.state import AppState
from ratings.dataset import Dataset
from ratings.query import MAX_TEXT

_STATUS_OPTIONS = (("", "Any status"), ("active", "Active"), ("discontinued", "Discontinued"))
_ORDER_OPTIONS = (("", "Default"), ("asc", "Ascending"), ("desc", "Descending"))


def render_home(dataset: Dataset, query: HomeQuery) -> bytes:
    grades = dataset.methodology.grades
    return render_page(
        "home.html",
        title="Privacy and transparency ratings",
        description="Privacy and transparency grades of video-conferencing services.",
        dataset=dataset,
        current="home",
        query=query,
        rows=query.select(dataset.ratings.values(), dataset.methodology.grades),
        total=len(dataset.ratings),
        criteria_count=len(dataset.methodology.criteria),
        stale_after=dataset.methodology.grading.stale_after_days,
        chart=distribution(dataset),
        header_cells=header_cells(query),
        grade_options=[("", "Any grade"), *((g, g) for g in grades), ("none", "Insufficient data")],
        status_options=_STATUS_OPTIONS,
        sort_options=[(c.key, c.label) for c in COLUMNS],
        order_options=_ORDER_OPTIONS,
        max_text=MAX_TEXT,
        transparency_text=transparency_text,
        e2ee_text=e2ee_text,
    )


@needs_dataset
async def home(request: Request, state: AppState, dataset: Dataset) -> Response:
    try:
        query = HomeQuery.parse(request.query_params.multi_items(), dataset.methodology.grades)
    except BadQuery as exc:
        return error_page(request, 400, "That filter does not work", str(exc), dataset)

    async def render() -> Rendered:
        return Rendered.of(render_home(dataset, query), dataset.version, HTML_TYPE)

    key = (dataset.version, "page:home", query, css_href())
    return serve(request, state, await state.answer(key, render))
