"""The floor: a bare Starlette app that answers the hot-path routes with a fixed JSON body
of the same size as Candor's answer, served by uvicorn with the same settings as
``candor serve`` (api/cli/serve.py). Candor's throughput divided by this one's is the share of
the framework-and-server budget that Candor keeps.

Run as ``python -m benchmarks.floor --port P`` with FLOOR_RATING_BYTES and
FLOOR_LOOKUP_BYTES set to the body sizes to mimic. With FLOOR_HEADERS (a JSON list of
[name, value] pairs) it also sends those headers: Candor's own set, fixed, to tell the
cost of the headers the API contract requires from the cost of Candor's code.
"""

from __future__ import annotations

import argparse
import json
import os

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


def _body(size: int) -> bytes:
    # {"x":"aaa..."}: valid JSON of exactly ``size`` bytes (at least 8).
    return b'{"x":"' + b"a" * max(0, size - 8) + b'"}'


def create_app() -> Starlette:
    rating = _body(int(os.environ.get("FLOOR_RATING_BYTES", "540")))
    lookup = _body(int(os.environ.get("FLOOR_LOOKUP_BYTES", "640")))
    headers = dict(json.loads(os.environ.get("FLOOR_HEADERS", "[]")))

    async def rating_route(request: Request) -> Response:
        return Response(rating, media_type="application/json", headers=headers)

    async def lookup_route(request: Request) -> Response:
        return Response(lookup, media_type="application/json", headers=headers)

    return Starlette(
        routes=[
            Route("/v1/ratings/{host}", rating_route, methods=["GET"]),
            Route("/v1/lookup", lookup_route, methods=["GET"]),
        ]
    )


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--log-level", default="warning")
    args = parser.parse_args()
    # Keep in step with serve in api/cli/serve.py: same server, same options.
    uvicorn.run(
        "benchmarks.floor:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=1,
        log_level=args.log_level,
        server_header=False,
        date_header=True,
        access_log=False,
    )


if __name__ == "__main__":
    main()
