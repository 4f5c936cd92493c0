"""The load generator: wrk (Debian's package) when it can be had, else an asyncio client.

Both send GETs for a list of paths in rotation over keep-alive connections, for a fixed
time, to 127.0.0.1 only, and report requests per second and latency percentiles.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx


@dataclass(frozen=True)
class LoadResult:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    failures: int  # non-2xx/3xx answers and socket errors
    tool: str


def find_wrk(install: bool = True) -> str | None:
    """wrk's path; installs Debian's package when it is missing and we are root."""
    if shutil.which("wrk") or not install or os.geteuid() != 0 or not shutil.which("apt-get"):
        return shutil.which("wrk")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}

    def apt(*args: str) -> None:
        subprocess.run(["apt-get", *args], env=env, capture_output=True, check=False, timeout=600)

    apt("install", "-y", "-qq", "wrk")
    if not shutil.which("wrk"):  # a fresh machine may have no package lists yet
        apt("update", "-qq")
        apt("install", "-y", "-qq", "wrk")
    return shutil.which("wrk")


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([0-9.]+)(us|ms|s|m)", text.strip())
    if not match:
        raise ValueError(f"unexpected wrk latency {text!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def _lua_script(paths: list[str]) -> str:
    for path in paths:
        if not re.fullmatch(r"/[\x21-\x7e]*", path) or '"' in path or "\\" in path:
            raise ValueError(f"path not usable in the wrk script: {path!r}")
    listed = ",\n".join(f'  "{path}"' for path in paths)
    return (
        f"local paths = {{\n{listed}\n}}\n"
        "local i = 0\n"
        "request = function()\n"
        "  i = i + 1\n"
        "  if i > #paths then i = 1 end\n"
        '  return wrk.format("GET", paths[i])\n'
        "end\n"
    )


def run_wrk(
    wrk: str, base: str, paths: list[str], seconds: float, connections: int = 32
) -> LoadResult:
    if not base.startswith("http://127.0.0.1:"):
        raise ValueError("load is only ever sent to 127.0.0.1")
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(_lua_script(paths))
    try:
        options = ["-t1", f"-c{connections}", f"-d{seconds:g}s", "--latency", "-s", script.name]
        result = subprocess.run(
            [wrk, *options, base],
            capture_output=True,
            text=True,
            check=True,
            timeout=seconds + 60,
        )
    finally:
        Path(script.name).unlink()
    out = result.stdout
    rps = float(re.search(r"Requests/sec:\s+([0-9.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"\n\s+50%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"\n\s+99%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    failures = 0
    if match := re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out):
        failures += int(match.group(1))
    if match := re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    ):
        failures += sum(int(n) for n in match.groups())
    return LoadResult(rps, p50, p99, total, failures, "wrk")


async def _async_load(base: str, paths: list[str], seconds: float, connections: int) -> LoadResult:
    latencies: list[float] = []
    failures = 0
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)

    async def worker(client: httpx.AsyncClient, offset: int) -> None:
        nonlocal failures
        index = offset
        while time.perf_counter() < deadline:
            path = paths[index % len(paths)]
            index += 1
            started = time.perf_counter()
            try:
                response = await client.get(path)
                if response.status_code >= 400:
                    failures += 1
            except httpx.HTTPError:
                failures += 1
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=10) as client:
        await asyncio.gather(*(worker(client, n) for n in range(connections)))
    elapsed = time.perf_counter() - started
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return LoadResult(
        len(latencies) / elapsed,
        cuts[49] * 1000,
        cuts[98] * 1000,
        len(latencies),
        failures,
        "httpx",
    )


def run_load(
    wrk: str | None, base: str, paths: list[str], seconds: float, connections: int = 32
) -> LoadResult:
    if wrk:
        return run_wrk(wrk, base, paths, seconds, connections)
    return asyncio.run(_async_load(base, paths, seconds, connections))
