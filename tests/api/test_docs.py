"""``GET /docs``: Swagger UI from the pinned package, on this origin only, under its CSP.

The browser test (tests/browser/pages.test.mjs) runs the page; these check what the
server sends: the page names only this origin's files, those files are served with the
right types and cache headers, and the page's policy is the strict one plus connect-src.
"""

from __future__ import annotations

import gzip
import importlib.metadata
import re
import tomllib
from urllib.parse import urlsplit

import httpx
import pytest

from api import assets
from api.middleware import DOCS_CSP, PAGE_CSP
from tests.api.pages.pagetools import Page
from tests.conftest import ROOT

YEAR = "public, max-age=31536000, immutable"


def _policy(header: str) -> dict[str, list[str]]:
    directives: dict[str, list[str]] = {}
    for part in header.split(";"):
        name, *values = part.split()
        assert name not in directives, f"{name} twice"
        directives[name] = values
    return directives


async def _docs(client: httpx.AsyncClient) -> tuple[httpx.Response, Page]:
    response = await client.get("/docs")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    return response, Page(response.text)


def _local_urls(page: Page) -> list[str]:
    urls = [
        str(attrs.get("href") or attrs.get("src"))
        for name, attrs in page.elements
        if name in ("link", "script", "img") and (attrs.get("href") or attrs.get("src"))
    ]
    return [url for url in urls if not url.startswith("data:")]


async def test_docs_names_only_this_origins_files(client: httpx.AsyncClient) -> None:
    response, page = await _docs(client)
    scripts = page.all("script")
    assert [s["src"] for s in scripts] == [
        assets.href(assets.SWAGGER_UI_SCRIPT),
        assets.href("docs.js"),
    ]
    # No inline script: each script is a file (script-src 'self' allows nothing else).
    assert re.findall(r"<script\b[^>]*>(.*?)</script>", response.text, re.S) == ["", ""]
    assert all("defer" in s for s in scripts)
    stylesheets = [s["href"] for s in page.all("link", rel="stylesheet")]
    assert stylesheets == [assets.href(assets.SWAGGER_UI_STYLES), assets.href("candor.css")]
    for url in _local_urls(page):
        parts = urlsplit(url)
        assert not parts.scheme and not parts.netloc, url
        assert parts.path.startswith("/static/"), url
    # Nothing from elsewhere anywhere in the page, links included, except Swagger UI's
    # container, which names the document it renders.
    assert not re.search(r"(?:src|href)=\"(?:https?:)?//", response.text)
    for name, attrs in page.elements:
        assert "style" not in attrs, f"inline style on <{name}>"
    assert page.all("div", id="swagger-ui", data_openapi_url="/openapi.json")
    assert page.all("a", href="/openapi.json")


async def test_docs_has_the_sites_header_and_links_back(client: httpx.AsyncClient) -> None:
    _, page = await _docs(client)
    assert page.all("a", href="/docs", aria_current="page")
    assert page.all("a", href="/") and page.all("a", href="/methodology")
    assert page.all("header", **{"class": "site-header"})
    assert page.all("footer", **{"class": "site-footer"})


async def test_docs_assets_have_their_types_and_cache_headers(client: httpx.AsyncClient) -> None:
    _, page = await _docs(client)
    urls = _local_urls(page)
    assert len(urls) == 4
    for url in urls:
        name = urlsplit(url).path.removeprefix("/static/")
        expected = assets.FILES[name].path.read_bytes()
        plain = await client.get(url, headers={"Accept-Encoding": "identity"})
        assert plain.status_code == 200, url
        assert plain.content == expected
        assert plain.headers["content-type"] == assets.FILES[name].media_type
        assert "content-encoding" not in plain.headers
        assert plain.headers["cache-control"] == YEAR
        assert plain.headers["x-content-type-options"] == "nosniff"
        assert plain.headers["vary"] == "Accept-Encoding"

        packed = await client.get(url, headers={"Accept-Encoding": "gzip"})
        assert packed.headers["content-encoding"] == "gzip"
        assert packed.content == expected  # httpx undid the gzip
        assert packed.headers["etag"] != plain.headers["etag"]
        assert packed.headers["cache-control"] == YEAR

        again = await client.get(
            url, headers={"Accept-Encoding": "gzip", "If-None-Match": packed.headers["etag"]}
        )
        assert again.status_code == 304 and not again.content
        assert "content-encoding" not in again.headers

        unversioned = await client.get(urlsplit(url).path)
        assert unversioned.status_code == 200
        assert "immutable" not in unversioned.headers["cache-control"]
    types = {assets.FILES[urlsplit(u).path.removeprefix("/static/")].media_type for u in urls}
    assert types == {"text/javascript; charset=utf-8", "text/css; charset=utf-8"}


def test_the_gzip_form_is_the_same_bytes_every_time() -> None:
    bundle = assets.asset(assets.SWAGGER_UI_SCRIPT)
    assert gzip.decompress(bundle.gzipped.body) == bundle.plain.body
    # mtime 0 in the gzip header: every replica sends the same bytes under the same ETag.
    assert bundle.gzipped.body[4:8] == b"\0\0\0\0"
    assert len(bundle.gzipped.body) < len(bundle.plain.body) / 3


@pytest.mark.parametrize(
    "path",
    [
        "/static/swagger-ui/swagger-initializer.js",  # the package's petstore demo
        "/static/swagger-ui/swagger-editor-bundle.js",
        "/static/swagger-ui/index.html",
        "/static/swagger-ui/../assets.py",
        "/static/swagger-ui/%2e%2e/docs.js",
        "/static/swagger-ui/",
        "/static/swagger-ui",
    ],
)
async def test_only_the_listed_package_files_are_served(
    client: httpx.AsyncClient, path: str
) -> None:
    assert (await client.get(path)).status_code == 404


async def test_docs_csp_is_the_page_policy_plus_connect_self(client: httpx.AsyncClient) -> None:
    response, _ = await _docs(client)
    headers = [v for k, v in response.headers.raw if k.lower() == b"content-security-policy"]
    assert headers == [DOCS_CSP]
    docs = _policy(response.headers["content-security-policy"])
    page = _policy((await client.get("/")).headers["content-security-policy"])
    assert page == _policy(PAGE_CSP.decode())
    # The one difference: Swagger UI fetches /openapi.json and sends "Try it out" calls.
    assert {k: v for k, v in docs.items() if k != "connect-src"} == page
    assert docs["connect-src"] == ["'self'"]
    assert "connect-src" not in page
    assert docs["default-src"] == ["'none'"]
    assert docs["script-src"] == ["'self'"] and docs["style-src"] == ["'self'"]
    assert not any("unsafe" in value for values in docs.values() for value in values)
    # The page's own policy is not also sent as the default one, on a 304 either.
    again = await client.get("/docs", headers={"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304


async def test_docs_is_cached_like_the_other_pages(client: httpx.AsyncClient) -> None:
    response, _ = await _docs(client)
    assert response.headers["etag"]
    assert "max-age=300" in response.headers["cache-control"]


def test_the_pinned_package_carries_swagger_ui_5() -> None:
    # OpenAPI 3.1 documents need Swagger UI 5; the venv must hold the pinned version.
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    pins = [d for d in pyproject["project"]["dependencies"] if d.startswith("swagger-ui-py")]
    assert pins == [f"swagger-ui-py=={importlib.metadata.version('swagger-ui-py')}"]
    assert assets.swagger_ui_version().startswith("5.")


def test_the_init_script_asks_nothing_of_other_origins() -> None:
    script = assets.FILES["docs.js"].path.read_text()
    # Swagger UI's default validatorUrl is an image from swagger.io.
    assert "validatorUrl: null" in script
    assert not re.search(r"https?://", script)
    assert "getElementById('swagger-ui')" in script and "dataset.openapiUrl" in script
