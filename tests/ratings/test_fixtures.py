from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest

from ratings.fixtures import FixtureErrors, FixtureProblem, read_fixtures
from tests.conftest import FIXTURES, edit_service


def problems_of(directory: Path, **kwargs: object) -> list[FixtureProblem]:
    with pytest.raises(FixtureErrors) as caught:
        read_fixtures(directory, **kwargs)  # type: ignore[arg-type]
    return caught.value.problems


def test_real_fixtures_are_valid() -> None:
    fixtures = read_fixtures(FIXTURES)
    assert len(fixtures.services) >= 6
    for service in fixtures.services.values():
        assert set(service.criteria) == set(fixtures.methodology.criterion_ids)
        for entry in service.criteria.values():
            assert entry.sources and entry.evidence


def test_version_is_stable_and_content_addressed(make_fixtures: Callable[..., Path]) -> None:
    directory = make_fixtures(3)
    first = read_fixtures(directory).version
    assert read_fixtures(directory).version == first
    edit_service(directory, "synth-00001", lambda d: d.update(name="Renamed"))
    assert read_fixtures(directory).version != first


def test_error_names_file_line_and_field(make_fixtures: Callable[..., Path]) -> None:
    directory = make_fixtures(2)
    path = directory / "services" / "synth-00001.yaml"
    text = path.read_text().replace("level: ", "level: excellent #", 1)
    path.write_text(text)
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "excellent" in row)
    [problem] = problems_of(directory)
    assert problem.file == str(path)
    assert problem.line == line
    assert problem.field.startswith("criteria.") and problem.field.endswith(".level")
    assert f"{path}:{line}:" in str(problem)


def test_every_error_is_reported_at_once(make_fixtures: Callable[..., Path]) -> None:
    directory = make_fixtures(3)
    edit_service(directory, "synth-00000", lambda d: d.update(homepage="ftp://x"))
    edit_service(directory, "synth-00001", lambda d: d["criteria"].pop("e2ee_calls"))
    edit_service(directory, "synth-00002", lambda d: d.update(reviewed_on="2026-02-30"))
    problems = problems_of(directory)
    fields = {(Path(p.file).stem, p.field.split(".")[0]) for p in problems}
    assert fields == {
        ("synth-00000", "homepage"),
        ("synth-00001", "criteria"),
        ("synth-00002", "reviewed_on"),
    }


def test_cross_file_domain_ownership(make_fixtures: Callable[..., Path]) -> None:
    directory = make_fixtures(2)
    edit_service(directory, "synth-00001", lambda d: d["domains"].append("synth00000.example"))
    [problem] = problems_of(directory)
    assert "already belongs to 'synth-00000'" in problem.message
    assert problem.field == "domains.5"
    assert problem.line is not None


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (lambda d: d.update(slug="other"), "slug", "must equal the file name"),
        (lambda d: d.update(reviewed_on="2099-01-01"), "reviewed_on", "in the future"),
        (
            lambda d: d["criteria"]["e2ee_calls"].update(sources=[]),
            "criteria.e2ee_calls.sources",
            "at least 1",
        ),
        (
            lambda d: d["criteria"]["e2ee_calls"].update(sources=["not a url"]),
            "criteria.e2ee_calls.sources",
            "http",
        ),
        (
            lambda d: d["criteria"].update(bogus=d["criteria"]["e2ee_calls"]),
            "criteria.bogus",
            "unknown criterion",
        ),
        (lambda d: d.update(domains=["ZOOM.us"]), "domains", "must be written as"),
        (lambda d: d.update(domains=["127.0.0.1"]), "domains", "IP"),
        (
            lambda d: d["meeting_patterns"].append({"path": "/j/{q}"}),
            "meeting_patterns",
            "invalid literal",
        ),
        (
            lambda d: d["meeting_patterns"].append({"host": "evil.example", "path": "/x"}),
            "meeting_patterns.3.host",
            "outside",
        ),
        (lambda d: d.update(status="discontinued"), "discontinued_on", "needs discontinued_on"),
        (lambda d: d.update(extra_field=1), "extra_field", "Extra inputs"),
    ],
)
def test_rules(
    make_fixtures: Callable[..., Path], change: Callable[[dict], None], field: str, message: str
) -> None:
    directory = make_fixtures(1)
    edit_service(directory, "synth-00000", change)
    problems = problems_of(directory, today=dt.date(2026, 11, 28))
    assert any(p.field == field and message in p.message for p in problems), problems


def test_yaml_syntax_error_has_a_line(make_fixtures: Callable[..., Path]) -> None:
    directory = make_fixtures(1)
    path = directory / "services" / "synth-00000.yaml"
    path.write_text(path.read_text() + "\n  bad: [unclosed\n")
    [problem] = problems_of(directory)
    assert problem.line is not None and "YAML" in problem.message


def test_old_reviews_are_warnings_not_errors(make_fixtures: Callable[..., Path]) -> None:
    directory = make_fixtures(2)
    edit_service(directory, "synth-00000", lambda d: d.update(reviewed_on="2024-01-01"))
    fixtures = read_fixtures(directory, today=dt.date(2026, 11, 28))
    [warning] = fixtures.warnings
    assert warning.severity == "warning" and warning.field == "reviewed_on"
