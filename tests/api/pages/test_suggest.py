"""The /suggest pages (the form handling is tests/api/test_suggest.py)."""

from __future__ import annotations

import httpx


async def test_suggest_page_echoes_a_valid_host_escaped_and_is_not_cached(
    client: httpx.AsyncClient,
) -> None:
    unrated = await client.get("/suggest", params={"host": "Example.ORG"})
    assert unrated.status_code == 200
    assert "Suggest example.org for a rating" in unrated.text
    assert unrated.headers["cache-control"] == "no-store"
    hostile = await client.get("/suggest", params={"host": "<script>alert(1)</script>"})
    assert hostile.status_code == 200 and "<script>alert" not in hostile.text
    assert "Suggest a service for a rating" in hostile.text
    rated = await client.get("/suggest", params={"host": "us02web.zoom.us"})
    assert 'href="/services/zoom"' in rated.text
