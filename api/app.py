"""The Starlette application: routes, middleware, error handlers and the lifespan."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from tortoise.contrib.starlette import RegisterTortoise

from api import changes, datasets, endpoints, hostprefix, meta
from api.badges import badge_routes
from api.hosts import HostPolicy
from api.hotroutes import HotLane, HotRoute
from api.logs import quiet_repeated_errors
from api.middleware import Edge
from api.pages.routes import page_routes
from api.problems import (
    Problem,
    handle_http_exception,
    handle_problem,
    handle_server_error,
    problem_response,
)
from api.ratelimit import RateLimiter
from api.redirects import SlashRedirect
from api.settings import Settings
from api.sharedlimits import shared_store
from api.state import AppState
from ratings.db import tortoise_config
from ratings.readpath import DatasetUnavailable, ReadPath
from ratings.signing import load_signing_key

log = logging.getLogger("candor.api")


def routes() -> list[BaseRoute]:
    return [
        # The two hot paths: a repeated GET is answered by the edge from the hot-answer
        # cache (api/hotroutes.py).
        HotRoute("/v1/ratings/{host}", endpoints.rating_for_host, methods=["GET"]),
        # One route for both methods, so a 405 lists them all in Allow.
        HotRoute("/v1/lookup", endpoints.lookup_any, methods=["GET", "POST"]),
        Route("/v1/hosts/prefix/{prefix}", hostprefix.hosts_by_prefix, methods=["GET"]),
        Route("/v1/services", endpoints.list_services, methods=["GET"]),
        Route("/v1/services/{slug}", endpoints.service_detail, methods=["GET"]),
        Route("/v1/methodology", endpoints.methodology, methods=["GET"]),
        Route("/v1/bundle", endpoints.bundle, methods=["GET"]),
        Route("/v1/bundle.sig", endpoints.bundle_signature, methods=["GET"]),
        Route("/v1/changes", changes.changes, methods=["GET"]),
        Route("/v1/dataset.json", datasets.dataset_json, methods=["GET"]),
        Route("/v1/dataset.csv", datasets.dataset_csv, methods=["GET"]),
        Route("/changes.atom", changes.changes_atom, methods=["GET"]),
        Route("/services/{slug}/changes.atom", changes.service_changes_atom, methods=["GET"]),
        Route("/healthz", endpoints.healthz, methods=["GET"]),
        Route("/readyz", endpoints.readyz, methods=["GET"]),
        Route("/metrics", meta.metrics, methods=["GET"]),
        Route("/openapi.json", meta.openapi_json, methods=["GET"]),
        Route("/docs", meta.docs, methods=["GET"]),
        *badge_routes(),
        *page_routes(),
    ]


async def dataset_unavailable(request: Request, exc: Exception) -> Response:
    """Every endpoint reading the dataset before the first load: one answer for all."""
    problem = Problem(503, "The ratings dataset is not loaded yet; try again shortly")
    return problem_response(problem, request.url.path)


def create_app(settings: Settings | None = None, *, manage_database: bool = True) -> Starlette:
    """Build the app. With ``manage_database=False`` the caller has already set up Tortoise
    (tests using ``tortoise_test_context``)."""
    settings = settings or Settings.from_env()
    # A configured key that cannot be read stops the start, with the reason: serving
    # unsigned bundles by accident would make every extension keep its old data.
    key = load_signing_key(settings.bundle_signing_key) if settings.bundle_signing_key else None
    state = AppState(settings=settings, read_path=ReadPath(settings.poll_seconds), signing_key=key)
    state.shared = shared_store(settings, state.buckets)
    quiet_repeated_errors()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with contextlib.AsyncExitStack() as stack:
            if manage_database:
                await stack.enter_async_context(
                    RegisterTortoise(app, config=tortoise_config(settings.database_url))
                )
            try:
                await state.read_path.refresh()
            except Exception as exc:
                # Serve anyway: /readyz says 503 until the database answers.
                log.warning("no dataset at start-up (%s); will keep trying", exc)
            poller = asyncio.create_task(state.read_path.poll_forever())
            try:
                yield
            finally:
                poller.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await poller
                if state.shared is not None:
                    await state.shared.close()
                state.metrics.retire()

    state.limiter = RateLimiter(
        per_minute=settings.rate_limit_per_minute,
        proxies=settings.trusted_proxies,
        resolve_key=state.keys,
        buckets=state.buckets,
        shared=state.shared,
        on_limited=state.metrics.limited,
    )
    table = routes()
    app = Starlette(
        routes=table,
        # One layer for metrics, CORS, the rate limit and the security headers (see
        # api/middleware.py for why one): metrics see every answer, 429s included; the
        # CORS headers are on 429s too, so browsers can read them; every request, the
        # preflights too, costs a token.
        middleware=[
            Middleware(
                Edge,
                metrics=state.metrics,
                hot=HotLane(table, state).answer,
                hosts=HostPolicy(settings.allowed_hosts),
                limiter=state.limiter,
            ),
        ],
        exception_handlers={
            Problem: handle_problem,
            DatasetUnavailable: dataset_unavailable,
            HTTPException: handle_http_exception,
            Exception: handle_server_error,
        },
        lifespan=lifespan,
    )
    app.state.candor = state
    # Trailing-slash redirects with a relative Location: Starlette's own build it from
    # the Host header (api/redirects.py).
    app.router.redirect_slashes = False
    app.router.default = SlashRedirect(app.router)
    return app
