"""RFC 9457 problem details: every error the API gives is one of these."""

from __future__ import annotations

import json
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

PROBLEM_TYPE_BASE = "https://candor.example/problems/"

_TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    413: "Content too large",
    415: "Unsupported media type",
    422: "Unprocessable content",
    429: "Too many requests",
    431: "Request header fields too large",
    500: "Internal server error",
    503: "Service unavailable",
}


class Problem(Exception):
    def __init__(
        self,
        status: int,
        detail: str,
        *,
        type_: str | None = None,
        title: str | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.type = type_ or _default_type(status)
        self.title = title or _TITLES.get(status, "Error")
        self.headers = headers or {}
        self.extra = extra

    def body(self, instance: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": self.type,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        }
        if instance:
            body["instance"] = instance
        body.update(self.extra)
        return body


def _default_type(status: int) -> str:
    slug = _TITLES.get(status, "error").lower().replace(" ", "-")
    return PROBLEM_TYPE_BASE + slug


def problem_response(problem: Problem, instance: str | None = None) -> Response:
    headers = {"Cache-Control": "no-store", **problem.headers}
    return Response(
        json.dumps(problem.body(instance)),
        status_code=problem.status,
        media_type="application/problem+json",
        headers=headers,
    )


async def handle_problem(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Problem)
    return problem_response(exc, request.url.path)


async def handle_http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    detail = exc.detail if exc.detail and exc.detail != _TITLES.get(exc.status_code) else None
    if exc.status_code == 404:
        detail = detail or f"No resource at {request.url.path}"
    elif exc.status_code == 405:
        detail = detail or f"{request.method} is not allowed on {request.url.path}"
    problem = Problem(
        exc.status_code, detail or "The request failed", headers=dict(exc.headers or {})
    )
    return problem_response(problem, request.url.path)


async def handle_server_error(request: Request, exc: Exception) -> Response:
    problem = Problem(500, "An unexpected error occurred; it has been logged")
    return problem_response(problem, request.url.path)
