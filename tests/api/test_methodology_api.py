"""What the API serves can be recomputed from what the API serves.

A third party needs only ``GET /v1/methodology`` and the criterion levels in
``GET /v1/services/{slug}`` to reproduce every grade; this checks that promise with the
independent implementation of the published rule (it does not use ``ratings.scoring``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx

from tests.ratings.test_methodology_doc import recompute_all, worked_example_marker


async def _get(client: httpx.AsyncClient, url: str) -> Any:
    response = await client.get(url)
    assert response.status_code == 200, (url, response.text)
    return response.json()


async def _all_summaries(client: httpx.AsyncClient) -> list[dict[str, Any]]:
    page = await _get(client, "/v1/services?per_page=100")
    items: list[dict[str, Any]] = list(page["items"])
    while page["next"]:
        page = await _get(client, page["next"])
        items.extend(page["items"])
    assert len(items) == page["total"]
    return items


async def test_every_served_grade_recomputes_from_the_served_methodology(
    client: httpx.AsyncClient,
) -> None:
    methodology = await _get(client, "/v1/methodology")
    summaries = await _all_summaries(client)
    assert summaries, "the real fixtures should be loaded"
    criterion_ids = {criterion["id"] for criterion in methodology["criteria"]}
    for summary in summaries:
        detail = await _get(client, f"/v1/services/{summary['slug']}")
        levels = {criterion["id"]: criterion["level"] for criterion in detail["criteria"]}
        periods = {
            c["id"]: dt.date.fromisoformat(c["latest_period_end"])
            for c in detail["criteria"]
            if c["latest_period_end"]
        }
        assert set(levels) == criterion_ids, summary["slug"]
        reviewed_on = dt.date.fromisoformat(detail["reviewed_on"])
        score, grade, subs = recompute_all(methodology, levels, periods, reviewed_on)
        assert (summary["score"], summary["grade"]) == (score, grade), summary["slug"]
        assert (detail["score"], detail["grade"]) == (score, grade), summary["slug"]
        assert {g["id"]: g["score"] for g in detail["groups"]} == subs, summary["slug"]
        assert detail["review_in_progress"] == (grade is None), summary["slug"]
        assert detail["methodology_version"] == methodology["version"]


async def test_worked_example_matches_what_the_api_serves(client: httpx.AsyncClient) -> None:
    slug, score, grade = worked_example_marker()
    detail = await _get(client, f"/v1/services/{slug}")
    assert (detail["score"], detail["grade"]) == (score, grade)
    summaries = {item["slug"]: item for item in await _all_summaries(client)}
    assert (summaries[slug]["score"], summaries[slug]["grade"]) == (score, grade)
