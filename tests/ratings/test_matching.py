from __future__ import annotations

import contextlib
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ratings.dataset import Dataset, dataset_from_fixtures
from ratings.fixtures import read_fixtures
from ratings.matching import (
    InvalidInput,
    InvalidPattern,
    Matcher,
    MeetingPattern,
    normalise_host,
    parse_url,
)
from ratings.vectors import Vector, read_vectors
from tests.conftest import FIXTURES, VECTORS

VECTOR_CASES = read_vectors(VECTORS)


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    return dataset_from_fixtures(read_fixtures(FIXTURES))


def test_there_are_enough_vectors() -> None:
    assert len(VECTOR_CASES) >= 60
    meetings = {case.service for case in VECTOR_CASES if case.meeting}
    assert {"zoom", "google-meet", "microsoft-teams", "webex", "signal", "whatsapp"} <= meetings


@pytest.mark.parametrize("case", VECTOR_CASES, ids=lambda c: f"{c.kind}:{c.input[:60]}")
def test_shared_vector(case: Vector, dataset: Dataset) -> None:
    if case.error:
        with pytest.raises(InvalidInput):
            dataset.match_host(case.input) if case.kind == "host" else dataset.match_url(case.input)
        return
    match = dataset.match_host(case.input) if case.kind == "host" else dataset.match_url(case.input)
    assert (match.service, match.meeting) == (case.service, case.meeting), case.note


def test_most_specific_domain_wins() -> None:
    matcher = Matcher({"google": ["google.com"], "meet": ["meet.google.com"]}, {})
    assert matcher.service_for_host("meet.google.com") == "meet"
    assert matcher.service_for_host("x.meet.google.com") == "meet"
    assert matcher.service_for_host("mail.google.com") == "google"
    assert matcher.service_for_host("meet.google.com.evil.org") is None


def test_patterns_are_evaluated_on_the_matched_service_only() -> None:
    matcher = Matcher(
        {"a": ["a.example"], "b": ["b.example"]},
        {"a": [MeetingPattern.compile("/j/{d}")], "b": []},
    )
    assert matcher.match_url("https://a.example/j/1").meeting
    assert not matcher.match_url("https://b.example/j/1").meeting


@pytest.mark.parametrize(
    ("template", "path", "expected"),
    [
        ("/j/{d}", "/j/123", True),
        ("/j/{d}", "/j/12a", False),
        ("/j/{d}", "/j", False),
        ("/j/{d}", "/j/1/2", False),
        ("/{a3}-{a4}-{a3}", "/abc-defg-hij", True),
        ("/{a3}-{a4}-{a3}", "/abc-defg-hijk", False),
        ("/{a3}-{a4}-{a3}", "/ab1-defg-hij", False),
        ("/{d9}", "/123456789", True),
        ("/{d9}", "/12345678", False),
        ("/{d9-11}", "/12345678901", True),
        ("/{d9-11}", "/123456789012", False),
        ("/l/meetup-join/**", "/l/meetup-join/19%3ameeting/0", True),
        ("/l/meetup-join/**", "/l/meetup-join", True),
        ("/l/meetup-join/**", "/l/other", False),
        ("/*/j.php", "/site/j.php", True),
        ("/*/j.php", "/j.php", False),
        ("/meet/{w}", "/meet/jane.doe", True),
        ("/x/{x}", "/x/anything%20at-all", True),
    ],
)
def test_templates(template: str, path: str, expected: bool) -> None:
    pattern = MeetingPattern.compile(template)
    assert pattern.matches(parse_url("https://h.example" + path)) is expected


def test_query_and_host_restrictions() -> None:
    pattern = MeetingPattern.compile("/*/j.php", host="*.webex.com", query=("MTID",))
    assert pattern.matches(parse_url("https://acme.webex.com/acme/j.php?MTID=m1"))
    assert not pattern.matches(parse_url("https://acme.webex.com/acme/j.php?MTID="))
    assert not pattern.matches(parse_url("https://acme.webex.com/acme/j.php"))
    assert not pattern.matches(parse_url("https://acme.example.com/acme/j.php?MTID=m1"))
    exact = MeetingPattern.compile("/voice/*", host="call.whatsapp.com")
    assert exact.matches(parse_url("https://call.whatsapp.com/voice/abc"))
    assert not exact.matches(parse_url("https://web.whatsapp.com/voice/abc"))


@pytest.mark.parametrize(
    "template",
    ["j/{d}", "/j/{q}", "/J/{d}", "/a/**/b", "/{d0}", "/{d5-2}", "/a//b", "/x/{d", "/" + "a" * 600],
)
def test_invalid_templates_are_rejected(template: str) -> None:
    with pytest.raises(InvalidPattern):
        MeetingPattern.compile(template)


def test_idna_and_normalisation() -> None:
    assert normalise_host("BÜCHER.example") == "xn--bcher-kva.example"
    assert normalise_host("Zoom.US.:443") == "zoom.us"
    assert normalise_host("a_b.example") == "a_b.example"
    for bad in ["", ".", "1.2.3.4", "[::1]", "LOCALHOST", "a" * 64 + ".com", ("a." * 127) + "com"]:
        with pytest.raises(InvalidInput):
            normalise_host(bad)


def test_hosts_follow_the_whatwg_url_standard() -> None:
    """Hosts are parsed as browsers parse them (UTS #46 with CheckBidi and CheckJoiners),
    so the API and the extension agree: a Latin letter beside an Arabic-Indic digit breaks
    the bidi rule, and a symbol is a valid (unrated) name."""
    for bad in ["x\u0661.zoom.us", "\u0661\u0662.zoom.us", "a\u200d.zoom.us", "x\u05d0.com"]:
        with pytest.raises(InvalidInput):
            normalise_host(bad)
    assert normalise_host("\u2615.us") == "xn--53h.us"
    assert normalise_host("\u05d0\u0661.com") == "xn--4db40a.com"
    assert normalise_host("\uff5a\uff4f\uff4f\uff4d.us") == "zoom.us"
    assert normalise_host("fa\u00df.de") == "xn--fa-hia.de"  # non-transitional: the sharp s stays
    with pytest.raises(InvalidInput):
        parse_url("https://x\u0661.zoom.us/j/123")


@pytest.mark.timed
def test_hostile_input_is_rejected_quickly() -> None:
    matcher = Matcher({"x": ["x.example"]}, {"x": [MeetingPattern.compile("/{w}-{w}-{w}-{w}/{x}")]})
    nasty = [
        "https://x.example/" + "a-" * 1000,
        "https://x.example/" + "-" * 2000,
        "https://" + "a." * 1000 + "x.example/",
        "https://x.example/" + "%" * 3000,
    ]
    started = time.perf_counter()
    for url in nasty:
        with contextlib.suppress(InvalidInput):
            matcher.match_url(url)
    # Generous bound: a regex blow-up takes seconds to hours, not milliseconds.
    assert time.perf_counter() - started < 1.0


@settings(max_examples=1500, deadline=None)
@given(st.text(max_size=300))
def test_any_host_input_raises_only_invalid_input(raw: str) -> None:
    try:
        host = normalise_host(raw)
    except InvalidInput:
        return
    assert host == host.lower() and len(host) <= 253


_URLISH = st.builds(
    lambda scheme, user, host, port, path, query, frag: (
        f"{scheme}://{user}{host}{port}{path}{query}{frag}"
    ),
    st.sampled_from(["http", "https", "HTTPS", "ftp", "h"]),
    st.sampled_from(["", "u@", "u:p@", "@"]),
    st.one_of(
        st.text(max_size=40), st.from_regex(r"[a-z0-9.-]{1,40}", fullmatch=True), st.just("zoom.us")
    ),
    st.sampled_from(["", ":", ":80", ":99999", ":x"]),
    st.text(max_size=60),
    st.sampled_from(["", "?", "?a=b", "?MTID=&p=1"]),
    st.sampled_from(["", "#", "#key=x"]),
)


@settings(max_examples=1500, deadline=None)
@given(st.one_of(_URLISH, st.text(max_size=200)))
def test_any_url_input_raises_only_invalid_input(raw: str) -> None:
    matcher = Matcher(
        {"zoom": ["zoom.us"]},
        {"zoom": [MeetingPattern.compile("/j/{d}"), MeetingPattern.compile("/**")]},
    )
    try:
        match = matcher.match_url(raw)
    except InvalidInput:
        return
    assert match.service in (None, "zoom")


def test_every_meeting_pattern_has_a_positive_and_a_negative_vector(dataset: Dataset) -> None:
    missing = []
    for slug, rating in dataset.ratings.items():
        urls = [
            (parse_url(case.input), case.meeting)
            for case in VECTOR_CASES
            if case.kind == "url" and case.service == slug and not case.error
        ]
        for spec in rating.meeting_patterns:
            pattern = MeetingPattern.compile(spec.path, spec.host, spec.query)
            hits = [meeting for url, meeting in urls if pattern.matches(url)]
            if not any(hits):
                missing.append(f"{slug} {spec.host or ''}{spec.path}: no positive case")
            if all(pattern.matches(url) for url, _ in urls):
                missing.append(f"{slug} {spec.host or ''}{spec.path}: no negative case")
    assert not missing, "\n".join(missing)


def test_every_service_has_a_plain_visit_vector(dataset: Dataset) -> None:
    visited = {case.service for case in VECTOR_CASES if case.service and not case.meeting}
    assert set(dataset.ratings) <= visited
