"""The bundle: the compact dataset the extension matches against (docs/bundle-format.md)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ratings.dataset import Dataset
from ratings.methodology import LEVELS

BUNDLE_FORMAT = 1


def build_bundle(dataset: Dataset) -> dict[str, Any]:
    methodology = dataset.methodology
    return {
        "format": BUNDLE_FORMAT,
        "version": dataset.version,
        "generated_at": dataset.loaded_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "methodology": {
            "version": methodology.version,
            "levels": list(LEVELS),
            "criteria": [
                {"id": c.id, "name": c.name, "group": c.group} for c in methodology.criteria
            ],
        },
        "services": [
            {
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
                "meeting_patterns": [
                    {"host": p.host, "path": p.path, "query": list(p.query)}
                    for p in r.meeting_patterns
                ],
                "criteria": [
                    {
                        "id": c.id,
                        "level": c.level,
                        "evidence": c.evidence,
                        "sources": list(c.sources),
                    }
                    for c in r.criteria
                ],
            }
            for r in dataset.ratings.values()
        ],
    }
