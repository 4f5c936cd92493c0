"""``candor serve`` as a real process over real HTTP: catches lifespan and context mistakes
(Tortoise under uvicorn) that in-process tests cannot see."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ratings.dataset import dataset_from_fixtures
from ratings.fixtures import read_fixtures
from tests.conftest import BACKENDS, FIXTURES
from tests.process import postgres_database, serving

EXPECTED = dataset_from_fixtures(read_fixtures(FIXTURES))


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite://{tmp_path}/candor.sqlite3"
    else:
        with postgres_database() as url:
            yield url


def test_serve_loads_an_empty_database_and_answers(database_url: str, tmp_path: Path) -> None:
    with serving(database_url, tmp_path) as (base, _):
        zoom = httpx.get(f"{base}/v1/ratings/zoom.us")
        assert zoom.status_code == 200
        assert (zoom.json()["grade"], zoom.json()["score"]) == (
            EXPECTED.ratings["zoom"].grade,
            EXPECTED.ratings["zoom"].score,
        )
        lookup = httpx.get(f"{base}/v1/lookup", params={"url": "https://us02web.zoom.us/j/123"})
        assert lookup.json()["meeting"] is True
        services = httpx.get(f"{base}/v1/services", params={"per_page": 100}).json()
        assert services["total"] == len(EXPECTED.ratings)
        detail = httpx.get(f"{base}/v1/services/signal").json()
        assert detail["history"] and detail["criteria"]
        ready = httpx.get(f"{base}/readyz").json()
        assert ready["database"] is True and ready["dataset_version"] == EXPECTED.version
        problem = httpx.get(f"{base}/v1/ratings/localhost")
        assert problem.status_code == 400
        assert problem.headers["content-type"] == "application/problem+json"
        assert "server" not in problem.headers


def test_serve_keeps_the_loaded_dataset_on_restart(database_url: str, tmp_path: Path) -> None:
    with serving(database_url, tmp_path) as (base, _):
        first = httpx.get(f"{base}/v1/bundle").headers["etag"]
    # A second start finds a loaded database and does not reload (same version, same ETag).
    with serving(database_url, tmp_path) as (base, _):
        assert httpx.get(f"{base}/v1/bundle").headers["etag"] == first
