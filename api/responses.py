"""Cacheable answers: a body rendered once, with a strong ETag, served with 304s.

Serving a cached answer is the API's hot path, so everything that does not depend on the
request (the validator, the content headers, the Cache-Control value) is encoded to bytes
once, and an answer is sent with those bytes as they are.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import lru_cache

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

RawHeaders = list[tuple[bytes, bytes]]


@dataclass(frozen=True, slots=True)
class Rendered:
    """A rendered answer body and its validator, kept in the answer cache."""

    body: bytes
    etag: str
    media_type: str = "application/json"
    status: int = 200
    # Derived from the fields above in __post_init__, never passed in.
    etag_header: tuple[bytes, bytes] = field(default=(b"", b""), repr=False, compare=False)
    content_headers: tuple[tuple[bytes, bytes], ...] = field(default=(), repr=False, compare=False)

    def __post_init__(self) -> None:
        content_type = self.media_type
        # As Starlette's Response does: text types are labelled UTF-8.
        if content_type.startswith("text/") and "charset=" not in content_type.lower():
            content_type += "; charset=utf-8"
        object.__setattr__(self, "etag_header", (b"etag", self.etag.encode("latin-1")))
        object.__setattr__(
            self,
            "content_headers",
            (
                (b"content-length", str(len(self.body)).encode()),
                (b"content-type", content_type.encode("latin-1")),
            ),
        )

    @classmethod
    def of(
        cls, body: bytes, version: str, media_type: str = "application/json", status: int = 200
    ) -> Rendered:
        # Strong validator from the dataset version and the exact bytes of the answer.
        digest = hashlib.blake2b(body, digest_size=8).hexdigest()
        return cls(body, f'"{version}-{digest}"', media_type, status)


class Prepared:
    """An answer ready to send: status, body and raw headers, all bytes already.

    A plain ASGI app, not a Response: the edge sends cached hot answers with it
    (api/hotroutes.py), where building a Response would be most of the work left.
    Endpoints wrap it in a ``PreparedResponse``; both send the same bytes.
    """

    # Not a frozen dataclass: one is made per hot answer, and a frozen dataclass pays an
    # object.__setattr__ per field.
    __slots__ = ("body", "headers", "status")

    def __init__(self, status: int, body: bytes, headers: RawHeaders) -> None:
        self.status = status
        self.body = body
        self.headers = headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": self.status, "headers": self.headers})
        await send({"type": "http.response.body", "body": self.body})


class PreparedResponse(Response):
    """A response whose raw headers are already built (see ``cached_response``)."""

    def __init__(self, body: bytes, status_code: int, raw_headers: RawHeaders) -> None:
        # No media type: Response adds only a Content-Length (none to a 304), which the
        # prepared headers replace, since they already carry it as bytes.
        super().__init__(body, status_code)
        self.raw_headers = raw_headers

    @classmethod
    def of(cls, prepared: Prepared) -> PreparedResponse:
        return cls(prepared.body, prepared.status, prepared.headers)


@lru_cache(maxsize=32)
def _cache_control(max_age: int) -> tuple[bytes, bytes]:
    value = (
        f"public, max-age={max_age}, stale-while-revalidate={max_age * 12}, "
        f"stale-if-error={max(max_age * 288, 86400)}"
    )
    return b"cache-control", value.encode()


def _etag_matches(header: str, etag: str) -> bool:
    if header.strip() == "*":
        return True
    # Weak comparison, as RFC 9110 asks of If-None-Match.
    return any(tag.strip().removeprefix("W/") == etag for tag in header.split(","))


def _if_none_match(scope: Scope) -> str | None:
    # Read from the raw scope: building request.headers costs more than the scan.
    for name, value in scope["headers"]:
        if name == b"if-none-match":
            return str(value.decode("latin-1"))
    return None


def validator_headers(etag: str, max_age: int, vary: str | None = None) -> RawHeaders:
    """ETag, Cache-Control and Vary: what a 200 and its 304 share."""
    headers: RawHeaders = [(b"etag", etag.encode("latin-1")), _cache_control(max_age)]
    if vary:
        headers.append((b"vary", vary.encode("latin-1")))
    return headers


def not_modified(request: Request, etag: str) -> bool:
    return _not_modified(request.scope, etag)


def _not_modified(scope: Scope, etag: str) -> bool:
    if_none_match = _if_none_match(scope)
    return if_none_match is not None and _etag_matches(if_none_match, etag)


def cached_response(
    request: Request,
    rendered: Rendered,
    *,
    max_age: int,
    vary: str | None = None,
) -> Response:
    return cached_response_for(request.scope, rendered, max_age=max_age, vary=vary)


def cached_response_for(
    scope: Scope,
    rendered: Rendered,
    *,
    max_age: int,
    vary: str | None = None,
) -> Response:
    """``cached_response`` from the raw ASGI scope."""
    return PreparedResponse.of(prepare(scope, rendered, max_age=max_age, vary=vary))


def prepare(scope: Scope, rendered: Rendered, *, max_age: int, vary: str | None = None) -> Prepared:
    """The answer to send for ``rendered``: a 304 when the request's validator matches."""
    headers: RawHeaders = [rendered.etag_header, _cache_control(max_age)]
    if vary:
        headers.append((b"vary", vary.encode("latin-1")))
    if rendered.status == 200 and _not_modified(scope, rendered.etag):
        return Prepared(304, b"", headers)
    headers.extend(rendered.content_headers)
    return Prepared(rendered.status, rendered.body, headers)
