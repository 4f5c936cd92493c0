"""deploy/nginx.conf, run by Debian's nginx-light in front of two `candor serve` replicas on
one PostgreSQL: what the edge caches, for whom, and what it does when the replicas die.

Every request goes to 127.0.0.1. The replicas' own /metrics (asked directly, not through
nginx) tell what reached them.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from benchmarks.edge import Edge, find_nginx, nginx_edge
from tests.conftest import POSTGRES_URL
from tests.process import CANDOR, postgres_database, serving

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not POSTGRES_URL,
        reason="PostgreSQL tests skipped: set CANDOR_TEST_POSTGRES_URL (CI does)",
    ),
]

RATINGS_ROUTE = "/v1/ratings/{host}"
# With max-age=1, an answer is expired for nginx this long after it was stored: nginx
# counts whole seconds, and an answer is fresh until the second after its expiry.
EXPIRED_AFTER = 2.2
# Every way of saying "gzip" must land on one entry; these are real browsers' and
# libraries' spellings.
GZIP_SPELLINGS = ("gzip", "gzip, deflate, br", "gzip, deflate, br, zstd", "GZIP, deflate")
# Readiness and metrics, also spelled in ways nginx normalises back to those paths.
INTERNAL_PATHS = (
    "/readyz",
    "/metrics",
    "/readyz?verbose=1",
    "//metrics",
    "/%6detrics",
    "/./readyz",
)


@pytest.fixture(scope="module")
def nginx() -> str:
    found = find_nginx()
    if found:
        return found
    if os.environ.get("CANDOR_REQUIRE_NGINX"):
        pytest.fail("CANDOR_REQUIRE_NGINX is set (.ci/run sets it) but nginx is not installed")
    pytest.skip(
        "nginx tests skipped: nginx is not installed here "
        "(as root: apt-get install nginx-light; .ci/run installs it)"
    )


@dataclass
class Pool:
    edge: Edge
    replicas: list[tuple[str, subprocess.Popen[bytes]]]
    database_url: str

    @property
    def host(self) -> str:
        """The Host a client of the edge sends."""
        return self.edge.base.removeprefix("http://")

    def get(self, path: str, headers: dict[str, str] | None = None) -> httpx.Response:
        # A fresh connection per request and no automatic Accept-Encoding: each request is
        # exactly the client described by ``headers``.
        sent = {"Accept-Encoding": "identity", **(headers or {})}
        return httpx.get(self.edge.base + path, headers=sent, timeout=10)

    def reached(self, route: str, status: int) -> int:
        """How many GETs of ``route`` answered ``status`` reached the replicas in all."""
        pattern = re.compile(
            r'^candor_http_requests_total\{method="GET",route="'
            + re.escape(route)
            # prometheus_client writes counts as floats ("2.0").
            + rf'",status="{status}"\}} (\d+)(?:\.0)?$',
            re.MULTILINE,
        )
        total = 0
        for base, _ in self.replicas:
            text = httpx.get(base + "/metrics", timeout=5).text
            total += sum(int(n) for n in pattern.findall(text))
        return total


@contextlib.contextmanager
def pool(nginx: str, workdir: Path, max_age: int) -> Iterator[Pool]:
    env = {
        "CANDOR_CACHE_MAX_AGE": str(max_age),
        "CANDOR_RATE_LIMIT_PER_MINUTE": "1000000",
        "CANDOR_TRUSTED_PROXIES": "127.0.0.1/32",
    }
    with postgres_database() as url, contextlib.ExitStack() as stack:
        # One after the other: the first loads the fixtures into the empty database.
        replicas = [stack.enter_context(serving(url, workdir, extra_env=env)) for _ in range(2)]
        upstreams = [base.removeprefix("http://") for base, _ in replicas]
        edge = stack.enter_context(nginx_edge(nginx, upstreams, workdir / "edge"))
        yield Pool(edge, replicas, url)


@pytest.fixture(scope="module")
def edge_pool(nginx: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pool]:
    """Answers kept the API's default 300 s: nothing expires during these tests."""
    with pool(nginx, tmp_path_factory.mktemp("edge"), max_age=300) as running:
        yield running


def status(answer: httpx.Response) -> str:
    return answer.headers.get("x-cache-status", "")


def new_entries(pool: Pool, before: dict[Path, str]) -> list[str]:
    return sorted(key for path, key in pool.edge.cache_files().items() if path not in before)


def test_one_entry_for_every_origin_and_spelling_of_gzip(edge_pool: Pool) -> None:
    before = edge_pool.edge.cache_files()
    origins = ("https://example.org", "moz-extension://4b1f5e0c-8d3a", None)
    answers = []
    for number, spelling in enumerate((*GZIP_SPELLINGS, "identity")):
        headers = {"Accept-Encoding": spelling}
        if origin := origins[number % len(origins)]:
            headers["Origin"] = origin
        answers.append(edge_pool.get("/v1/ratings/zoom.us", headers))
    assert [status(a) for a in answers] == ["MISS", "HIT", "HIT", "HIT", "HIT"]
    assert len({(a.content, a.headers["etag"]) for a in answers}) == 1
    for answer in answers:
        assert answer.status_code == 200
        assert answer.headers["access-control-allow-origin"] == "*"
        assert "origin" not in answer.headers.get("vary", "").lower()
    assert new_entries(edge_pool, before) == [f"http://{edge_pool.host}/v1/ratings/zoom.us"]


def test_the_bundle_is_one_entry_for_clients_with_and_without_gzip(edge_pool: Pool) -> None:
    before = edge_pool.edge.cache_files()
    # Clients that take no gzip, in every way of saying so; one of them asks first, and
    # the entry is the gzip answer all the same.
    plain = [
        edge_pool.get("/v1/bundle", {"Accept-Encoding": value})
        for value in ("identity", "gzip;q=0", "br", "")
    ]
    packed = [
        edge_pool.get("/v1/bundle", {"Accept-Encoding": spelling, "Origin": f"https://{n}.org"})
        for n, spelling in enumerate(GZIP_SPELLINGS)
    ]
    assert [status(a) for a in plain + packed] == ["MISS"] + ["HIT"] * 7
    assert new_entries(edge_pool, before) == [f"http://{edge_pool.host}/v1/bundle"]
    assert {a.headers["content-encoding"] for a in packed} == {"gzip"}
    assert len({a.headers["etag"] for a in packed}) == 1
    # httpx undid the gzip of the first ones; nginx undid it for the others.
    bundle = json.loads(packed[0].content)
    assert bundle["services"]
    for answer in plain:
        assert "content-encoding" not in answer.headers
        assert json.loads(answer.content) == bundle
        # A changed representation: nginx marks the validator weak.
        assert answer.headers["etag"] == "W/" + packed[0].headers["etag"]
    again = edge_pool.get("/v1/bundle", {"If-None-Match": plain[0].headers["etag"]})
    assert again.status_code == 304


def test_a_client_revalidation_is_answered_by_the_edge(edge_pool: Pool) -> None:
    first = edge_pool.get("/v1/ratings/signal.org")
    assert first.status_code == 200
    reached = edge_pool.reached(RATINGS_ROUTE, 304)
    again = edge_pool.get("/v1/ratings/signal.org", {"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and status(again) == "HIT"
    assert again.headers["etag"] == first.headers["etag"]
    assert edge_pool.reached(RATINGS_ROUTE, 304) == reached  # nginx answered it alone


def _rate_limit_headers(answer: httpx.Response) -> list[str]:
    return [name for name in answer.headers if name.lower().startswith("ratelimit")]


def test_rate_limit_headers_never_leave_the_edge(edge_pool: Pool) -> None:
    batch = {"urls": ["https://zoom.us/j/1"]}
    direct = httpx.post(edge_pool.replicas[0][0] + "/v1/lookup", json=batch, timeout=10)
    assert "ratelimit-remaining" in direct.headers  # the replicas do send them
    through = httpx.post(edge_pool.edge.base + "/v1/lookup", json=batch, timeout=10)
    assert through.status_code == 200 and through.json() == direct.json()
    assert _rate_limit_headers(through) == []
    for _ in range(3):
        answer = edge_pool.get("/v1/ratings/webex.com")
        assert answer.status_code == 200
        assert _rate_limit_headers(answer) == []
    assert status(answer) == "HIT"


def test_no_poisoning_by_host_origin_or_forwarding_headers(edge_pool: Pool) -> None:
    """An attacker's request comes first each time; the next ordinary client must not get
    anything built from the attacker's headers."""
    # Another Host (or the same host on another port) is another entry, never ours.
    for evil in ("evil.example", "evil.example:8443", "127.0.0.1:1"):
        edge_pool.get("/services/zoom", {"Host": evil})
    ours = edge_pool.get("/services/zoom")
    assert ours.status_code == 200 and status(ours) == "MISS"
    assert "evil.example" not in ours.text and "127.0.0.1:1/" not in ours.text

    # Forwarding headers a client writes are dropped before the replicas see them.
    spoofed = {
        "X-Forwarded-Host": "evil.example",
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Port": "8443",
        "X-Forwarded-Prefix": "/evil",
        "Forwarded": "host=evil.example;proto=https",
    }
    attacker = edge_pool.get("/services/signal", spoofed)
    assert attacker.status_code == 200 and status(attacker) == "MISS"
    victim = edge_pool.get("/services/signal")
    assert status(victim) == "HIT"
    for answer in (attacker, victim):
        assert "evil" not in answer.text and "8443" not in answer.text
        assert f"https://{edge_pool.host}" not in answer.text

    # Origin changes nothing in an answer, so it cannot be used to plant one.
    planted = edge_pool.get("/v1/ratings/whereby.com", {"Origin": "https://evil.example"})
    plain = edge_pool.get("/v1/ratings/whereby.com")
    assert (status(planted), status(plain)) == ("MISS", "HIT")
    assert plain.headers["access-control-allow-origin"] == "*"
    assert "evil" not in str(plain.headers)


def test_readiness_and_metrics_are_internal(edge_pool: Pool) -> None:
    reached = edge_pool.reached("/metrics", 200)
    for path in INTERNAL_PATHS:
        answer = edge_pool.get(path)
        assert answer.status_code == 404, path
        assert "candor_http" not in answer.text and "dataset_version" not in answer.text
    assert edge_pool.reached("/metrics", 200) == reached + len(edge_pool.replicas)
    assert edge_pool.get("/healthz").status_code == 200  # liveness stays public

    internal = edge_pool.edge.internal
    ready = httpx.get(internal + "/readyz", timeout=10)
    assert ready.status_code == 200 and ready.json()["dataset_version"]
    assert "candor_http_requests_total" in httpx.get(internal + "/metrics", timeout=10).text
    assert httpx.get(internal + "/v1/ratings/zoom.us", timeout=10).status_code == 404


def _time_wait(ports: set[int]) -> int:
    """TCP connections in TIME-WAIT (state 06) with one end on one of ``ports``: one is left
    behind by every connection that was closed."""
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(FileNotFoundError):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                local, remote, state = fields[1], fields[2], fields[3]
                ends = {int(local.rsplit(":", 1)[1], 16), int(remote.rsplit(":", 1)[1], 16)}
                if state == "06" and ends & ports:
                    count += 1
    return count


def test_the_replicas_are_reached_over_kept_alive_connections(edge_pool: Pool) -> None:
    ports = {int(base.rsplit(":", 1)[1]) for base, _ in edge_pool.replicas}
    before = _time_wait(ports)
    with httpx.Client(timeout=10) as client:
        for _ in range(30):
            # No-store answers: every one of these goes to a replica.
            assert client.get(edge_pool.edge.base + "/healthz").status_code == 200
            assert client.get(edge_pool.edge.internal + "/readyz").status_code == 200
    # 60 requests to the replicas; without upstream keep-alive that is 60 closed
    # connections. A few may close for other reasons (idle timeouts).
    assert _time_wait(ports) - before < 10


def _create_key(database_url: str, workdir: Path) -> str:
    done = subprocess.run(
        [CANDOR, "keys", "create", "edge test", "--per-minute", "100000"],
        cwd=workdir,
        env={**os.environ, "CANDOR_DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout.strip().splitlines()[-1]


def test_keyed_requests_are_never_stored(edge_pool: Pool, tmp_path: Path) -> None:
    secret = _create_key(edge_pool.database_url, tmp_path)
    before = edge_pool.edge.cache_files()
    keyed = edge_pool.get("/v1/ratings/teams.microsoft.com", {"Authorization": f"Bearer {secret}"})
    assert keyed.status_code == 200 and status(keyed) == "BYPASS"
    assert new_entries(edge_pool, before) == []
    anonymous = edge_pool.get("/v1/ratings/teams.microsoft.com")
    assert status(anonymous) == "MISS"  # the keyed answer was not kept for others


def _wait_until(condition: Callable[[], bool], timeout: float = 10) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_expired_answers_are_revalidated_with_their_etag(nginx: str, tmp_path: Path) -> None:
    with pool(nginx, tmp_path, max_age=1) as short:
        first = short.get("/v1/ratings/zoom.us")
        assert status(first) == "MISS"
        fills, revalidations = short.reached(RATINGS_ROUTE, 200), short.reached(RATINGS_ROUTE, 304)
        time.sleep(EXPIRED_AFTER)
        expired = short.get("/v1/ratings/zoom.us")
        # Served from the cache while nginx revalidates (in the background, or at once).
        assert status(expired) in {"STALE", "UPDATING", "REVALIDATED"}, status(expired)
        assert expired.content == first.content
        # The replica answered nginx's If-None-Match with a 304, not with the body again.
        assert _wait_until(lambda: short.reached(RATINGS_ROUTE, 304) == revalidations + 1)
        assert short.reached(RATINGS_ROUTE, 200) == fills
        fresh = short.get("/v1/ratings/zoom.us")
        assert status(fresh) == "HIT"
        assert (fresh.content, fresh.headers["etag"]) == (first.content, first.headers["etag"])


def test_stale_answers_with_every_replica_killed(nginx: str, tmp_path: Path) -> None:
    paths = ("/v1/ratings/zoom.us", "/v1/services/signal", "/v1/methodology")
    with pool(nginx, tmp_path, max_age=1) as short:
        filled = {path: short.get(path, {"Accept-Encoding": "gzip"}) for path in paths}
        bundle = short.get("/v1/bundle", {"Accept-Encoding": "gzip"})
        assert all(status(a) == "MISS" for a in [*filled.values(), bundle])
        for _, process in short.replicas:
            process.send_signal(signal.SIGKILL)
        for _, process in short.replicas:
            process.wait(timeout=10)
        time.sleep(EXPIRED_AFTER)  # only stale copies are left

        for path, answer in filled.items():
            # An origin the cache has never seen, and another spelling of gzip.
            headers = {"Origin": "moz-extension://never-seen", "Accept-Encoding": "gzip, br"}
            stale = short.get(path, headers)
            assert stale.status_code == 200, path
            assert status(stale) == "STALE", path
            assert stale.content == answer.content
            assert stale.headers["etag"] == answer.headers["etag"]
            assert stale.headers["access-control-allow-origin"] == "*"
        stale_bundle = short.get("/v1/bundle", {"Accept-Encoding": "gzip, deflate, br"})
        assert status(stale_bundle) == "STALE"
        assert stale_bundle.headers["content-encoding"] == "gzip"
        assert stale_bundle.content == bundle.content  # both as httpx decompressed them
        # What was never cached cannot be served.
        assert short.get("/v1/ratings/jitsi.org").status_code in (502, 504)
