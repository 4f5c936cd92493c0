"""The edge's fast lane: a repeated rating or lookup answered before routing.

The hot-answer cache (``HotAnswers`` in api/state.py) holds rendered answers by the raw
request input. When a request's input is already there, building a Request, matching
some twenty routes and calling the endpoint only to look the same key up again is most of
the remaining cost of the API's two hot paths. The edge asks this module first; a miss
goes the normal way, which is also the only way an answer gets into the cache, so the
fast lane can never answer anything the endpoints would not.
"""

from __future__ import annotations

from starlette.responses import Response
from starlette.types import Scope

from api.responses import cached_response_for
from api.state import AppState

_RATINGS = "/v1/ratings/"
RATINGS_ROUTE = "/v1/ratings/{host}"
LOOKUP_ROUTE = "/v1/lookup"


def fast_answer(scope: Scope, state: AppState) -> tuple[str, Response] | None:
    """(route template, response) for a cached hot answer, else None."""
    if scope["method"] != "GET" or scope.get("root_path") or not state.read_path.loaded:
        return None
    dataset = state.read_path.dataset
    path: str = scope["path"]
    if path.startswith(_RATINGS):
        raw = path[len(_RATINGS) :]
        # The same input the route's {host} parameter would get: one non-empty segment.
        if not raw or "/" in raw:
            return None
        rendered = state.hot.get(dataset, ("rating", raw))
        template = RATINGS_ROUTE
    elif path == LOOKUP_ROUTE:
        rendered = state.hot.get(dataset, ("lookup", scope["query_string"]))
        template = LOOKUP_ROUTE
    else:
        return None
    if rendered is None:
        return None
    return template, cached_response_for(scope, rendered, max_age=state.settings.cache_max_age)
