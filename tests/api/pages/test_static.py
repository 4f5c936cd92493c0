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


def _rule(css: str, selector: str) -> str:
    rule = re.search(rf"\.{selector}\s*\{{([^}}]*)\}}", css)
    assert rule is not None, selector
    return rule.group(1)


async def test_grade_tiles_are_coloured_from_the_methodology(client: httpx.AsyncClient) -> None:
    page = Page((await client.get("/")).text)
    hrefs = [str(link["href"]) for link in page.all("link", rel="stylesheet")]
    grades_href = next(h for h in hrefs if h.startswith("/grades.css?v="))
    response = await client.get(grades_href)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/css; charset=utf-8"
    assert "immutable" in response.headers["cache-control"]
    css = response.text
    for grade, colours in GRADE_COLOURS.items():
        assert f"background: {colours.background}" in _rule(css, f"grade-{grade}")
        assert f"color: {colours.text}" in _rule(css, f"grade-{grade}")
    # An old or missing version is still answered, but only cached briefly.
    unversioned = await client.get("/grades.css")
    assert unversioned.text == css
    assert "immutable" not in unversioned.headers["cache-control"]
    # The site's stylesheet colours only the "review in progress" tile itself: the grade
    # letters' colours are the methodology's, never a second copy.
    site_css = CSS.read_text()
    assert INSUFFICIENT.background in _rule(site_css, "grade-none")
    assert not re.search(r"\.grade-[A-Z]\b", site_css)
