"""Starting and measuring the servers under test: ``candor serve`` and the floor app."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CANDOR = str(BIN / "candor")
# Far above anything the load generator sends: the limiter runs on every request (it is
# part of the product being measured) but never refuses one.
UNLIMITED = "1000000000"


@dataclass
class Server:
    name: str
    base: str
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def rss_mb(self) -> float:
        """Resident memory of the server process (VmRSS), in MB."""
        return rss_mb(self.pid)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def get(url: str, headers: dict[str, str] | None = None, timeout: float = 10) -> bytes:
    return fetch(url, headers, timeout)[0]


def fetch(
    url: str, headers: dict[str, str] | None = None, timeout: float = 10
) -> tuple[bytes, list[tuple[str, str]]]:
    """Body and response headers of a GET (urllib: a gzip body stays compressed)."""
    request = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        body: bytes = response.read()
        return body, list(response.getheaders())


def _wait(server: Server, path: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.name} exited:\n{server.log.read_text()[-3000:]}")
        try:
            get(server.base + path, timeout=2)
            return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.1)
    raise RuntimeError(f"{server.name} did not come up:\n{server.log.read_text()[-3000:]}")


def _stop(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


@contextmanager
def candor_serve(
    name: str,
    database_url: str,
    fixtures: Path,
    workdir: Path,
    timeout: float = 180,
    workers: int = 1,
    env: dict[str, str] | None = None,
) -> Iterator[Server]:
    """``candor serve`` on a free port, ``workers`` worker processes (one by default), no
    access log, limiter wide open; ``env`` adds to its environment."""
    port = free_port()
    log = workdir / f"{name}.log"
    environment = {
        **os.environ,
        "CANDOR_DATABASE_URL": database_url,
        "CANDOR_RATE_LIMIT_PER_MINUTE": UNLIMITED,
        **(env or {}),
    }
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                *(CANDOR, "serve", "--port", str(port), "--fixtures", str(fixtures)),
                *("--workers", str(workers), "--no-access-log", "--log-level", "warning"),
            ],
            cwd=workdir,
            env=environment,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = Server(name, f"http://127.0.0.1:{port}", process, log)
    try:
        _wait(server, "/readyz", timeout)
        yield server
    finally:
        _stop(server)


@contextmanager
def floor_serve(
    name: str,
    rating_bytes: int,
    lookup_bytes: int,
    workdir: Path,
    headers: list[tuple[str, str]] | None = None,
) -> Iterator[Server]:
    port = free_port()
    log = workdir / f"{name}.log"
    env = {
        **os.environ,
        "FLOOR_RATING_BYTES": str(rating_bytes),
        "FLOOR_LOOKUP_BYTES": str(lookup_bytes),
        "FLOOR_HEADERS": json.dumps(headers or []),
    }
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.floor", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = Server(name, f"http://127.0.0.1:{port}", process, log)
    try:
        _wait(server, "/v1/ratings/zoom.us", 30)
        yield server
    finally:
        _stop(server)


def run_cli(*args: str, database_url: str, cwd: Path = ROOT) -> tuple[float, str]:
    """Run ``candor ARGS``; return its wall time in seconds and its output."""
    env = {**os.environ, "CANDOR_DATABASE_URL": database_url}
    started = time.perf_counter()
    result = subprocess.run(
        [CANDOR, *args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise RuntimeError(f"candor {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return elapsed, result.stdout + result.stderr
