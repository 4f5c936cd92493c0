"""The open dataset: ``GET /v1/dataset.json`` and ``GET /v1/dataset.csv`` (CC BY 4.0).

Versioned and cacheable like the bundle: the body is built once per dataset version (in a
worker thread), kept gzipped, served with a strong ETag and 304s. The licence travels with
every answer as a ``Link: <...>; rel="license"`` header as well as inside the files.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator

from starlette.requests import Request
from starlette.responses import Response

from api.compressed import Compressed, compress, serve
from api.state import state_of
from ratings.dataset import Dataset
from ratings.opendata import CSV_NAME, JSON_NAME, LICENSE_URL, encode_csv, encode_json

_LICENSE_LINK = (b"link", f'<{LICENSE_URL}>; rel="license"'.encode())


def _render(
    dataset: Dataset, encode: Callable[[Dataset], Iterator[bytes]], media_type: str
) -> Compressed:
    return compress(encode(dataset), dataset.version, media_type)


async def _download(
    request: Request,
    kind: str,
    encode: Callable[[Dataset], Iterator[bytes]],
    media_type: str,
    filename: str,
) -> Response:
    state = state_of(request)
    dataset = state.read_path.dataset
    answer = await state.downloads.get(
        (dataset.version, kind),
        lambda: asyncio.to_thread(_render, dataset, encode, media_type),
    )
    # A download, under a versioned file name, so that saved releases do not overwrite
    # each other (API clients ignore the header; browsers and Swagger UI save the file
    # rather than render half a megabyte of JSON).
    stem, _, suffix = filename.rpartition(".")
    disposition = f'attachment; filename="candor-{stem}-{dataset.version}.{suffix}"'
    extra = [_LICENSE_LINK, (b"content-disposition", disposition.encode())]
    return serve(request, answer, state.settings.cache_max_age, extra)


async def dataset_json(request: Request) -> Response:
    return await _download(request, "json", encode_json, "application/json", JSON_NAME)


async def dataset_csv(request: Request) -> Response:
    return await _download(request, "csv", encode_csv, "text/csv", CSV_NAME)
