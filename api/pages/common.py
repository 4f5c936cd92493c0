"""What every page shares: error pages, serving a cached page, and the words for levels."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response

from api.pages.templating import HTML_TYPE, render_page
from api.responses import Rendered, cached_response
from api.state import AppState, state_of
from ratings.dataset import Dataset
from ratings.readpath import DatasetUnavailable


def error_page(
    request: Request, status: int, title: str, message: str, dataset: Dataset | None = None
) -> Response:
    body = render_page(
        "error.html",
        title=title,
        message=message,
        description=message,
        dataset=dataset,
    )
    # Not cached: an error answer should not outlive its cause in anyone's cache.
    return Response(
        body, status_code=status, media_type=HTML_TYPE, headers={"Cache-Control": "no-store"}
    )


def unavailable_page(request: Request) -> Response:
    response = error_page(
        request,
        503,
        "Ratings are loading",
        "The ratings dataset is not loaded yet. Please try again in a few seconds.",
    )
    response.headers["Retry-After"] = "5"
    return response


def serve(request: Request, state: AppState, rendered: Rendered) -> Response:
    return cached_response(request, rendered, max_age=state.settings.cache_max_age)


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


PageHandler = Callable[[Request, AppState, Dataset], Awaitable[Response]]


def needs_dataset(handler: PageHandler) -> Callable[[Request], Awaitable[Response]]:
    """A page's endpoint, given the current dataset; before the first load it answers the
    "ratings are loading" page (the API's 503 is problem+json, a page's is HTML)."""

    async def endpoint(request: Request) -> Response:
        state = state_of(request)
        try:
            dataset = state.read_path.dataset
        except DatasetUnavailable:
            return unavailable_page(request)
        return await handler(request, state, dataset)

    return endpoint
