"""The SVG grade badges: valid XML, the right colours and words, status codes, caching."""

from __future__ import annotations

import dataclasses
import datetime as dt
import xml.etree.ElementTree as ET

import httpx
import pytest
from starlette.applications import Starlette

from api.badges import Badge, badge_for, render_badge
from api.palette import (
    BLACK,
    DISCONTINUED,
    INSUFFICIENT,
    LABEL,
    NOT_RATED,
    UNCOLOURED,
    WHITE,
    Colours,
    colours_for,
    contrast_ratio,
    grade_colours,
)
from ratings.dataset import Dataset, dataset_from_fixtures
from ratings.fixtures import read_fixtures
from tests.conftest import FIXTURES

EXPECTED = dataset_from_fixtures(read_fixtures(FIXTURES))
GRADE_COLOURS = grade_colours(EXPECTED.methodology)
SVG = "{http://www.w3.org/2000/svg}"


def parse(body: bytes) -> ET.Element:
    root = ET.fromstring(body)  # raises on anything that is not well-formed XML
    assert root.tag == f"{SVG}svg"
    return root


def texts(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iter(f"{SVG}text")]


def fills(root: ET.Element) -> list[str]:
    return [r.attrib["fill"] for r in root.iter(f"{SVG}rect") if "fill" in r.attrib]


async def test_every_service_has_a_valid_badge(client: httpx.AsyncClient) -> None:
    for rating in EXPECTED.ratings.values():
        response = await client.get(f"/v1/services/{rating.slug}/badge.svg")
        assert response.status_code == 200, rating.slug
        assert response.headers["content-type"] == "image/svg+xml"
        assert response.headers["etag"] and "max-age=" in response.headers["cache-control"]
        root = parse(response.content)
        label, value = texts(root)
        assert label == "candor"
        assert root.attrib["role"] == "img" and rating.name in root.attrib["aria-label"]
        title = root.find(f"{SVG}title")
        assert title is not None and rating.name in (title.text or "")
        discontinued = rating.status == "discontinued"
        if rating.grade is None:
            assert value == ("discontinued" if discontinued else "?")
        else:
            assert value == (f"{rating.grade} (discontinued)" if discontinued else rating.grade)
        expected = (
            DISCONTINUED
            if discontinued
            else GRADE_COLOURS[rating.grade]
            if rating.grade
            else INSUFFICIENT
        )
        assert expected.background in fills(root)


async def test_graded_badge_uses_the_grade_colour(client: httpx.AsyncClient) -> None:
    graded = next(r for r in EXPECTED.ratings.values() if r.grade and r.status == "active")
    root = parse((await client.get(f"/v1/services/{graded.slug}/badge.svg")).content)
    assert fills(root)[-2:] == [LABEL.background, GRADE_COLOURS[graded.grade].background]  # type: ignore[index]
    value = list(root.iter(f"{SVG}text"))[1]
    assert value.attrib["fill"] == GRADE_COLOURS[graded.grade].text  # type: ignore[index]


async def test_unknown_service_is_a_grey_404_badge(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/services/no-such-service/badge.svg")
    assert response.status_code == 404
    assert response.headers["content-type"] == "image/svg+xml"
    root = parse(response.content)
    assert texts(root) == ["candor", "not rated"]
    assert NOT_RATED.background in fills(root)


async def test_styles(client: httpx.AsyncClient) -> None:
    flat = parse((await client.get("/v1/services/zoom/badge.svg?style=flat")).content)
    default = parse((await client.get("/v1/services/zoom/badge.svg")).content)
    plain = parse((await client.get("/v1/services/zoom/badge.svg?style=plain")).content)
    assert ET.tostring(flat) == ET.tostring(default)
    assert any(r.attrib.get("rx") for r in flat.iter(f"{SVG}rect"))
    assert not any(r.attrib.get("rx") for r in plain.iter(f"{SVG}rect"))
    assert plain.find(f"{SVG}clipPath") is None
    # No gradients in either style.
    for root in (flat, plain):
        assert root.find(f".//{SVG}linearGradient") is None


@pytest.mark.parametrize("style", ["round", "", "FLAT", "flat-square", "<x>"])
async def test_invalid_style_is_a_400_problem(client: httpx.AsyncClient, style: str) -> None:
    response = await client.get("/v1/services/zoom/badge.svg", params={"style": style})
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 400 and "style" in body["detail"]


async def test_badges_are_conditional_gets(client: httpx.AsyncClient) -> None:
    first = await client.get("/v1/services/zoom/badge.svg")
    again = await client.get(
        "/v1/services/zoom/badge.svg", headers={"If-None-Match": first.headers["etag"]}
    )
    assert again.status_code == 304 and again.content == b""
    plain = await client.get("/v1/services/zoom/badge.svg?style=plain")
    assert plain.headers["etag"] != first.headers["etag"]


async def test_badge_text_is_xml_escaped(app: Starlette, client: httpx.AsyncClient) -> None:
    state = app.state.candor
    base: Dataset = state.read_path.dataset
    odd = dataclasses.replace(
        base.ratings["zoom"],
        slug="odd",
        name="A & B <script>alert(\"x\")</script> 'Co'",
        domains=("odd.example",),
        meeting_patterns=(),
    )
    state.read_path.replace(
        Dataset.build(
            base.version + "-odd",
            base.methodology,
            [*base.ratings.values(), odd],
            dt.datetime.now(dt.UTC),
        )
    )
    response = await client.get("/v1/services/odd/badge.svg")
    assert response.status_code == 200
    root = parse(response.content)
    assert "<script>" not in response.text
    assert root.attrib["aria-label"].startswith('Candor rating of A & B <script>alert("x")')
    assert root.find(f"{SVG}script") is None


def test_rendered_badges_parse_for_odd_values() -> None:
    for value in ("&", "<>", '"', "'", "ünïcødé", "x" * 200):
        for style in ("flat", "plain"):
            root = parse(render_badge(Badge(value, value, NOT_RATED, value), style))
            assert texts(root) == [value, value]
            assert int(root.attrib["width"]) > 0


def test_badge_for_each_kind() -> None:
    zoom = EXPECTED.ratings["zoom"]
    methodology = EXPECTED.methodology
    assert badge_for(None, methodology).value == "not rated"
    assert badge_for(zoom, methodology).value == zoom.grade
    gone = dataclasses.replace(zoom, status="discontinued")
    assert badge_for(gone, methodology).value == f"{zoom.grade} (discontinued)"
    assert badge_for(gone, methodology).colours == DISCONTINUED
    unknown = dataclasses.replace(zoom, grade=None, score=None)
    assert badge_for(unknown, methodology).value == "?"
    assert badge_for(unknown, methodology).colours == INSUFFICIENT


@pytest.mark.parametrize(
    ("name", "colours"),
    [
        *((f"grade {g}", c) for g, c in GRADE_COLOURS.items()),
        ("insufficient", INSUFFICIENT),
        ("discontinued", DISCONTINUED),
        ("not rated", NOT_RATED),
        ("label", LABEL),
    ],
)
def test_palette_text_contrast_is_at_least_4_5(name: str, colours: Colours) -> None:
    assert contrast_ratio(colours.background, colours.text) >= 4.5, name


def test_contrast_ratio_reference_values() -> None:
    assert contrast_ratio(BLACK, WHITE) == pytest.approx(21)
    assert contrast_ratio("#777777", WHITE) == pytest.approx(4.48, abs=0.01)


def test_grade_colours_are_the_methodologys() -> None:
    """Each letter's colours are the ones methodology.yaml gives it, in its order; a
    letter it gives none, or a methodology stored before it had colours, is neutral."""
    methodology = EXPECTED.methodology
    given = methodology.grading.grade_colours
    assert given is not None
    assert list(GRADE_COLOURS) == list(methodology.grades)
    for letter, colours in GRADE_COLOURS.items():
        assert colours == Colours(given[letter].background, given[letter].text)
        assert colours_for(letter, methodology) == colours
    assert colours_for("Q", methodology) == UNCOLOURED
    bare = methodology.model_copy(
        update={"grading": methodology.grading.model_copy(update={"grade_colours": None})}
    )
    assert set(grade_colours(bare).values()) == {UNCOLOURED}
    fixed = {INSUFFICIENT.background, DISCONTINUED.background, UNCOLOURED.background}
    assert not fixed & {c.background for c in GRADE_COLOURS.values()}


async def test_the_bundle_carries_the_same_colours(client: httpx.AsyncClient) -> None:
    grades = (await client.get("/v1/bundle")).json()["methodology"]["grades"]
    assert {g["letter"]: Colours(**g["colours"]) for g in grades} == GRADE_COLOURS
