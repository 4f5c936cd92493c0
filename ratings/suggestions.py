"""Readers' suggestions: an error in a rating, or a service to rate.

Checked here (sizes, known service and criterion, a real host), stored as plain text, and
read back for maintainers by ``candor suggestions list``. Nothing here renders them:
whoever shows one escapes it for its medium (HTML on the pages, a terminal in the CLI,
where ``for_terminal`` neutralises control sequences).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass

from ratings.dataset import Dataset
from ratings.matching import InvalidInput, normalise_host
from ratings.models import Suggestion

MIN_MESSAGE = 10
MAX_MESSAGE = 2000
MAX_REPLY_TO = 200
# Line breaks and tabs are fine in a message; no other control character is (they can
# rewrite a maintainer's terminal), nor the bidirectional overrides that can make text
# read as something else.
_FORBIDDEN = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)
_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")


class InvalidSuggestion(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True, slots=True)
class SuggestionInput:
    service: str | None
    criterion: str | None
    host: str | None
    message: str
    reply_to: str | None


@dataclass(frozen=True, slots=True)
class StoredSuggestion:
    id: int
    created_at: dt.datetime
    service: str | None
    criterion: str | None
    host: str | None
    message: str
    reply_to: str | None
    dataset_version: str | None


def _clean(field: str, value: str | None, limit: int) -> str | None:
    # Browsers send a textarea's line breaks as CRLF.
    text = (value or "").replace("\r\n", "\n").strip()
    if not text:
        return None
    if len(text) > limit:
        raise InvalidSuggestion(field, f"at most {limit} characters")
    if _FORBIDDEN.search(text):
        raise InvalidSuggestion(field, "contains a control or bidirectional-override character")
    return text


def validate(form: Mapping[str, str], dataset: Dataset | None) -> SuggestionInput:
    """The suggestion a submitted form describes, or ``InvalidSuggestion`` naming the field."""
    message = _clean("message", form.get("message"), MAX_MESSAGE)
    if message is None or len(message) < MIN_MESSAGE:
        raise InvalidSuggestion(
            "message", f"say what is wrong in at least {MIN_MESSAGE} characters"
        )
    service = _clean("service", form.get("service"), 64)
    if service is not None and (
        not _SLUG.match(service) or (dataset is not None and service not in dataset.ratings)
    ):
        raise InvalidSuggestion("service", "not a rated service")
    criterion = _clean("criterion", form.get("criterion"), 64)
    if criterion is not None:
        if service is None:
            raise InvalidSuggestion("criterion", "a criterion belongs to a service")
        if dataset is not None and criterion not in dataset.methodology.criterion_ids:
            raise InvalidSuggestion("criterion", "not a criterion of the methodology")
    raw_host = _clean("host", form.get("host"), 253)
    host = None
    if raw_host is not None:
        try:
            host = normalise_host(raw_host)
        except InvalidInput as exc:
            raise InvalidSuggestion("host", f"not a valid host ({exc})") from None
    reply_to = _clean("reply_to", form.get("reply_to"), MAX_REPLY_TO)
    if reply_to is not None and "\n" in reply_to:
        raise InvalidSuggestion("reply_to", "one line only")
    return SuggestionInput(service, criterion, host, message, reply_to)


async def store(suggestion: SuggestionInput, dataset_version: str | None) -> int:
    row = await Suggestion.create(
        created_at=dt.datetime.now(dt.UTC),
        service=suggestion.service,
        criterion=suggestion.criterion,
        host=suggestion.host,
        message=suggestion.message,
        reply_to=suggestion.reply_to,
        dataset_version=dataset_version,
    )
    return int(row.id)


async def list_suggestions(
    limit: int = 50, since: dt.datetime | None = None, service: str | None = None
) -> list[StoredSuggestion]:
    """The newest suggestions first."""
    query = Suggestion.all()
    if since is not None:
        query = query.filter(created_at__gte=since)
    if service is not None:
        query = query.filter(service=service)
    rows = await query.order_by("-created_at", "-id").limit(limit).values()
    return [
        StoredSuggestion(
            row["id"],
            row["created_at"],
            row["service"],
            row["criterion"],
            row["host"],
            row["message"],
            row["reply_to"],
            row["dataset_version"],
        )
        for row in rows
    ]


def for_terminal(text: str) -> str:
    """``text`` safe to print: any control character but a line break, and any bidi
    override, shown as a visible ``\\uXXXX`` escape instead of acting on the terminal."""
    return "".join(
        c if c == "\n" or not (_FORBIDDEN.match(c) or c in "\r\t\x1b") else f"\\u{ord(c):04x}"
        for c in text
    )
