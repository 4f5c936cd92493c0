"""The edge layer (api/middleware.py) and the hot-answer cache (api/state.py): one
middleware doing the work of four must keep every header of every kind of answer, once;
the cache in front of host normalisation must never outlive its dataset."""

from __future__ import annotations

import dataclasses
from collections import Counter

import httpx
from starlette.applications import Starlette

from api.middleware import DOCS_CSP, PAGE_CSP
from api.ratelimit import TokenBuckets
from tests.api.conftest import AppFactory, client_for

HTML_ONLY = {"referrer-policy", "x-frame-options", "content-security-policy"}


def _names(response: httpx.Response) -> Counter[str]:
    return Counter(name.decode().lower() for name, _ in response.headers.raw)


async def test_an_answer_carries_every_header_exactly_once(client: httpx.AsyncClient) -> None:
    for _ in range(2):  # the second one comes from the hot-answer cache
        response = await client.get("/v1/ratings/zoom.us", headers={"Origin": "https://x.org"})
        assert response.status_code == 200
        names = _names(response)
        expected = {
            "x-content-type-options",
            "etag",
            "cache-control",
            "ratelimit-limit",
            "ratelimit-remaining",
            "ratelimit-reset",
            "access-control-allow-origin",
            "access-control-expose-headers",
            "content-type",
            "content-length",
        }
        assert expected <= set(names)
        assert all(count == 1 for count in names.values()), names
        assert not HTML_ONLY & set(names), "page-only headers stay off JSON answers"


async def test_answers_are_the_same_for_every_origin(client: httpx.AsyncClient) -> None:
    """No `Vary: Origin`: the CORS headers are the same with any Origin and with none, so a
    shared cache keeps one copy for every client (and has it for a new origin in an
    outage)."""
    for path in ("/v1/ratings/zoom.us", "/v1/services/zoom", "/v1/methodology", "/"):
        answers = [
            await client.get(path, headers=headers)
            for headers in ({}, {"Origin": "https://x.org"}, {"Origin": "moz-extension://a-b"})
        ]
        for answer in answers:
            assert answer.status_code == 200, path
            assert "origin" not in answer.headers.get("vary", "").lower(), path
            assert answer.headers["access-control-allow-origin"] == "*"
        assert len({a.content for a in answers}) == 1
        cors = [
            (a.headers["access-control-allow-origin"], a.headers["access-control-expose-headers"])
            for a in answers
        ]
        assert len(set(cors)) == 1, cors
    plain = await client.get("/v1/ratings/zoom.us")
    assert "vary" not in plain.headers  # nothing to vary on at all


async def test_html_pages_carry_the_page_security_headers(client: httpx.AsyncClient) -> None:
    response = await client.get("/")
    assert response.headers["content-type"].startswith("text/html")
    assert set(_names(response)) >= HTML_ONLY
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_vary_keeps_the_answers_own(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/bundle", headers={"Accept-Encoding": "gzip"})
    assert response.headers["vary"] == "Accept-Encoding"
    assert _names(response)["vary"] == 1


async def test_a_429_is_readable_by_browsers_and_counted(make_app: AppFactory) -> None:
    app = await make_app(rate_limit_per_minute=1)
    async with client_for(app) as client:
        assert (await client.get("/v1/ratings/zoom.us")).status_code == 200
        refused = await client.get("/v1/ratings/zoom.us", headers={"Origin": "https://x.org"})
        assert refused.status_code == 429
        assert refused.headers["access-control-allow-origin"] == "*"
        assert "Retry-After" in refused.headers["access-control-expose-headers"]
        assert refused.headers["ratelimit-remaining"] == "0"
        assert refused.headers["x-content-type-options"] == "nosniff"
        metrics = (await client.get("/metrics")).text
    # Refused before routing, so counted under no route template (as ever).
    assert 'route="unmatched",status="429"} 1' in metrics
    assert 'route="/v1/ratings/{host}",status="200"} 1' in metrics
    assert "candor_rate_limited_total 1" in metrics


async def test_preflights_are_answered_before_the_limit(make_app: AppFactory) -> None:
    app = await make_app(rate_limit_per_minute=1)
    preflight = {"Origin": "https://x.org", "Access-Control-Request-Method": "GET"}
    async with client_for(app) as client:
        for _ in range(3):
            answer = await client.options("/v1/ratings/zoom.us", headers=preflight)
            assert answer.status_code == 200
            assert "ratelimit-limit" not in answer.headers
            assert answer.headers["x-content-type-options"] == "nosniff"
        assert (await client.get("/v1/ratings/zoom.us")).status_code == 200


async def test_html_answers_get_the_strict_page_policy(client: httpx.AsyncClient) -> None:
    for path in ("/", "/methodology", "/services/zoom", "/services/nope"):
        page = await client.get(path)
        assert page.headers["content-type"].startswith("text/html")
        assert page.headers["content-security-policy"] == PAGE_CSP.decode()
        assert _names(page)["content-security-policy"] == 1


async def test_a_page_with_its_own_policy_keeps_it_once(client: httpx.AsyncClient) -> None:
    docs = await client.get("/docs")
    assert docs.headers["content-type"].startswith("text/html")
    assert docs.headers["content-security-policy"] == DOCS_CSP.decode()
    assert _names(docs)["content-security-policy"] == 1
    assert set(_names(docs)) >= HTML_ONLY


async def test_hot_answers_do_not_outlive_their_dataset(app: Starlette) -> None:
    read_path = app.state.candor.read_path
    async with client_for(app) as client:
        before = await client.get("/v1/ratings/ZOOM.us.")
        lookup_before = await client.get("/v1/lookup", params={"url": "https://zoom.us/j/1"})
        assert len(app.state.candor.hot) == 2
        old = read_path.dataset
        zoom = dataclasses.replace(old.ratings["zoom"], name="Zoom (renamed)")
        ratings = {**old.ratings, "zoom": zoom}
        read_path.replace(
            type(old).build(old.version + "x", old.methodology, ratings.values(), old.loaded_at)
        )
        after = await client.get("/v1/ratings/ZOOM.us.")
        lookup_after = await client.get("/v1/lookup", params={"url": "https://zoom.us/j/1"})
    assert before.json()["name"] == "Zoom" and after.json()["name"] == "Zoom (renamed)"
    assert before.headers["etag"] != after.headers["etag"]
    assert lookup_after.json()["service"]["name"] == "Zoom (renamed)"
    assert lookup_before.json()["meeting"] == lookup_after.json()["meeting"] is True


def test_a_full_bucket_store_forgets_the_least_recently_seen_client() -> None:
    buckets = TokenBuckets(max_clients=2, clock=lambda: 0.0)
    buckets.take("ip:old", 60)
    buckets.take("ip:busy", 60)
    buckets.take("ip:busy", 60)
    buckets.take("ip:new", 60)  # the store is full: ip:old, seen least recently, goes
    assert sorted(buckets._buckets) == ["ip:busy", "ip:new"]
    assert buckets.take("ip:busy", 60).remaining == 57  # its budget survived (3 taken)


async def test_the_fast_lane_answers_exactly_as_the_route_does(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    import api.fastlane as fastlane

    routed = await client.get("/v1/ratings/us02web.zoom.us")
    lookup_routed = await client.get("/v1/lookup", params={"url": "https://zoom.us/j/1"})
    state = app.state.candor
    scope = {"type": "http", "method": "GET", "path": "/v1/ratings/us02web.zoom.us", "headers": []}
    assert fastlane.fast_answer(scope, state) is not None  # now cached: the lane will answer
    fast = await client.get("/v1/ratings/us02web.zoom.us")
    lookup_fast = await client.get("/v1/lookup", params={"url": "https://zoom.us/j/1"})
    for first, second in ((routed, fast), (lookup_routed, lookup_fast)):
        assert second.content == first.content and second.status_code == first.status_code
        assert sorted(n for n in _names(second) if n != "ratelimit-remaining") == sorted(
            n for n in _names(first) if n != "ratelimit-remaining"
        )
        assert second.headers["etag"] == first.headers["etag"]
    conditional = await client.get(
        "/v1/ratings/us02web.zoom.us", headers={"If-None-Match": routed.headers["etag"]}
    )
    assert conditional.status_code == 304
    # Misses and other inputs still take the route: 404s are never cached.
    assert (await client.get("/v1/ratings/example.com")).status_code == 404
    assert (await client.get("/v1/ratings/example.com")).status_code == 404
    metrics = (await client.get("/metrics")).text
    assert 'route="/v1/ratings/{host}",status="200"} 2' in metrics
    assert 'route="/v1/ratings/{host}",status="304"} 1' in metrics
