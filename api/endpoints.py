"""The v1 JSON endpoints. Thin: parse, ask the read path, render, cache."""

from __future__ import annotations

import asyncio
import json
from typing import Any
from urllib.parse import urlencode

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from api.compressed import compress
from api.compressed import serve as serve_compressed
from api.hotroutes import remember
from api.paging import DEFAULT_PER_PAGE, Window, page_params
from api.problems import Problem
from api.responses import (
    Rendered,
    cached_response,
)
from api.schemas.lookup import LookupBatchRequest, LookupBatchResponse, LookupResult
from api.schemas.methodology import MethodologyOut
from api.schemas.operations import Health
from api.schemas.services import ServicePage, detail_of, summary_of
from api.state import AppState, BundleAnswer, state_of
from ratings.bundle import encode_bundle
from ratings.dataset import Dataset
from ratings.matching import InvalidInput, Match
from ratings.query import InvalidQuery, ServiceQuery
from ratings.signing import sign

MAX_BATCH_BODY = 64 * 1024


def _json(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


def _serve(
    request: Request, state: AppState, rendered: Rendered, vary: str | None = None
) -> Response:
    return cached_response(request, rendered, max_age=state.settings.cache_max_age, vary=vary)


def _lookup_result(dataset: Dataset, url: str, match: Match, base: str) -> LookupResult:
    rating = dataset.ratings.get(match.service) if match.service else None
    return LookupResult(
        url=url,
        host=match.host,
        service=summary_of(rating, base) if rating else None,
        meeting=match.meeting,
    )


async def rating_for_host(request: Request) -> Response:
    state = state_of(request)
    dataset = state.read_path.dataset
    try:
        match = dataset.match_host(request.path_params["host"])
    except InvalidInput as exc:
        raise Problem(400, f"Not a valid host: {exc}") from None
    if match.service is None:
        raise Problem(404, f"No rated service uses the host {match.host}")

    async def render() -> Rendered:
        rating = dataset.ratings[match.service]  # type: ignore[index]
        body = summary_of(rating, state.settings.public_url).model_dump_json().encode()
        return Rendered.of(body, dataset.version)

    rendered = await state.answer((dataset.version, "rating", match.host), render)
    remember(request, dataset, rendered)
    return _serve(request, state, rendered)


async def lookup(request: Request) -> Response:
    state = state_of(request)
    dataset = state.read_path.dataset
    url = request.query_params.get("url")
    if not url:
        raise Problem(400, "The query parameter 'url' is required")
    try:
        match = dataset.match_url(url)
    except InvalidInput as exc:
        raise Problem(400, f"Not a valid http(s) URL: {exc}") from None

    async def render() -> Rendered:
        result = _lookup_result(dataset, url, match, state.settings.public_url)
        return Rendered.of(result.model_dump_json().encode(), dataset.version)

    # Keyed by the URL as given: it is echoed in the answer.
    rendered = await state.answer((dataset.version, "lookup", url), render)
    remember(request, dataset, rendered)
    return _serve(request, state, rendered)


async def lookup_any(request: Request) -> Response:
    if request.method == "POST":
        return await lookup_batch(request)
    return await lookup(request)


async def lookup_batch(request: Request) -> Response:
    state = state_of(request)
    dataset = state.read_path.dataset
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/json":
        raise Problem(415, 'Send the URLs as application/json: {"urls": [...]}')
    length = request.headers.get("content-length")
    if length is not None and (
        not (length.isascii() and length.isdigit()) or int(length) > MAX_BATCH_BODY
    ):
        raise Problem(413, "The request body is larger than 64 KiB")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BATCH_BODY:
            raise Problem(413, "The request body is larger than 64 KiB")
    try:
        payload = LookupBatchRequest.model_validate_json(body)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "body"
        raise Problem(
            422 if first["type"] != "json_invalid" else 400,
            f'{where}: {first["msg"]} (send {{"urls": [...]}}, at most 100 URLs)',
        ) from None
    # A batch costs what its URLs would cost one by one (the edge charged the first): a
    # hundred internationalised URLs are sixty times a GET's work on the event loop.
    if state.limiter is not None:
        await state.limiter.charge(request.scope, len(payload.urls) - 1)
    base = state.settings.public_url
    results = []
    for url in payload.urls:
        try:
            match = dataset.match_url(url)
        except InvalidInput as exc:
            results.append(
                LookupResult(url=url, host=None, service=None, meeting=False, error=str(exc))
            )
            continue
        results.append(_lookup_result(dataset, url, match, base))
    body_out = LookupBatchResponse(results=results).model_dump_json().encode()
    return Response(body_out, media_type="application/json", headers={"Cache-Control": "no-store"})


async def list_services(request: Request) -> Response:
    state = state_of(request)
    dataset = state.read_path.dataset
    try:
        query = ServiceQuery.parse(request.query_params, dataset.methodology.grades)
    except InvalidQuery as exc:
        raise Problem(400, f"'{exc.field}' {exc.reason}") from exc
    page, per_page = page_params(request)

    async def render() -> Rendered:
        selected = query.apply(dataset.ratings.values())
        window = Window(page, per_page, len(selected))

        def link(number: int) -> str:
            # Built from the validated parameters only: anything else a client sent would
            # be echoed into an answer that shared caches keep for everyone.
            kept: dict[str, str | int] = {}
            if query.grade is not None:
                kept["grade"] = query.grade
            if query.status is not None:
                kept["status"] = query.status
            if query.needle:
                kept["q"] = query.needle
            if per_page != DEFAULT_PER_PAGE:
                kept["per_page"] = per_page
            return f"/v1/services?{urlencode({**kept, 'page': number})}"

        body = ServicePage(
            items=[summary_of(r, state.settings.public_url) for r in window.items(selected)],
            **window.fields(link),
            dataset_version=dataset.version,
        )
        return Rendered.of(body.model_dump_json().encode(), dataset.version)

    key = (dataset.version, "services", query.grade, query.status, query.needle, page, per_page)
    return _serve(request, state, await state.answer(key, render))


async def service_detail(request: Request) -> Response:
    state = state_of(request)
    dataset = state.read_path.dataset
    slug = request.path_params["slug"]
    rating = dataset.ratings.get(slug)
    if rating is None:
        raise Problem(404, f"No rated service has the slug {slug[:64]!r}")

    async def render() -> Rendered:
        detail = detail_of(rating, dataset.methodology, dataset.version, state.settings.public_url)
        return Rendered.of(detail.model_dump_json().encode(), dataset.version)

    return _serve(request, state, await state.answer((dataset.version, "service", slug), render))


async def methodology(request: Request) -> Response:
    state = state_of(request)
    dataset = state.read_path.dataset

    async def render() -> Rendered:
        body = MethodologyOut(dataset_version=dataset.version, **dataset.methodology.model_dump())
        return Rendered.of(body.model_dump_json().encode(), dataset.version)

    return _serve(request, state, await state.answer((dataset.version, "methodology"), render))


def _render_bundle(dataset: Dataset, key: Ed25519PrivateKey | None = None) -> BundleAnswer:
    """Encode and compress the bundle piece by piece (in a worker thread: for 10,000
    services this takes about a second, which must not stall the event loop), and sign the
    plain bytes when the server has a key. Ed25519 signs the whole message, so the plain
    body is held for that moment only (~24 MB for 10,000 services)."""
    if key is None:
        return BundleAnswer(compress(encode_bundle(dataset), dataset.version, "application/json"))
    plain = b"".join(encode_bundle(dataset))
    signature = Rendered.of(
        sign(key, plain).encode("ascii"), dataset.version + "-sig", "text/plain"
    )
    return BundleAnswer(compress((plain,), dataset.version, "application/json"), signature)


async def _bundle_answer(state: AppState, dataset: Dataset) -> BundleAnswer:
    return await state.bundles.get(
        dataset.version,
        lambda: asyncio.to_thread(_render_bundle, dataset, state.signing_key),
    )


async def bundle_signature(request: Request) -> Response:
    """The base64 Ed25519 signature over the exact plain bytes of ``/v1/bundle`` for the
    same dataset version (its ETag names the version, as the bundle's does)."""
    state = state_of(request)
    dataset = state.read_path.dataset
    if state.signing_key is None:
        raise Problem(
            404, "This server does not sign its bundle (CANDOR_BUNDLE_SIGNING_KEY is not set)"
        )
    answer = await _bundle_answer(state, dataset)
    assert answer.signature is not None  # rendered with the key
    return _serve(request, state, answer.signature)


async def bundle(request: Request) -> Response:
    state = state_of(request)
    dataset = state.read_path.dataset
    answer = await _bundle_answer(state, dataset)
    return serve_compressed(request, answer.compressed, state.settings.cache_max_age)


async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"}, headers={"Cache-Control": "no-store"})


async def readyz(request: Request) -> Response:
    """The poller's last result (ratings/readpath.py): no database work per call, so a
    flood of readiness checks costs nothing, and no error text (the log has it)."""
    state = state_of(request)
    read_path = state.read_path
    loaded = read_path.loaded
    dataset = read_path.dataset if loaded else None
    database = read_path.healthy()
    ok = database and loaded
    detail = None
    if not ok:
        detail = "no dataset loaded" if not loaded else "the database is unreachable"
    body = Health(
        status="ok" if ok else "unavailable",
        database=database,
        dataset_loaded=loaded,
        dataset_version=dataset.version if dataset else None,
        services=len(dataset.ratings) if dataset else 0,
        detail=detail,
    )
    return Response(
        body.model_dump_json(),
        status_code=200 if ok else 503,
        media_type="application/json",
        headers={"Cache-Control": "no-store"},
    )
