"""A small TCP proxy that the fault tests put between ``candor serve`` and PostgreSQL.

Stopping the real server would break every other test that shares it; cutting the proxy
(closing its listener and every connection through it) looks the same from the API's
side: open connections die, new ones are refused. ``restore`` listens again on the same
port, as a restarted server would.

The proxy runs its own event loop in a background thread, so tests can drive it from
synchronous code while a subprocess talks through it.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import threading
from collections.abc import Coroutine, Iterator
from typing import Any, TypeVar
from urllib.parse import urlsplit

T = TypeVar("T")


class TcpProxy:
    def __init__(self, upstream_host: str, upstream_port: int, port: int | None = None) -> None:
        self.upstream = (upstream_host, upstream_port)
        self.port = port or _free_port()
        self.connections_made = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    # Called from the test's thread --------------------------------------------------------

    @property
    def listening(self) -> bool:
        return self._server is not None

    def start(self) -> None:
        """Listen (again) on ``self.port``."""
        self._run(self._listen())

    def cut(self) -> None:
        """Stop listening and drop every connection: new connections are refused."""
        self._run(self._cut())

    restore = start
    stop = cut

    def close(self) -> None:
        if self._loop.is_closed():
            return
        self.cut()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        self._loop.close()

    def __enter__(self) -> TcpProxy:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout=10)

    # On the proxy's loop ----------------------------------------------------------------------

    async def _listen(self) -> None:
        if self._server is None:
            self._server = await asyncio.start_server(
                self._handle, "127.0.0.1", self.port, reuse_address=True
            )

    async def _cut(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        for writer in list(self._writers):
            # abort: no graceful close, as when a server process is gone.
            writer.transport.abort()
        for task in list(self._tasks):
            task.cancel()
        self._writers.clear()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(*self.upstream)
        except OSError:
            writer.transport.abort()
            return
        self.connections_made += 1
        self._writers.update((writer, upstream_writer))
        pipes = [
            asyncio.create_task(self._pipe(reader, upstream_writer)),
            asyncio.create_task(self._pipe(upstream_reader, writer)),
        ]
        self._tasks.update(pipes)
        try:
            await asyncio.gather(*pipes, return_exceptions=True)
        finally:
            self._tasks.difference_update(pipes)
            self._writers.difference_update((writer, upstream_writer))

    @staticmethod
    async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            with contextlib.suppress(Exception):
                writer.close()


@contextlib.contextmanager
def tcp_proxy(upstream_url: str | None = None) -> Iterator[TcpProxy]:
    """A listening proxy to the PostgreSQL server of ``upstream_url`` (by default the
    tests' CANDOR_TEST_POSTGRES_URL), closed afterwards."""
    parts = urlsplit(upstream_url or os.environ.get("CANDOR_TEST_POSTGRES_URL", ""))
    proxy = TcpProxy(parts.hostname or "127.0.0.1", parts.port or 5432)
    try:
        proxy.start()
        yield proxy
    finally:
        proxy.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
