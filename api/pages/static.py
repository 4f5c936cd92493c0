"""``/static/{name}``: the stylesheet and scripts the pages name, and ``/favicon.ico``."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from api import assets
from api.pages.common import error_page
from api.pages.versioned import versioned_response


async def static_asset(request: Request) -> Response:
    name = request.path_params["name"]
    if name not in assets.FILES:
        return error_page(request, 404, "Not found", "There is no such file.")
    asset = assets.asset(name)
    # The gzip form when the client takes it: one representation per encoding, each with
    # its own ETag, and Vary tells caches in front which one they hold.
    wants_gzip = "gzip" in request.headers.get("accept-encoding", "").lower()
    rendered = asset.gzipped if wants_gzip else asset.plain
    response = versioned_response(request, rendered, asset.digest, vary="Accept-Encoding")
    if wants_gzip and response.status_code == 200:
        response.headers["Content-Encoding"] = "gzip"
    return response


async def favicon(request: Request) -> Response:
    """No icon, and no 404 for asking: the pages name an empty one, but a feed or a file
    a browser shows on its own (an XML document cannot name one) makes it ask here."""
    return Response(status_code=204, headers={"Cache-Control": "public, max-age=86400"})
