"""The OpenAPI 3.1 document, generated from the pydantic models the endpoints render and
the declarative list of operations (api/operations.py), with the paths of the route table
(api/app.py): what is served and what is documented come from the same models and the
same routes."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel
from starlette.routing import BaseRoute, Route

from api.operations import OPERATIONS, Operation, Param
from api.schemas.changes import ChangePage
from api.schemas.lookup import (
    LookupBatchRequest,
    LookupBatchResponse,
    LookupResult,
)
from api.schemas.operations import Health, ProblemOut
from api.schemas.services import RatingSummary, ServiceDetail, ServicePage

PROBLEM = "application/problem+json"
OPENAPI_VERSION = "3.1.0"


# Models documented even when no operation names them; every operation's response and
# body models are added to these (_models), so no $ref can point at nothing.
MODELS: tuple[type[BaseModel], ...] = (
    RatingSummary,
    ServiceDetail,
    ServicePage,
    ChangePage,
    LookupResult,
    LookupBatchRequest,
    LookupBatchResponse,
    ProblemOut,
    Health,
)


def _models() -> list[type[BaseModel]]:
    named = [*MODELS, *(m for op in OPERATIONS for m in (op.response, op.body) if m)]
    return list(dict.fromkeys(named))


def _components() -> dict[str, Any]:
    schemas: dict[str, Any] = {}

    def add(name: str, schema: dict[str, Any]) -> None:
        # Component names are what generated clients call their classes: two different
        # models under one name would silently document only one of them.
        if schemas.setdefault(name, schema) != schema:
            raise ValueError(f"two different schemas are named {name!r}")

    for model in _models():
        schema = model.model_json_schema(
            ref_template="#/components/schemas/{model}", mode="serialization"
        )
        for name, definition in schema.pop("$defs", {}).items():
            add(name, definition)
        add(model.__name__, schema)
    return schemas


def _ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _problem(description: str) -> dict[str, Any]:
    return {"description": description, "content": {PROBLEM: {"schema": _ref(ProblemOut)}}}


_RATE_HEADERS = {
    name: {"description": text, "schema": {"type": "integer"}}
    for name, text in (
        ("RateLimit-Limit", "Requests allowed a minute"),
        (
            "RateLimit-Remaining",
            "Requests left now (only on no-store and keyed answers: never cached for others)",
        ),
        (
            "RateLimit-Reset",
            "Seconds until the budget is full again (only on no-store and keyed answers)",
        ),
    )
}
_CACHE_HEADERS = {
    "ETag": {"description": "Strong validator of this answer", "schema": {"type": "string"}},
    "Cache-Control": {
        "description": "public, with max-age, stale-while-revalidate and stale-if-error",
        "schema": {"type": "string"},
    },
}


def _ok(op: Operation, examples: dict[str, Any]) -> dict[str, Any]:
    """The 200 answer: its content, an example when there is one, and its headers."""
    schema = _ref(op.response) if op.response else (op.response_schema or {})
    content: dict[str, Any] = {"schema": schema}
    if op.operation_id in examples:
        content["example"] = examples[op.operation_id]
    ok: dict[str, Any] = {"description": "OK", "content": {op.media_type: content}}
    headers = {**(_CACHE_HEADERS if op.cached else {}), **(_RATE_HEADERS if op.limited else {})}
    if headers:
        ok["headers"] = headers
    return ok


# The badge answers an unknown slug with a badge too, not a problem.
_BADGE_NOT_FOUND = {
    "description": "Unknown slug: a grey 'not rated' badge",
    "content": {"image/svg+xml": {"schema": {"type": "string"}}},
}
_LIMITED = {
    "401": _problem("The API key sent is unknown or revoked"),
    "429": {
        **_problem("Rate limit exceeded"),
        "headers": {
            "Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}}
        },
    },
}


def _responses(op: Operation, examples: dict[str, Any]) -> dict[str, Any]:
    responses: dict[str, Any] = {"200": _ok(op, examples)}
    if op.cached:
        responses["304"] = {"description": "Not modified (If-None-Match matched the ETag)"}
    badge = op.operation_id == "getBadge"
    for status, text in sorted(op.errors.items()):
        if not (badge and status == 404):
            responses[str(status)] = _problem(text)
    if badge:
        responses["404"] = _BADGE_NOT_FOUND
    if op.limited:
        responses.update(_LIMITED)
    if op.operation_id != "getHealth":
        ready = op.operation_id == "getReadiness"
        responses["503"] = _problem("Not ready" if ready else "The dataset is not loaded yet")
    return responses


def _parameter(p: Param) -> dict[str, Any]:
    return {
        "name": p.name,
        "in": p.location,
        "description": p.description,
        "required": p.required,
        "schema": p.schema,
        **({"example": p.example} if p.example is not None else {}),
    }


_BATCH_BODY_EXAMPLE = {"urls": ["https://us02web.zoom.us/j/123", "https://example.com/"]}


def _operation(op: Operation, examples: dict[str, Any]) -> dict[str, Any]:
    document: dict[str, Any] = {
        "operationId": op.operation_id,
        "summary": op.summary,
        "description": op.description,
        "tags": [op.tag],
        "responses": _responses(op, examples),
    }
    if op.params:
        document["parameters"] = [_parameter(p) for p in op.params]
    if op.body:
        document["requestBody"] = {
            "required": True,
            "content": {
                "application/json": {"schema": _ref(op.body), "example": _BATCH_BODY_EXAMPLE}
            },
        }
    if not op.limited:
        # The document's default (an optional key) does not apply: no key is read here.
        document["security"] = []
    return document


def route_paths(routes: Iterable[BaseRoute]) -> dict[str, str]:
    """The path of every documented operation's route, by route name, from the table."""
    paths = {
        route.name: route.path
        for route in routes
        if isinstance(route, Route) and route.name in _DOCUMENTED
    }
    if missing := _DOCUMENTED - set(paths):
        raise LookupError(f"documented routes not in the route table: {sorted(missing)}")
    return paths


_DOCUMENTED = frozenset(op.route for op in OPERATIONS)


def openapi_document(
    routes: Iterable[BaseRoute], examples: dict[str, Any] | None = None, server: str = "/"
) -> dict[str, Any]:
    """The whole document for the route table ``routes``; ``examples`` maps operation ids
    to real answers to show."""
    where = route_paths(routes)
    paths: dict[str, Any] = {}
    for op in OPERATIONS:
        paths.setdefault(where[op.route], {})[op.method] = _operation(op, examples or {})
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "Candor rating API",
            "version": "1.0.0",
            "summary": "Privacy and transparency ratings for video-conferencing and VoIP services",
            "description": (
                "Every answer is JSON; errors are RFC 9457 problem details. Every GET carries an "
                "ETag and Cache-Control; send If-None-Match for a 304. Anonymous clients are "
                "rate-limited per IP (per /64 for IPv6): every request costs a token, a batch "
                "lookup one per URL; send `Authorization: Bearer <key>` for a key's own limit."
            ),
            "license": {"name": "MIT", "identifier": "MIT"},
        },
        "servers": [{"url": server}],
        "tags": [
            {"name": name}
            for name in (
                "ratings",
                "services",
                "methodology",
                "extension",
                "operations",
                "opendata",
            )
        ],
        "paths": paths,
        # Every limited operation takes an API key but needs none. Said once for the whole
        # document rather than on each operation: generators (openapi-python-client) read
        # an operation's own security as "a key is required" and would type anonymous
        # clients out.
        "security": [{}, {"apiKey": []}],
        "components": {
            "schemas": _components(),
            "securitySchemes": {
                "apiKey": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A key from `candor keys create`",
                }
            },
        },
    }
