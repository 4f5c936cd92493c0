"""The home page, through the ASGI app: the table, its filters and sorting, the chart,
caching, and the pages before the dataset loads."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

import httpx
import pytest
from starlette.applications import Starlette

from api.pages.common import e2ee_text, transparency_text
from api.palette import INSUFFICIENT, grade_colours
from ratings.dataset import Dataset
from tests.api.pages.pagetools import EXPECTED, Page, by_name, get_page
from tests.conftest import ROOT

GRADE_COLOURS = grade_colours(EXPECTED.methodology)


async def test_home_lists_every_service_with_its_columns(client: httpx.AsyncClient) -> None:
    response = await client.get("/")
    assert response.status_code == 200
    assert response.headers["etag"] and "max-age=" in response.headers["cache-control"]
    page = Page(response.text)
    assert page.row_slugs() == by_name(list(EXPECTED.ratings))
    assert page.all("meta", name="viewport")
    assert page.all("link", rel="stylesheet")[0]["href"].startswith("/static/candor.css?v=")  # type: ignore[union-attr]
    for landmark in ("header", "nav", "main", "footer", "caption"):
        assert any(name == landmark for name, _ in page.elements), landmark
    headers = page.all("th", scope="col")
    assert len(headers) == 6
    assert len(page.all("th", scope="row")) == len(EXPECTED.ratings)
    body = response.text
    for rating in EXPECTED.ratings.values():
        assert f'href="/services/{rating.slug}"' in body
    # Zoom: a full transparency report, optional end-to-end encryption.
    zoom = re.search(r'<tr[^>]*data-slug="zoom".*?</tr>', body, re.DOTALL)
    assert zoom is not None
    zoom_row = Page(zoom.group(0)).text
    assert "Yes" in zoom_row and "Optional" in zoom_row and "C" in zoom_row
    assert str(EXPECTED.ratings["zoom"].score) in zoom_row
    skype = re.search(r'<tr[^>]*data-slug="skype".*?</tr>', body, re.DOTALL)
    assert skype is not None and "Discontinued" in skype.group(0)
    assert 'class="discontinued"' in skype.group(0)


def test_column_texts() -> None:
    levels = ("full", "partial", "none", "no_disclosure", "not_assessed")
    assert [transparency_text(x) for x in levels] == [
        "Yes",
        "Yes",
        "No",
        "Not disclosed",
        "Not assessed",
    ]
    assert [e2ee_text(x) for x in levels] == [
        "On by default",
        "Optional",
        "No",
        "Not disclosed",
        "Not assessed",
    ]
    assert transparency_text(None) is None and e2ee_text("not_applicable") is None


async def test_grade_distribution_chart(client: httpx.AsyncClient) -> None:
    body = (await client.get("/")).text
    svg = re.search(r"<svg.*?</svg>", body, re.DOTALL)
    assert svg is not None
    chart = svg.group(0)
    assert 'role="img"' in chart and 'aria-labelledby="chart-title chart-desc"' in chart
    assert f'<title id="chart-title">Grade distribution of {len(EXPECTED.ratings)}' in chart
    unrated = sum(1 for r in EXPECTED.ratings.values() if r.grade is None)
    b_count = sum(1 for r in EXPECTED.ratings.values() if r.grade == "B")
    assert f"grade B: {b_count} services" in chart
    assert f"review in progress: {unrated} services" in chart
    assert GRADE_COLOURS["B"].background in chart
    assert (INSUFFICIENT.background in chart) == (unrated > 0)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("grade=B", lambda r: r.grade == "B"),
        ("grade=b", lambda r: r.grade == "B"),
        ("grade=none", lambda r: r.grade is None),
        ("status=discontinued", lambda r: r.status == "discontinued"),
        ("q=ZOOM", lambda r: "zoom" in f"{r.name} {r.company} {r.slug}".casefold()),
        ("q=meta", lambda r: "meta" in r.name.casefold() or "meta" in r.company.casefold()),
        ("grade=C&q=zoom", lambda r: r.slug == "zoom"),
        ("grade=B&q=zoom&sort=score", lambda r: False),
        ("grade=&status=&q=&sort=&order=", lambda r: True),
    ],
)
async def test_filters_change_the_rows(
    client: httpx.AsyncClient, query: str, expected: object
) -> None:
    assert callable(expected)
    page = await get_page(client, f"/?{query}")
    wanted = [r.slug for r in EXPECTED.ratings.values() if expected(r)]
    assert sorted(page.row_slugs()) == sorted(wanted)
    if not wanted:
        assert "No service matches these filters" in page.text
    # The form shows the filters in force.
    if "grade=B" in query:
        assert page.all("option", value="B", selected=None)


async def test_sorting_by_each_column(client: httpx.AsyncClient) -> None:
    ratings = list(EXPECTED.ratings.values())
    page = await get_page(client, "/?sort=score")
    scored = sorted((r for r in ratings if r.score is not None), key=lambda r: r.name.casefold())
    scored.sort(key=lambda r: r.score or 0, reverse=True)
    unscored = by_name([r.slug for r in ratings if r.score is None])
    assert page.row_slugs() == [r.slug for r in scored] + unscored
    assert page.all("th", aria_sort="descending", data_key="score")

    ascending = (await get_page(client, "/?sort=score&order=asc")).row_slugs()
    scores = [EXPECTED.ratings[s].score for s in ascending[: len(scored)]]
    assert scores == sorted(r.score or 0 for r in scored)
    assert ascending[len(scored) :] == unscored  # no score: last either way

    by_grade = (await get_page(client, "/?sort=grade")).row_slugs()
    grades = [EXPECTED.ratings[s].grade for s in by_grade]
    graded = [g for g in grades if g]
    assert graded == sorted(graded) and grades[len(graded) :] == [None] * (
        len(grades) - len(graded)
    )

    reviewed = (await get_page(client, "/?sort=reviewed&order=asc")).row_slugs()
    days = [EXPECTED.ratings[s].reviewed_on for s in reviewed]
    assert days == sorted(days)

    names = (await get_page(client, "/?sort=service&order=desc")).row_slugs()
    assert names == list(reversed(by_name(list(EXPECTED.ratings))))

    for key in ("transparency", "e2ee"):
        assert len((await get_page(client, f"/?sort={key}")).row_slugs()) == len(ratings)


async def test_sort_links_keep_filters_and_toggle_order(client: httpx.AsyncClient) -> None:
    page = await get_page(client, "/?grade=D&sort=score")
    links = [str(a["href"]) for a in page.all("a") if "sort=" in str(a.get("href"))]
    score_link = next(h for h in links if "sort=score" in h)
    assert "grade=D" in score_link and "order=asc" in score_link
    # Service is the default sort, ascending the default order: both left out of the URL.
    assert (
        "/?grade=D" in links
        or any(h == "/?grade=D" for h in links)
        or (page.all("a", href="/?grade=D"))
    )


@pytest.mark.parametrize(
    "query", ["grade=Z", "grade=AB", "status=gone", "sort=colour", "order=up", "q=" + "x" * 101]
)
async def test_bad_filters_give_a_400_page(client: httpx.AsyncClient, query: str) -> None:
    response = await client.get(f"/?{query}")
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["cache-control"] == "no-store"
    assert "<h1>" in response.text


async def test_pages_are_conditional_gets(client: httpx.AsyncClient) -> None:
    for url in ("/", "/?grade=B&sort=score", "/services/zoom", "/methodology"):
        first = await client.get(url)
        assert first.status_code == 200, url
        etag = first.headers["etag"]
        again = await client.get(url, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.content == b"", url
        assert again.headers["etag"] == etag
    home = (await client.get("/")).headers["etag"]
    filtered = (await client.get("/?grade=B")).headers["etag"]
    assert home != filtered


async def test_head_requests_work(client: httpx.AsyncClient) -> None:
    response = await client.head("/")
    assert response.status_code == 200 and response.content == b""


async def test_stale_reviews_are_flagged(app: Starlette, client: httpx.AsyncClient) -> None:
    state = app.state.candor
    base: Dataset = state.read_path.dataset
    old = dataclasses.replace(base.ratings["zoom"], stale=True, reviewed_on=dt.date(2020, 1, 2))
    ratings = [old if r.slug == "zoom" else r for r in base.ratings.values()]
    state.read_path.replace(
        Dataset.build(base.version + "-stale", base.methodology, ratings, dt.datetime.now(dt.UTC))
    )
    page = await get_page(client, "/services/zoom")
    assert "Stale review." in page.text and "2020-01-02" in page.text
    home = (await client.get("/")).text
    zoom_row = re.search(r'<tr[^>]*data-slug="zoom".*?</tr>', home, re.DOTALL)
    assert zoom_row is not None and "tag-stale" in zoom_row.group(0)
    assert "tag-stale" not in home.replace(zoom_row.group(0), "")


async def test_pages_before_the_dataset_loads() -> None:
    from api.app import create_app
    from api.settings import Settings

    application = create_app(Settings(database_url="unused://"), manage_database=False)
    transport = httpx.ASGITransport(app=application)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        for url in ("/", "/services/zoom"):
            response = await http.get(url)
            assert response.status_code == 503, url
            assert response.headers["content-type"].startswith("text/html")
            assert response.headers["cache-control"] == "no-store"
            assert response.headers["retry-after"] == "5"
        badge = await http.get("/v1/services/zoom/badge.svg")
        assert badge.status_code == 503 and badge.headers["content-type"] == "image/svg+xml"
        assert badge.headers["cache-control"] == "no-store"
        if (ROOT / "docs" / "methodology.md").exists():
            # The methodology is a file, not data: it does not wait for the dataset.
            assert (await http.get("/methodology")).status_code == 200
