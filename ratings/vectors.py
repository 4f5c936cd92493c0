"""The shared URL vectors, checked against the fixtures by ``candor fixtures check``:
every case must get its expected answer, and no service's meeting pattern may claim a
case that belongs to another service."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ratings.dataset import dataset_from_fixtures
from ratings.fixtures import FixtureProblem, FixtureSet
from ratings.matching import InvalidInput, parse_url


@dataclass(frozen=True)
class Vector:
    input: str
    service: str | None
    meeting: bool
    error: bool
    kind: str
    note: str


def read_vectors(path: Path) -> list[Vector]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return [
        Vector(
            input=case["input"],
            service=case.get("service"),
            meeting=bool(case.get("meeting", False)),
            error=bool(case.get("error", False)),
            kind=case.get("kind", "url"),
            note=case.get("note", ""),
        )
        for case in data["cases"]
    ]


def check_vectors(fixtures: FixtureSet, path: Path) -> list[FixtureProblem]:
    dataset = dataset_from_fixtures(fixtures)
    # Only a pattern pinned to a host can claim another service's URL.
    pinned = [
        (slug, pattern)
        for slug, rating in dataset.ratings.items()
        for pattern in rating.meeting_patterns
        if pattern.host is not None
    ]
    problems: list[FixtureProblem] = []
    for index, case in enumerate(read_vectors(path)):
        where = f"cases.{index}"

        def fail(message: str, case: Vector = case, where: str = where) -> None:
            problems.append(FixtureProblem(str(path), None, where, f"{case.input!r}: {message}"))

        try:
            match = (
                dataset.match_host(case.input)
                if case.kind == "host"
                else dataset.match_url(case.input)
            )
        except InvalidInput:
            if not case.error:
                fail("rejected as invalid, expected a valid input")
            continue
        if case.error:
            fail("accepted, expected it to be rejected as invalid")
            continue
        if (match.service, match.meeting) != (case.service, case.meeting):
            got = f"({match.service}, meeting={match.meeting})"
            fail(f"matched {got}, expected ({case.service}, meeting={case.meeting})")
        if case.kind == "url" and case.service is not None:
            url = parse_url(case.input)
            for slug, pattern in pinned:
                if slug != case.service and pattern.matches(url):
                    fail(f"{slug}'s meeting pattern {pattern.host}{pattern.path} also matches it")
    return problems
