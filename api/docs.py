"""``GET /docs``: the API reference, Swagger UI on the OpenAPI document.

The page is the site's own layout (header, nav, footer) around a container that Swagger
UI fills in the browser from ``/openapi.json``: that document stays the one source of
what the reference says. Swagger UI's files come from the pinned ``swagger-ui-py``
package (api/assets.py) and its configuration from ``/static/docs.js``, a file rather
than an inline script, so the page's Content-Security-Policy keeps ``script-src 'self'``
and needs one relaxation only: ``connect-src 'self'`` (api/middleware.py, DOCS_CSP).
Nothing on the page asks anything of another origin: it works offline.
"""

from __future__ import annotations

from api import assets
from api.pages.templating import render_page
from ratings.dataset import Dataset

OPENAPI_URL = "/openapi.json"
# The element Swagger UI renders into; static/docs.js finds it by this id.
CONTAINER_ID = "swagger-ui"


def docs_assets() -> tuple[str, ...]:
    """The versioned URLs /docs loads: part of its cache key, so new files mean a new page."""
    return (
        assets.href(assets.SWAGGER_UI_STYLES),
        assets.href(assets.SWAGGER_UI_SCRIPT),
        assets.href("docs.js"),
    )


def render_docs(openapi_version: str, dataset: Dataset | None) -> bytes:
    styles, bundle, init = docs_assets()
    return render_page(
        "docs.html",
        title="API reference",
        description="Interactive reference of the Candor rating API (OpenAPI).",
        dataset=dataset,
        current="api",
        styles=(styles,),
        scripts=(bundle, init),
        # The reference page names only its own files (tests/api/test_docs.py).
        feeds=(),
        grade_tiles=False,
        openapi_url=OPENAPI_URL,
        openapi_version=openapi_version,
        container_id=CONTAINER_ID,
    )
