"""/suggest: tell the maintainers about an error in a rating, or a service to rate.

``GET /suggest`` shows the form, prefilled from ``?service=&criterion=`` (the "Report an
error" link beside every criterion, on the pages and in the extension's popup) or
``?host=`` (the extension's "Suggest it for a rating"). ``POST /suggest`` stores what was
sent (ratings/suggestions.py) and answers with a 303 to the thank-you page.

What a reader types is data: it is stored as plain text, escaped wherever it is shown
(here, only when the form comes back with an error), and never shown on a public page.
Submissions are limited in size (8 KiB a request, 2,000 characters of message) and in
rate (a few an hour per client, and a ceiling for everyone together), and must come from
this site's own form: a cross-site post (its Origin names another site) is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import parse_qsl, urlencode, urlsplit

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from api.clients import client_ip
from api.pages.suggest import render_form, render_sent
from api.pages.templating import HTML_TYPE
from api.problems import Problem, problem_response
from api.state import state_of
from ratings.dataset import Dataset
from ratings.suggestions import InvalidSuggestion, store, validate

MAX_BODY = 8 * 1024
FORM_TYPE = "application/x-www-form-urlencoded"


def _no_store(body: bytes, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    return Response(
        body,
        status_code=status,
        media_type=HTML_TYPE,
        headers={"Cache-Control": "no-store", **(headers or {})},
    )


def _dataset_or_none(request: Request) -> Dataset | None:
    state = state_of(request)
    return state.read_path.dataset if state.read_path.loaded else None


async def suggest(request: Request) -> Response:
    """The form. Its prefill arrives only because the reader clicked a link: echoed
    (escaped), never stored, and the page is not cacheable."""
    dataset = _dataset_or_none(request)
    values = {k: request.query_params.get(k, "")[:300] for k in ("service", "criterion", "host")}
    if request.query_params.get("sent") == "1":
        return _no_store(render_sent(dataset, values))
    return _no_store(render_form(dataset, values))


def _wants_html(request: Request) -> bool:
    return "text/html" in request.headers.get("accept", "")


def _refuse(
    request: Request,
    status: int,
    detail: str,
    values: Mapping[str, str] | None = None,
    error: InvalidSuggestion | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """A browser gets the form back (with what it sent); any other client a problem."""
    if not _wants_html(request):
        problem = Problem(status, detail, headers=dict(headers or {}))
        return problem_response(problem, request.url.path)
    dataset = _dataset_or_none(request)
    error = error or InvalidSuggestion("form", detail)
    return _no_store(render_form(dataset, values or {}, error), status, headers)


def _same_origin(request: Request) -> bool:
    """Did this post come from a page of this site? Browsers say so in Sec-Fetch-Site.
    The Origin header alone cannot tell: under the pages' no-referrer policy a browser
    sends ``Origin: null`` with a same-site form post. A client that sends neither (curl,
    a test) is not a browser being abused by another site, and is let through."""
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None:
        return fetch_site in ("same-origin", "none")
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return True
    return urlsplit(origin).netloc == request.headers.get("host", "")


class _Refused(Exception):
    """A post turned away before its content is looked at: the status and why."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


_FIELDS = ("service", "criterion", "host", "message", "reply_to")


async def _read_form(request: Request) -> dict[str, str]:
    """The form's fields (the first of each), from a body of at most MAX_BODY bytes."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != FORM_TYPE:
        raise _Refused(415, f"send the form as {FORM_TYPE}")
    length = request.headers.get("content-length")
    if length is not None and (
        not (length.isascii() and length.isdigit()) or int(length) > MAX_BODY
    ):
        raise _Refused(413, "the form is larger than 8 KiB")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            raise _Refused(413, "the form is larger than 8 KiB")
    try:
        text = body.decode("utf-8")
        pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=False, max_num_fields=10)
    except (UnicodeDecodeError, ValueError):
        raise _Refused(400, "the form is not valid UTF-8 form data") from None
    values: dict[str, str] = {}
    for name, value in pairs:
        if name in _FIELDS:
            values.setdefault(name, value)
    return values


async def submit(request: Request) -> Response:
    state = state_of(request)
    if not _same_origin(request):
        return _refuse(request, 403, "suggestions are accepted from this site's own form only")
    try:
        values = await _read_form(request)
    except _Refused as refused:
        return _refuse(request, refused.status, refused.detail)
    dataset = _dataset_or_none(request)
    try:
        suggestion = validate(values, dataset)
    except InvalidSuggestion as exc:
        return _refuse(request, 422, str(exc), values, exc)
    wait = state.suggestion_limit.take(client_ip(request.scope, state.settings.trusted_proxies))
    if wait:
        return _refuse(
            request,
            429,
            f"too many reports from here in the last hour; please try again in {wait // 60 + 1} "
            "minutes",
            values,
            headers={"Retry-After": str(wait)},
        )
    await store(suggestion, dataset.version if dataset else None)
    query = urlencode(
        {"sent": "1", **({"service": suggestion.service} if suggestion.service else {})}
    )
    return RedirectResponse(
        f"/suggest?{query}", status_code=303, headers={"Cache-Control": "no-store"}
    )
