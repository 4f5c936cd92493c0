"""The edge layer (api/middleware.py) and the hot-answer cache (api/state.py): one
middleware doing the work of four must keep every header of every kind of answer, once;
the cache in front of host normalisation must never outlive its dataset."""

from __future__ import annotations

import dataclasses
from collections import Counter

import httpx
from starlette.applications import Starlette

from api.ratelimit import TokenBuckets
from tests.api.conftest import AppFactory, client_for

SECURITY = {"x-content-type-options", "referrer-policy", "x-frame-options"}


def _names(response: httpx.Response) -> Counter[str]:
    return Counter(name.decode().lower() for name, _ in response.headers.raw)


async def test_an_answer_carries_every_header_exactly_once(client: httpx.AsyncClient) -> None:
    for _ in range(2):  # the second one comes from the hot-answer cache
        response = await client.get("/v1/ratings/zoom.us", headers={"Origin": "https://x.org"})
        assert response.status_code == 200
        names = _names(response)
        expected = SECURITY | {
            "content-security-policy",
            "etag",
            "cache-control",
            "vary",
            "ratelimit-limit",
            "ratelimit-remaining",
            "ratelimit-reset",
            "ratelimit-policy",
            "access-control-allow-origin",
            "access-control-expose-headers",
            "content-type",
            "content-length",
        }
        assert expected <= set(names)
        assert all(count == 1 for count in names.values()), names
        assert response.headers["vary"] == "Origin"
        assert response.headers["content-security-policy"].startswith("default-src 'none'")


async def test_vary_merges_with_the_answers_own(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/bundle", headers={"Accept-Encoding": "gzip"})
    assert response.headers["vary"] == "Accept-Encoding, Origin"
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
        assert set(_names(refused)) >= SECURITY
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
            assert set(_names(answer)) >= SECURITY
        assert (await client.get("/v1/ratings/zoom.us")).status_code == 200


async def test_html_answers_get_the_strict_page_policy(client: httpx.AsyncClient) -> None:
    docs = await client.get("/docs")
    assert docs.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in docs.headers["content-security-policy"]
    assert _names(docs)["content-security-policy"] == 1


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


def test_idle_buckets_are_forgotten_and_active_ones_kept() -> None:
    now = [1000.0]
    buckets = TokenBuckets(clock=lambda: now[0], idle_seconds=120)
    buckets.take("ip:idle", 60)
    for _ in range(5):
        buckets.take("ip:busy", 60)
    now[0] += 100
    buckets.take("ip:busy", 60)
    now[0] += 100  # idle for 200 s, busy for 100 s
    buckets.take("ip:new", 60)  # a new client triggers the sweep
    assert sorted(buckets._buckets) == ["ip:busy", "ip:new"]
