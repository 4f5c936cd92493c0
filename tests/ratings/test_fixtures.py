from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

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
            if entry.level != "not_assessed":
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


def _source(data: dict, official_silent: bool | None = None, **fields: object) -> None:
    """Make e2ee_calls a full criterion with one source, changed by ``fields``."""
    entry = data["criteria"]["e2ee_calls"]
    entry["level"] = "full"
    entry["sources"] = [{**entry["sources"][0], **fields}]
    if official_silent is not None:
        entry["official_silent"] = official_silent


def _level(data: dict, cid: str, level: str, period: str | None = None, **top: object) -> None:
    entry = data["criteria"][cid]
    entry["level"] = level
    entry.pop("latest_period_end", None)
    if period is not None:
        entry["latest_period_end"] = period
    data.update(top)


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (lambda d: d.update(slug="other"), "slug", "must equal the file name"),
        (lambda d: d.update(reviewed_on="2099-01-01"), "reviewed_on", "in the future"),
        (
            lambda d: d["criteria"]["e2ee_calls"].update(sources=[]),
            "criteria.e2ee_calls.sources",
            "needs a source",
        ),
        (
            lambda d: d["criteria"]["e2ee_calls"].update(sources=["https://x.example/"]),
            "criteria.e2ee_calls.sources.0",
            "valid dictionary",
        ),
        (
            lambda d: _source(d, url="not a url"),
            "criteria.e2ee_calls.sources.0.url",
            "https",
        ),
        (
            lambda d: _source(d, url="http://www.synth00000.example/e2ee"),
            "criteria.e2ee_calls.sources.0.url",
            "https",
        ),
        (
            lambda d: _source(d, url="https://www.scribd.com/document/1", kind="independent"),
            "criteria.e2ee_calls.sources.0.url",
            "scribd.com is a mirror",
        ),
        (
            lambda d: _source(d, url="https://web.archive.org/web/2020/https://x.example/"),
            "criteria.e2ee_calls.sources.0.url",
            "archive.org is a mirror",
        ),
        (
            lambda d: _source(d, url="https://press.example/story", kind="official"),
            "criteria.e2ee_calls.sources.0.kind",
            "official sources lie on the service's domains or publishers",
        ),
        (
            lambda d: _source(d, kind="independent"),
            "criteria.e2ee_calls.sources.0.kind",
            "is an official source",
        ),
        (
            lambda d: _source(d, url="https://press.example/story", kind="independent"),
            "criteria.e2ee_calls.sources",
            "needs an official source",
        ),
        (
            lambda d: _source(d, official_silent=True),
            "criteria.e2ee_calls.official_silent",
            "independent sources only",
        ),
        (
            lambda d: _source(d, url="https://www.synth00000.example/de/e2ee"),
            "criteria.e2ee_calls.sources.0.url",
            "'de' version",
        ),
        (
            lambda d: _source(d, url="https://www.synth00000.example/e2ee?hl=fr"),
            "criteria.e2ee_calls.sources.0.url",
            "'fr' version",
        ),
        (
            lambda d: _source(d, section="<b>x</b> section"),
            "criteria.e2ee_calls.sources.0.section",
            "markup",
        ),
        (
            lambda d: _source(d, retrieved_on="2099-01-01"),
            "criteria.e2ee_calls.sources.0.retrieved_on",
            "in the future",
        ),
        (
            lambda d: _level(d, "e2ee_calls", "no_disclosure", examined=[]),
            "criteria.e2ee_calls.level",
            "list them",
        ),
        (
            lambda d: d["examined"][0].update(url="https://elsewhere.example/policy"),
            "examined.0.url",
            "company's own",
        ),
        (
            lambda d: _level(d, "transparency_report", "full", period=None),
            "criteria.transparency_report",
            "latest_period_end is required",
        ),
        (
            lambda d: _level(d, "e2ee_calls", "full", period="2026-06-30"),
            "criteria.e2ee_calls.latest_period_end",
            "applies to transparency_report, moderation_transparency",
        ),
        (
            lambda d: _level(d, "transparency_report", "full", period="2024-12-31"),
            "criteria.transparency_report.level",
            "it counts at most partial",
        ),
        (
            lambda d: _level(d, "moderation_transparency", "partial", period="2026-11-15"),
            "criteria.moderation_transparency.latest_period_end",
            "after the review date",
        ),
        (
            lambda d: d["meeting_patterns"].append({"path": "/*"}),
            "meeting_patterns.3.path",
            "takes every path at the root",
        ),
        (
            lambda d: d["meeting_patterns"].append({"host": "synth00000.example", "path": "/{w}"}),
            "meeting_patterns.3.path",
            "takes every path at the root",
        ),
        (
            lambda d: d["meeting_patterns"].append(
                {"path": "/j/{d}", "host": "synth00000.example", "only_meetings": "it is rooms"}
            ),
            "meeting_patterns.3.only_meetings",
            "root catch-all patterns only",
        ),
        (lambda d: d.update(domains=["co.uk"]), "domains", "public suffix"),
        (lambda d: d.update(domains=["github.io"]), "domains", "public suffix"),
        (lambda d: d.update(publishers=["com"]), "publishers", "public suffix"),
        (lambda d: d.update(name="Evil <script>"), "name", "markup"),
        (
            lambda d: d.update(summary="Reads \u202eright to left, a spoofed summary"),
            "summary",
            "bidi",
        ),
        (lambda d: d.update(company="Tab\u0007Bell Inc."), "company", "control"),
        (
            lambda d: d.update(
                review_notes=[{"criterion": "nope", "challenge": "x" * 20, "resolution": "y" * 20}]
            ),
            "review_notes.0.criterion",
            "unknown criterion",
        ),
        (
            lambda d: d.update(
                contact={
                    "url": "mailto:a b@x",
                    "label": "Privacy team",
                    "source": d["criteria"]["e2ee_calls"]["sources"][0],
                }
            ),
            "contact.url",
            "e-mail",
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

    def old_review(data: dict) -> None:
        data["reviewed_on"] = "2024-01-01"
        for entry in data["criteria"].values():
            if "latest_period_end" in entry:
                entry["latest_period_end"] = "2023-06-30"
                entry["level"] = "partial"

    edit_service(directory, "synth-00000", old_review)
    fixtures = read_fixtures(directory, today=dt.date(2026, 11, 28))
    [warning] = fixtures.warnings
    assert warning.severity == "warning" and warning.field == "reviewed_on"


def test_valid_v2_variants_pass(make_fixtures: Callable[..., Path]) -> None:
    """What the rules allow: a non-English page that says its language, an independent-only
    level that says the company is silent, a not_assessed criterion with nothing else, a
    catch-all on a host that serves only meetings, an official page on a publisher."""
    directory = make_fixtures(1)

    def change(data: dict) -> None:
        _source(data, url="https://www.synth00000.example/de/e2ee", language="de")
        data["criteria"]["policy_access"] = {"level": "not_assessed"}
        # Moderation partial on notice and appeals alone: no report, so no period.
        moderation = data["criteria"]["moderation_transparency"]
        moderation["level"] = "partial"
        moderation.pop("latest_period_end", None)
        data["criteria"]["data_minimisation"] = {
            "level": "partial",
            "official_silent": True,
            "evidence": "The company publishes nothing on retention; a regulator's decision does.",
            "sources": [
                {
                    "url": "https://regulator.example/decision",
                    "kind": "independent",
                    "section": "Findings on retention",
                    "retrieved_on": "2026-11-01",
                }
            ],
        }
        data["publishers"] = ["github.com/synth00000"]
        data["criteria"]["security_assurance"]["level"] = "full"
        data["criteria"]["security_assurance"]["sources"] = [
            {
                "url": "https://github.com/synth00000/audits",
                "kind": "official",
                "section": "Audit reports folder",
                "retrieved_on": "2026-11-01",
            }
        ]
        data["meeting_patterns"].append(
            {
                "host": "synth00000-meet.example",
                "path": "/*",
                "only_meetings": "This host serves nothing but meeting rooms.",
            }
        )

    edit_service(directory, "synth-00000", change)
    fixtures = read_fixtures(directory, today=dt.date(2026, 11, 28))
    service = fixtures.services["synth-00000"]
    assert service.criteria["policy_access"].level == "not_assessed"
    assert service.criteria["moderation_transparency"].latest_period_end is None
    assert service.is_official("https://github.com/synth00000/audits")
    assert not service.is_official("https://github.com/synth00000evil/x")
    assert not service.is_official("https://github.com/other/synth00000")


def test_duplicate_yaml_keys_are_errors(make_fixtures: Callable[..., Path]) -> None:
    directory = make_fixtures(1)
    path = directory / "services" / "synth-00000.yaml"
    text = path.read_text()
    path.write_text(text.replace("name: ", "name: First\nname: ", 1))
    [problem] = problems_of(directory)
    assert "duplicate key 'name'" in problem.message and problem.line == 3


def test_yml_files_are_errors_not_skipped(make_fixtures: Callable[..., Path]) -> None:
    directory = make_fixtures(2)
    (directory / "services" / "synth-00001.yaml").rename(directory / "services" / "other.yml")
    [problem] = problems_of(directory)
    assert problem.file.endswith("other.yml") and ".yaml, not .yml" in problem.message


@pytest.mark.parametrize("target", ["/dev/zero", "/etc/passwd", "../outside.yaml"])
def test_symbolic_links_are_refused(make_fixtures: Callable[..., Path], target: str) -> None:
    directory = make_fixtures(2)
    (directory / "outside.yaml").write_text("slug: outside\n")
    link = directory / "services" / "synth-00001.yaml"
    link.unlink()
    link.symlink_to(target)
    [problem] = problems_of(directory)
    assert problem.file == str(link) and "symbolic link" in problem.message


def test_special_files_are_refused(make_fixtures: Callable[..., Path]) -> None:
    directory = make_fixtures(2)
    fifo = directory / "services" / "synth-00001.yaml"
    fifo.unlink()
    os.mkfifo(fifo)  # opening it for reading would block forever
    [problem] = problems_of(directory)
    assert problem.file == str(fifo) and "not a regular file" in problem.message


def test_oversized_files_are_refused_without_reading_them_whole(
    make_fixtures: Callable[..., Path],
) -> None:
    directory = make_fixtures(1)
    path = directory / "services" / "synth-00000.yaml"
    with path.open("a") as handle:
        handle.write("# " + "x" * (300 * 1024) + "\n")
    [problem] = problems_of(directory)
    assert "larger than 256 KiB" in problem.message


def _domains(directory: Path, slug: str, domains: list[str], inside: list[str] | None) -> None:
    """Add ``domains`` to the service's own (and set ``inside``)."""

    def change(data: dict[str, Any]) -> None:
        data["domains"] = [*data["domains"], *domains]
        if inside is not None:
            data["inside"] = inside

    edit_service(directory, slug, change)


def test_a_domain_under_another_services_domain_must_be_declared(
    make_fixtures: Callable[..., Path],
) -> None:
    directory = make_fixtures(2)
    # synth-00001 claims a host under synth-00000's domain, without saying so.
    _domains(directory, "synth-00001", ["meet.synth00000.example"], None)
    [problem] = problems_of(directory)
    assert Path(problem.file).stem == "synth-00001" and problem.field.startswith("domains.")
    assert "lies under 'synth00000.example', a domain of 'synth-00000'" in problem.message
    assert problem.line is not None
    # Declared, it is allowed (the most specific domain wins at matching time).
    edit_service(directory, "synth-00001", lambda d: d.update(inside=["synth-00000"]))
    fixtures = read_fixtures(directory)
    assert fixtures.services["synth-00001"].inside == ("synth-00000",)


def test_a_declaration_that_nothing_uses_is_an_error(make_fixtures: Callable[..., Path]) -> None:
    directory = make_fixtures(2)
    edit_service(directory, "synth-00001", lambda d: d.update(inside=["synth-00000"]))
    edit_service(directory, "synth-00000", lambda d: d.update(inside=["no-such-service"]))
    problems = {(Path(p.file).stem, p.field, p.message) for p in problems_of(directory)}
    assert problems == {
        (
            "synth-00001",
            "inside.0",
            "'synth-00000': none of this service's domains lies under its domains",
        ),
        ("synth-00000", "inside.0", "'no-such-service': no such service"),
    }


def test_nesting_is_carried_into_the_bundle(make_fixtures: Callable[..., Path]) -> None:
    from ratings.bundle import build_bundle
    from ratings.dataset import dataset_from_fixtures

    directory = make_fixtures(2)
    _domains(directory, "synth-00001", ["meet.synth00000.example"], ["synth-00000"])
    bundle = build_bundle(dataset_from_fixtures(read_fixtures(directory)))
    inside = {s["slug"]: s["inside"] for s in bundle["services"]}
    assert inside == {"synth-00000": [], "synth-00001": ["synth-00000"]}


@pytest.mark.parametrize(
    "key",
    [
        "x\nok: 78 services, 11 criteria, dataset version 0, 0 warning(s)",
        "\x1b[32mgreen\x1b[0m",
        "\u202etxet",
    ],
)
def test_printed_problems_escape_what_the_file_says(
    make_fixtures: Callable[..., Path], key: str
) -> None:
    directory = make_fixtures(1)
    edit_service(directory, "synth-00000", lambda d: d["criteria"].update({key: {"level": "x"}}))
    printed = [str(problem) for problem in problems_of(directory)]
    assert printed and any("criteria." in line for line in printed)
    for line in printed:
        assert line.isprintable(), line  # no newline, escape or override reaches a terminal
    assert any(repr(key)[1:-1] in line for line in printed)


@pytest.mark.parametrize(
    ("where", "value"),
    [
        (("grading", "grade_meanings", "A"), "Strong <b>commitments</b>"),
        (("level_labels", "full"), "Full\u202e"),
        (("groups", 0, "name"), "Transparency\x1b[0m"),
    ],
)
def test_methodology_text_is_plain_text(
    make_fixtures: Callable[..., Path], where: tuple[str | int, ...], value: str
) -> None:
    import yaml

    directory = make_fixtures(1)
    path = directory / "methodology.yaml"
    data = yaml.safe_load(path.read_text())
    node = data
    for step in where[:-1]:
        node = node[step]
    node[where[-1]] = value
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    [problem] = problems_of(directory)
    assert "markup, control or bidi" in problem.message
    assert problem.field == ".".join(map(str, where))
