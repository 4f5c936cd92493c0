"""The OpenAPI 3.1 document, generated from the pydantic models the endpoints render,
plus a declarative list of operations: what is served and what is documented come
from the same models."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from api.schemas.bundle import Bundle
from api.schemas.changes import ChangePage
from api.schemas.lookup import (
    HostPrefixResult,
    LookupBatchRequest,
    LookupBatchResponse,
    LookupResult,
)
from api.schemas.methodology import MethodologyOut
from api.schemas.opendata import DatasetOut
from api.schemas.operations import Health, Liveness, ProblemOut
from api.schemas.services import RatingSummary, ServiceDetail, ServicePage

PROBLEM = "application/problem+json"
OPENAPI_VERSION = "3.1.0"


@dataclass(frozen=True)
class Param:
    name: str
    location: str  # path | query | header
    description: str
    schema: dict[str, Any]
    required: bool = False
    example: Any = None


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    operation_id: str
    summary: str
    description: str
    tag: str
    response: type[BaseModel] | None = None
    media_type: str = "application/json"
    response_schema: dict[str, Any] | None = None
    params: tuple[Param, ...] = ()
    body: type[BaseModel] | None = None
    errors: dict[int, str] = field(default_factory=dict)
    cached: bool = True
    limited: bool = True


HOST = Param(
    "host",
    "path",
    "A host name, e.g. `us02web.zoom.us` (port and trailing dot are ignored)",
    {"type": "string", "maxLength": 2048},
    True,
    "us02web.zoom.us",
)
SLUG = Param(
    "slug",
    "path",
    "The service's slug, e.g. `zoom`",
    {"type": "string", "maxLength": 64},
    True,
    "zoom",
)
URL = Param(
    "url",
    "query",
    "An absolute http(s) URL",
    {"type": "string", "maxLength": 2048},
    True,
    "https://us02web.zoom.us/j/123",
)
PREFIX = Param(
    "prefix",
    "path",
    "The first 5 hex digits of the SHA-256 of a host name in the API's normal form "
    "(lowercase A-labels, no trailing dot). Matched case-insensitively.",
    {"type": "string", "pattern": "^[0-9a-fA-F]{5}$"},
    True,
    "caf3a",
)
IF_NONE_MATCH = Param(
    "If-None-Match",
    "header",
    "An ETag from an earlier answer: 304 if unchanged",
    {"type": "string"},
)

OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "get",
        "/v1/ratings/{host}",
        "getRatingForHost",
        "Rating of the service a host belongs to",
        "Matches the host's most specific listed domain, on label boundaries (`zoom.us.evil.com` is not Zoom).",
        "ratings",
        RatingSummary,
        params=(HOST, IF_NONE_MATCH),
        errors={
            400: "Not a valid host (IP literal, localhost, malformed)",
            404: "No rated service uses this host",
        },
    ),
    Operation(
        "get",
        "/v1/lookup",
        "lookupUrl",
        "Rating and meeting flag for a URL",
        "Says which rated service a URL belongs to and whether it is a meeting link.",
        "ratings",
        LookupResult,
        params=(URL, IF_NONE_MATCH),
        errors={400: "Missing or invalid URL"},
    ),
    Operation(
        "post",
        "/v1/lookup",
        "lookupUrls",
        "Look up to 100 URLs at once",
        "Answers in the order asked. An invalid URL gets `error` in its result instead of failing the batch.",
        "ratings",
        LookupBatchResponse,
        body=LookupBatchRequest,
        cached=False,
        errors={
            400: "Malformed JSON",
            413: "Body over 64 KiB",
            415: "Not application/json",
            422: "More than 100 URLs, or no URLs",
        },
    ),
    Operation(
        "get",
        "/v1/hosts/prefix/{prefix}",
        "getHostsByPrefix",
        "Private lookup: rated domains by hash prefix",
        "Every rated domain whose SHA-256 starts with `prefix`, with its service and meeting patterns. Hash the host and each parent domain, ask for each prefix, and compare the full hashes locally: the server never learns the host (see docs/private-lookup.md).",
        "ratings",
        HostPrefixResult,
        params=(PREFIX, IF_NONE_MATCH),
        errors={400: "Not 5 hexadecimal digits"},
    ),
    Operation(
        "get",
        "/v1/services",
        "listServices",
        "All rated services",
        "Summaries, sorted by name; filter by grade (`none` for services whose review is in progress), status or a text query.",
        "services",
        ServicePage,
        params=(
            Param(
                "grade",
                "query",
                "A letter of the methodology's scale (`GET /v1/methodology` lists them), or "
                "`none` for services whose review is in progress. Matched case-insensitively.",
                {"type": "string", "pattern": "^([A-Za-z]|[Nn][Oo][Nn][Ee])$"},
            ),
            Param(
                "status",
                "query",
                "active or discontinued",
                {"$ref": "#/components/schemas/ServiceStatus"},
            ),
            Param(
                "q",
                "query",
                "Text in the name, slug or company",
                {"type": "string", "maxLength": 100},
            ),
            Param(
                "page",
                "query",
                "Page number, from 1",
                {"type": "integer", "minimum": 1, "maximum": 1000000},
            ),
            Param(
                "per_page",
                "query",
                "Services per page",
                {"type": "integer", "minimum": 1, "maximum": 100},
            ),
            IF_NONE_MATCH,
        ),
        errors={400: "A filter or page parameter is invalid"},
    ),
    Operation(
        "get",
        "/v1/services/{slug}",
        "getService",
        "A service's full rating",
        "Every criterion with its level, evidence and sources, the review date and the grade history.",
        "services",
        ServiceDetail,
        params=(SLUG, IF_NONE_MATCH),
        errors={404: "No service has this slug"},
    ),
    Operation(
        "get",
        "/v1/services/{slug}/badge.svg",
        "getBadge",
        "An embeddable SVG grade badge",
        "`candor | B` in the grade's colour; an unknown slug gets a grey `not rated` badge with 404.",
        "services",
        None,
        media_type="image/svg+xml",
        response_schema={"type": "string"},
        params=(
            SLUG,
            Param(
                "style",
                "query",
                "flat (default) or plain",
                {"type": "string", "enum": ["flat", "plain"]},
            ),
            IF_NONE_MATCH,
        ),
        errors={400: "Unknown style"},
    ),
    Operation(
        "get",
        "/v1/methodology",
        "getMethodology",
        "The rating methodology",
        "Criteria, levels, weights, thresholds and caps: enough to recompute every grade.",
        "methodology",
        MethodologyOut,
        params=(IF_NONE_MATCH,),
    ),
    Operation(
        "get",
        "/v1/bundle",
        "getBundle",
        "The compact dataset for local matching",
        "What the browser extension downloads: every service's domains, meeting patterns, grade and evidence. Gzipped on request.",
        "extension",
        Bundle,
        params=(IF_NONE_MATCH,),
    ),
    Operation(
        "get",
        "/v1/bundle.sig",
        "getBundleSignature",
        "The bundle's Ed25519 signature",
        "Base64 of the Ed25519 signature over the exact uncompressed bytes of `/v1/bundle` for the current dataset version, made with the server's `CANDOR_BUNDLE_SIGNING_KEY`. The extension verifies it against the public key pinned at build time (`candor bundle public-key`). 404 when the server has no key.",
        "extension",
        None,
        response_schema={"type": "string", "contentEncoding": "base64"},
        media_type="text/plain",
        params=(IF_NONE_MATCH,),
        errors={404: "The server does not sign its bundle"},
    ),
    Operation(
        "get",
        "/healthz",
        "getHealth",
        "Liveness",
        "200 while the process runs.",
        "operations",
        Liveness,
        cached=False,
        limited=False,
    ),
    Operation(
        "get",
        "/readyz",
        "getReadiness",
        "Readiness",
        "200 when the database answers and a dataset is loaded; 503 otherwise.",
        "operations",
        Health,
        cached=False,
        limited=False,
        errors={503: "Database unreachable or no dataset"},
    ),
    Operation(
        "get",
        "/metrics",
        "getMetrics",
        "Prometheus metrics",
        "Requests, latency, cache and rate-limit counters.",
        "operations",
        None,
        media_type="text/plain",
        response_schema={"type": "string"},
        cached=False,
        limited=False,
    ),
    Operation(
        "get",
        "/v1/changes",
        "listChanges",
        "Every grade, score and criterion-level change",
        "Newest first, paginated: the service, the criterion (for level changes), before and after, the cause (new evidence, a methodology change, the service added or removed), the reason in words and the date. `since` takes a date (`2026-11-30`, that day included), an RFC 3339 timestamp with an offset, or a dataset version (changes after the load that made it).",
        "opendata",
        ChangePage,
        params=(
            Param(
                "since",
                "query",
                "A date (YYYY-MM-DD), a timestamp with an offset, or a dataset version (16 hex digits)",
                {"type": "string", "maxLength": 64},
            ),
            Param(
                "service",
                "query",
                "Only this service's changes (its slug)",
                {"type": "string", "maxLength": 64},
            ),
            Param(
                "page",
                "query",
                "Page number, from 1",
                {"type": "integer", "minimum": 1, "maximum": 1000000},
            ),
            Param(
                "per_page",
                "query",
                "Changes per page",
                {"type": "integer", "minimum": 1, "maximum": 100},
            ),
            IF_NONE_MATCH,
        ),
        errors={400: "An invalid `since`, `service` or page parameter"},
    ),
    Operation(
        "get",
        "/changes.atom",
        "getChangesFeed",
        "The change feed (Atom 1.0)",
        "The newest 200 changes as an Atom feed: one entry per change, with a stable id, its date and a link to the service.",
        "opendata",
        None,
        media_type="application/atom+xml",
        response_schema={"type": "string"},
        params=(IF_NONE_MATCH,),
    ),
    Operation(
        "get",
        "/services/{slug}/changes.atom",
        "getServiceChangesFeed",
        "One service's change feed (Atom 1.0)",
        "The changes of one service, as an Atom feed.",
        "opendata",
        None,
        media_type="application/atom+xml",
        response_schema={"type": "string"},
        params=(SLUG, IF_NONE_MATCH),
        errors={404: "No service has this slug"},
    ),
    Operation(
        "get",
        "/v1/dataset.json",
        "getDatasetJson",
        "The open dataset as JSON (CC BY 4.0)",
        "One row per service and criterion: level, counted level, report period, evidence, sources with their kinds, review date, grade, score and methodology version. Versioned by `dataset_version`; gzipped on request.",
        "opendata",
        DatasetOut,
        params=(IF_NONE_MATCH,),
    ),
    Operation(
        "get",
        "/v1/dataset.csv",
        "getDatasetCsv",
        "The open dataset as CSV (CC BY 4.0)",
        "The same rows as `/v1/dataset.json`, as RFC 4180 CSV with a header row; several source URLs (and kinds) in a cell are separated by single spaces. Every grade can be rebuilt from it with `GET /v1/methodology`.",
        "opendata",
        None,
        media_type="text/csv",
        response_schema={"type": "string"},
        params=(IF_NONE_MATCH,),
    ),
)

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


def _operation(op: Operation, examples: dict[str, Any]) -> dict[str, Any]:
    schema = _ref(op.response) if op.response else (op.response_schema or {})
    ok: dict[str, Any] = {"description": "OK", "content": {op.media_type: {"schema": schema}}}
    if op.operation_id in examples:
        ok["content"][op.media_type]["example"] = examples[op.operation_id]
    headers: dict[str, Any] = {}
    if op.cached:
        headers.update(_CACHE_HEADERS)
    if op.limited:
        headers.update(_RATE_HEADERS)
    if headers:
        ok["headers"] = headers
    responses: dict[str, Any] = {"200": ok}
    if op.cached:
        responses["304"] = {"description": "Not modified (If-None-Match matched the ETag)"}
    for status, text in sorted(op.errors.items()):
        if op.operation_id == "getBadge" and status == 404:
            continue
        responses[str(status)] = _problem(text)
    if op.operation_id == "getBadge":
        responses["404"] = {
            "description": "Unknown slug: a grey 'not rated' badge",
            "content": {"image/svg+xml": {"schema": {"type": "string"}}},
        }
    if op.limited:
        responses["401"] = _problem("The API key sent is unknown or revoked")
        responses["429"] = {
            **_problem("Rate limit exceeded"),
            "headers": {
                "Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}}
            },
        }
    if op.operation_id != "getHealth":
        responses["503"] = _problem(
            "The dataset is not loaded yet" if op.operation_id != "getReadiness" else "Not ready"
        )
    document: dict[str, Any] = {
        "operationId": op.operation_id,
        "summary": op.summary,
        "description": op.description,
        "tags": [op.tag],
        "responses": responses,
    }
    if op.params:
        document["parameters"] = [
            {
                "name": p.name,
                "in": p.location,
                "description": p.description,
                "required": p.required,
                "schema": p.schema,
                **({"example": p.example} if p.example is not None else {}),
            }
            for p in op.params
        ]
    if op.body:
        document["requestBody"] = {
            "required": True,
            "content": {
                "application/json": {
                    "schema": _ref(op.body),
                    "example": {"urls": ["https://us02web.zoom.us/j/123", "https://example.com/"]},
                }
            },
        }
    if not op.limited:
        # The document's default (an optional key) does not apply: no key is read here.
        document["security"] = []
    return document


def openapi_document(examples: dict[str, Any] | None = None, server: str = "/") -> dict[str, Any]:
    """The whole document; ``examples`` maps operation ids to real answers to show."""
    paths: dict[str, Any] = {}
    for op in OPERATIONS:
        paths.setdefault(op.path, {})[op.method] = _operation(op, examples or {})
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
