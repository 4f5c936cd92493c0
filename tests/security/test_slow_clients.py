"""Attack 4: slow clients. 1,100 half-sent requests against a process limited to 1,024
descriptors must not starve it: a normal /healthz still gets its answer, and the log does
not flood."""

from __future__ import annotations

import socket
import time
from pathlib import Path
from urllib.parse import urlsplit

from tests.process import serving
from tests.security.attacks import slow_clients
from tests.security.conftest import read_log


def test_healthz_answers_during_1100_slow_connections(tmp_path: Path) -> None:
    env = {"CANDOR_RATE_LIMIT_PER_MINUTE": "100000"}
    with serving(f"sqlite://{tmp_path}/c.sqlite3", tmp_path, extra_env=env, nofile=1024) as (
        base,
        process,
    ):
        result = slow_clients(base, read_log(tmp_path, base), count=1100, wait=5)
        assert process.poll() is None
    print(
        f"\n1,100 slow connections, 1,024 descriptors: /healthz {result.healthz_status} in "
        f"{result.healthz_seconds:.2f} s; log grew {result.log_bytes} bytes"
    )
    assert result.held >= 1000
    assert result.healthz_status == 200 and result.healthz_seconds < 5
    assert result.log_bytes < 64 * 1024


def test_a_half_sent_request_is_closed_after_the_header_timeout(tmp_path: Path) -> None:
    env = {"CANDOR_HEADER_TIMEOUT": "1"}
    with serving(f"sqlite://{tmp_path}/c.sqlite3", tmp_path, extra_env=env) as (base, _):
        parts = urlsplit(base)
        with socket.create_connection((parts.hostname, parts.port), timeout=10) as slow:
            slow.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
            started = time.monotonic()
            closed = slow.recv(100)  # b"": closed by the server
            waited = time.monotonic() - started
        with socket.create_connection((parts.hostname, parts.port), timeout=10) as silent:
            started = time.monotonic()
            assert silent.recv(100) == b""  # a connection that never speaks is closed too
            silent_waited = time.monotonic() - started
    assert closed == b"" and 0.5 < waited < 5
    assert 0.5 < silent_waited < 5
