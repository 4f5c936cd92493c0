"""CORS preflights (api/cors.py), answered by the edge before routing."""

from __future__ import annotations

import httpx
import pytest

PREFLIGHT = {"Origin": "https://example.org", "Access-Control-Request-Method": "POST"}


async def test_a_preflight_lists_what_may_be_sent(client: httpx.AsyncClient) -> None:
    answer = await client.options(
        "/v1/lookup",
        headers={**PREFLIGHT, "Access-Control-Request-Headers": "Content-Type, authorization"},
    )
    assert answer.status_code == 200 and answer.text == "OK"
    assert answer.headers["access-control-allow-methods"] == "GET, HEAD, POST"
    allowed = {h.strip() for h in answer.headers["access-control-allow-headers"].split(",")}
    assert {"Authorization", "Content-Type", "If-None-Match"} <= allowed
    assert answer.headers["access-control-max-age"] == "86400"
    assert answer.headers["vary"].startswith("Origin, Access-Control-Request-Method")
    # Even a preflight is a public answer: no rate-limit budget in it.
    assert "ratelimit-remaining" not in answer.headers


@pytest.mark.parametrize(
    ("extra", "refused"),
    [
        ({"Access-Control-Request-Method": "DELETE"}, "method"),
        ({"Access-Control-Request-Headers": "content-type, x-secret"}, "headers"),
        ({"Access-Control-Request-Private-Network": "true"}, "private-network"),
    ],
)
async def test_a_preflight_asking_for_more_is_refused(
    client: httpx.AsyncClient, extra: dict[str, str], refused: str
) -> None:
    answer = await client.options("/v1/lookup", headers={**PREFLIGHT, **extra})
    assert answer.status_code == 400
    assert answer.text == f"Disallowed CORS {refused}"
    assert answer.headers["access-control-allow-origin"] == "*"


async def test_an_options_request_without_origin_is_no_preflight(
    client: httpx.AsyncClient,
) -> None:
    answer = await client.options("/v1/lookup", headers={"Access-Control-Request-Method": "GET"})
    assert answer.status_code == 405  # routed: the route allows GET and POST only
