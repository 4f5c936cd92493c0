"""The open dataset: dataset.csv round-trips to every grade the API serves, the JSON says
the same, both carry the licence, are versioned and cacheable, and `candor dataset export`
writes the same bytes plus a Data Package that validates."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import subprocess
from collections import defaultdict
from pathlib import Path
from typing import Any

import httpx
from frictionless import Package

from ratings.opendata import FIELD_NAMES, LICENSE_ID, LICENSE_URL
from tests.conftest import FIXTURES, ROOT
from tests.process import CANDOR
from tests.ratings.test_methodology_doc import recompute


def parse_csv(body: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(body.decode("utf-8"), newline="")))


async def test_every_grade_rebuilds_from_the_csv_alone(client: httpx.AsyncClient) -> None:
    """The CSV and the published methodology are enough: an independent recomputation
    (tests/ratings/test_methodology_doc.py) gets every grade and score the API serves."""
    rows = parse_csv((await client.get("/v1/dataset.csv")).content)
    methodology = (await client.get("/v1/methodology")).json()
    by_service: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in rows:
        by_service[row["slug"]].append(row)
    served = (await client.get("/v1/services", params={"per_page": 100})).json()
    assert served["total"] == len(by_service) and served["total"] > 50
    criteria = [c["id"] for c in methodology["criteria"]]
    for summary in served["items"]:
        own = by_service[summary["slug"]]
        assert [r["criterion"] for r in own] == criteria
        levels = {r["criterion"]: r["level"] for r in own}
        periods = {
            r["criterion"]: dt.date.fromisoformat(r["latest_period_end"])
            for r in own
            if r["latest_period_end"]
        }
        (reviewed_on,) = {r["reviewed_on"] for r in own}
        score, grade = recompute(methodology, levels, periods, dt.date.fromisoformat(reviewed_on))
        assert (score, grade) == (summary["score"], summary["grade"]), summary["slug"]
        # The rows also say the grade, and say it right.
        assert {(r["grade"] or None, int(r["score"]) if r["score"] else None) for r in own} == {
            (grade, score)
        }
        detail = (await client.get(f"/v1/services/{summary['slug']}")).json()
        for row, criterion in zip(own, detail["criteria"], strict=True):
            assert row["evidence"] == (criterion["evidence"] or "")
            assert row["source_urls"].split() == [s["url"] for s in criterion["sources"]]
            assert row["source_kinds"].split() == [s["kind"] for s in criterion["sources"]]
            assert row["counted_level"] == criterion["counted_level"]


async def test_csv_and_json_carry_the_same_rows_and_the_licence(
    client: httpx.AsyncClient,
) -> None:
    csv_answer = await client.get("/v1/dataset.csv")
    json_answer = await client.get("/v1/dataset.json")
    for answer in (csv_answer, json_answer):
        assert answer.status_code == 200
        assert answer.headers["link"] == f'<{LICENSE_URL}>; rel="license"'
        assert answer.headers["etag"] and "max-age" in answer.headers["cache-control"]
        assert answer.headers["vary"].startswith("Accept-Encoding")
    assert csv_answer.headers["content-type"] == "text/csv; charset=utf-8"
    rows = parse_csv(csv_answer.content)
    assert tuple(rows[0]) == FIELD_NAMES
    assert {row["license"] for row in rows} == {LICENSE_ID}
    document = json_answer.json()
    assert document["license"] == {
        "id": LICENSE_ID,
        "name": "Creative Commons Attribution 4.0 International",
        "url": LICENSE_URL,
    }
    version = (await client.get("/readyz")).json()["dataset_version"]
    assert document["dataset_version"] == version
    assert {row["dataset_version"] for row in rows} == {version}
    assert len(document["rows"]) == len(rows)
    for row, item in zip(rows, document["rows"], strict=True):
        assert item["slug"] == row["slug"] and item["criterion"] == row["criterion"]
        assert [s["url"] for s in item["sources"]] == row["source_urls"].split()
        assert item["level"] == row["level"] and (item["evidence"] or "") == row["evidence"]
    assert f"candor-dataset-{version}.csv" in csv_answer.headers["content-disposition"]


async def test_gzip_and_304(client: httpx.AsyncClient) -> None:
    plain = await client.get("/v1/dataset.csv", headers={"Accept-Encoding": "identity"})
    packed = await client.get("/v1/dataset.csv", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in plain.headers
    assert packed.headers["content-encoding"] == "gzip"
    assert packed.content == plain.content  # httpx decodes it
    assert packed.headers["etag"] != plain.headers["etag"]
    for answer in (plain, packed):
        encoding = "gzip" if answer is packed else "identity"
        again = await client.get(
            "/v1/dataset.csv",
            headers={"If-None-Match": answer.headers["etag"], "Accept-Encoding": encoding},
        )
        assert again.status_code == 304
    raw = await client.get("/v1/dataset.json", headers={"Accept-Encoding": "gzip"})
    assert raw.headers["content-encoding"] == "gzip" and json.loads(raw.content)["rows"]


def test_export_writes_the_served_bytes_and_a_valid_data_package(tmp_path: Path) -> None:
    out = tmp_path / "release"
    result = subprocess.run(
        [CANDOR, "dataset", "export", str(out), "--fixtures", str(FIXTURES)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == [
        "datapackage.json",
        "dataset.csv",
        "dataset.json",
    ]
    package: dict[str, Any] = json.loads((out / "datapackage.json").read_text())
    assert package["licenses"][0]["name"] == LICENSE_ID
    assert package["licenses"][0]["path"] == LICENSE_URL
    report = Package(str(out / "datapackage.json")).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]
    rows = parse_csv((out / "dataset.csv").read_bytes())
    tasks = {task.name: task for task in report.tasks}
    assert tasks["ratings"].stats["rows"] == len(rows)
    # A corrupted file no longer matches the package's hash: the check can fail.
    (out / "dataset.csv").write_bytes(
        (out / "dataset.csv").read_bytes().replace(b"full", b"fall", 1)
    )
    assert not Package(str(out / "datapackage.json")).validate().valid


async def test_the_api_serves_what_the_export_wrote(
    client: httpx.AsyncClient, tmp_path: Path
) -> None:
    from ratings.dataset import dataset_from_fixtures
    from ratings.fixtures import read_fixtures
    from ratings.opendata import export

    export(dataset_from_fixtures(read_fixtures(FIXTURES)), tmp_path)
    assert (await client.get("/v1/dataset.csv")).content == (tmp_path / "dataset.csv").read_bytes()
    assert (await client.get("/v1/dataset.json")).content == (
        tmp_path / "dataset.json"
    ).read_bytes()


async def test_the_pages_state_the_licence(client: httpx.AsyncClient) -> None:
    page = await client.get("/open-data")
    assert page.status_code == 200
    assert f'href="{LICENSE_URL}"' in page.text
    assert "Creative Commons Attribution 4.0 International" in page.text
    for path in ("/", "/services/zoom", "/changes", "/methodology"):
        footer = (await client.get(path)).text.split('<footer class="site-footer">')[1]
        assert 'href="/open-data#licence" rel="license">CC BY 4.0</a>' in footer, path
        assert 'href="/v1/dataset.csv"' in footer and 'href="/changes.atom"' in footer
    licence = (ROOT / "LICENSE-DATA").read_text()
    assert "CC BY 4.0" in licence and LICENSE_URL in licence
    readme = (ROOT / "README.md").read_text()
    assert "LICENSE-DATA" in readme and LICENSE_URL in readme
