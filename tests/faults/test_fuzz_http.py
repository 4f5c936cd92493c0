"""Hostile hosts and URLs through the real HTTP API: never a 5xx, every 4xx a problem
document, every 200 the documented shape and the same answer the matcher gives in-process.

Through a real ``candor serve`` (SQLite) and a keep-alive client: the bytes go through
httpx's URL encoding and uvicorn's decoding, as a third party's would. 10,000 cases in all
(5,000 hosts, 5,000 URLs), one process, one connection.
"""

from __future__ import annotations

import collections
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.schemas.lookup import LookupResult
from api.schemas.services import RatingSummary
from ratings.dataset import dataset_from_fixtures
from ratings.fixtures import read_fixtures
from ratings.matching import InvalidInput, Match
from tests.conftest import FIXTURES, VECTORS
from tests.process import serving

CASES = 5000
EXPECTED = dataset_from_fixtures(read_fixtures(FIXTURES))
DOMAINS = sorted({d for rating in EXPECTED.ratings.values() for d in rating.domains})
PROBLEM_FIELDS = {"type", "title", "status", "detail"}

FUZZ = settings(
    max_examples=CASES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    workdir = tmp_path_factory.mktemp("fuzz")
    env = {"CANDOR_RATE_LIMIT_PER_MINUTE": "100000000"}
    with (
        serving(f"sqlite://{workdir}/candor.sqlite3", workdir, extra_env=env) as (base, _),
        httpx.Client(base_url=base, timeout=10) as client,
    ):
        yield client


# Strategies ---------------------------------------------------------------------------

_LABEL_CHARS = st.sampled_from("abcdefghijklmnopqrstuvwxyz0123456789-_ABCZ")
# Pieces that trip host parsers: look-alike letters (Cyrillic o, fullwidth Z), IDNA
# mappings (sharp s, the fi ligature, the ideographic full stop), invisible and combining
# marks, percent-escapes, URL delimiters, whitespace and control characters.
_ODD_PIECES = st.sampled_from(
    [
        *("\u043e", "\u00fc", "\u00df", "\ufb01", "\uff3a", "\u3002", "\u200b", "\u0301"),
        *("%", "%2e", "%00", "%41", "@", ":", "[", "]", " ", "\t", "\\", "\x00", "\x7f"),
        *("*", "?", "#", "/", "\u00e9", "\U0001f600", "xn--", "xn--zz", "."),
    ]
)
label = st.one_of(
    st.text(_LABEL_CHARS, min_size=0, max_size=12),
    st.lists(st.one_of(_LABEL_CHARS, _ODD_PIECES), min_size=1, max_size=8).map("".join),
    st.integers(0, 300).map(str),
    st.just("a" * 64),  # one past the longest label
)


@st.composite
def hostnames(draw: st.DrawFn) -> str:
    labels = draw(st.lists(label, min_size=1, max_size=6))
    if draw(st.booleans()):
        # Around a rated domain: its subdomains match it, look-alikes must not.
        known = draw(st.sampled_from(DOMAINS))
        where = draw(st.sampled_from(["sub", "suffix", "glued", "exact", "upper"]))
        labels = {
            "sub": [*labels, known],
            "suffix": [known, *labels],
            "glued": [labels[0] + known],
            "exact": [known],
            "upper": [known.upper()],
        }[where]
    host = ".".join(labels)
    if draw(st.booleans()):
        host += draw(st.sampled_from([".", ":443", ":0", ":99999", ":x", "..", ":"]))
    return host


hosts = st.one_of(
    hostnames(),
    st.text(max_size=300),
    st.ip_addresses().map(str),
    st.ip_addresses(v=6).map(lambda ip: f"[{ip}]"),
    st.sampled_from(["localhost", "LOCALHOST.", "0x7f.1", "127.1", "a" * 254, "." * 3]),
    st.just(".".join(["a" * 63] * 4)),  # 255 characters: over the limit
)


@st.composite
def urls(draw: st.DrawFn) -> str:
    # Mostly well-formed http(s) URLs around odd hosts, with some broken structure.
    scheme = draw(st.sampled_from(["https", "http", "HTTPS", "https", "ftp", "javascript", ""]))
    separator = draw(st.sampled_from(["://", "://", "://", "://", ":/", ":", "///"]))
    userinfo = draw(st.sampled_from(["", "", "", "user:pass@", "zoom.us@", "a@b@"]))
    path = draw(
        st.one_of(
            st.sampled_from(["", "/", "/j/123456789", "/abc-defg-hij", "/l/meetup-join/x"]),
            st.text(max_size=40).map(lambda text: "/" + text),
        )
    )
    query = draw(st.sampled_from(["", "?", "?MTID=abc", "?a=b&c"]) | st.text(max_size=20))
    fragment = draw(st.sampled_from(["", "#", "#frag"]))
    return f"{scheme}{separator}{userinfo}{draw(hostnames())}{path}{query}{fragment}"


VECTOR_URLS = [case["input"] for case in json.loads(VECTORS.read_text())["cases"]]


@st.composite
def mutated_vectors(draw: st.DrawFn) -> str:
    """The shared test vectors (real meeting and visit URLs), with a few random edits."""
    url: str = draw(st.sampled_from(VECTOR_URLS))
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(url)))
        edit = draw(st.sampled_from(["insert", "delete", "case", "append"]))
        if edit == "insert":
            url = url[:at] + draw(st.one_of(_ODD_PIECES, _LABEL_CHARS)) + url[at:]
        elif edit == "delete":
            url = url[:at] + url[at + 1 :]
        elif edit == "case":
            url = url[:at] + url[at:].swapcase()
        else:
            url += draw(st.text(max_size=10))
    return url


any_urls = st.one_of(
    mutated_vectors(),
    urls(),
    st.text(max_size=300),
    st.builds(lambda host: f"https://{host}/", hosts),
)


# Checks -------------------------------------------------------------------------------


def oracle(match: Any, raw: str) -> Match | None:
    """The in-process answer, or None where the input is invalid (a 400 is due)."""
    try:
        result: Match = match(raw)
        return result
    except InvalidInput:
        return None


def check_problem(response: httpx.Response) -> None:
    assert response.headers["content-type"] == "application/problem+json", response.text
    body = response.json()
    assert set(body) >= PROBLEM_FIELDS, body
    assert body["status"] == response.status_code


def check_answer(response: httpx.Response, seen: collections.Counter[int]) -> None:
    seen[response.status_code] += 1
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        check_problem(response)
    else:
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "application/json"


def test_hosts_through_the_api(api: httpx.Client) -> None:
    seen: collections.Counter[int] = collections.Counter()

    @FUZZ
    @given(host=hosts)
    def one(host: str) -> None:
        response = api.get("/v1/ratings/" + quote(host, safe=""))
        # "", "." and ".." and hosts with "/" change the path itself (httpx removes dot
        # segments, uvicorn decodes %2F): they reach the router's 404 (a problem document
        # too) or its redirect of a trailing slash ("/v1/ratings/x/" to ".../x") on the
        # same server, not the rating route.
        if host in ("", ".", "..") or "/" in host:
            if response.status_code == 307:
                seen[307] += 1
                # Relative: built from the path, never from the Host header.
                assert response.headers["location"].startswith("/v1/ratings")
            else:
                check_answer(response, seen)
                assert response.status_code == 404
            return
        check_answer(response, seen)
        expected = oracle(EXPECTED.match_host, host)
        if expected is None:
            assert response.status_code == 400, (host, response.text)
        elif expected.service is None:
            assert response.status_code == 404, (host, response.text)
        else:
            assert response.status_code == 200, (host, response.text)
            assert RatingSummary.model_validate(response.json()).slug == expected.service

    one()
    print(f"\nhosts: {sum(seen.values())} requests, statuses {dict(seen)}")
    assert sum(seen.values()) >= CASES * 0.9  # hypothesis skips duplicate inputs
    assert {200, 400, 404} <= set(seen)  # the strategies reach every kind of answer


def test_urls_through_the_api(api: httpx.Client) -> None:
    seen: collections.Counter[int] = collections.Counter()
    meetings = 0

    @FUZZ
    @given(url=any_urls)
    def one(url: str) -> None:
        nonlocal meetings
        response = api.get("/v1/lookup", params={"url": url})
        check_answer(response, seen)
        expected = oracle(EXPECTED.match_url, url) if url else None
        if expected is None:
            assert response.status_code == 400, (url, response.text)
            return
        assert response.status_code == 200, (url, response.text)
        result = LookupResult.model_validate(response.json())
        service = result.service.slug if result.service else None
        assert (result.url, result.host, service, result.meeting) == (
            url,
            expected.host,
            expected.service,
            expected.meeting,
        )
        meetings += result.meeting

    one()
    print(f"\nurls: {sum(seen.values())} requests, statuses {dict(seen)}, {meetings} meetings")
    assert sum(seen.values()) >= CASES * 0.9
    # The strategies reach meeting links: about 2% of the cases are (79 to 113 seen in
    # runs); a floor well under that, so a random draw does not fail the run.
    assert {200, 400} <= set(seen) and meetings >= 25
