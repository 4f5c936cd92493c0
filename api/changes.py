"""The change feed: ``GET /v1/changes`` (JSON, paginated, ``since=``) and the Atom 1.0
feeds ``GET /changes.atom`` and ``GET /services/{slug}/changes.atom``.

Both answer from the change log held with the dataset (ratings/changes.py), so a fixture
load reaches them on every replica with the next poll, and both are cached per dataset
version with an ETag like every other answer.
"""

from __future__ import annotations

import datetime as dt
import uuid
from urllib.parse import urlencode
from xml.etree import ElementTree as ET

from starlette.requests import Request
from starlette.responses import Response

from api.paging import Window, page_params
from api.problems import Problem
from api.responses import Rendered, cached_response
from api.schemas.changes import ChangeLinks, ChangeMethodology, ChangeOut, ChangePage, ChangeState
from api.state import AppState, state_of
from ratings.changes import ID_NAMESPACE, BadSince, Change
from ratings.dataset import Dataset
from ratings.opendata import LICENSE_ID, LICENSE_URL

ATOM_NS = "http://www.w3.org/2005/Atom"
ATOM_TYPE = "application/atom+xml; charset=utf-8"
# A feed reader wants what is new, not the whole history: the newest entries only (the
# JSON feed pages through everything).
FEED_ENTRIES = 200
# Name-based, like the entries' ids: the same on every replica, for good.
FEED_ID = uuid.uuid5(ID_NAMESPACE, "feed").urn

ET.register_namespace("", ATOM_NS)


def service_name(change: Change, dataset: Dataset) -> str:
    rating = dataset.ratings.get(change.slug)
    return change.name or (rating.name if rating else change.slug)


def change_out(change: Change, dataset: Dataset, base: str = "") -> ChangeOut:
    names = {c.id: c.name for c in dataset.methodology.criteria}
    present = change.slug in dataset.ratings
    if change.kind == "grade":
        before = ChangeState(grade=change.old_grade, score=change.old_score)
        after = ChangeState(grade=change.new_grade, score=change.new_score)
    else:
        before = ChangeState(level=change.old_level)
        after = ChangeState(level=change.new_level)
    return ChangeOut(
        id=change.id,
        kind=change.kind,
        slug=change.slug,
        service=service_name(change, dataset),
        criterion=change.criterion,
        criterion_name=names.get(change.criterion) if change.criterion else None,
        before=before,
        after=after,
        cause=change.cause,
        reason=change.reason,
        methodology=ChangeMethodology(
            before=change.old_methodology_version, after=change.new_methodology_version
        ),
        dataset_version=change.dataset_version,
        changed_at=change.changed_at,
        links=ChangeLinks(
            service=f"{base}/v1/services/{change.slug}" if present else None,
            html=f"{base}/services/{change.slug}" if present else None,
        ),
    )


def parse_since(dataset: Dataset, raw: str | None) -> dt.datetime | None:
    if raw is None:
        return None
    if len(raw) > 64:
        raise Problem(400, "'since' is at most 64 characters")
    try:
        return dataset.changes.resolve_since(raw)
    except BadSince as exc:
        raise Problem(400, str(exc)) from None


async def changes(request: Request) -> Response:
    state = state_of(request)
    dataset = state.read_path.dataset
    params = request.query_params
    since_raw = params.get("since")
    since = parse_since(dataset, since_raw)
    slug = params.get("service")
    if slug is not None and (len(slug) > 64 or not slug):
        raise Problem(400, "'service' is a service's slug, at most 64 characters")
    page, per_page = page_params(request)
    base = state.settings.public_url

    async def render() -> Rendered:
        selected = dataset.changes.select(since=since, slug=slug)
        window = Window(page, per_page, len(selected))

        def link(number: int) -> str:
            kept = {k: v for k, v in params.items() if k != "page"}
            return f"/v1/changes?{urlencode({**kept, 'page': number})}"

        body = ChangePage(
            items=[change_out(c, dataset, base) for c in window.items(selected)],
            **window.fields(link),
            since=since,
            dataset_version=dataset.version,
            feed=f"{base}/services/{slug}/changes.atom" if slug else f"{base}/changes.atom",
        )
        return Rendered.of(body.model_dump_json().encode(), dataset.version)

    key = (dataset.version, "changes", since, slug, page, per_page)
    rendered = await state.answer(key, render)
    return cached_response(request, rendered, max_age=state.settings.cache_max_age)


# Atom -----------------------------------------------------------------------------------


def _stamp(moment: dt.datetime) -> str:
    """RFC 3339, in UTC, as Atom's date constructs require."""
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def entry_title(change: Change, dataset: Dataset) -> str:
    name = service_name(change, dataset)
    if change.kind == "criterion":
        criteria = {c.id: c.name for c in dataset.methodology.criteria}
        label = dataset.methodology.level_label
        old = label(change.old_level) if change.old_level else "none"
        new = label(change.new_level) if change.new_level else "none"
        criterion = criteria.get(change.criterion or "", change.criterion)
        return f"{name}: {criterion} {old} → {new}"
    if change.cause == "added":
        return f"{name} rated: grade {change.new_grade or 'in progress'}"
    if change.cause == "removed":
        return f"{name} removed from the ratings"
    grade = f"grade {change.old_grade or '-'} → {change.new_grade or '-'}"
    score = f"score {change.old_score if change.old_score is not None else '-'} → "
    score += f"{change.new_score if change.new_score is not None else '-'}"
    return f"{name}: {grade}, {score}"


def _sub(parent: ET.Element, name: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM_NS}}}{name}", attrs)
    if text is not None:
        element.text = text
    return element


def render_atom(dataset: Dataset, base: str, slug: str | None, entries: list[Change]) -> bytes:
    """An Atom 1.0 document (RFC 4287) of ``entries``, newest first."""
    feed = ET.Element(f"{{{ATOM_NS}}}feed")
    if slug is None:
        title = "Candor: rating changes"
        self_href, html_href, feed_id = f"{base}/changes.atom", f"{base}/changes", FEED_ID
    else:
        rating = dataset.ratings[slug]
        title = f"Candor: rating changes of {rating.name}"
        self_href = f"{base}/services/{slug}/changes.atom"
        html_href = f"{base}/services/{slug}"
        feed_id = uuid.uuid5(ID_NAMESPACE, f"feed/{slug}").urn
    _sub(feed, "id", feed_id)
    _sub(feed, "title", title)
    _sub(
        feed,
        "subtitle",
        "Every grade, score and criterion-level change in Candor's privacy and transparency "
        "ratings of video-calling services, with its reason.",
    )
    newest = entries[0].changed_at if entries else dataset.loaded_at
    _sub(feed, "updated", _stamp(newest))
    author = _sub(feed, "author")
    _sub(author, "name", "Candor")
    _sub(feed, "link", rel="self", type="application/atom+xml", href=self_href)
    _sub(feed, "link", rel="alternate", type="text/html", href=html_href)
    _sub(feed, "link", rel="license", href=LICENSE_URL)
    _sub(feed, "rights", f"Data licensed under {LICENSE_ID} ({LICENSE_URL})")
    _sub(feed, "generator", "Candor")
    for change in entries:
        entry = _sub(feed, "entry")
        _sub(entry, "id", change.id)
        _sub(entry, "title", entry_title(change, dataset))
        _sub(entry, "updated", _stamp(change.changed_at))
        _sub(entry, "published", _stamp(change.changed_at))
        present = change.slug in dataset.ratings
        href = (
            f"{base}/services/{change.slug}"
            if present
            else f"{base}/changes?{urlencode({'service': change.slug})}"
        )
        _sub(entry, "link", rel="alternate", type="text/html", href=href)
        _sub(entry, "category", term=change.kind, label=f"{change.kind} change")
        _sub(entry, "category", term=change.cause, label=f"cause: {change.cause}")
        if change.methodology_changed:
            _sub(
                entry,
                "category",
                term="methodology-version",
                label=f"methodology {change.old_methodology_version} → "
                f"{change.new_methodology_version}",
            )
        _sub(entry, "summary", change.reason, type="text")
    body: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return body


def _base(request: Request, state: AppState) -> str:
    # Atom links must be absolute: the configured public URL, else this request's origin
    # (then part of the cache key, so one host's links never reach another).
    return state.settings.public_url or str(request.base_url).rstrip("/")


async def _atom(request: Request, slug: str | None) -> Response:
    state = state_of(request)
    dataset = state.read_path.dataset
    if slug is not None and slug not in dataset.ratings:
        raise Problem(404, f"No rated service has the slug {slug[:64]!r}")
    base = _base(request, state)

    async def render() -> Rendered:
        entries = list(dataset.changes.select(slug=slug)[:FEED_ENTRIES])
        return Rendered.of(render_atom(dataset, base, slug, entries), dataset.version, ATOM_TYPE)

    rendered = await state.answer((dataset.version, "atom", slug, base), render)
    return cached_response(request, rendered, max_age=state.settings.cache_max_age)


async def changes_atom(request: Request) -> Response:
    return await _atom(request, None)


async def service_changes_atom(request: Request) -> Response:
    return await _atom(request, request.path_params["slug"])
