"""What the OpenAPI document says of each operation: a declarative list, by route name.

Paths are not spelled here: an operation names its route, and the document takes the
route's path from the route table (api/app.py), as the router does. The schemas come
from the pydantic models the endpoints render (api/openapi.py builds the document).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from api.paging import MAX_PAGE, MAX_PER_PAGE
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
from api.schemas.operations import Health, Liveness
from api.schemas.services import RatingSummary, ServiceDetail, ServicePage


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
    # The route's name in the route table (api/app.py): the table alone knows its path.
    route: str
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


def paging(items: str) -> tuple[Param, Param]:
    """The page and per_page parameters of a paginated list of ``items``."""
    return (
        Param(
            "page",
            "query",
            "Page number, from 1",
            {"type": "integer", "minimum": 1, "maximum": MAX_PAGE},
        ),
        Param(
            "per_page",
            "query",
            f"{items} per page",
            {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
        ),
    )


OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "get",
        "rating_for_host",
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
        "lookup_any",
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
        "lookup_any",
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
        "hosts_by_prefix",
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
        "list_services",
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
            *paging("Services"),
            IF_NONE_MATCH,
        ),
        errors={400: "A filter or page parameter is invalid"},
    ),
    Operation(
        "get",
        "service_detail",
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
        "badge",
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
        "methodology",
        "getMethodology",
        "The rating methodology",
        "Criteria, levels, weights, thresholds and caps: enough to recompute every grade.",
        "methodology",
        MethodologyOut,
        params=(IF_NONE_MATCH,),
    ),
    Operation(
        "get",
        "bundle",
        "getBundle",
        "The compact dataset for local matching",
        "What the browser extension downloads: every service's domains, meeting patterns, grade and evidence. Gzipped on request.",
        "extension",
        Bundle,
        params=(IF_NONE_MATCH,),
    ),
    Operation(
        "get",
        "bundle_signature",
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
        "healthz",
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
        "readyz",
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
        "metrics",
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
        "changes",
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
            *paging("Changes"),
            IF_NONE_MATCH,
        ),
        errors={400: "An invalid `since`, `service` or page parameter"},
    ),
    Operation(
        "get",
        "changes_atom",
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
        "service_changes_atom",
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
        "dataset_json",
        "getDatasetJson",
        "The open dataset as JSON (CC BY 4.0)",
        "One row per service and criterion: level, counted level, report period, evidence, sources with their kinds, review date, grade, score and methodology version. Versioned by `dataset_version`; gzipped on request.",
        "opendata",
        DatasetOut,
        params=(IF_NONE_MATCH,),
    ),
    Operation(
        "get",
        "dataset_csv",
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
