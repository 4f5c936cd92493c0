"""Starting ``candor serve`` as a real process, for tests that must see what uvicorn sees."""

from __future__ import annotations

import os
import resource
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.conftest import FIXTURES, ROOT
from tests.postgres import postgres_database

CANDOR = str(Path(sys.executable).parent / "candor")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(
    database_url: str,
    workdir: Path,
    fixtures: Path | None = FIXTURES,
    extra_env: dict[str, str] | None = None,
    wait_ready: bool = True,
    args: Sequence[str] = (),
    nofile: int | None = None,
    command: Sequence[str] = (CANDOR,),
    workers: int = 1,
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``candor serve`` on a free port. ``fixtures``: its --fixtures (None: none given, so
    CANDOR_FIXTURES_DIR decides); ``args``: more options; ``nofile``: its descriptor
    limit (soft and hard, so it cannot raise it); ``command``: another way to start
    ``candor`` (the attack figures' "before" runs an older checkout)."""
    port = free_port()
    env = {**os.environ, "CANDOR_DATABASE_URL": database_url, **(extra_env or {})}
    log = (workdir / f"serve-{port}.log").open("wb")

    def limit_descriptors() -> None:
        if nofile is not None:
            resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))

    process = subprocess.Popen(
        [
            *command,
            "serve",
            "--port",
            str(port),
            *(["--fixtures", str(fixtures)] if fixtures is not None else []),
            "--no-access-log",
            "--workers",
            str(workers),
            *args,
        ],
        cwd=workdir,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        preexec_fn=limit_descriptors if nofile is not None else None,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        if wait_ready:
            wait_until_ready(base, process, workdir / f"serve-{port}.log")
        yield base, process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def wait_until_ready(
    base: str, process: subprocess.Popen[bytes], log: Path, timeout: float = 30
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(
                f"candor serve exited with {process.returncode}:\n{log.read_text()}"
            )
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"candor serve did not become ready:\n{log.read_text()}")


__all__ = ["ROOT", "free_port", "postgres_database", "serving", "wait_until_ready"]
