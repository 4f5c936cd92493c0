"""The API describing itself: the OpenAPI document, its HTML reference, and metrics."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from api import assets
from api.docs import docs_assets, render_docs
from api.metrics import CONTENT_TYPE
from api.openapi import OPENAPI_VERSION, openapi_document
from api.responses import Rendered, cached_response
from api.schemas.common import PatternOut
from api.schemas.lookup import HostPrefixEntry, HostPrefixResult, LookupResult
from api.schemas.methodology import MethodologyOut
from api.schemas.services import summary_of
from api.securityheaders import DOCS_CSP
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


def _document(request: Request, state: AppState) -> dict[str, Any]:
    return openapi_document(request.app.routes, _examples(state), state.settings.public_url or "/")


async def openapi_json(request: Request) -> Response:
    state = state_of(request)

    async def render() -> Rendered:
        document = _document(request, state)
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
    # allows connecting, to this origin only (api/securityheaders.py).
    response.headers["Content-Security-Policy"] = DOCS_CSP.decode()
    return response


async def metrics(request: Request) -> Response:
    body = state_of(request).metrics.render()
    return Response(body, media_type=CONTENT_TYPE, headers={"Cache-Control": "no-store"})
