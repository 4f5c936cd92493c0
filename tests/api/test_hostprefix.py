"""GET /v1/hosts/prefix/{prefix}: the private lookup, as a client uses it."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from ratings.fixtures import read_fixtures
from ratings.loader import sync_fixtures
from tests.api.conftest import AppFactory, client_for
from tests.api.test_endpoints import EXPECTED, assert_problem
from tests.conftest import copy_real_fixtures, edit_service


def digest(name: str) -> str:
    return hashlib.sha256(name.encode("ascii")).hexdigest()


def candidates(host: str) -> list[str]:
    """The host and its parents, most specific first, down to two labels."""
    labels = host.split(".")
    return [".".join(labels[i:]) for i in range(len(labels) - 1)]


async def private_lookup(client: httpx.AsyncClient, host: str) -> dict[str, Any] | None:
    """What a client does: ask every candidate's prefix, match full digests locally."""
    found: dict[str, dict[str, Any]] = {}
    for name in candidates(host):
        response = await client.get(f"/v1/hosts/prefix/{digest(name)[:5]}")
        assert response.status_code == 200
        body = response.json()
        assert body["prefix"] == digest(name)[:5]
        for entry in body["entries"]:
            assert entry["sha256"].startswith(body["prefix"])
            if entry["sha256"] == digest(name):
                found[name] = entry
    for name in candidates(host):  # the most specific listed domain wins
        if name in found:
            return found[name]
    return None


async def test_finds_a_subdomain_through_its_parent(client: httpx.AsyncClient) -> None:
    entry = await private_lookup(client, "us02web.zoom.us")
    assert entry is not None and entry["sha256"] == digest("zoom.us")
    assert entry["service"] == (await client.get("/v1/ratings/us02web.zoom.us")).json()
    assert {"host": None, "path": "/j/{d}", "query": []} in entry["meeting_patterns"]
    # The host itself is not listed: only its parent's prefix found it.
    own = (await client.get(f"/v1/hosts/prefix/{digest('us02web.zoom.us')[:5]}")).json()
    assert digest("us02web.zoom.us") not in {e["sha256"] for e in own["entries"]}


@pytest.mark.parametrize("host", ["zoom.us.evil.com", "evilzoom.us", "zoom.usa.com"])
async def test_lookalikes_find_nothing(client: httpx.AsyncClient, host: str) -> None:
    assert await private_lookup(client, host) is None


async def test_most_specific_domain_wins(client: httpx.AsyncClient) -> None:
    entry = await private_lookup(client, "meet.google.com")
    assert entry is not None
    assert entry["service"] == (await client.get("/v1/ratings/meet.google.com")).json()


async def test_every_rated_domain_is_found_as_the_api_rates_it(client: httpx.AsyncClient) -> None:
    domains = [(d, r.slug) for r in EXPECTED.ratings.values() for d in r.domains]
    assert len(domains) > 100
    for domain, slug in domains:
        entry = await private_lookup(client, domain)
        assert entry is not None and entry["service"]["slug"] == slug, domain


async def test_answers_are_cacheable(client: httpx.AsyncClient) -> None:
    prefix = digest("zoom.us")[:5]
    first = await client.get(f"/v1/hosts/prefix/{prefix}")
    etag = first.headers["etag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    assert first.headers["cache-control"].startswith("public, max-age=3600,")
    again = await client.get(f"/v1/hosts/prefix/{prefix}", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    # The validator is the answer's own digest, not the dataset's version: a reload that
    # leaves this prefix's answer alone keeps it valid in every cache.
    version = (await client.get("/v1/methodology")).json()["dataset_version"]
    assert version not in etag


async def test_a_longer_max_age_can_be_configured(make_app: AppFactory) -> None:
    app = await make_app(prefix_max_age=86400)
    async with client_for(app) as client:
        response = await client.get("/v1/hosts/prefix/00000")
    assert response.headers["cache-control"].startswith("public, max-age=86400,")


@pytest.mark.parametrize(
    "prefix",
    [
        "caf3",
        "caf3a7",
        "caf3g",
        "zoom.",
        "-1234",
        "ca f3",
        "caf3a%0A",
        "\uff43\uff41\uff46\uff13\uff41",
    ],
)
async def test_anything_but_five_hex_digits_is_400(client: httpx.AsyncClient, prefix: str) -> None:
    body = assert_problem(await client.get(f"/v1/hosts/prefix/{prefix}"), 400)
    assert "5 hexadecimal digits" in body["detail"]


async def test_answer_depends_on_the_prefix_alone(app: Starlette) -> None:
    """Nothing but the prefix reaches the answer: not the URL or host being checked (in a
    query string, a Referer), not cookies, credentials, language or the client's address.
    Every variant gets the same bytes and validator, and nothing asks a cache to keep
    them apart (no Vary on any of those, no cookie set)."""
    prefix = digest("zoom.us")[:5]
    variants: list[tuple[tuple[str, int], str, dict[str, str]]] = [
        (("198.51.100.7", 5000), prefix, {}),
        (("203.0.113.9", 6000), prefix.upper(), {}),
        (
            ("198.51.100.7", 5000),
            f"{prefix}?url=https://us02web.zoom.us/j/123&host=us02web.zoom.us",
            {"Cookie": "session=abc; host=us02web.zoom.us"},
        ),
        (
            ("192.0.2.1", 7000),
            prefix,
            {
                "Referer": "https://us02web.zoom.us/j/123",
                "User-Agent": "MailScanner/1.0",
                "Accept-Language": "de-CH",
                "X-Forwarded-For": "203.0.113.50",
                "Origin": "https://mail.example",
                "Accept-Encoding": "gzip",
            },
        ),
    ]
    answers = []
    for address, path, headers in variants:
        async with client_for(app, client=address) as http:
            response = await http.get(f"/v1/hosts/prefix/{path}", headers=headers)
        assert response.status_code == 200
        assert "set-cookie" not in response.headers
        vary = {v.strip().lower() for v in response.headers.get("vary", "").split(",")}
        assert not vary & {"cookie", "referer", "user-agent", "accept-language", "authorization"}
        answers.append(
            (response.content, response.headers["etag"], response.headers["cache-control"])
        )
    assert len(set(answers)) == 1
    assert b"us02web" not in answers[0][0]


async def test_empty_prefixes_do_not_fill_the_answer_cache(app: Starlette) -> None:
    state = app.state.candor
    rated = {digest(d)[:5] for r in EXPECTED.ratings.values() for d in r.domains}
    empty = [p for p in (f"{n:05x}" for n in range(200)) if p not in rated][:100]
    async with client_for(app) as client:
        before = len(state.answers)
        for prefix in empty:
            response = await client.get(f"/v1/hosts/prefix/{prefix}")
            assert response.json() == {"prefix": prefix, "entries": []}
        assert len(state.answers) == before
        await client.get(f"/v1/hosts/prefix/{digest('zoom.us')[:5]}")
        assert len(state.answers) == before + 1


async def test_a_reload_is_seen_and_untouched_prefixes_keep_their_etag(
    app: Starlette, client: httpx.AsyncClient, tmp_path: Path
) -> None:
    zoom, signal = digest("zoom.us")[:5], digest("signal.org")[:5]
    before = {p: await client.get(f"/v1/hosts/prefix/{p}") for p in (zoom, signal)}
    assert before[signal].json()["entries"]
    directory = copy_real_fixtures(tmp_path / "copy")
    edit_service(directory, "zoom", lambda data: data.update(name="Zoom Workplace"))
    await sync_fixtures(read_fixtures(directory))
    await app.state.candor.read_path.refresh()
    after = {p: await client.get(f"/v1/hosts/prefix/{p}") for p in (zoom, signal)}
    assert after[zoom].json()["entries"][0]["service"]["name"] == "Zoom Workplace"
    assert after[zoom].headers["etag"] != before[zoom].headers["etag"]
    # Signal's answer is the same bytes, so every cache's copy of it stays valid.
    assert after[signal].content == before[signal].content
    assert after[signal].headers["etag"] == before[signal].headers["etag"]
