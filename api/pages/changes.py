"""``GET /changes``: the public page of every grade, score and criterion-level change,
newest first, fifty to a page, optionally for one service (``?service=``). The same
changes as ``/v1/changes`` and ``/changes.atom``, from the same change log."""

from __future__ import annotations

import math
from dataclasses import dataclass
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from api.changes import entry_title
from api.pages.common import error_page, needs_dataset, serve
from api.pages.templating import HTML_TYPE, SITE_FEEDS, css_href, render_page
from api.responses import Rendered
from api.state import AppState
from ratings.changes import Change
from ratings.dataset import Dataset

PER_PAGE = 50
MAX_PAGE = 100_000
_CAUSES = {
    "evidence": "New evidence",
    "methodology": "Methodology change",
    "added": "Service added",
    "removed": "Service removed",
}


@dataclass(frozen=True, slots=True)
class ChangeRow:
    change: Change
    title: str
    href: str | None  # the service's page, while the service is rated
    why: str


def _row(change: Change, dataset: Dataset) -> ChangeRow:
    why = _CAUSES.get(change.cause, change.cause)
    if change.methodology_changed:
        why += f" (methodology {change.old_methodology_version} → {change.new_methodology_version})"
    href = f"/services/{change.slug}" if change.slug in dataset.ratings else None
    return ChangeRow(change, entry_title(change, dataset), href, why)


def _page_link(slug: str | None, number: int) -> str:
    query = {**({"service": slug} if slug else {}), "page": str(number)}
    return f"/changes?{urlencode(query)}"


def render_changes(dataset: Dataset, slug: str | None, page: int) -> bytes:
    selected = dataset.changes.select(slug=slug)
    pages = max(1, math.ceil(len(selected) / PER_PAGE))
    shown = selected[(page - 1) * PER_PAGE : page * PER_PAGE]
    rating = dataset.ratings.get(slug) if slug else None
    name = rating.name if rating else (shown[0].name if shown and shown[0].name else slug)
    heading = f"Rating changes of {name}" if slug else "Rating changes"
    feed = f"/services/{slug}/changes.atom" if rating else "/changes.atom"
    feeds = (
        ((f"Candor: rating changes of {rating.name}", feed), *SITE_FEEDS) if rating else SITE_FEEDS
    )
    return render_page(
        "changes.html",
        title=heading,
        description="Every change of a Candor grade, score or criterion level, with its reason.",
        dataset=dataset,
        current="changes",
        feeds=feeds,
        slug=slug,
        feed=feed,
        json_href="/v1/changes" + (f"?{urlencode({'service': slug})}" if slug else ""),
        rows=[_row(change, dataset) for change in shown],
        count=len(selected),
        page=page,
        pages=pages,
        newer=_page_link(slug, page - 1) if page > 1 else None,
        older=_page_link(slug, page + 1) if page < pages else None,
    )


def _unknown_service(dataset: Dataset, slug: str | None) -> bool:
    """Neither rated nor ever changed (a removed service still has its changes)."""
    if slug is None or slug in dataset.ratings:
        return False
    return len(slug) > 64 or not dataset.changes.for_service(slug)


def _page_number(raw: str) -> int | None:
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= MAX_PAGE:
        return None
    return int(raw)


@needs_dataset
async def changes_page(request: Request, state: AppState, dataset: Dataset) -> Response:
    slug = request.query_params.get("service") or None
    if _unknown_service(dataset, slug):
        return error_page(
            request, 404, "Service not found", "No service with that address has changes.", dataset
        )
    page = _page_number(request.query_params.get("page", "1"))
    if page is None:
        return error_page(request, 400, "No such page", "The page must be a whole number.", dataset)

    async def render() -> Rendered:
        return Rendered.of(render_changes(dataset, slug, page), dataset.version, HTML_TYPE)

    key = (dataset.version, "page:changes", slug, page, css_href())
    return serve(request, state, await state.answer(key, render))
