from __future__ import annotations

import re

import httpx

from api.app import routes


async def test_openapi_document_covers_every_api_route(client: httpx.AsyncClient) -> None:
    response = await client.get("/openapi.json")
    assert response.status_code == 200 and response.headers["etag"]
    document = response.json()
    assert document["openapi"] == "3.1.0"
    documented = {
        (path, method.upper()) for path, ops in document["paths"].items() for method in ops
    }
    served = {
        (route.path, method)
        for route in routes()
        if getattr(route, "methods", None)
        and (
            route.path.startswith(("/v1/", "/healthz", "/readyz", "/metrics"))
            or route.path.endswith("changes.atom")
        )
        for method in route.methods - {"HEAD"}
    }
    assert served == documented
    for path, ops in document["paths"].items():
        for op in ops.values():
            assert all(answer["description"] for answer in op["responses"].values())
            errors = [s for s in op["responses"] if s[0] in "45"]
            for status in errors:
                content = op["responses"][status].get("content", {})
                assert "application/problem+json" in content or path.endswith("badge.svg"), (
                    path,
                    status,
                )


async def test_examples_are_real_answers(client: httpx.AsyncClient) -> None:
    document = (await client.get("/openapi.json")).json()
    example = document["paths"]["/v1/ratings/{host}"]["get"]["responses"]["200"]["content"][
        "application/json"
    ]["example"]
    assert example == (await client.get("/v1/ratings/zoom.us")).json()
    schema = document["components"]["schemas"]["RatingSummary"]
    assert set(schema["required"]) <= set(example)


async def test_metrics_in_prometheus_format(client: httpx.AsyncClient) -> None:
    await client.get("/v1/ratings/zoom.us")
    await client.get("/v1/ratings/zoom.us")
    await client.get("/v1/ratings/example.com")
    text = (await client.get("/metrics")).text
    assert (
        'candor_http_requests_total{method="GET",route="/v1/ratings/{host}",status="200"} 2' in text
    )
    assert (
        'candor_http_requests_total{method="GET",route="/v1/ratings/{host}",status="404"} 1' in text
    )
    assert 'candor_http_request_duration_seconds_count{route="/v1/ratings/{host}"} 3' in text
    assert re.search(r"candor_answer_cache_hits_total \d+\.0", text)
    assert 'candor_dataset_info{version="' in text
    for line in text.splitlines():
        assert line.startswith("#") or re.match(
            r'^[a-z_]+(\{([a-z_]+="[^"]*",?)*\})? [0-9.e+-]+$', line
        ), line
