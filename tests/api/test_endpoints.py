from __future__ import annotations

import gzip
import json

import httpx
import pytest
from starlette.applications import Starlette

from ratings.dataset import dataset_from_fixtures
from ratings.fixtures import read_fixtures
from ratings.loader import sync_fixtures
from tests.conftest import FIXTURES, copy_real_fixtures

EXPECTED = dataset_from_fixtures(read_fixtures(FIXTURES))


def assert_problem(response: httpx.Response, status: int) -> dict:
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status
    assert {"type", "title", "status", "detail"} <= set(body)
    return body


async def test_rating_for_a_subdomain(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/ratings/us02web.zoom.us")
    assert response.status_code == 200
    body = response.json()
    zoom = EXPECTED.ratings["zoom"]
    assert (body["slug"], body["name"], body["grade"], body["score"]) == (
        "zoom",
        "Zoom",
        zoom.grade,
        zoom.score,
    )
    assert body["links"]["self"] == "/v1/services/zoom"
    assert response.headers["etag"].startswith('"')
    assert "max-age=" in response.headers["cache-control"]


async def test_conditional_get_gives_304(client: httpx.AsyncClient) -> None:
    first = await client.get("/v1/ratings/zoom.us")
    again = await client.get(
        "/v1/ratings/zoom.us", headers={"If-None-Match": first.headers["etag"]}
    )
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == first.headers["etag"]
    other = await client.get("/v1/ratings/zoom.us", headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200


@pytest.mark.parametrize("host", ["example.com", "zoom.us.evil.com", "evilzoom.us"])
async def test_unrated_host_is_404(client: httpx.AsyncClient, host: str) -> None:
    body = assert_problem(await client.get(f"/v1/ratings/{host}"), 404)
    assert host in body["detail"]


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "a" * 300, "a..b", "%00"])
async def test_invalid_host_is_400(client: httpx.AsyncClient, host: str) -> None:
    assert_problem(await client.get(f"/v1/ratings/{host}"), 400)


async def test_lookup_meeting_and_visit(client: httpx.AsyncClient) -> None:
    meeting = (
        await client.get("/v1/lookup", params={"url": "https://us02web.zoom.us/j/123"})
    ).json()
    assert meeting["meeting"] is True and meeting["service"]["slug"] == "zoom"
    assert (
        meeting["host"] == "us02web.zoom.us" and meeting["url"] == "https://us02web.zoom.us/j/123"
    )
    visit = (await client.get("/v1/lookup", params={"url": "https://zoom.us/pricing"})).json()
    assert visit["meeting"] is False and visit["service"]["slug"] == "zoom"
    nothing = (await client.get("/v1/lookup", params={"url": "https://example.com/j/1"})).json()
    assert nothing["service"] is None and nothing["meeting"] is False


@pytest.mark.parametrize(
    "url", ["", "zoom.us", "ftp://zoom.us/", "https://[::1]/", "https://x/" + "a" * 3000]
)
async def test_lookup_rejects_invalid_urls(client: httpx.AsyncClient, url: str) -> None:
    assert_problem(await client.get("/v1/lookup", params={"url": url}), 400)


async def test_batch_lookup_answers_in_order(client: httpx.AsyncClient) -> None:
    urls = [
        "https://meet.google.com/abc-defg-hij",
        "https://example.com/",
        "not a url",
        "https://zoom.us/j/1",
    ]
    response = await client.post("/v1/lookup", json={"urls": urls})
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["url"] for r in results] == urls
    assert [(r["service"] or {}).get("slug") for r in results] == [
        "google-meet",
        None,
        None,
        "zoom",
    ]
    assert results[2]["error"] and results[0]["meeting"] and results[3]["meeting"]


async def test_batch_limits(client: httpx.AsyncClient) -> None:
    assert_problem(await client.post("/v1/lookup", json={"urls": ["https://zoom.us/"] * 101}), 422)
    assert_problem(await client.post("/v1/lookup", json={"urls": []}), 422)
    assert_problem(
        await client.post(
            "/v1/lookup", content=b"{not json", headers={"content-type": "application/json"}
        ),
        400,
    )
    assert_problem(
        await client.post("/v1/lookup", content=b"urls=x", headers={"content-type": "text/plain"}),
        415,
    )
    big = json.dumps({"urls": ["https://zoom.us/" + "a" * 70_000]})
    assert_problem(
        await client.post("/v1/lookup", content=big, headers={"content-type": "application/json"}),
        413,
    )


async def test_services_list_filters_and_pages(client: httpx.AsyncClient) -> None:
    everything = (await client.get("/v1/services", params={"per_page": 100})).json()
    assert everything["total"] == len(EXPECTED.ratings)
    assert {item["slug"] for item in everything["items"]} == set(EXPECTED.ratings)
    graded = [r for r in EXPECTED.ratings.values() if r.grade]
    grade = graded[0].grade
    filtered = (await client.get("/v1/services", params={"grade": grade})).json()
    assert filtered["total"] == sum(1 for r in EXPECTED.ratings.values() if r.grade == grade)
    assert all(item["grade"] == grade for item in filtered["items"])
    pending = (await client.get("/v1/services", params={"grade": "none"})).json()
    assert pending["total"] == sum(1 for r in EXPECTED.ratings.values() if r.grade is None)
    assert all(item["grade"] is None and item["review_in_progress"] for item in pending["items"])
    searched = (await client.get("/v1/services", params={"q": "ZOOM"})).json()
    assert "zoom" in [item["slug"] for item in searched["items"]]
    page1 = (await client.get("/v1/services", params={"per_page": 2})).json()
    page2 = (await client.get(page1["next"])).json()
    assert page1["pages"] == -(-everything["total"] // 2)
    assert page2["page"] == 2 and page2["prev"] and page1["items"] != page2["items"]
    for bad in (
        {"grade": "Z"},
        {"page": "0"},
        {"per_page": "1000"},
        {"page": "x"},
        {"status": "gone"},
    ):
        assert_problem(await client.get("/v1/services", params=bad), 400)


async def test_service_detail_has_full_evidence(client: httpx.AsyncClient) -> None:
    body = (await client.get("/v1/services/zoom")).json()
    methodology = EXPECTED.methodology
    assert [c["id"] for c in body["criteria"]] == list(methodology.criterion_ids)
    for criterion in body["criteria"]:
        assert criterion["level"] and criterion["counted_level"]
        if criterion["level"] != "not_assessed":
            assert criterion["evidence"] and criterion["sources"]
        for source in criterion["sources"]:
            assert set(source) >= {"url", "kind", "section", "retrieved_on"}
        assert criterion["reviewed_on"] == body["reviewed_on"]
    assert [g["id"] for g in body["groups"]] == [g.id for g in methodology.groups]
    assert body["groups"] == [
        {"id": g.id, "name": g.name, "weight": g.weight, "score": g.score}
        for g in EXPECTED.ratings["zoom"].groups
    ]
    assert body["methodology_version"] == methodology.version
    assert body["examined"] and {"url", "title", "retrieved_on"} <= set(body["examined"][0])
    assert isinstance(body["review_notes"], list) and isinstance(body["responses"], list)
    assert body["reviewed_on"] and "zoom.us" in body["domains"]
    assert body["history"][0]["new_grade"] == EXPECTED.ratings["zoom"].grade
    assert_problem(await client.get("/v1/services/no-such-service"), 404)


async def test_methodology_is_enough_to_recompute(client: httpx.AsyncClient) -> None:
    body = (await client.get("/v1/methodology")).json()
    assert body["grading"]["thresholds"]["A"] == 85
    assert len(body["criteria"]) == 11 and body["levels"]["partial"] == 50
    assert body["version"] == 2
    assert body["grading"]["baseline_cap"] == {"grade": "D", "levels": ["none", "no_disclosure"]}
    assert body["grading"]["report_freshness"]["max_age_months"] == 18
    assert body["level_labels"]["no_disclosure"] == "Not disclosed"


async def test_bundle_is_versioned_and_gzipped(client: httpx.AsyncClient) -> None:
    plain = await client.get("/v1/bundle", headers={"Accept-Encoding": "identity"})
    bundle = plain.json()
    assert bundle["format"] == 2 and bundle["version"] == EXPECTED.version
    assert [g["letter"] for g in bundle["methodology"]["grades"]] == ["A", "B", "C", "D", "F"]
    zoom = next(s for s in bundle["services"] if s["slug"] == "zoom")
    assert [g["id"] for g in zoom["groups"]] == [g.id for g in EXPECTED.methodology.groups]
    assert all({"url", "kind", "section"} == set(s) for c in zoom["criteria"] for s in c["sources"])
    assert {s["slug"] for s in bundle["services"]} == set(EXPECTED.ratings)
    packed = await client.get("/v1/bundle", headers={"Accept-Encoding": "gzip"})
    assert packed.headers["content-encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["vary"]
    assert packed.headers["etag"] != plain.headers["etag"]
    assert json.loads(packed.content) == bundle  # httpx decodes gzip transparently
    assert int(packed.headers["content-length"]) < len(plain.content)
    again = await client.get(
        "/v1/bundle", headers={"Accept-Encoding": "gzip", "If-None-Match": packed.headers["etag"]}
    )
    assert again.status_code == 304
    assert gzip.decompress(gzip.compress(b"x", mtime=0)) == b"x"


async def test_unknown_route_and_method_are_problems(client: httpx.AsyncClient) -> None:
    assert_problem(await client.get("/v2/nothing"), 404)
    assert_problem(await client.delete("/v1/services"), 405)


async def test_health_and_readiness(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["services"] == len(EXPECTED.ratings)


async def test_security_headers(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/ratings/zoom.us")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "set-cookie" not in response.headers


async def test_new_dataset_version_replaces_cached_answers(
    app: Starlette, client: httpx.AsyncClient, tmp_path: object
) -> None:
    from pathlib import Path

    import yaml

    before = await client.get("/v1/ratings/zoom.us")
    directory = copy_real_fixtures(Path(str(tmp_path)) / "copy")
    path = directory / "services" / "zoom.yaml"
    data = yaml.safe_load(path.read_text())
    data["name"] = "Zoom Workplace"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    await sync_fixtures(read_fixtures(directory))
    await app.state.candor.read_path.refresh()
    after = await client.get(
        "/v1/ratings/zoom.us", headers={"If-None-Match": before.headers["etag"]}
    )
    assert after.status_code == 200 and after.json()["name"] == "Zoom Workplace"
    assert after.headers["etag"] != before.headers["etag"]


async def test_the_dataset_is_complete_as_served(client: httpx.AsyncClient) -> None:
    listing = (await client.get("/v1/services", params={"per_page": 100})).json()
    assert listing["total"] >= 30
    for item in listing["items"]:
        assert (item["grade"] is None) == item["review_in_progress"]
        assert item["grade"] is not None or item["score"] is None
        detail = (await client.get(item["links"]["self"])).json()
        assert len(detail["criteria"]) == 11
        for criterion in detail["criteria"]:
            if criterion["level"] != "not_assessed":
                assert len(criterion["evidence"]) >= 20
                assert criterion["sources"]
            assert all(s["url"].startswith("https://") for s in criterion["sources"])
            assert criterion["reviewed_on"]
    discontinued = (await client.get("/v1/services", params={"status": "discontinued"})).json()
    assert {"skype", "bluejeans"} <= {item["slug"] for item in discontinued["items"]}


async def test_every_json_answer_before_the_dataset_loads_is_one_503() -> None:
    from api.app import create_app
    from api.settings import Settings

    application = create_app(Settings(database_url="unused://"), manage_database=False)
    transport = httpx.ASGITransport(app=application)
    paths = (
        "/v1/ratings/zoom.us",
        "/v1/lookup?url=https://zoom.us/",
        "/v1/hosts/prefix/caf3a",
        "/v1/services",
        "/v1/services/zoom",
        "/v1/methodology",
        "/v1/bundle",
        "/v1/changes",
        "/v1/dataset.csv",
        "/changes.atom",
    )
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        for path in paths:
            response = await http.get(path)
            assert response.status_code == 503, path
            assert response.headers["content-type"] == "application/problem+json"
            assert response.headers["cache-control"] == "no-store"
            assert response.json() == {
                "type": "https://candor.example/problems/service-unavailable",
                "title": "Service unavailable",
                "status": 503,
                "detail": "The ratings dataset is not loaded yet; try again shortly",
                "instance": path.partition("?")[0],
            }
