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
from api.html import Child, Html, join, tag
from api.pages import HTML_TYPE, layout, level_text
from api.problems import Problem, problem_response
from api.state import state_of
from ratings.dataset import Dataset
from ratings.matching import InvalidInput, normalise_host
from ratings.suggestions import (
    MAX_MESSAGE,
    MAX_REPLY_TO,
    MIN_MESSAGE,
    InvalidSuggestion,
    store,
    validate,
)

MAX_BODY = 8 * 1024
FORM_TYPE = "application/x-www-form-urlencoded"


def _no_store(body: bytes, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    return Response(
        body,
        status_code=status,
        media_type=HTML_TYPE,
        headers={"Cache-Control": "no-store", **(headers or {})},
    )


def _form(
    dataset: Dataset | None,
    values: Mapping[str, str],
    error: InvalidSuggestion | None = None,
) -> Html:
    service = values.get("service") or ""
    rating = dataset.ratings.get(service) if dataset and service else None
    criteria: list[tuple[str, str]] = [("", "The rating as a whole")]
    if dataset is not None:
        criteria += [(c.id, c.name) for c in dataset.methodology.criteria]
    chosen = values.get("criterion") or ""

    def field_error(name: str) -> Html | None:
        if error is None or error.field != name:
            return None
        return tag("p", {"class": "field-error", "id": f"{name}-error"}, error.message)

    def described(name: str) -> str | None:
        return f"{name}-error" if error is not None and error.field == name else None

    parts: list[Child] = []
    if rating is not None:
        parts += [
            tag("input", {"type": "hidden", "name": "service", "value": rating.slug}),
            tag(
                "div",
                {"class": "field"},
                tag("label", {"for": "s-criterion"}, "Which part of the rating"),
                tag(
                    "select",
                    {"id": "s-criterion", "name": "criterion"},
                    join(
                        tag("option", {"value": key, "selected": key == chosen}, text)
                        for key, text in criteria
                    ),
                ),
                field_error("criterion"),
            ),
        ]
    else:
        parts.append(
            tag(
                "div",
                {"class": "field"},
                tag("label", {"for": "s-host"}, "The service's web address (optional)"),
                tag(
                    "input",
                    {
                        "id": "s-host",
                        "name": "host",
                        "type": "text",
                        "value": values.get("host") or "",
                        "maxlength": "253",
                        "aria-describedby": described("host"),
                    },
                ),
                field_error("host"),
            )
        )
    parts += [
        tag(
            "div",
            {"class": "field field-wide"},
            tag(
                "label",
                {"for": "s-message"},
                "What is wrong, and where you read otherwise"
                if rating is not None
                else "The service, the company behind it, and links to its privacy pages",
            ),
            tag(
                "textarea",
                {
                    "id": "s-message",
                    "name": "message",
                    "rows": "7",
                    "required": True,
                    "minlength": str(MIN_MESSAGE),
                    "maxlength": str(MAX_MESSAGE),
                    "aria-describedby": described("message"),
                },
                values.get("message") or "",
            ),
            field_error("message"),
        ),
        tag(
            "div",
            {"class": "field field-wide"},
            tag(
                "label", {"for": "s-reply"}, "Your e-mail address, if you want an answer (optional)"
            ),
            tag(
                "input",
                {
                    "id": "s-reply",
                    "name": "reply_to",
                    "type": "email",
                    "value": values.get("reply_to") or "",
                    "maxlength": str(MAX_REPLY_TO),
                    "autocomplete": "email",
                    "aria-describedby": described("reply_to"),
                },
            ),
            field_error("reply_to"),
        ),
        tag(
            "div",
            {"class": "actions"},
            tag("button", {"type": "submit"}, "Send to the maintainers"),
        ),
    ]
    return tag(
        "form",
        {"class": "suggest-form", "method": "post", "action": "/suggest"},
        join(parts, "\n"),
    )


def _page(
    dataset: Dataset | None, values: Mapping[str, str], error: InvalidSuggestion | None = None
) -> bytes:
    service = values.get("service") or ""
    rating = dataset.ratings.get(service) if dataset and service else None
    raw_host = values.get("host") or ""
    try:
        host: str | None = normalise_host(raw_host) if raw_host and rating is None else None
    except InvalidInput:
        host = None
    parts: list[Child] = []
    if rating is not None and dataset is not None:
        heading = f"Report an error in {rating.name}'s rating"
        parts.append(tag("h1", None, heading))
        criterion = values.get("criterion") or ""
        entry = next((c for c in rating.criteria if c.id == criterion), None)
        names = {c.id: c.name for c in dataset.methodology.criteria}
        if entry is not None:
            parts.append(
                tag(
                    "p",
                    {"class": "lede"},
                    f"{names[entry.id]}: rated ",
                    tag("strong", None, level_text(dataset.methodology, entry.level)),
                    ". ",
                    tag(
                        "a",
                        {"href": f"/services/{rating.slug}#criterion-{entry.id}"},
                        "See the evidence",
                    ),
                    ".",
                )
            )
        parts.append(
            tag(
                "p",
                None,
                "Tell the maintainers what the rating gets wrong and, if you can, link to the "
                "page that says otherwise. Every report is checked against the sources; a "
                "change that holds up goes into the service's file and its history.",
            )
        )
    else:
        heading = f"Suggest {host} for a rating" if host else "Suggest a service for a rating"
        parts.append(tag("h1", None, heading))
        already = dataset.match_host(host).service if dataset and host else None
        if already and dataset is not None:
            known = dataset.ratings[already]
            parts.append(
                tag(
                    "p",
                    None,
                    f"{host} is already rated as part of ",
                    tag("a", {"href": f"/services/{known.slug}"}, known.name),
                    ".",
                )
            )
        parts.append(
            tag(
                "p",
                None,
                "Candor rates video-calling and VoIP services from their public commitments. "
                "Ratings are curated by maintainers as reviewed files, each criterion with "
                "evidence and sources, graded by the published ",
                tag("a", {"href": "/methodology"}, "methodology"),
                ". Tell the maintainers the service's name, the company behind it, its web "
                "domains and links to its privacy policy, transparency report and security "
                "pages.",
            )
        )
    if error is not None:
        parts.append(
            tag(
                "p",
                {"class": "notice notice-error", "role": "alert"},
                tag("strong", None, "Not sent. "),
                f"Please check the form: {error.message}.",
            )
        )
    parts.append(_form(dataset, {**values, "host": host or raw_host}, error))
    parts.append(
        tag(
            "p",
            {"class": "muted"},
            "Only the maintainers see what you send; it is never published. Candor keeps no "
            "record of the sites you visit: the extension matches them on your computer.",
        )
    )
    return layout(
        title=heading,
        main=join(parts, "\n"),
        current=None,
        description="Report an error in a Candor rating, or suggest a service to rate.",
        dataset=dataset,
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
        return _no_store(_sent_page(dataset, values))
    return _no_store(_page(dataset, values))


def _sent_page(dataset: Dataset | None, values: Mapping[str, str]) -> bytes:
    rating = dataset.ratings.get(values.get("service") or "") if dataset else None
    back: Child = (
        tag("a", {"href": f"/services/{rating.slug}"}, f"Back to {rating.name}")
        if rating is not None
        else tag("a", {"href": "/"}, "Back to every rated service")
    )
    main = join(
        [
            tag("h1", None, "Thank you"),
            tag(
                "p",
                {"role": "status"},
                "Your report reached the maintainers. They check every report against the "
                "sources; a change that holds up shows in the service's history and in the ",
                tag("a", {"href": "/changes"}, "change feed"),
                ".",
            ),
            tag("p", None, back),
        ],
        "\n",
    )
    return layout(
        title="Thank you",
        main=main,
        current=None,
        description="Your report reached the Candor maintainers.",
        dataset=dataset,
    )


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
    return _no_store(_page(dataset, values or {}, error), status, headers)


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


async def submit(request: Request) -> Response:
    state = state_of(request)
    if not _same_origin(request):
        return _refuse(request, 403, "suggestions are accepted from this site's own form only")
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != FORM_TYPE:
        return _refuse(request, 415, f"send the form as {FORM_TYPE}")
    length = request.headers.get("content-length")
    if length is not None and (
        not (length.isascii() and length.isdigit()) or int(length) > MAX_BODY
    ):
        return _refuse(request, 413, "the form is larger than 8 KiB")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            return _refuse(request, 413, "the form is larger than 8 KiB")
    try:
        text = body.decode("utf-8")
        pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=False, max_num_fields=10)
    except (UnicodeDecodeError, ValueError):
        return _refuse(request, 400, "the form is not valid UTF-8 form data")
    values: dict[str, str] = {}
    for name, value in pairs:
        if name in ("service", "criterion", "host", "message", "reply_to"):
            values.setdefault(name, value)
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
