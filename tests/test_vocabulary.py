"""One vocabulary, end to end: a grade added to methodology.yaml, with its threshold,
meaning and colours, reaches the API, the pages, the SVG badge and a bundle the extension
takes, with no change anywhere else.

The new letter is "E" between D and F, with a threshold that moves every F at or above it
onto E, and colours no other letter or state uses: whatever shows them can only have
taken them from the methodology.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx
import yaml
from tortoise.context import TortoiseContext

from api.app import create_app
from api.settings import Settings
from ratings.dataset import dataset_from_fixtures
from ratings.fixtures import read_fixtures
from ratings.loader import sync_fixtures
from tests.conftest import FIXTURES, ROOT

E_THRESHOLD = 30
E_MEANING = "Poor: a few commitments, far from the baseline."
E_COLOURS = {"background": "#AA4499", "text": "#FFFFFF"}  # Tol's purple, in no palette here
SVG = "{http://www.w3.org/2000/svg}"
# Runs the extension's own validator on a bundle file and prints what it made of grade E,
# and the colours its toolbar badge would use for it.
VALIDATE = """
import { readFileSync } from 'node:fs';
import { validateBundle } from './src/lib/bundle.js';
import { gradeColours } from './src/lib/badge.js';
const bundle = validateBundle(JSON.parse(readFileSync(process.argv[1], 'utf8')));
const grade = bundle.methodology.grades.find((g) => g.letter === 'E');
const services = bundle.services.filter((s) => s.grade === 'E').map((s) => s.slug);
const badge = gradeColours('E', bundle.methodology);
console.log(JSON.stringify({ grade, services, badge }));
"""


class _Text(HTMLParser):
    """A page's text as a reader sees it, whatever the markup around it."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def page_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def add_grade_e(directory: Path) -> None:
    path = directory / "methodology.yaml"
    data: dict[str, Any] = yaml.safe_load(path.read_text())
    grading = data["grading"]
    assert "E" not in grading["thresholds"], "the fixtures already have an E: pick another letter"
    grading["thresholds"] = {**grading["thresholds"], "E": E_THRESHOLD}
    grading["grade_meanings"]["E"] = E_MEANING
    grading["grade_colours"]["E"] = E_COLOURS
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))


def validate_in_extension(bundle: dict[str, Any], tmp_path: Path) -> dict[str, Any]:
    extension = ROOT / "extension"
    assert (extension / "node_modules" / "tldts").is_dir(), (
        "the extension's dependencies are missing: npm --prefix extension ci"
    )
    file = tmp_path / "bundle.json"
    file.write_text(json.dumps(bundle))
    done = subprocess.run(
        ["node", "--input-type=module", "-e", VALIDATE, str(file)],
        cwd=extension,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


async def test_a_grade_added_to_the_methodology_reaches_every_surface(
    db: TortoiseContext, tmp_path: Path
) -> None:
    before = dataset_from_fixtures(read_fixtures(FIXTURES))
    # Every F at or above the new threshold becomes an E; nothing else moves.
    moved = {
        slug
        for slug, r in before.ratings.items()
        if r.grade == "F" and r.score is not None and r.score >= E_THRESHOLD
    }
    assert moved, "no service would land on E: lower E_THRESHOLD"

    fixtures = tmp_path / "fixtures"
    shutil.copytree(FIXTURES, fixtures)
    add_grade_e(fixtures)
    await sync_fixtures(read_fixtures(fixtures))
    app = create_app(
        Settings(database_url="unused://", rate_limit_per_minute=100_000),
        manage_database=False,
    )
    await app.state.candor.read_path.refresh()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        graded_e = {
            slug
            for slug in before.ratings
            if (await client.get(f"/v1/services/{slug}")).json()["grade"] == "E"
        }
        assert graded_e == moved

        slug = sorted(moved)[0]
        name = before.ratings[slug].name
        service_page = page_text((await client.get(f"/services/{slug}")).text)
        assert name in service_page
        assert re.search(r"\bE\b", service_page), "the letter is on the service page"
        assert E_MEANING in service_page

        home = await client.get("/")
        assert home.status_code == 200
        home_text = page_text(home.text)
        assert f"grade E: {len(moved)} service" in home_text
        assert name in home_text
        grades_href = re.search(r'href="(/grades\.css\?v=[0-9a-f]+)"', home.text)
        assert grades_href is not None, "the pages link the grade stylesheet"
        grades_css = (await client.get(grades_href.group(1))).text
        tile = re.search(r"\.grade-E \{([^}]*)\}", grades_css)
        assert tile is not None, "the E tile has a colour on the pages"
        assert E_COLOURS["background"] in tile.group(1)

        badge = ET.fromstring((await client.get(f"/v1/services/{slug}/badge.svg")).content)
        fills = [r.attrib["fill"] for r in badge.iter(f"{SVG}rect") if "fill" in r.attrib]
        assert fills[-1] == E_COLOURS["background"]
        value = [t for t in badge.iter(f"{SVG}text")][-1]
        assert (value.text, value.attrib["fill"]) == ("E", E_COLOURS["text"])

        bundle = (await client.get("/v1/bundle")).json()

    taken = validate_in_extension(bundle, tmp_path)
    assert taken["grade"] == {
        "letter": "E",
        "min_score": E_THRESHOLD,
        "meaning": E_MEANING,
        "colours": E_COLOURS,
    }
    assert set(taken["services"]) == moved
    assert taken["badge"] == E_COLOURS
