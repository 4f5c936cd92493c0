"""Cacheable answers: a body rendered once, with a strong ETag, served with 304s."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response


@dataclass(frozen=True, slots=True)
class Rendered:
    """A rendered answer body and its validator, kept in the answer cache."""

    body: bytes
    etag: str
    media_type: str = "application/json"
    status: int = 200

    @classmethod
    def of(
        cls, body: bytes, version: str, media_type: str = "application/json", status: int = 200
    ) -> Rendered:
        # Strong validator from the dataset version and the exact bytes of the answer.
        digest = hashlib.blake2b(body, digest_size=8).hexdigest()
        return cls(body, f'"{version}-{digest}"', media_type, status)


def _etag_matches(header: str, etag: str) -> bool:
    if header.strip() == "*":
        return True
    # Weak comparison, as RFC 9110 asks of If-None-Match.
    return any(tag.strip().removeprefix("W/") == etag for tag in header.split(","))


def cached_response(
    request: Request,
    rendered: Rendered,
    *,
    max_age: int,
    vary: str | None = None,
) -> Response:
    headers = {
        "ETag": rendered.etag,
        "Cache-Control": (
            f"public, max-age={max_age}, stale-while-revalidate={max_age * 12}, "
            f"stale-if-error={max(max_age * 288, 86400)}"
        ),
    }
    if vary:
        headers["Vary"] = vary
    if_none_match = request.headers.get("if-none-match")
    if if_none_match and rendered.status == 200 and _etag_matches(if_none_match, rendered.etag):
        return Response(status_code=304, headers=headers)
    return Response(
        rendered.body, status_code=rendered.status, media_type=rendered.media_type, headers=headers
    )
