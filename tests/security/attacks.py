"""The attacks of issue 13, each as a function against a running ``candor serve`` that
returns what it measured. The tests (this package) assert on the figures; ``python -m
tests.security.figures`` prints them, for this checkout or an older one.

Every attack targets 127.0.0.1 only, and is bounded in count and time.
"""

from __future__ import annotations

import contextlib
import http.client
import secrets
import socket
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError(f"no VmRSS for {pid}")


def _connection(base: str, timeout: float = 10) -> http.client.HTTPConnection:
    parts = urlsplit(base)
    return http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=timeout)


def get(
    connection: http.client.HTTPConnection,
    path: str,
    headers: dict[str, str] | None = None,
    method: str = "GET",
) -> tuple[int, dict[str, str], bytes]:
    """One request on a keep-alive connection, the Host header as given (or a default)."""
    headers = dict(headers or {})
    connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
    connection.putheader("Host", headers.pop("Host", "127.0.0.1"))
    for name, value in headers.items():
        connection.putheader(name, value)
    connection.endheaders()
    response = connection.getresponse()
    body = response.read()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, body


@dataclass
class Growth:
    before_mb: float
    after_mb: float
    statuses: dict[int, int]

    @property
    def percent(self) -> float:
        return 100 * (self.after_mb - self.before_mb) / self.before_mb


def _count(statuses: dict[int, int], status: int) -> None:
    statuses[status] = statuses.get(status, 0) + 1


def warm_up(base: str, path: str = "/services/zoom", count: int = 300) -> None:
    connection = _connection(base)
    for _ in range(count):
        get(connection, path)
    connection.close()


def distinct_hosts(
    base: str, pid: int, count: int = 10_000, path: str = "/services/zoom"
) -> Growth:
    """``count`` requests, each with its own Host header, on one keep-alive connection."""
    warm_up(base, path)
    before = rss_mb(pid)
    statuses: dict[int, int] = {}
    connection = _connection(base)
    for number in range(count):
        status, _, _ = get(connection, path, {"Host": f"h{number}-{secrets.token_hex(4)}.example"})
        _count(statuses, status)
    connection.close()
    return Growth(before, rss_mb(pid), statuses)


def oversized_headers(base: str, pid: int, count: int = 10, megabytes: int = 8) -> Growth:
    """``count`` requests with a Host header of ``megabytes`` MB each."""
    warm_up(base)
    before = rss_mb(pid)
    statuses: dict[int, int] = {}
    parts = urlsplit(base)
    filler = b"a" * (megabytes * 1024 * 1024)
    for number in range(count):
        with socket.create_connection((parts.hostname, parts.port), timeout=30) as sock:
            request = b"GET /services/zoom HTTP/1.1\r\nHost: %d" % number + filler + b"\r\n\r\n"
            # Refused part-way, the answer may still be there to read.
            with contextlib.suppress(OSError):
                sock.sendall(request)
            try:
                head = sock.recv(64)
            except OSError:
                head = b""
        status = int(head.split()[1]) if head.startswith(b"HTTP/1.1 ") else 0
        _count(statuses, status)
    return Growth(before, rss_mb(pid), statuses)


def forged_forwarded_for(base: str, count: int) -> dict[int, int]:
    """``count`` requests from one address, each claiming another in X-Forwarded-For."""
    statuses: dict[int, int] = {}
    connection = _connection(base)
    for number in range(count):
        status, _, _ = get(
            connection, "/v1/ratings/zoom.us", {"X-Forwarded-For": f"203.0.113.{number % 250}"}
        )
        _count(statuses, status)
    connection.close()
    return statuses


def random_keys(base: str, count: int = 3000) -> tuple[dict[int, int], float]:
    """``count`` requests with random, well-formed but unknown API keys; and seconds taken."""
    statuses: dict[int, int] = {}
    connection = _connection(base)
    started = time.monotonic()
    for _ in range(count):
        secret = "cnd_" + secrets.token_urlsafe(32)
        status, _, _ = get(connection, "/v1/ratings/zoom.us", {"Authorization": f"Bearer {secret}"})
        _count(statuses, status)
    connection.close()
    return statuses, time.monotonic() - started


def readiness_flood(base: str, count: int = 2000) -> dict[int, int]:
    statuses: dict[int, int] = {}
    connection = _connection(base)
    for _ in range(count):
        status, _, _ = get(connection, "/readyz")
        _count(statuses, status)
    connection.close()
    return statuses


@dataclass
class Starvation:
    held: int  # slow connections the attacker managed to open
    healthz_status: int  # 0: no answer
    healthz_seconds: float
    log_bytes: int


def slow_clients(base: str, log: Path, count: int = 1100, wait: float = 5.0) -> Starvation:
    """``count`` connections that each send half a request and then nothing; then a normal
    /healthz on a new connection, given ``wait`` seconds to answer."""
    parts = urlsplit(base)
    held: list[socket.socket] = []
    log_before = log.stat().st_size
    try:
        for _ in range(count):
            try:
                sock = socket.create_connection((parts.hostname, parts.port), timeout=2)
                sock.sendall(b"GET /v1/ratings/zoom.us HTTP/1.1\r\nHost: x\r\nX-Slow: ")
                held.append(sock)
            except OSError:
                continue
        time.sleep(1.0)
        started = time.monotonic()
        status = 0
        try:
            with socket.create_connection((parts.hostname, parts.port), timeout=wait) as probe:
                probe.sendall(
                    b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
                )
                head = probe.recv(64)
                if head.startswith(b"HTTP/1.1 "):
                    status = int(head.split()[1])
        except OSError:
            status = 0
        seconds = time.monotonic() - started
        time.sleep(1.0)
        return Starvation(len(held), status, seconds, log.stat().st_size - log_before)
    finally:
        for sock in held:
            sock.close()
