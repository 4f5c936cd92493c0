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
from api.html import Html, join, tag
from api.pages import layout
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
    main: Html = join(
        [
            tag("h1", None, "API reference"),
            tag(
                "p",
                None,
                "Every operation of the Candor rating API, with its parameters, answers and "
                "schemas. Open one and choose ",
                tag("em", None, "Try it out"),
                " to call it from this page. The machine-readable document is ",
                tag("a", {"href": OPENAPI_URL}, tag("code", None, OPENAPI_URL)),
                f" (OpenAPI {openapi_version}); the site's data is also at ",
                tag("a", {"href": "/"}, "the list of rated services"),
                " and the rules that grade it at ",
                tag("a", {"href": "/methodology"}, "the methodology"),
                ".",
            ),
            tag(
                "noscript",
                None,
                tag(
                    "p",
                    {"class": "notice"},
                    "The interactive reference needs JavaScript. Everything it shows is in ",
                    tag("a", {"href": OPENAPI_URL}, tag("code", None, OPENAPI_URL)),
                    ".",
                ),
            ),
            tag(
                "div",
                {
                    "id": CONTAINER_ID,
                    "class": "api-reference",
                    "data-openapi-url": OPENAPI_URL,
                },
            ),
        ],
        "\n",
    )
    return layout(
        title="API reference",
        main=main,
        current="api",
        description="Interactive reference of the Candor rating API (OpenAPI).",
        dataset=dataset,
        styles=(styles,),
        scripts=(bundle, init),
        # The reference page names only its own files (tests/api/test_docs.py).
        feeds=(),
    )
