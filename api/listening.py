"""Running uvicorn for ``candor serve``: one process, or N worker processes sharing one
listening socket that Candor opens itself.

Why Candor owns the socket with more than one worker: uvicorn's multi-process path binds
``socket.socket(family)``, whose protocol number is 0. asyncio only sets ``TCP_NODELAY``
on an accepted connection when its socket says ``IPPROTO_TCP`` (``_set_nodelay`` in
asyncio's base events), and Python gives an accepted socket the listener's number, so
every worker connection was left with Nagle's algorithm on. uvicorn writes an answer's
head and body separately; the body then waited for the client's delayed ACK, about 40 ms
on Linux, on every request after the first of a kept-alive connection (an upstream
problem, still open in uvicorn 0.54). A listener created with ``IPPROTO_TCP`` gets asyncio
to set the option, and ``TCP_NODELAY`` on the listener itself (Linux copies it to accepted
connections) makes sure of it. With one worker uvicorn opens its socket through asyncio,
which sets the option: that path is left as it is.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import uvicorn
from uvicorn.supervisors import Multiprocess

log = logging.getLogger("uvicorn.error")


class BindError(OSError):
    """The listening address cannot be bound (in use, not ours, not an address)."""


def listening_socket(host: str, port: int) -> socket.socket:
    """A bound TCP listener whose accepted connections have ``TCP_NODELAY`` on, ready to
    be handed to worker processes (inheritable). Same address rules as uvicorn's ``--host``:
    a host with a colon is IPv6."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise BindError(exc.errno, f"cannot listen on {host}:{port}: {exc.strerror}") from exc
    sock.set_inheritable(True)
    return sock


def run(app: str, *, workers: int = 1, **options: Any) -> None:
    """``uvicorn.run(app, workers=..., **options)``, with Candor's own listening socket when
    there is more than one worker (see the module docstring)."""
    if workers <= 1:
        uvicorn.run(app, workers=1, **options)
        return
    config = uvicorn.Config(app, workers=workers, **options)
    sock = listening_socket(config.host, config.port)
    scheme = "https" if config.is_ssl else "http"
    shown = f"[{config.host}]" if ":" in config.host else config.host
    log.info(
        "Candor running on %s://%s:%d with %d worker processes (Press CTRL+C to quit)",
        scheme,
        shown,
        sock.getsockname()[1],
        workers,
    )
    try:
        with worker_metrics():
            Multiprocess(config, sockets=[sock]).run()
    finally:
        sock.close()


# prometheus_client's switch to its multiprocess mode, read by the library in every worker
# when it is imported (and by Candor through api.settings).
METRICS_DIR_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"


@contextlib.contextmanager
def worker_metrics() -> Iterator[Path]:
    """A fresh directory where the workers keep their metrics (api/metrics.py), named to
    them in the environment they inherit; removed, with every worker's files, at exit.
    Fresh on every start: files left by an earlier run would be added to this one's."""
    directory = Path(tempfile.mkdtemp(prefix="candor-metrics-"))
    os.environ[METRICS_DIR_VARIABLE] = str(directory)
    try:
        yield directory
    finally:
        os.environ.pop(METRICS_DIR_VARIABLE, None)
        shutil.rmtree(directory, ignore_errors=True)
