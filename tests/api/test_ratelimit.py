from __future__ import annotations

import ipaddress

import httpx
import pytest
from starlette.applications import Starlette

from api.clients import client_ip
from api.ratelimit import TokenBuckets
from tests.api.conftest import AppFactory, client_for


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_bucket_allows_the_budget_then_refuses_then_recovers() -> None:
    clock = FakeClock()
    buckets = TokenBuckets(clock=clock)
    decisions = [buckets.take("a", 60) for _ in range(61)]
    assert all(d.allowed for d in decisions[:60])
    assert [d.remaining for d in decisions[:3]] == [59, 58, 57]
    refused = decisions[60]
    assert not refused.allowed and refused.retry_after == 1
    clock.now += 1.0
    assert buckets.take("a", 60).allowed
    assert not buckets.take("a", 60).allowed
    assert buckets.take("b", 60).allowed  # other clients are unaffected
    clock.now += 60
    assert buckets.take("a", 60).remaining == 59


def test_bucket_memory_is_bounded_under_a_flood_of_clients() -> None:
    buckets = TokenBuckets(max_clients=1000)
    for number in range(10_000):
        buckets.take(f"ip:{number}", 60)
    assert len(buckets) <= 1000


def _scope(peer: str, forwarded: str | None = None) -> dict[str, object]:
    headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded else []
    return {"client": (peer, 1234), "headers": headers}


def test_ipv6_clients_share_a_bucket_per_64() -> None:
    from api.clients import bucket_of

    assert bucket_of("2001:db8:1:2:aaaa::1") == bucket_of("2001:db8:1:2:ffff::9")
    assert bucket_of("2001:db8:1:2::1") == "ip6:2001:db8:1:2::/64"
    assert bucket_of("2001:db8:1:3::1") != bucket_of("2001:db8:1:2::1")
    assert bucket_of("::ffff:192.0.2.1") == bucket_of("192.0.2.1") == "ip:192.0.2.1"
    assert bucket_of("192.0.2.1") != bucket_of("192.0.2.2")


async def test_ipv6_addresses_of_one_64_share_a_budget(make_app: AppFactory) -> None:
    app = await make_app(rate_limit_per_minute=2)
    statuses = []
    for host in ("2001:db8::1", "2001:db8::2", "2001:db8::3"):
        async with client_for(app, (host, 1)) as client:
            statuses.append((await client.get("/v1/ratings/zoom.us")).status_code)
    assert statuses == [200, 200, 429]
    async with client_for(app, ("2001:db8:0:1::1", 1)) as other:
        assert (await other.get("/v1/ratings/zoom.us")).status_code == 200


def test_forwarded_for_is_trusted_only_from_configured_proxies() -> None:
    proxies = (ipaddress.ip_network("10.0.0.0/8"),)
    assert client_ip(_scope("203.0.113.9", "1.2.3.4"), proxies) == "203.0.113.9"
    assert client_ip(_scope("10.0.0.5", "1.2.3.4"), proxies) == "1.2.3.4"
    # A client forging the header behind our proxy gets its real address, not the forgery.
    assert client_ip(_scope("10.0.0.5", "6.6.6.6, 1.2.3.4, 10.0.0.9"), proxies) == "1.2.3.4"
    assert client_ip(_scope("10.0.0.5", "1.2.3.4"), ()) == "10.0.0.5"
    assert client_ip(_scope("10.0.0.5", "garbage"), proxies) == "10.0.0.5"


async def test_429_with_retry_after_then_recovery(make_app: AppFactory) -> None:
    app: Starlette = await make_app(rate_limit_per_minute=60)
    clock = FakeClock()
    app.state.candor.buckets.clock = clock
    async with client_for(app) as client:
        for remaining in range(59, -1, -1):
            # A no-store answer: it carries the client's remaining budget.
            response = await client.get("/healthz" if remaining < 0 else "/suggest")
            assert response.status_code == 200
            assert response.headers["ratelimit-limit"] == "60"
            assert response.headers["ratelimit-remaining"] == str(remaining)
        limited = await client.get("/v1/ratings/zoom.us")
        assert limited.status_code == 429
        assert limited.headers["content-type"] == "application/problem+json"
        assert limited.headers["retry-after"] == "1"
        assert limited.json()["status"] == 429
        # Not limited: health, readiness, metrics; and another client.
        assert (await client.get("/healthz")).status_code == 200
        assert (await client.get("/readyz")).status_code == 200
        metrics = await client.get("/metrics")
        assert "candor_rate_limited_total 1" in metrics.text
        async with client_for(app, ("198.51.100.8", 1)) as other:
            assert (await other.get("/v1/ratings/zoom.us")).status_code == 200
        clock.now += 1.0
        assert (await client.get("/v1/ratings/zoom.us")).status_code == 200


async def test_proxy_clients_are_limited_separately(make_app: AppFactory) -> None:
    app = await make_app(
        rate_limit_per_minute=2, trusted_proxies=(ipaddress.ip_network("127.0.0.0/8"),)
    )
    async with client_for(app, ("127.0.0.1", 1)) as proxy:
        for _ in range(2):
            assert (
                await proxy.get("/v1/ratings/zoom.us", headers={"X-Forwarded-For": "192.0.2.1"})
            ).status_code == 200
        assert (
            await proxy.get("/v1/ratings/zoom.us", headers={"X-Forwarded-For": "192.0.2.1"})
        ).status_code == 429
        assert (
            await proxy.get("/v1/ratings/zoom.us", headers={"X-Forwarded-For": "192.0.2.2"})
        ).status_code == 200


@pytest.mark.parametrize("origin", ["https://example.org", "null"])
async def test_cors_preflight_and_simple_requests(client: httpx.AsyncClient, origin: str) -> None:
    preflight = await client.options(
        "/v1/lookup",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert "POST" in preflight.headers["access-control-allow-methods"]
    assert "access-control-allow-credentials" not in preflight.headers
    simple = await client.get("/v1/ratings/zoom.us", headers={"Origin": origin})
    assert simple.headers["access-control-allow-origin"] == "*"
    assert "ETag" in simple.headers["access-control-expose-headers"]
