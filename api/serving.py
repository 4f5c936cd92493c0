"""``candor serve``'s HTTP protocol: uvicorn's httptools protocol, guarded against slow
and oversized clients.

uvicorn with httptools bounds neither the size of a request's head nor the time it takes
to arrive, and never closes a connection that has sent nothing. So here:

- the request line and headers may take at most ``CANDOR_MAX_HEADER_BYTES`` (32 KiB,
  nginx's default ceiling); past that the answer is 431 and the connection is closed,
  before the rest is buffered (an 8 MB Host header is refused after 32 KiB);
- a request must arrive whole (head and body) within ``CANDOR_HEADER_TIMEOUT`` seconds of
  its first byte, or of the connection opening (10 s); idle keep-alive connections close
  after uvicorn's ``timeout_keep_alive``;
- at most ``CANDOR_MAX_CONNECTIONS`` connections are open at once (by default the
  descriptor limit less a reserve for the database, logs and Redis): a new connection
  past that closes the one that has waited longest without a complete request, so
  half-sent requests can never starve the process of descriptors, and a real request
  (a health check) still gets in.

On the internet the process belongs behind a proxy that buffers requests (nginx): these
guards keep one process alive on its own, they are no substitute (docs/deployment.md).
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import json
import resource
from typing import Any, cast

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

# Descriptors kept free for everything but client connections.
RESERVED_DESCRIPTORS = 64


@dataclasses.dataclass(frozen=True)
class Guards:
    max_header_bytes: int
    header_timeout: float
    max_connections: int  # 0: default_max_connections()


def guarded_protocol(guards: Guards) -> type[asyncio.Protocol]:
    """uvicorn's ``http`` option: the guarded protocol, bound to these guards. A partial
    rather than a class attribute: it is pickled into every spawned worker with the rest
    of uvicorn's configuration, so the workers need not read anything back. uvicorn calls
    it as it would the class."""
    if guards.max_connections == 0:
        guards = dataclasses.replace(guards, max_connections=default_max_connections())
    return cast(
        "type[asyncio.Protocol]", functools.partial(GuardedHttpToolsProtocol, guards=guards)
    )


def raise_descriptor_limit() -> int:
    """Raise the soft descriptor limit to the hard one (the usual 1,024 is a default, not
    a decision); returns the limit in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else max(soft, 65536)
    if target > soft:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            pass
    return soft


def default_max_connections() -> int:
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    return max(16, soft - max(RESERVED_DESCRIPTORS, soft // 16))


_RESPONSES = {
    431: b"HTTP/1.1 431 Request Header Fields Too Large\r\n",
    503: b"HTTP/1.1 503 Service Unavailable\r\n",
}


def _refusal(status: int, detail: str) -> bytes:
    """A whole HTTP answer, written before any ASGI app sees the request: a problem
    document like every other error of the API, and the connection closes."""
    from api.problems import Problem

    problem = Problem(status, detail)
    body = json.dumps(problem.body()).encode()
    return (
        _RESPONSES[status]
        + b"content-type: application/problem+json\r\n"
        + b"content-length: %d\r\nconnection: close\r\n\r\n" % len(body)
        + body
    )


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    def __init__(self, *args: Any, guards: Guards, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._guards = guards
        # "reading": a request is (or may be) on its way; "busy": being answered.
        self._reading = True
        self._head_bytes = 0
        self._head_tail = b""
        self._since = 0.0
        self._deadline: asyncio.TimerHandle | None = None

    # Connections -------------------------------------------------------------------------

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        if len(self.connections) >= self._guards.max_connections and not self._evict_one():
            # Every connection is busy with a real request: this one waits for none.
            transport.write(_refusal(503, "Too many connections; retry shortly"))
            transport.close()
            return
        super().connection_made(transport)
        self._since = self.loop.time()
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        if self.transport is None:  # refused in connection_made
            return
        super().connection_lost(exc)

    def _evict_one(self) -> bool:
        """Close the connection that has waited longest without a complete request."""
        oldest: GuardedHttpToolsProtocol | None = None
        for connection in self.connections:
            if (
                isinstance(connection, GuardedHttpToolsProtocol)
                and connection._reading
                and connection.transport is not None
                and not connection.transport.is_closing()
                and (oldest is None or connection._since < oldest._since)
            ):
                oldest = connection
        if oldest is None:
            return False
        oldest.transport.abort()
        self.connections.discard(oldest)
        return True

    # Reading a request ---------------------------------------------------------------------

    def data_received(self, data: bytes) -> None:
        if self._reading:
            if self._deadline is None:
                self._since = self.loop.time()
                self._arm()
            if self._head_bytes >= 0 and self._head_exceeds_limit(data):
                # Refused before the parser sees the bytes: a head that arrived whole in one
                # read would otherwise be parsed and answered, whatever its size.
                if not self.transport.is_closing():
                    limit = self._guards.max_header_bytes // 1024
                    detail = f"The request line and headers exceed {limit} KiB"
                    self.transport.write(_refusal(431, detail))
                    self.transport.close()
                return
        super().data_received(data)

    def _head_exceeds_limit(self, data: bytes) -> bool:
        """Counts the bytes of ``data`` that belong to the head: up to the blank line that
        ends it, which may straddle two reads (hence the last bytes of the one before)."""
        # No copy on the usual first read of a request: nothing came before it.
        window = self._head_tail + data if self._head_tail else data
        end = window.find(b"\r\n\r\n")
        self._head_bytes += len(data) if end < 0 else end + 4 - len(self._head_tail)
        self._head_tail = window[-3:]
        return self._head_bytes > self._guards.max_header_bytes

    def on_headers_complete(self) -> None:
        self._head_bytes = -1  # the head is in: the body is counted by nobody here
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._reading = False
        self._disarm()
        super().on_message_complete()

    def on_response_complete(self) -> None:
        self._reading = True
        self._head_bytes = 0
        self._head_tail = b""
        self._since = self.loop.time()
        super().on_response_complete()

    # The request deadline --------------------------------------------------------------------

    def _arm(self) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(self._guards.header_timeout, self._expired)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _expired(self) -> None:
        self._deadline = None
        if self._reading and self.transport is not None and not self.transport.is_closing():
            self.transport.close()
