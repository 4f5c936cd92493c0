"""Hot routes: the routes whose answers the hot-answer cache keeps by raw request input.

The hot-answer cache (``HotAnswers`` in api/state.py) holds rendered answers by the raw
input of a request. A ``HotRoute`` says, once, what that input is: its one path parameter
or, when it has none, the whole query string. The endpoint stores its answer under that
key (``remember``); the edge asks the same route for the same key before routing
(``HotLane``), so a repeated rating or lookup is answered without building a Request,
matching the whole route table and calling the endpoint. A miss goes the normal way,
which is also the only way an answer gets into the cache: the edge can never answer
anything the endpoint would not.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from starlette.convertors import StringConvertor
from starlette.requests import Request
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Scope

from api.responses import Rendered, prepare
from api.state import AppState, HotKey, state_of
from ratings.dataset import Dataset


class HotRoute(Route):
    """A route whose GET answers are kept in the hot-answer cache, keyed by the route and
    its raw input: the one path parameter, or the query string when there is none (the
    whole query decides the answer, so it can key the cache without being parsed)."""

    def __init__(self, path: str, endpoint: Any, *, methods: list[str]) -> None:
        super().__init__(path, endpoint, methods=methods)
        convertors = list(self.param_convertors.values())
        # The raw text of the parameter is the key, read straight from the path's match.
        if len(convertors) > 1 or any(not isinstance(c, StringConvertor) for c in convertors):
            raise ValueError(f"a hot route has one string parameter at most: {path}")
        self.by_query = not convertors

    def key(self, path_params: Mapping[str, Any], query_string: bytes) -> HotKey:
        if self.by_query:
            return (self.path, query_string)
        return (self.path, str(next(iter(path_params.values()))))

    def hot_key(self, scope: Scope) -> HotKey | None:
        """The key of a request this route would take, read from the raw scope before
        routing; None for any other request (another path, not a GET, a mounted app)."""
        if scope["method"] != "GET" or scope.get("root_path"):
            return None
        match = self.path_regex.match(scope["path"])
        if match is None:
            return None
        return (self.path, scope["query_string"] if self.by_query else match[1])


def remember(request: Request, dataset: Dataset, rendered: Rendered) -> None:
    """Keep ``rendered`` as the hot answer of this request's route and input."""
    route = request.scope.get("route")
    if isinstance(route, HotRoute) and request.method == "GET":
        key = route.key(request.path_params, request.scope["query_string"])
        state_of(request).hot.put(dataset, key, rendered)


class HotLane:
    """The edge's early answer: a cached hot answer, sent before routing."""

    def __init__(self, routes: Iterable[BaseRoute], state: AppState) -> None:
        self.routes = tuple(route for route in routes if isinstance(route, HotRoute))
        self.state = state

    def answer(self, scope: Scope) -> tuple[str, ASGIApp] | None:
        """(route template, response) for a cached hot answer, else None."""
        read_path = self.state.read_path
        if scope["method"] != "GET" or not read_path.loaded:
            return None
        for route in self.routes:
            key = route.hot_key(scope)
            if key is None:
                continue
            rendered = self.state.hot.get(read_path.dataset, key)
            if rendered is None:
                return None
            max_age = self.state.settings.cache_max_age
            return route.path, prepare(scope, rendered, max_age=max_age)
        return None
