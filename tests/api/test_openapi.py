from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
from starlette.routing import Route

from api.app import routes
from api.schemas.bundle import Bundle
from api.schemas.methodology import MethodologyOut


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
        if isinstance(route, Route)
        and route.methods
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


def _walk(node: Any, where: str = "#") -> Iterator[tuple[str, Any]]:
    yield where, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _walk(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, f"{where}/{index}")


async def _document(client: httpx.AsyncClient) -> dict[str, Any]:
    response = await client.get("/openapi.json")
    assert response.status_code == 200
    document: dict[str, Any] = response.json()
    return document


async def test_every_reference_resolves(client: httpx.AsyncClient) -> None:
    document = await _document(client)
    refs = [
        (where, node["$ref"])
        for where, node in _walk(document)
        if isinstance(node, dict) and isinstance(node.get("$ref"), str)
    ]
    assert refs
    schemas = document["components"]["schemas"]
    for where, ref in refs:
        assert ref.startswith("#/components/schemas/"), (where, ref)
        assert ref.removeprefix("#/components/schemas/") in schemas, (where, ref)


async def test_enums_list_each_value_once(client: httpx.AsyncClient) -> None:
    """Generators turn enum values into identifiers: `A` and `a` collide. A filter that is
    case-insensitive says so in its description and lists (or patterns) one spelling."""
    enums = [
        (where, node["enum"])
        for where, node in _walk(await _document(client))
        if isinstance(node, dict) and isinstance(node.get("enum"), list)
    ]
    assert enums
    for where, values in enums:
        folded = [str(value).casefold() for value in values]
        assert len(set(folded)) == len(folded), (where, values)


async def test_grade_filter_is_documented_case_insensitive_and_served_so(
    client: httpx.AsyncClient,
) -> None:
    document = await _document(client)
    (grade,) = [
        p for p in document["paths"]["/v1/services"]["get"]["parameters"] if p["name"] == "grade"
    ]
    assert "enum" not in grade["schema"] and "case-insensitively" in grade["description"]
    pattern = re.compile(grade["schema"]["pattern"])
    for spelling in ("B", "b", "none", "NONE", "None"):
        assert pattern.match(spelling), spelling
    for upper, lower in (("B", "b"), ("NONE", "none")):
        first = (await client.get(f"/v1/services?grade={upper}")).json()
        second = (await client.get(f"/v1/services?grade={lower}")).json()
        assert first["items"] == second["items"] and first["total"] > 0


async def test_every_answer_has_a_named_schema(client: httpx.AsyncClient) -> None:
    """Every answer with a body documents its schema; JSON ones by a named model, so a
    generated client has a readable class for each (not `GetHealthResponse200`)."""
    document = await _document(client)
    for path, ops in document["paths"].items():
        for method, op in ops.items():
            assert re.fullmatch(r"[a-z]+(?:[A-Z][a-z]*)+", op["operationId"]), op["operationId"]
            for status, answer in op["responses"].items():
                if status == "304":
                    assert "content" not in answer
                    continue
                assert answer.get("content"), (path, method, status)
                for media_type, body in answer["content"].items():
                    schema = body.get("schema")
                    assert schema, (path, method, status, media_type)
                    if "json" in media_type:
                        assert set(schema) == {"$ref"}, (path, method, status, schema)
    ids = [op["operationId"] for ops in document["paths"].values() for op in ops.values()]
    assert len(ids) == len(set(ids))
    for name in document["components"]["schemas"]:
        assert re.fullmatch(r"[A-Z][A-Za-z0-9]*", name), name


async def test_api_keys_are_optional_everywhere(client: httpx.AsyncClient) -> None:
    """One document-level rule, an optional key: a generator that reads an operation's
    own `security` as "a key is required" must not make anonymous clients impossible."""
    document = await _document(client)
    assert document["security"] == [{}, {"apiKey": []}]
    for path, ops in document["paths"].items():
        for op in ops.values():
            limited = "429" in op["responses"]
            assert op.get("security") == (None if limited else []), path


async def test_served_answers_fit_their_models(client: httpx.AsyncClient) -> None:
    """The models the document names are exactly the answers: every field of the real
    bundle and methodology round-trips through its model, nothing dropped or added."""
    bundle = (await client.get("/v1/bundle")).json()
    assert Bundle.model_validate(bundle).model_dump(mode="json", exclude_unset=True) == bundle
    methodology = (await client.get("/v1/methodology")).json()
    assert MethodologyOut.model_validate(methodology).model_dump(mode="json") == methodology
    document = await _document(client)
    example = document["paths"]["/v1/methodology"]["get"]["responses"]["200"]["content"][
        "application/json"
    ]["example"]
    assert example == methodology
    example = document["paths"]["/v1/hosts/prefix/{prefix}"]["get"]["responses"]["200"]["content"][
        "application/json"
    ]["example"]
    assert example == (await client.get(f"/v1/hosts/prefix/{example['prefix']}")).json()
    assert example["entries"]
