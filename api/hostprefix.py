"""GET /v1/hosts/prefix/{prefix}: the private lookup (ratings/hostprefix.py).

The answer is a function of the prefix and the dataset only: nothing else in the request
is read, so every client asking for a prefix gets the same bytes, and any HTTP cache can
serve them to all.
"""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import Response

from api.problems import Problem
from api.responses import Rendered, cached_response
from api.schemas.common import PatternOut
from api.schemas.lookup import HostPrefixEntry, HostPrefixResult
from api.schemas.services import summary_of
from api.state import state_of
from ratings.dataset import Dataset
from ratings.hostprefix import HashedDomain, InvalidPrefix, PrefixIndex, parse_prefix


def _render(dataset: Dataset, prefix: str, found: tuple[HashedDomain, ...], base: str) -> Rendered:
    entries = []
    for domain in found:
        rating = dataset.ratings[domain.slug]
        entries.append(
            HostPrefixEntry(
                sha256=domain.sha256,
                service=summary_of(rating, base),
                meeting_patterns=[
                    PatternOut(host=p.host, path=p.path, query=list(p.query))
                    for p in rating.meeting_patterns
                ],
            )
        )
    body = HostPrefixResult(prefix=prefix, entries=entries).model_dump_json().encode()
    # The validator is the body's digest alone, not the dataset version: a new dataset
    # that leaves a prefix's answer as it was keeps its ETag, so caches keep their copy.
    return Rendered.of(body, "p")


def _index(dataset: Dataset) -> PrefixIndex:
    return PrefixIndex({slug: rating.domains for slug, rating in dataset.ratings.items()})


async def hosts_by_prefix(request: Request) -> Response:
    state = state_of(request)
    dataset = state.read_path.dataset
    try:
        prefix = parse_prefix(request.path_params["prefix"])
    except InvalidPrefix as exc:
        raise Problem(400, str(exc)) from None
    # Hashing every rated domain takes a few tenths of a second at 10,000 services: done
    # once per dataset, in a worker thread (as the bundle is), so that the event loop
    # goes on answering meanwhile.
    index = await state.prefixes.get(dataset.version, lambda: asyncio.to_thread(_index, dataset))
    found = index.lookup(prefix)
    base = state.settings.public_url
    if found:
        # Bounded: only prefixes that hold a rated domain are ever cached.

        async def render() -> Rendered:
            return _render(dataset, prefix, found, base)

        rendered = await state.answer((dataset.version, "prefix", prefix), render)
    else:
        # Most of the 16**5 prefixes hold nothing: rendered each time (a few dozen
        # bytes), so that asking for all of them cannot crowd out the answer cache.
        rendered = _render(dataset, prefix, found, base)
    return cached_response(request, rendered, max_age=state.settings.prefix_max_age)
