"""``candor serve --workers N``: every accepted connection has Nagle's algorithm off, so
a kept-alive connection is as fast through N worker processes as through one; and
``/metrics`` from any worker counts the answers of all of them.

The regression this guards against is not a matter of speed but of a stall: with
``TCP_NODELAY`` off, the body of every answer after the first on a connection waits for
the client's delayed ACK, at least 40 ms on Linux (TCP_DELACK_MIN), where a normal answer
takes about a millisecond. The threshold below sits between the two, far from both.
"""

from __future__ import annotations

import http.client
import shutil
import socket
import statistics
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from prometheus_client import CollectorRegistry
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.parser import text_string_to_metric_families

from api.listening import BindError, listening_socket
from tests.process import CANDOR, serving

# Half the shortest delayed-ACK stall: a median above it means the stall is back.
STALL_MS = 20.0
REQUESTS = 200


def test_accepted_connections_have_nagle_off() -> None:
    with listening_socket("127.0.0.1", 0) as listener:
        listener.listen()
        assert listener.proto == socket.IPPROTO_TCP
        with socket.create_connection(listener.getsockname()) as client:
            accepted, _ = listener.accept()
            with accepted:
                assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
                # asyncio sets TCP_NODELAY itself only on sockets that say IPPROTO_TCP.
                assert accepted.proto == socket.IPPROTO_TCP
                client.sendall(b"ping")
                assert accepted.recv(4) == b"ping"


def test_a_busy_address_is_a_clear_error() -> None:
    with listening_socket("127.0.0.1", 0) as first:
        first.listen()
        port = first.getsockname()[1]
        with pytest.raises(BindError, match=f"cannot listen on 127.0.0.1:{port}"):
            listening_socket("127.0.0.1", port)


def keep_alive_latencies(base: str, requests: int) -> list[float]:
    """Milliseconds per request, all on one kept-alive connection."""
    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    latencies = []
    try:
        for _ in range(requests):
            started = time.perf_counter()
            connection.request("GET", "/v1/ratings/zoom.us")
            answer = connection.getresponse()
            body = answer.read()
            latencies.append((time.perf_counter() - started) * 1000)
            assert answer.status == 200 and b'"slug":"zoom"' in body
            # Still the same connection: the server did not close it.
            assert answer.getheader("connection", "").lower() != "close"
    finally:
        connection.close()
    return latencies


def children_of(pid: int) -> list[int]:
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # "pid (name) state ppid ...": the name may hold spaces, so split after it.
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:  # the process ended while we looked
            continue
        if int(fields[1]) == pid:
            children.append(int(stat.parent.name))
    return children


def test_worker_processes_answer_on_kept_alive_connections(tmp_path: Path) -> None:
    database = f"sqlite://{tmp_path}/candor.sqlite3"
    with serving(database, tmp_path, workers=2) as (base, process):
        # The workers are children of the `candor serve` process.
        assert len(children_of(process.pid)) >= 2
        assert len(keep_alive_latencies(base, 20)) == 20


# The stall itself is a latency: measured in `make bench` (pytest -m timed).
@pytest.mark.timed
@pytest.mark.parametrize("workers", [1, 2])
def test_kept_alive_connections_do_not_stall(workers: int, tmp_path: Path) -> None:
    env = {"CANDOR_RATE_LIMIT_PER_MINUTE": "1000000"}
    database = f"sqlite://{tmp_path}/candor.sqlite3"
    with serving(database, tmp_path, extra_env=env, workers=workers) as (base, process):
        if workers > 1:
            # The workers are children of the `candor serve` process.
            assert len(children_of(process.pid)) >= workers
        latencies = keep_alive_latencies(base, REQUESTS)
    median = statistics.median(latencies[1:])  # the first one opened the connection
    print(f"{workers} worker(s): median {median:.2f} ms over {REQUESTS} kept-alive requests")
    assert median < STALL_MS, f"median {median:.1f} ms: answers wait for the delayed ACK"


def test_workers_must_be_positive(tmp_path: Path) -> None:
    done = subprocess.run(
        [CANDOR, "serve", "--workers", "0"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env={"CANDOR_DATABASE_URL": f"sqlite://{tmp_path}/x.sqlite3", "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 2
    assert "--workers must be at least 1" in done.stderr
    assert not (tmp_path / "x.sqlite3").exists()  # refused before touching the database


def _ratings_answered(text: str) -> float:
    """candor_http_requests_total of the ratings route, from an exposition text."""
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "candor_http_requests_total"
        and sample.labels["route"] == "/v1/ratings/{host}"
    )


def _per_worker(directory: Path, pids: list[int], route: str) -> dict[int, float]:
    """Each worker's own count of answers on ``route``: its files alone, read by the same
    collector /metrics uses."""
    counts = {}
    for pid in pids:
        with tempfile.TemporaryDirectory() as alone:
            for file in directory.glob(f"*_{pid}.db"):
                shutil.copy(file, alone)
            registry = CollectorRegistry()
            MultiProcessCollector(registry, path=alone)
            counts[pid] = sum(
                sample.value
                for family in registry.collect()
                for sample in family.samples
                if sample.name == "candor_http_requests_total" and sample.labels["route"] == route
            )
    return counts


def _get_on_new_connections(url: str, times: int) -> list[str]:
    """``times`` GETs of ``url`` at once, each on its own connection, so that the kernel
    hands them to whichever worker is waiting."""

    def one(_: int) -> str:
        answer = httpx.get(url, headers={"Connection": "close"}, timeout=10)
        assert answer.status_code == 200
        return answer.text

    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(one, range(times)))


def test_every_worker_reports_the_requests_of_all(tmp_path: Path) -> None:
    env = {"CANDOR_RATE_LIMIT_PER_MINUTE": "1000000"}
    database = f"sqlite://{tmp_path}/candor.sqlite3"
    with serving(database, tmp_path, extra_env=env, workers=2) as (base, process):
        workers = children_of(process.pid)
        environment = Path(f"/proc/{workers[0]}/environ").read_bytes().split(b"\0")
        variables = dict(item.decode().partition("=")[::2] for item in environment if item)
        directory = Path(variables["PROMETHEUS_MULTIPROC_DIR"])
        assert directory.is_dir()
        deadline = time.monotonic() + 60
        # Each worker makes its files when its app is built: the second may still be
        # starting when the first answers the readiness check.
        # (The server's other children, such as multiprocessing's resource tracker, make
        # none.)
        children = workers
        workers = []
        while len(workers) < 2:
            assert time.monotonic() < deadline, "a worker never made its metrics files"
            time.sleep(0.05)
            workers = [pid for pid in children if list(directory.glob(f"*_{pid}.db"))]
        assert len(workers) == 2
        sent = 0
        # Until both workers have answered some: the kernel decides who gets a connection.
        while min(_per_worker(directory, workers, "/v1/ratings/{host}").values()) == 0:
            assert time.monotonic() < deadline, "one worker got every connection"
            _get_on_new_connections(base + "/v1/ratings/zoom.us", 40)
            sent += 40
        while min(_per_worker(directory, workers, "/metrics").values()) == 0:
            assert time.monotonic() < deadline, "one worker got every scrape"
            for text in _get_on_new_connections(base + "/metrics", 8):
                assert _ratings_answered(text) == sent
    assert not directory.exists()  # removed with the server
