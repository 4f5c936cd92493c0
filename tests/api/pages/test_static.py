"""/static: the stylesheet, cacheable for a year under its versioned URL."""

from __future__ import annotations

import re

import httpx

from api.palette import INSUFFICIENT, grade_colours
from tests.api.pages.pagetools import EXPECTED, Page
from tests.conftest import ROOT

GRADE_COLOURS = grade_colours(EXPECTED.methodology)

CSS = ROOT / "api" / "static" / "candor.css"


async def test_stylesheet_is_served_and_cacheable(client: httpx.AsyncClient) -> None:
    page = Page((await client.get("/")).text)
    href = str(page.all("link", rel="stylesheet")[0]["href"])
    response = await client.get(href)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/css; charset=utf-8"
    assert "max-age=31536000" in response.headers["cache-control"]
    assert response.content == CSS.read_bytes()
    again = await client.get(href, headers={"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304
    unversioned = await client.get("/static/candor.css")
    assert "max-age=31536000" not in unversioned.headers["cache-control"]
    for missing in ("/static/nothing.css", "/static/..%2fpages.py", "/static/"):
        assert (await client.get(missing)).status_code == 404


def test_stylesheet_uses_the_palette() -> None:
    css = CSS.read_text()
    for grade, colours in GRADE_COLOURS.items():
        rule = re.search(rf"\.grade-{grade}\s*\{{([^}}]*)\}}", css)
        assert rule is not None, grade
        assert f"background: {colours.background}" in rule.group(1)
        assert f"color: {colours.text}" in rule.group(1)
    rule = re.search(r"\.grade-none\s*\{([^}]*)\}", css)
    assert rule is not None and INSUFFICIENT.background in rule.group(1)
