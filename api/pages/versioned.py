"""Answers for URLs that name their content's digest (``?v=``): the stylesheet and scripts
under ``/static`` and the grade colours at ``/grades.css``."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from api.responses import Rendered, cached_response
from api.state import state_of

_YEAR = 365 * 24 * 3600


def versioned_response(
    request: Request, rendered: Rendered, digest: str, *, vary: str | None = None
) -> Response:
    """A file named by a URL with its digest (``?v=``): at that URL, cached for a year and
    never revalidated (those exact bytes never change); unversioned, or an old version's
    URL, cached like any other answer."""
    if request.query_params.get("v") != digest:
        max_age = state_of(request).settings.cache_max_age
        return cached_response(request, rendered, max_age=max_age, vary=vary)
    response = cached_response(request, rendered, max_age=_YEAR, vary=vary)
    response.headers["Cache-Control"] = f"public, max-age={_YEAR}, immutable"
    return response
