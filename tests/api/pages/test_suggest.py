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


async def test_a_returned_form_escapes_what_was_sent(client: httpx.AsyncClient) -> None:
    hostile = '"><script>alert(1)</script>'
    response = await client.post(
        "/suggest",
        data={"service": "zoom", "message": hostile, "reply_to": hostile + "\nBcc: x"},
        headers={"accept": "text/html"},
    )
    assert response.status_code == 422
    assert "<script>" not in response.text
    assert "&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;</textarea>" in response.text
    assert 'value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;\nBcc: x"' in response.text
    # The error names the field it is about, for screen readers too.
    assert 'aria-describedby="reply_to-error"' in response.text
