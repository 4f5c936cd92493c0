"""The bundle: the compact dataset the extension matches against (docs/bundle-format.md)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator
from typing import Any

from ratings.dataset import CriterionRating, Dataset, Rating
from ratings.methodology import LEVELS, Methodology

# 2: methodology v2 (sub-scores, source objects, report periods, the vocabulary of grades
# and levels). An extension that knows only format 1 keeps its last good copy.
BUNDLE_FORMAT = 2


def _head(dataset: Dataset) -> dict[str, Any]:
    methodology = dataset.methodology
    return {
        "format": BUNDLE_FORMAT,
        "version": dataset.version,
        "generated_at": dataset.loaded_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "methodology": {
            "version": methodology.version,
            "levels": list(LEVELS),
            # What each scored level is worth: with the group weights, enough for the
            # extension to say which criteria cost a service the most points.
            "level_points": dict(methodology.levels),
            "level_labels": dict(methodology.level_labels),
            "grades": [_grade(methodology, letter) for letter in methodology.grades],
            "groups": [
                {"id": g.id, "name": g.name, "weight": g.weight} for g in methodology.groups
            ],
            "criteria": [
                {"id": c.id, "name": c.name, "group": c.group} for c in methodology.criteria
            ],
        },
    }


def _grade(methodology: Methodology, letter: str) -> dict[str, Any]:
    grading = methodology.grading
    grade: dict[str, Any] = {
        "letter": letter,
        "min_score": grading.thresholds.get(letter),
        "meaning": grading.grade_meanings[letter],
    }
    # Absent for a methodology stored before it had colours: the extension, which
    # accepts bundles with and without them, then draws that letter in a neutral colour.
    if grading.grade_colours is not None:
        colours = grading.grade_colours[letter]
        grade["colours"] = {"background": colours.background, "text": colours.text}
    return grade


def _service(r: Rating) -> dict[str, Any]:
    return {
        "slug": r.slug,
        "name": r.name,
        "company": r.company,
        "status": r.status,
        "grade": r.grade,
        "score": r.score,
        "reviewed_on": r.reviewed_on.isoformat(),
        "stale": r.stale,
        "summary": r.summary,
        "domains": list(r.domains),
        # Whose domains this service's may lie under (docs/fixture-format.md): the
        # extension checks nesting by the same rule as `candor fixtures check`.
        "inside": list(r.details.get("inside", ())),
        "meeting_patterns": [
            {"host": p.host, "path": p.path, "query": list(p.query)} for p in r.meeting_patterns
        ],
        "groups": [{"id": g.id, "score": g.score} for g in r.groups],
        "criteria": [_criterion(c) for c in r.criteria],
    }


def _criterion(c: CriterionRating) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": c.id,
        "level": c.level,
        "counted_level": c.counted_level or c.level,
        "evidence": c.evidence,
        "sources": [{"url": s.url, "kind": s.kind, "section": s.section} for s in c.sources],
    }
    if c.latest_period_end is not None:
        entry["latest_period_end"] = c.latest_period_end.isoformat()
    return entry


def build_bundle(dataset: Dataset, only: Iterable[Rating] | None = None) -> dict[str, Any]:
    """The bundle document; ``only`` limits it to some services (an example, say)."""
    ratings = dataset.ratings.values() if only is None else only
    return {**_head(dataset), "services": [_service(r) for r in ratings]}


def data_date(dataset: Dataset) -> dt.datetime:
    """When the files' data was last changed, as far as they say: the newest review or
    methodology date, at midnight UTC. The snapshot built from the files carries it as
    ``generated_at`` (the same files always give the same snapshot), and a server loading
    those files later stamps a later time, so the extension, which refuses a dataset older
    than the one it has, never refuses the server's copy of the same files."""
    newest = max(
        [dataset.methodology.published_on, *(r.reviewed_on for r in dataset.ratings.values())]
    )
    return dt.datetime(newest.year, newest.month, newest.day, tzinfo=dt.UTC)


def _dumps(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


def encode_bundle(dataset: Dataset, chunk_services: int = 200) -> Iterator[bytes]:
    """The bundle as compact UTF-8 JSON, in pieces: the same bytes as encoding
    ``build_bundle`` whole, without ever holding the whole document (for 10,000 services
    the dicts alone are tens of megabytes)."""
    head = _dumps(_head(dataset))
    yield head[:-1] + b',"services":['
    ratings = list(dataset.ratings.values())
    for start in range(0, len(ratings), chunk_services):
        pieces = [_dumps(_service(r)) for r in ratings[start : start + chunk_services]]
        yield (b"," if start else b"") + b",".join(pieces)
    yield b"]}"
