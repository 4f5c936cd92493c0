"""An HTTP reverse proxy that writes down every request it passes to ``candor serve``:
what a server in Candor's place would see of a client (method, path and query, headers,
body). The private-lookup examples run through it, so a test can show that nothing but
hash prefixes left the client."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx

# Hop-by-hop headers and those the proxy sets itself.
_NOT_FORWARDED = {"host", "connection", "keep-alive", "transfer-encoding", "content-length"}


@dataclass(frozen=True)
class Seen:
    method: str
    target: str
    headers: tuple[tuple[str, str], ...]
    body: bytes

    def text(self) -> str:
        """Everything the request carried, as one string to search."""
        lines = [f"{self.method} {self.target}", *(f"{k}: {v}" for k, v in self.headers)]
        return "\n".join(lines) + "\n" + self.body.decode("latin-1")


@contextmanager
def recording_proxy(upstream: str) -> Iterator[tuple[str, list[Seen]]]:
    """(base URL of the proxy, the requests it has passed on so far)."""
    seen: list[Seen] = []
    lock = threading.Lock()
    forward = httpx.Client(base_url=upstream, timeout=30)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _relay(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = tuple((k.lower(), v) for k, v in self.headers.items())
            with lock:
                seen.append(Seen(self.command, self.path, headers, body))
            answer = forward.request(
                self.command,
                self.path,
                content=body or None,
                headers=[(k, v) for k, v in headers if k not in _NOT_FORWARDED],
            )
            self.send_response(answer.status_code)
            for name, value in answer.headers.multi_items():
                if name.lower() not in _NOT_FORWARDED | {"content-encoding"}:
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(answer.content)))
            self.end_headers()
            self.wfile.write(answer.content)

        do_GET = do_POST = _relay

        def log_message(self, format: str, *args: object) -> None:
            pass  # the list is the log

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()
        forward.close()
        thread.join(timeout=10)
