"""The API describing itself: the OpenAPI document, its HTML reference, and metrics."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from api import assets
from api.docs import docs_assets, render_docs
from api.middleware import DOCS_CSP
from api.openapi import OPENAPI_VERSION, openapi_document
from api.responses import Rendered, cached_response
from api.schemas.common import PatternOut
from api.schemas.lookup import HostPrefixEntry, HostPrefixResult, LookupResult
from api.schemas.methodology import MethodologyOut
from api.schemas.services import summary_of
from api.state import AppState, state_of
from ratings.bundle import build_bundle
from ratings.hostprefix import PREFIX_LENGTH, host_digest


def _examples(state: AppState) -> dict[str, Any]:
    """Real answers from the loaded dataset, so the examples are always valid."""
    if not state.read_path.loaded:
        return {}
    dataset = state.read_path.dataset
    rating = dataset.ratings.get("zoom") or next(iter(dataset.ratings.values()), None)
    if rating is None:
        return {}
    summary = summary_of(rating, state.settings.public_url)
    # One service is example enough; the whole bundle would be megabytes at scale.
    bundle = build_bundle(dataset, only=[rating])
    url = f"https://{rating.domains[0]}/"
    lookup = LookupResult(url=url, host=rating.domains[0], service=summary, meeting=False)
    methodology = MethodologyOut(
        dataset_version=dataset.version, **dataset.methodology.model_dump()
    )
    digest = host_digest(rating.domains[0])
    prefix = HostPrefixResult(
        prefix=digest[:PREFIX_LENGTH],
        entries=[
            HostPrefixEntry(
                sha256=digest,
                service=summary,
                meeting_patterns=[
                    PatternOut(host=p.host, path=p.path, query=list(p.query))
                    for p in rating.meeting_patterns
                ],
            )
        ],
    )
    return {
        "getRatingForHost": summary.model_dump(mode="json"),
        "lookupUrl": lookup.model_dump(mode="json"),
        "getHostsByPrefix": prefix.model_dump(mode="json"),
        "getMethodology": methodology.model_dump(mode="json"),
        "getBundle": bundle,
    }


def _version(state: AppState) -> str:
    return state.read_path.dataset.version if state.read_path.loaded else "none"


def _document(state: AppState) -> dict[str, Any]:
    return openapi_document(_examples(state), state.settings.public_url or "/")


async def openapi_json(request: Request) -> Response:
    state = state_of(request)

    async def render() -> Rendered:
        document = _document(state)
        body = json.dumps(document, ensure_ascii=False, indent=1).encode()
        return Rendered.of(body, _version(state), "application/json")

    rendered = await state.answer((_version(state), "openapi"), render)
    return cached_response(request, rendered, max_age=state.settings.cache_max_age)


async def docs(request: Request) -> Response:
    state = state_of(request)
    dataset = state.read_path.dataset if state.read_path.loaded else None

    async def render() -> Rendered:
        html = render_docs(OPENAPI_VERSION, dataset)
        return Rendered.of(html, _version(state), "text/html; charset=utf-8")

    # The asset URLs carry their content hashes: new files mean a new page (and ETag).
    key = (_version(state), "docs", docs_assets(), assets.href("candor.css"))
    rendered = await state.answer(key, render)
    response = cached_response(request, rendered, max_age=state.settings.cache_max_age)
    # Swagger UI fetches /openapi.json and the "Try it out" calls: the one page whose CSP
    # allows connecting, to this origin only (api/middleware.py).
    response.headers["Content-Security-Policy"] = DOCS_CSP.decode()
    return response


async def metrics(request: Request) -> Response:
    state = state_of(request)
    loaded = state.read_path.loaded
    version = state.read_path.dataset.version if loaded else "none"
    services = len(state.read_path.dataset.ratings) if loaded else 0
    gauges = {
        "candor_answer_cache_hits_total": (
            "Answers served from the rendered-answer cache.",
            float(state.answers.hits),
            {},
        ),
        "candor_answer_cache_misses_total": (
            "Answers rendered anew.",
            float(state.answers.misses),
            {},
        ),
        "candor_answer_cache_entries": (
            "Rendered answers held in memory.",
            float(len(state.answers)),
            {},
        ),
        "candor_dataset_info": (
            "The loaded dataset version (value always 1).",
            1.0,
            {"version": version},
        ),
        "candor_dataset_services": ("Services in the loaded dataset.", float(services), {}),
        "candor_database_up": (
            "1 when the last database check succeeded.",
            float(state.read_path.database_ok),
            {},
        ),
        "candor_rate_limit_clients": (
            "Clients with a live rate-limit bucket in this process.",
            float(len(state.buckets)),
            {},
        ),
        "candor_rate_limit_shared": (
            "1 when rate limits are shared through Redis; 0 when they are per process "
            "(no CANDOR_REDIS_URL, or Redis unreachable).",
            float(state.shared is not None and state.shared.up),
            {},
        ),
        "candor_rate_limit_shared_errors_total": (
            "Rate-limit decisions Redis could not make (answered per process instead).",
            float(state.shared.failures if state.shared is not None else 0),
            {},
        ),
        "candor_answer_cache_bytes": (
            "Bytes of rendered answers held in memory (bounded).",
            float(state.answers.size_bytes() + state.hot.bytes),
            {},
        ),
    }
    text = state.metrics.render(gauges)
    return PlainTextResponse(
        text,
        media_type="text/plain; version=0.0.4; charset=utf-8",
        headers={"Cache-Control": "no-store"},
    )
