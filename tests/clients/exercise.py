"""What a third party writes with the Python client that openapi-python-client generates,
with its default settings, from the served /openapi.json.

One check per documented operation (``CHECKS``, keyed by operation id): each calls the
operation through the generated client and insists that the answer parses into the
generated model the document promises, on the success path and on the error paths the
operation has (304, 400, 401, 404, 422; 429 in ``check_rate_limited``).
tests/clients/test_generated_clients.py generates the client, runs these against a real
``candor serve``, and type-checks this file with ``mypy --strict`` against the generated
package: a document whose types do not hold up in typed use fails there too.

Imported only once the client has been generated (it is not in the repository).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from http import HTTPStatus
from typing import Any, TypeVar

from attrs import evolve
from candor_rating_api_client import AuthenticatedClient, Client
from candor_rating_api_client.api.extension import get_bundle, get_bundle_signature
from candor_rating_api_client.api.methodology import get_methodology
from candor_rating_api_client.api.opendata import (
    get_changes_feed,
    get_dataset_csv,
    get_dataset_json,
    get_service_changes_feed,
    list_changes,
)
from candor_rating_api_client.api.operations import get_health, get_metrics, get_readiness
from candor_rating_api_client.api.ratings import (
    get_hosts_by_prefix,
    get_rating_for_host,
    lookup_url,
    lookup_urls,
)
from candor_rating_api_client.api.services import get_badge, get_service, list_services
from candor_rating_api_client.models import (
    Bundle,
    ChangePage,
    DatasetOut,
    GetBadgeStyle,
    Health,
    HealthStatus,
    HostPrefixResult,
    Level,
    Liveness,
    LookupBatchRequest,
    LookupBatchResponse,
    LookupResult,
    MethodologyOut,
    ProblemOut,
    RatingSummary,
    ServiceDetail,
    ServicePage,
    ServiceStatus,
    SourceKind,
)
from candor_rating_api_client.types import Response

T = TypeVar("T")
Check = Callable[[Client], None]
CHECKS: dict[str, Check] = {}


def check(operation_id: str) -> Callable[[Check], Check]:
    def register(function: Check) -> Check:
        CHECKS[operation_id] = function
        return function

    return register


def parsed(response: Response[Any], model: type[T]) -> T:
    """The answer's typed body: a 200 whose body the generated model accepted."""
    assert response.status_code == HTTPStatus.OK, (response.status_code, response.content[:500])
    assert isinstance(response.parsed, model), (model, response.parsed)
    return response.parsed


def problem(response: Response[Any], status: int) -> ProblemOut:
    """An RFC 9457 problem, parsed into the generated ProblemOut."""
    assert response.status_code == status, (response.status_code, response.content[:500])
    assert response.headers["content-type"] == "application/problem+json"
    assert isinstance(response.parsed, ProblemOut), response.parsed
    assert response.parsed.status == status and response.parsed.detail
    return response.parsed


def not_modified(response: Response[Any]) -> None:
    assert response.status_code == HTTPStatus.NOT_MODIFIED, response.status_code
    assert response.content == b"" and response.parsed is None


def etag(response: Response[Any]) -> str:
    value = response.headers["etag"]
    assert value.startswith('"') and value.endswith('"'), value
    return value


@check("getRatingForHost")
def rating_for_host(client: Client) -> None:
    first = get_rating_for_host.sync_detailed("us02web.zoom.us", client=client)
    rating = parsed(first, RatingSummary)
    assert rating.slug == "zoom" and rating.status is ServiceStatus.ACTIVE
    assert rating.grade is None or len(rating.grade) == 1
    assert rating.groups and all(g.weight > 0 for g in rating.groups)
    assert rating.links.self_ == "/v1/services/zoom"
    again = get_rating_for_host.sync_detailed(
        "us02web.zoom.us", client=client, if_none_match=etag(first)
    )
    not_modified(again)
    problem(get_rating_for_host.sync_detailed("localhost", client=client), 400)
    problem(get_rating_for_host.sync_detailed("example.com", client=client), 404)


@check("lookupUrl")
def lookup_one(client: Client) -> None:
    first = lookup_url.sync_detailed(client=client, url_query="https://us02web.zoom.us/j/123")
    result = parsed(first, LookupResult)
    assert result.meeting is True and result.host == "us02web.zoom.us"
    assert isinstance(result.service, RatingSummary) and result.service.slug == "zoom"
    unrated = parsed(
        lookup_url.sync_detailed(client=client, url_query="https://example.com/"), LookupResult
    )
    assert unrated.service is None and unrated.meeting is False
    not_modified(
        lookup_url.sync_detailed(
            client=client, url_query="https://us02web.zoom.us/j/123", if_none_match=etag(first)
        )
    )
    problem(lookup_url.sync_detailed(client=client, url_query="ftp://zoom.us/"), 400)


@check("lookupUrls")
def lookup_many(client: Client) -> None:
    urls = ["https://meet.google.com/abc-defg-hij", "https://example.com/", "not a url"]
    answer = parsed(
        lookup_urls.sync_detailed(client=client, body=LookupBatchRequest(urls=urls)),
        LookupBatchResponse,
    )
    assert [r.url for r in answer.results] == urls
    meet, unrated, invalid = answer.results
    assert isinstance(meet.service, RatingSummary) and meet.meeting is True
    assert unrated.service is None and not unrated.error
    assert isinstance(invalid.error, str) and invalid.error and invalid.host is None
    too_many = LookupBatchRequest(urls=[f"https://zoom.us/j/{n}" for n in range(101)])
    problem(lookup_urls.sync_detailed(client=client, body=too_many), 422)


@check("getHostsByPrefix")
def hosts_by_prefix(client: Client) -> None:
    digest = hashlib.sha256(b"zoom.us").hexdigest()
    first = get_hosts_by_prefix.sync_detailed(digest[:5], client=client)
    answer = parsed(first, HostPrefixResult)
    assert answer.prefix == digest[:5]
    (entry,) = [e for e in answer.entries if e.sha256 == digest]
    assert entry.service.slug == "zoom" and entry.meeting_patterns
    assert all(p.path.startswith("/") for p in entry.meeting_patterns)
    # Upper case is the same prefix, and the same answer.
    upper = get_hosts_by_prefix.sync_detailed(digest[:5].upper(), client=client)
    assert parsed(upper, HostPrefixResult) == answer and etag(upper) == etag(first)
    not_modified(
        get_hosts_by_prefix.sync_detailed(digest[:5], client=client, if_none_match=etag(first))
    )
    problem(get_hosts_by_prefix.sync_detailed("zoom.", client=client), 400)


@check("listServices")
def services(client: Client) -> None:
    first = list_services.sync_detailed(client=client, per_page=5)
    page = parsed(first, ServicePage)
    assert len(page.items) == 5 and page.total > 5 and page.next_
    grade = next(item.grade for item in page.items if item.grade)
    upper = parsed(list_services.sync_detailed(client=client, grade=grade), ServicePage)
    lower = parsed(list_services.sync_detailed(client=client, grade=grade.lower()), ServicePage)
    assert upper.total == lower.total > 0 and all(i.grade == grade for i in upper.items)
    active = parsed(
        list_services.sync_detailed(client=client, status=ServiceStatus.ACTIVE), ServicePage
    )
    assert all(item.status is ServiceStatus.ACTIVE for item in active.items)
    not_modified(list_services.sync_detailed(client=client, per_page=5, if_none_match=etag(first)))
    problem(list_services.sync_detailed(client=client, grade="Z"), 400)
    problem(list_services.sync_detailed(client=client, per_page=1000), 400)


@check("getService")
def service(client: Client) -> None:
    first = get_service.sync_detailed("signal", client=client)
    detail = parsed(first, ServiceDetail)
    assert detail.slug == "signal" and detail.domains and detail.criteria
    assert all(isinstance(c.level, Level) for c in detail.criteria)
    sources = [s for c in detail.criteria for s in c.sources]
    assert sources and all(isinstance(s.kind, SourceKind) for s in sources)
    not_modified(get_service.sync_detailed("signal", client=client, if_none_match=etag(first)))
    problem(get_service.sync_detailed("no-such-service", client=client), 404)


@check("getBadge")
def badge(client: Client) -> None:
    # openapi-python-client types JSON and text answers only: it leaves the SVG out of
    # the operation's answers, so the bytes are in .content, and a client that raises on
    # undocumented statuses would raise on the badge itself.
    client = evolve(client, raise_on_unexpected_status=False)
    first = get_badge.sync_detailed("zoom", client=client, style=GetBadgeStyle.PLAIN)
    assert first.status_code == HTTPStatus.OK
    assert first.headers["content-type"] == "image/svg+xml"
    assert first.content.startswith(b"<svg")
    not_modified(
        get_badge.sync_detailed(
            "zoom", client=client, style=GetBadgeStyle.PLAIN, if_none_match=etag(first)
        )
    )
    unknown = get_badge.sync_detailed("no-such-service", client=client)
    assert unknown.status_code == HTTPStatus.NOT_FOUND and unknown.content.startswith(b"<svg")


@check("getMethodology")
def methodology(client: Client) -> None:
    first = get_methodology.sync_detailed(client=client)
    body = parsed(first, MethodologyOut)
    assert body.version >= 2 and body.dataset_version
    letters = [*body.grading.thresholds.additional_keys, body.grading.lowest_grade]
    assert set(letters) == set(body.grading.grade_meanings.additional_keys)
    assert {c.group for c in body.criteria} <= {g.id for g in body.groups}
    assert body.levels["full"] > body.levels["none"]
    not_modified(get_methodology.sync_detailed(client=client, if_none_match=etag(first)))


@check("getBundle")
def bundle(client: Client) -> None:
    first = get_bundle.sync_detailed(client=client)
    body = parsed(first, Bundle)
    assert body.format_ == 2 and body.services
    zoom = next(s for s in body.services if s.slug == "zoom")
    assert "zoom.us" in zoom.domains and zoom.meeting_patterns
    assert {g.letter for g in body.methodology.grades} >= {
        s.grade for s in body.services if s.grade
    }
    not_modified(get_bundle.sync_detailed(client=client, if_none_match=etag(first)))


@check("getBundleSignature")
def bundle_signature(client: Client) -> None:
    import base64

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    from tests.clients.conftest import DEV_KEY

    client = evolve(client, raise_on_unexpected_status=False)
    first = get_bundle_signature.sync_detailed(client=client)
    assert first.status_code == HTTPStatus.OK and first.headers["etag"]
    signature = base64.b64decode(first.content, validate=True)
    plain = get_bundle.sync_detailed(client=client).content
    public = (DEV_KEY.parent / "development.pub").read_text().strip()
    # Raises InvalidSignature unless it signs exactly the bundle's bytes.
    Ed25519PublicKey.from_public_bytes(base64.b64decode(public)).verify(signature, plain)
    not_modified(get_bundle_signature.sync_detailed(client=client, if_none_match=etag(first)))


@check("listChanges")
def changes(client: Client) -> None:
    first = list_changes.sync_detailed(client=client, per_page=5)
    page = parsed(first, ChangePage)
    assert page.items and len(page.items) <= 5 and page.total >= len(page.items)
    not_modified(list_changes.sync_detailed(client=client, per_page=5, if_none_match=etag(first)))
    problem(list_changes.sync_detailed(client=client, since="not a date"), 400)


@check("getChangesFeed")
def changes_feed(client: Client) -> None:
    client = evolve(client, raise_on_unexpected_status=False)
    first = get_changes_feed.sync_detailed(client=client)
    assert first.status_code == HTTPStatus.OK
    assert first.headers["content-type"].startswith("application/atom+xml")
    assert b"<feed" in first.content
    not_modified(get_changes_feed.sync_detailed(client=client, if_none_match=etag(first)))


@check("getServiceChangesFeed")
def service_changes_feed(client: Client) -> None:
    client = evolve(client, raise_on_unexpected_status=False)
    first = get_service_changes_feed.sync_detailed("zoom", client=client)
    assert first.status_code == HTTPStatus.OK and b"<feed" in first.content
    missing = get_service_changes_feed.sync_detailed("no-such-service", client=client)
    assert missing.status_code == HTTPStatus.NOT_FOUND


@check("getDatasetJson")
def dataset_json(client: Client) -> None:
    first = get_dataset_json.sync_detailed(client=client)
    body = parsed(first, DatasetOut)
    assert body.license_.id == "CC-BY-4.0" and body.rows
    assert {row.slug for row in body.rows} >= {"zoom", "signal"}
    not_modified(get_dataset_json.sync_detailed(client=client, if_none_match=etag(first)))


@check("getDatasetCsv")
def dataset_csv(client: Client) -> None:
    client = evolve(client, raise_on_unexpected_status=False)
    first = get_dataset_csv.sync_detailed(client=client)
    assert first.status_code == HTTPStatus.OK
    assert first.content.startswith(b"slug,service,company")
    not_modified(get_dataset_csv.sync_detailed(client=client, if_none_match=etag(first)))


@check("getHealth")
def health(client: Client) -> None:
    assert parsed(get_health.sync_detailed(client=client), Liveness).status == "ok"


@check("getReadiness")
def readiness(client: Client) -> None:
    ready = parsed(get_readiness.sync_detailed(client=client), Health)
    assert ready.status is HealthStatus.OK and ready.database and ready.services > 0


@check("getMetrics")
def metrics(client: Client) -> None:
    text = parsed(get_metrics.sync_detailed(client=client), str)
    assert "candor_http_requests_total" in text


def check_unknown_key(base_url: str) -> None:
    """A key the server does not know is a 401, never a silent downgrade to anonymous."""
    keyed = AuthenticatedClient(
        base_url=base_url, token="cnd_unknown_key_0000", raise_on_unexpected_status=True
    )
    with keyed:
        problem(get_rating_for_host.sync_detailed("zoom.us", client=keyed), 401)


def check_rate_limited(client: Client, budget: int) -> None:
    """Past the anonymous budget: a 429 problem with Retry-After, parsed like any other."""
    for _ in range(budget):
        parsed(get_rating_for_host.sync_detailed("zoom.us", client=client), RatingSummary)
    limited = get_rating_for_host.sync_detailed("zoom.us", client=client)
    problem(limited, 429)
    assert int(limited.headers["retry-after"]) >= 1
    assert limited.headers["ratelimit-remaining"] == "0"
