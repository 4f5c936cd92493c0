"""``GET /changes``: the public page of every grade, score and criterion-level change,
newest first, fifty to a page, optionally for one service (``?service=``). The same
changes as ``/v1/changes`` and ``/changes.atom``, from the same change log."""

from __future__ import annotations

import math
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from api import assets
from api.changes import entry_title
from api.html import Child, Html, join, tag
from api.pages import HTML_TYPE, error_page, layout, unavailable_page
from api.responses import Rendered, cached_response
from api.state import state_of
from ratings.changes import Change
from ratings.dataset import Dataset
from ratings.readpath import DatasetUnavailable

PER_PAGE = 50
_CAUSES = {
    "evidence": "New evidence",
    "methodology": "Methodology change",
    "added": "Service added",
    "removed": "Service removed",
}


def _row(change: Change, dataset: Dataset) -> Html:
    moment = change.changed_at
    present = change.slug in dataset.ratings
    title = entry_title(change, dataset)
    what: Child = tag("a", {"href": f"/services/{change.slug}"}, title) if present else title
    why = _CAUSES.get(change.cause, change.cause)
    if change.methodology_changed:
        why += f" (methodology {change.old_methodology_version} → {change.new_methodology_version})"
    return tag(
        "tr",
        {"id": f"change-{change.kind}-{change.row_id}", "data-kind": change.kind},
        tag(
            "th",
            {"scope": "row"},
            tag(
                "time",
                {"datetime": moment.isoformat(timespec="seconds")},
                moment.strftime("%Y-%m-%d %H:%M") + " UTC",
            ),
        ),
        tag("td", {"data-label": "Change"}, what),
        tag(
            "td", {"data-label": "Why"}, why, tag("span", {"class": "muted reason"}, change.reason)
        ),
    )


def render_changes(dataset: Dataset, slug: str | None, page: int) -> bytes:
    selected = dataset.changes.select(slug=slug)
    pages = max(1, math.ceil(len(selected) / PER_PAGE))
    shown = selected[(page - 1) * PER_PAGE : page * PER_PAGE]
    rating = dataset.ratings.get(slug) if slug else None
    name = rating.name if rating else (shown[0].name if shown and shown[0].name else slug)
    heading = f"Rating changes of {name}" if slug else "Rating changes"
    feed = f"/services/{slug}/changes.atom" if rating else "/changes.atom"
    json_href = "/v1/changes" + (f"?{urlencode({'service': slug})}" if slug else "")

    def page_link(number: int) -> str:
        query = {**({"service": slug} if slug else {}), "page": str(number)}
        return f"/changes?{urlencode(query)}"

    nav: list[Child] = []
    if page > 1:
        nav.append(tag("a", {"href": page_link(page - 1), "rel": "prev"}, "Newer changes"))
    if page < pages:
        nav.append(tag("a", {"href": page_link(page + 1), "rel": "next"}, "Older changes"))
    rows = [_row(change, dataset) for change in shown]
    if not rows:
        rows.append(
            tag("tr", None, tag("td", {"colspan": "3", "class": "empty"}, "No changes recorded."))
        )
    main = join(
        [
            tag("h1", None, heading),
            tag(
                "p",
                {"class": "lede"},
                "Every grade, score and criterion-level change, newest first, with its cause: "
                "new evidence about the company, or a change of the methodology (a grade that "
                "moves with the rules says nothing new about the company).",
            ),
            tag(
                "p",
                None,
                tag(
                    "a",
                    {"href": feed, "type": "application/atom+xml", "class": "feed-link"},
                    "Subscribe (Atom feed)",
                ),
                " · ",
                tag("a", {"href": json_href}, "As JSON"),
                " · ",
                tag("a", {"href": "/v1/dataset.csv"}, "The whole dataset as CSV"),
                join([" · ", tag("a", {"href": "/changes"}, "All services")]) if slug else None,
            ),
            tag(
                "div",
                {"class": "table-scroll"},
                tag(
                    "table",
                    {"class": "changes", "id": "changes"},
                    tag(
                        "caption",
                        None,
                        f"{len(selected)} change{'s' if len(selected) != 1 else ''}, "
                        f"page {page} of {pages}",
                    ),
                    tag(
                        "thead",
                        None,
                        tag(
                            "tr",
                            None,
                            join(
                                tag("th", {"scope": "col"}, label)
                                for label in ("When", "Change", "Why")
                            ),
                        ),
                    ),
                    tag("tbody", None, join(rows, "\n")),
                ),
            ),
            tag("nav", {"class": "pager", "aria-label": "Pages"}, join(nav, " · "))
            if nav
            else None,
        ],
        "\n",
    )
    feeds = [("Candor: rating changes", "/changes.atom")]
    if rating:
        feeds.insert(0, (f"Candor: rating changes of {rating.name}", feed))
    return layout(
        title=heading,
        main=main,
        current="changes",
        description="Every change of a Candor grade, score or criterion level, with its reason.",
        dataset=dataset,
        feeds=feeds,
    )


async def changes_page(request: Request) -> Response:
    state = state_of(request)
    try:
        dataset = state.read_path.dataset
    except DatasetUnavailable:
        return unavailable_page(request)
    slug = request.query_params.get("service") or None
    raw_page = request.query_params.get("page", "1")
    if (
        slug is not None
        and (len(slug) > 64 or not dataset.changes.for_service(slug))
        and slug not in dataset.ratings
    ):
        return error_page(
            request,
            404,
            "Service not found",
            "No service with that address has changes.",
            dataset,
        )
    if not (raw_page.isascii() and raw_page.isdigit()) or not 1 <= int(raw_page) <= 100_000:
        return error_page(request, 400, "No such page", "The page must be a whole number.", dataset)
    page = int(raw_page)

    async def render() -> Rendered:
        return Rendered.of(render_changes(dataset, slug, page), dataset.version, HTML_TYPE)

    key = (dataset.version, "page:changes", slug, page, assets.href("candor.css"))
    rendered = await state.answer(key, render)
    return cached_response(request, rendered, max_age=state.settings.cache_max_age)
