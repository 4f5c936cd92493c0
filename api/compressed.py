"""Large downloads kept gzipped only: the bundle and the open-data files.

For 10,000 services these bodies are tens of megabytes as plain JSON or CSV and a
twentieth of that gzipped, so only the gzip form is kept in memory; a client that does not
take gzip (rare: browsers and HTTP libraries all do) gets the plain body decompressed on
the fly. Each representation has its own strong ETag, and ``Vary: Accept-Encoding`` tells
caches in front which one they hold.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from api.responses import (
    PreparedResponse,
    Rendered,
    cached_response,
    not_modified,
    validator_headers,
)


@dataclass(frozen=True, slots=True)
class Compressed:
    gzip: Rendered
    plain_etag: str
    plain_length: int
    media_type: str = "application/json"


def compress(pieces: Iterable[bytes], version: str, media_type: str) -> Compressed:
    """Compress a body given in pieces (never held whole in plain form)."""
    # wbits=31: a gzip container with mtime 0, the same bytes as gzip.compress(mtime=0),
    # so the same dataset always gives the same body and ETag.
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    plain_digest = hashlib.blake2b(digest_size=8)
    plain_length = 0
    packed: list[bytes] = []
    for piece in pieces:
        plain_digest.update(piece)
        plain_length += len(piece)
        packed.append(compressor.compress(piece))
    packed.append(compressor.flush())
    return Compressed(
        gzip=Rendered.of(b"".join(packed), version + "-gz", media_type),
        # As Rendered.of would label the plain body, had it been kept.
        plain_etag=f'"{version}-{plain_digest.hexdigest()}"',
        plain_length=plain_length,
        media_type=media_type,
    )


def decompressed(packed: bytes, chunk: int = 256 * 1024) -> Iterator[bytes]:
    decompressor = zlib.decompressobj(31)
    for start in range(0, len(packed), chunk):
        if piece := decompressor.decompress(packed[start : start + chunk]):
            yield piece
    if tail := decompressor.flush():
        yield tail


def serve(
    request: Request,
    answer: Compressed,
    max_age: int,
    extra: list[tuple[bytes, bytes]] | None = None,
) -> Response:
    """The gzip body to a client that takes it, the plain one streamed to others; 304s
    for either. ``extra`` headers go on the 200 answers (a Link, a Content-Disposition)."""
    wants_gzip = "gzip" in request.headers.get("accept-encoding", "").lower()
    if wants_gzip:
        response = cached_response(request, answer.gzip, max_age=max_age, vary="Accept-Encoding")
        if response.status_code == 200:
            response.headers["Content-Encoding"] = "gzip"
            for name, value in extra or ():
                response.raw_headers.append((name, value))
        return response
    headers = validator_headers(answer.plain_etag, max_age, vary="Accept-Encoding")
    if not_modified(request, answer.plain_etag):
        return PreparedResponse(b"", 304, headers)
    content_type = answer.media_type
    if content_type.startswith("text/") and "charset=" not in content_type:
        content_type += "; charset=utf-8"
    response = StreamingResponse(decompressed(answer.gzip.body), media_type=answer.media_type)
    response.raw_headers = [
        *headers,
        *(extra or ()),
        (b"content-length", str(answer.plain_length).encode()),
        (b"content-type", content_type.encode("latin-1")),
    ]
    return response
