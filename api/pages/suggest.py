"""The pages of ``/suggest``: the form (to report an error in a rating, or to suggest a
service to rate) and the thank-you page. The form handling is api/suggest.py.

What a reader typed comes back only into the form they sent, escaped like any value."""

from __future__ import annotations

from collections.abc import Mapping

from api.pages.templating import render_page
from ratings.dataset import Dataset, Rating
from ratings.matching import InvalidInput, normalise_host
from ratings.suggestions import MAX_MESSAGE, MAX_REPLY_TO, MIN_MESSAGE, InvalidSuggestion

DESCRIPTION = "Report an error in a Candor rating, or suggest a service to rate."


def _host(raw: str, rating: Rating | None) -> str | None:
    """The host a suggestion is about, when it is a valid one and no rating was named."""
    try:
        return normalise_host(raw) if raw and rating is None else None
    except InvalidInput:
        return None


def _rated_as(dataset: Dataset | None, host: str | None) -> Rating | None:
    """The rating a suggested host already belongs to."""
    if dataset is None or host is None:
        return None
    slug = dataset.match_host(host).service
    return dataset.ratings[slug] if slug else None


def render_form(
    dataset: Dataset | None, values: Mapping[str, str], error: InvalidSuggestion | None = None
) -> bytes:
    service = values.get("service") or ""
    rating = dataset.ratings.get(service) if dataset and service else None
    raw_host = values.get("host") or ""
    host = _host(raw_host, rating)
    criterion = values.get("criterion") or ""
    entry = next((c for c in rating.criteria if c.id == criterion), None) if rating else None
    if rating is not None:
        heading = f"Report an error in {rating.name}'s rating"
    else:
        heading = f"Suggest {host} for a rating" if host else "Suggest a service for a rating"
    criteria = [("", "The rating as a whole")]
    if dataset is not None:
        criteria += [(c.id, c.name) for c in dataset.methodology.criteria]
    return render_page(
        "suggest.html",
        title=heading,
        description=DESCRIPTION,
        dataset=dataset,
        rating=rating,
        host=host,
        already=None if rating else _rated_as(dataset, host),
        entry=entry,
        entry_name=dict(criteria).get(entry.id) if entry else None,
        entry_level=dataset.methodology.level_label(entry.level) if entry and dataset else None,
        criteria=criteria,
        values={**values, "host": host or raw_host},
        error=error,
        min_message=MIN_MESSAGE,
        max_message=MAX_MESSAGE,
        max_reply_to=MAX_REPLY_TO,
    )


def render_sent(dataset: Dataset | None, values: Mapping[str, str]) -> bytes:
    rating = dataset.ratings.get(values.get("service") or "") if dataset else None
    return render_page(
        "suggest_sent.html",
        title="Thank you",
        description="Your report reached the Candor maintainers.",
        dataset=dataset,
        rating=rating,
    )
