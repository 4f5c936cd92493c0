"""Attack 1: the Host header. Distinct and oversized Host values must not grow memory,
and no answer may carry a Host the client chose (links come from CANDOR_PUBLIC_URL only)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.process import serving
from tests.security.attacks import _connection, distinct_hosts, get, oversized_headers


def test_distinct_hosts_are_answered(open_server: tuple[str, int]) -> None:
    base, pid = open_server
    assert distinct_hosts(base, pid, count=500).statuses == {200: 500}


def test_oversized_headers_are_refused(open_server: tuple[str, int]) -> None:
    base, pid = open_server
    assert oversized_headers(base, pid, count=2, megabytes=8).statuses == {431: 2}


# Memory: measured in `make bench` (pytest -m timed), on a quiet machine.
@pytest.mark.timed
def test_ten_thousand_distinct_hosts_grow_memory_under_ten_percent(
    open_server: tuple[str, int],
) -> None:
    base, pid = open_server
    growth = distinct_hosts(base, pid, count=10_000)
    print(
        f"\n10,000 distinct Host values: {growth.before_mb:.1f} -> {growth.after_mb:.1f} MB "
        f"({growth.percent:+.1f}%), statuses {growth.statuses}"
    )
    assert growth.statuses == {200: 10_000}  # no allow-list here: answered, not stored
    assert growth.percent < 10


@pytest.mark.timed
def test_oversized_headers_are_refused_and_grow_memory_under_ten_percent(
    open_server: tuple[str, int],
) -> None:
    base, pid = open_server
    growth = oversized_headers(base, pid, count=10, megabytes=8)
    print(
        f"\n10 requests with an 8 MB Host: {growth.before_mb:.1f} -> {growth.after_mb:.1f} MB "
        f"({growth.percent:+.1f}%), statuses {growth.statuses}"
    )
    assert growth.statuses == {431: 10}
    assert growth.percent < 10


def test_a_forged_host_never_reaches_a_page_or_a_redirect(open_server: tuple[str, int]) -> None:
    base, _ = open_server
    connection = _connection(base)
    _, _, honest = get(connection, "/services/zoom")
    status, _, forged = get(connection, "/services/zoom", {"Host": "evil.example"})
    assert status == 200 and forged == honest  # the same bytes, whatever the Host
    assert b"evil.example" not in forged
    status, headers, _ = get(connection, "/v1/services/", {"Host": "evil.example"})
    assert status == 307 and headers["location"] == "/v1/services"
    connection.close()


def test_with_a_public_url_only_its_host_is_answered(tmp_path: Path) -> None:
    env = {
        "CANDOR_PUBLIC_URL": "https://candor.example",
        "CANDOR_RATE_LIMIT_PER_MINUTE": "1000",
    }
    with serving(f"sqlite://{tmp_path}/c.sqlite3", tmp_path, extra_env=env) as (base, _):
        connection = _connection(base)
        status, _, page = get(connection, "/services/zoom", {"Host": "candor.example"})
        assert status == 200
        assert b"https://candor.example/v1/services/zoom/badge.svg" in page
        status, headers, _ = get(connection, "/services/zoom", {"Host": "evil.example"})
        assert status == 400 and headers["content-type"] == "application/problem+json"
        # Loopback names (a health check on the machine) and health checks by address.
        assert get(connection, "/v1/ratings/zoom.us", {"Host": "127.0.0.1:8000"})[0] == 200
        assert get(connection, "/healthz", {"Host": "10.0.0.7"})[0] == 200
        connection.close()
        assert httpx.get(f"{base}/readyz", headers={"Host": "10.0.0.7"}).status_code == 200
