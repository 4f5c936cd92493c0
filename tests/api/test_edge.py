"""The edge layer (api/middleware.py) and the hot-answer cache (api/state.py,
api/hotroutes.py): one middleware doing the work of four must keep every header of every
kind of answer, once; the cache in front of host normalisation must never outlive its
dataset."""

from __future__ import annotations

import dataclasses
from collections import Counter

import httpx
import pytest
from starlette.applications import Starlette

from api.hotroutes import HotLane, HotRoute
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
            "access-control-allow-origin",
            "access-control-expose-headers",
            "content-type",
            "content-length",
        }
        assert expected <= set(names)
        assert all(count == 1 for count in names.values()), names
        assert "origin" not in response.headers.get("vary", "").lower()
        # A shared cache keeps this answer for everyone: never one client's budget in it.
        assert "ratelimit-remaining" not in names and "ratelimit-reset" not in names
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


async def test_options_and_preflights_cost_a_token_like_any_request(make_app: AppFactory) -> None:
    app = await make_app(rate_limit_per_minute=3)
    preflight = {"Origin": "https://x.org", "Access-Control-Request-Method": "GET"}
    async with client_for(app) as client:
        answer = await client.options("/v1/ratings/zoom.us", headers=preflight)
        assert answer.status_code == 200
        assert answer.headers["access-control-allow-origin"] == "*"
        assert answer.headers["x-content-type-options"] == "nosniff"
        plain = await client.options("/v1/ratings/zoom.us")
        assert plain.status_code == 405
        assert (await client.get("/v1/ratings/zoom.us")).status_code == 200
        assert (await client.options("/v1/ratings/zoom.us")).status_code == 429
        assert (await client.options("/v1/ratings/zoom.us", headers=preflight)).status_code == 429


async def test_rate_limit_headers_never_reach_a_shared_cache(make_app: AppFactory) -> None:
    from api.keys import create_key

    app = await make_app(rate_limit_per_minute=50)
    secret, _ = await create_key("newsroom", per_minute=40)
    async with client_for(app) as client:
        public = await client.get("/v1/ratings/zoom.us")
        private = await client.post("/v1/lookup", json={"urls": ["https://zoom.us/"]})
        keyed = await client.get(
            "/v1/ratings/zoom.us", headers={"Authorization": f"Bearer {secret}"}
        )
    # Cacheable by anyone: the limit only (the same for every client).
    assert public.headers["cache-control"].startswith("public")
    assert public.headers["ratelimit-limit"] == "50"
    assert "ratelimit-remaining" not in public.headers
    # no-store: the client's own numbers.
    assert private.headers["cache-control"] == "no-store"
    assert {"ratelimit-remaining", "ratelimit-reset"} <= set(private.headers)
    # A keyed answer carries its numbers, and varies by the key so no one else gets it.
    assert keyed.headers["ratelimit-limit"] == "40"
    assert keyed.headers["ratelimit-remaining"] == "39"
    assert "Authorization" in keyed.headers["vary"]


async def test_a_batch_costs_one_token_per_url(make_app: AppFactory) -> None:
    app = await make_app(rate_limit_per_minute=30)
    urls = [f"https://zoom.us/j/{n}" for n in range(20)]
    async with client_for(app) as client:
        first = await client.post("/v1/lookup", json={"urls": urls})
        assert first.status_code == 200 and len(first.json()["results"]) == 20
        assert first.headers["ratelimit-remaining"] == "10"
        second = await client.post("/v1/lookup", json={"urls": urls})
        assert second.status_code == 429
        assert second.headers["content-type"] == "application/problem+json"
        assert int(second.headers["retry-after"]) >= 1
        assert [n for n, _ in second.headers.raw].count(b"ratelimit-limit") == 1
        # What was left still buys single requests.
        assert (await client.get("/v1/ratings/zoom.us")).status_code == 200


async def test_a_foreign_host_is_refused_when_hosts_are_listed(make_app: AppFactory) -> None:
    app = await make_app(allowed_hosts=("candor.example", "*.candor.example"))
    async with client_for(app) as client:
        for host in ("candor.example", "CANDOR.example:8443", "eu.candor.example"):
            answer = await client.get("/v1/ratings/zoom.us", headers={"Host": host})
            assert answer.status_code == 200, host
        for host in ("evil.example", "candor.example.evil.example", "xcandor.example"):
            refused = await client.get("/services/zoom", headers={"Host": host})
            assert refused.status_code == 400, host
            assert refused.headers["content-type"] == "application/problem+json"
        # Health and readiness answer any Host: orchestrators probe by address.
        assert (await client.get("/healthz", headers={"Host": "10.1.2.3"})).status_code == 200
        assert (await client.get("/readyz", headers={"Host": "10.1.2.3"})).status_code == 200


async def test_trailing_slash_redirects_are_relative(client: httpx.AsyncClient) -> None:
    answer = await client.get(
        "/v1/services/?grade=B", headers={"Host": "evil.example"}, follow_redirects=False
    )
    assert answer.status_code == 307
    assert answer.headers["location"] == "/v1/services?grade=B"
    missing = await client.get("/nothing/here/", follow_redirects=False)
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"


async def test_list_links_carry_only_validated_parameters(client: httpx.AsyncClient) -> None:
    junk = "x" * 2000
    page = await client.get(
        "/v1/services", params={"per_page": 5, "grade": "c", "junk": junk, "page": 1}
    )
    body = page.json()
    assert body["next"] == "/v1/services?grade=C&per_page=5&page=2"
    assert junk not in page.text
    clean = await client.get("/v1/services", params={"per_page": 5, "grade": "c", "page": 1})
    assert clean.content == page.content  # one cached answer, whatever else was sent


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
    assert buckets.take("ip:busy", 60).remaining == 57  # its budget survived (3 taken)
    assert buckets.take("ip:new", 60).remaining == 58  # and so did this one's (2 taken)
    assert buckets.take("ip:old", 60).remaining == 59  # forgotten: a fresh budget (1 taken)


async def test_the_hot_lane_answers_exactly_as_the_route_does(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    lane = HotLane(app.routes, app.state.candor)
    scope = {
        "type": "http",
        "method": "GET",
        "path": "/v1/ratings/us02web.zoom.us",
        "query_string": b"",
        "headers": [],
    }
    assert lane.answer(scope) is None  # nothing cached yet: the route answers
    routed = await client.get("/v1/ratings/us02web.zoom.us")
    lookup_routed = await client.get("/v1/lookup", params={"url": "https://zoom.us/j/1"})
    assert lane.answer(scope) is not None  # now cached: the lane will answer
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


async def test_readiness_reports_the_poll_without_error_text(app: Starlette) -> None:
    read_path = app.state.candor.read_path
    read_path.database_ok = False
    read_path.last_error = "OSError: password authentication failed for user candor at 10.0.0.5"
    async with client_for(app) as client:
        ready = await client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["detail"] == "the database is unreachable"
    assert "10.0.0.5" not in ready.text and "password" not in ready.text


async def test_the_answer_caches_are_bounded_by_bytes() -> None:
    from api.responses import Rendered
    from api.state import HotAnswers, answer_cache

    cache = answer_cache(max_bytes=64 * 1024)
    for number in range(50):
        body = b"x" * 8 * 1024

        async def render(body: bytes = body) -> Rendered:
            return Rendered.of(body, "v")

        await cache.get(("page", number), render)
    assert cache.size_bytes() <= 64 * 1024 and len(cache) < 10

    hot = HotAnswers()
    hot.MAX_BYTES = 64 * 1024
    dataset = object()
    for number in range(50):
        hot.put(dataset, ("rating", f"h{number}"), Rendered.of(b"y" * 8 * 1024, "v"))  # type: ignore[arg-type]
    assert hot.bytes <= 64 * 1024 and len(hot) < 10


def test_a_hot_route_keys_by_one_raw_input_only() -> None:
    async def endpoint(request: object) -> None: ...

    with pytest.raises(ValueError, match="one string parameter"):
        HotRoute("/v1/pairs/{a}/{b}", endpoint, methods=["GET"])
    with pytest.raises(ValueError, match="one string parameter"):
        HotRoute("/v1/numbers/{n:int}", endpoint, methods=["GET"])
    route = HotRoute("/v1/things/{name}", endpoint, methods=["GET"])
    scope = {"method": "GET", "path": "/v1/things/A.b", "query_string": b"x=1"}
    assert route.hot_key(scope) == ("/v1/things/{name}", "A.b")
    assert route.hot_key({**scope, "method": "HEAD"}) is None
    assert route.hot_key({**scope, "path": "/v1/things/a/b"}) is None
    assert route.hot_key({**scope, "root_path": "/mounted"}) is None


async def test_the_hot_lane_leaves_other_methods_to_the_route(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    await client.get("/v1/lookup", params={"url": "https://zoom.us/j/1"})
    lane = HotLane(app.routes, app.state.candor)
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/v1/lookup",
        "query_string": b"url=https%3A%2F%2Fzoom.us%2Fj%2F1",
        "headers": [],
    }
    assert lane.answer(scope) is None
    assert lane.answer({**scope, "method": "GET"}) is not None
    batch = await client.post(
        "/v1/lookup?url=https%3A%2F%2Fzoom.us%2Fj%2F1", json={"urls": ["https://zoom.us/j/1"]}
    )
    assert batch.status_code == 200 and "results" in batch.json()
