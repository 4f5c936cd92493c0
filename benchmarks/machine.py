"""What the figures were measured on."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import platform
import subprocess
from pathlib import Path

from benchmarks.edge import find_nginx


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gib() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return float("nan")


def _version(command: list[str]) -> str:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return "not available"
    text = (done.stdout or done.stderr).strip().splitlines()
    return text[0] if text else "unknown"


def describe(wrk: str | None) -> dict[str, str]:
    http = "httptools" if importlib.util.find_spec("httptools") else "h11"
    loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
    return {
        "CPU": f"{_cpu_model()}, {os.cpu_count()} cores",
        "Memory": f"{_memory_gib():.0f} GiB",
        "OS": f"{platform.system()} {platform.release()}",
        "Python": platform.python_version(),
        "Server": (
            f"uvicorn {importlib.metadata.version('uvicorn')} ({http} parser, {loop} loop), "
            f"Starlette {importlib.metadata.version('starlette')}, one worker process unless "
            "a row says otherwise"
        ),
        "Load generator": (
            _version([wrk, "--version"]) if wrk else "httpx asyncio client (wrk unavailable)"
        ),
        "Node": _version(["node", "--version"]),
        "Edge": (
            _version([nginx, "-v"]).removeprefix("nginx version: ")
            if (nginx := find_nginx())
            else "nginx not installed"
        ),
    }
