"""/v1/bundle is kept gzip-compressed only and decompressed on the fly for clients that
do not take gzip: both bodies, their lengths and their validators must be exact."""

from __future__ import annotations

import gzip
import json

import httpx
from starlette.applications import Starlette

from ratings.bundle import build_bundle


async def test_plain_body_is_the_exact_document_with_its_own_validator(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    dataset = app.state.candor.read_path.dataset
    expected = json.dumps(build_bundle(dataset), separators=(",", ":"), ensure_ascii=False)
    plain = await client.get("/v1/bundle", headers={"Accept-Encoding": "identity"})
    assert plain.status_code == 200
    assert plain.content == expected.encode()
    assert int(plain.headers["content-length"]) == len(plain.content)
    assert plain.headers["content-type"] == "application/json"
    assert "content-encoding" not in plain.headers
    assert plain.headers["etag"].startswith(f'"{dataset.version}-')
    assert "max-age=" in plain.headers["cache-control"]
    again = await client.get(
        "/v1/bundle",
        headers={"Accept-Encoding": "identity", "If-None-Match": plain.headers["etag"]},
    )
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == plain.headers["etag"]


async def test_gzip_body_is_deterministic_and_decompresses_to_the_plain_one(
    client: httpx.AsyncClient,
) -> None:
    # A raw client: httpx would otherwise decompress the body for us.
    packed = await client.get("/v1/bundle", headers={"Accept-Encoding": "gzip"})
    plain = await client.get("/v1/bundle", headers={"Accept-Encoding": "identity"})
    raw = await packed.aread()
    assert packed.headers["content-encoding"] == "gzip"
    assert raw == plain.content  # httpx decoded it: the bodies agree
    body = gzip.compress(plain.content, compresslevel=9, mtime=0)
    assert int(packed.headers["content-length"]) == len(body)
