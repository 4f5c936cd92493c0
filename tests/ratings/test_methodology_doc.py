"""The public methodology page agrees with the data, and the published rule reproduces every grade.

``recompute`` below is an independent implementation of the rule as ``docs/methodology.md``
states it, written from the page and the machine-readable methodology alone: it does not
import ``ratings.scoring``. If the two ever disagree, either the code or the page is wrong.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

import pytest
import yaml

from ratings.dataset import dataset_from_fixtures
from ratings.fixtures import read_fixtures
from ratings.scoring import assess
from tests.conftest import FIXTURES, ROOT

DOC = ROOT / "docs" / "methodology.md"
MARKER = re.compile(r"<!-- worked-example: slug=([a-z0-9-]+) score=(\d+) grade=([A-Z]) -->")
Grade = str | None


def _months_later(day: dt.date, months: int) -> dt.date:
    # Calendar months on, clamped to the month's end: 2024-08-31 + 18 -> 2026-02-28.
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month + 1, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def recompute(
    methodology: Mapping[str, Any],
    levels: Mapping[str, str],
    periods: Mapping[str, dt.date | None] | None = None,
    reviewed_on: dt.date | None = None,
) -> tuple[int | None, Grade]:
    """Score and grade from criterion levels, by the published rule, in exact fractions.

    ``methodology`` is the YAML file or the ``GET /v1/methodology`` answer (same shape).
    """
    return recompute_all(methodology, levels, periods, reviewed_on)[:2]


def recompute_all(
    methodology: Mapping[str, Any],
    levels: Mapping[str, str],
    periods: Mapping[str, dt.date | None] | None = None,
    reviewed_on: dt.date | None = None,
) -> tuple[int | None, Grade, dict[str, int | None]]:
    """As ``recompute``, plus the sub-score of every group (rounded half up)."""
    grading = methodology["grading"]
    points = {name: Fraction(str(value)) for name, value in methodology["levels"].items()}
    weights = {group["id"]: Fraction(str(group["weight"])) for group in methodology["groups"]}
    values: dict[str, list[Fraction]] = {group: [] for group in weights}
    applicable = not_assessed = 0
    capped = False
    for criterion in methodology["criteria"]:
        period = (periods or {}).get(criterion["id"])
        level = _fresh_level(grading, criterion["id"], levels[criterion["id"]], period, reviewed_on)
        if level == "not_applicable":
            continue
        applicable += 1
        if level == "not_assessed":
            not_assessed += 1
            continue
        if criterion.get("baseline", False) and level in grading["baseline_cap"]["levels"]:
            capped = True
        values[criterion["group"]].append(points[level])

    subs = {
        group: (math.floor(sum(v, Fraction(0)) / len(v) + Fraction(1, 2)) if v else None)
        for group, v in values.items()
    }
    limit = Fraction(str(grading["review_in_progress_share"]))
    if applicable == 0 or Fraction(not_assessed, applicable) > limit:
        return None, None, subs

    total = used_weight = Fraction(0)
    for group, group_values in values.items():
        if group_values:
            total += weights[group] * sum(group_values, Fraction(0)) / len(group_values)
            used_weight += weights[group]
    score = math.floor(total / used_weight + Fraction(1, 2))  # half up, exactly

    return score, _grade(grading, score, capped), subs


def _fresh_level(
    grading: Mapping[str, Any],
    criterion: str,
    level: str,
    period: dt.date | None,
    reviewed_on: dt.date | None,
) -> str:
    """``level``, capped when the criterion's latest report is too old at the review."""
    freshness = grading["report_freshness"]
    order = ["full", "partial", "none", "no_disclosure"]
    if (
        criterion in freshness["criteria"]
        and level in order
        and order.index(level) < order.index(freshness["cap_level"])
        and period is not None
        and reviewed_on is not None
        and reviewed_on > _months_later(period, freshness["max_age_months"])
    ):
        return str(freshness["cap_level"])
    return level


def _grade(grading: Mapping[str, Any], score: int, capped: bool) -> Grade:
    """The letter for ``score``, no better than the baseline cap when ``capped``."""
    scale = [*grading["thresholds"], grading["lowest_grade"]]
    grade = grading["lowest_grade"]
    for letter, minimum in sorted(grading["thresholds"].items(), key=lambda item: -item[1]):
        if score >= Fraction(str(minimum)):
            grade = letter
            break
    cap = grading["baseline_cap"]["grade"]
    if capped and scale.index(grade) < scale.index(cap):
        grade = cap
    return grade


def load_methodology_yaml() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((FIXTURES / "methodology.yaml").read_text())
    return data


def load_service_levels() -> dict[str, dict[str, str]]:
    return {slug: levels for slug, (levels, _, _) in load_services().items()}


def load_services() -> dict[str, tuple[dict[str, str], dict[str, dt.date | None], dt.date]]:
    """slug -> (levels, latest report periods, review date), read from the YAML directly."""
    found = {}
    for path in sorted((FIXTURES / "services").glob("*.yaml")):
        data = yaml.safe_load(path.read_text())
        criteria = data["criteria"].items()
        found[data["slug"]] = (
            {cid: entry["level"] for cid, entry in criteria},
            {cid: _date(entry.get("latest_period_end")) for cid, entry in criteria},
            _date(data["reviewed_on"]),
        )
    return found  # type: ignore[return-value]


def _date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def worked_example_marker() -> tuple[str, int, str]:
    found = MARKER.findall(DOC.read_text())
    assert len(found) == 1, "docs/methodology.md needs exactly one worked-example marker"
    slug, score, grade = found[0]
    return slug, int(score), grade


def worked_example_section() -> str:
    text = DOC.read_text()
    match = re.search(r"^## Worked example.*?(?=^## )", text, flags=re.M | re.S)
    assert match, "docs/methodology.md has no '## Worked example' section"
    return match.group(0)


def table_rows(section: str, first_header: str) -> list[list[str]]:
    """The body rows of the Markdown table whose first header cell is ``first_header``."""
    lines = section.splitlines()
    for index, line in enumerate(lines):
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.lstrip().startswith("|") and cells[0] == first_header:
            rows = []
            for row in lines[index + 2 :]:
                if not row.lstrip().startswith("|"):
                    break
                rows.append([cell.strip() for cell in row.strip().strip("|").split("|")])
            return rows
    raise AssertionError(f"no table starting with a {first_header!r} column")


def code(cell: str) -> str:
    match = re.fullmatch(r"`([^`]+)`", cell)
    assert match, f"expected an inline-code cell, got {cell!r}"
    return match.group(1)


# -- the worked example ---------------------------------------------------------------------


def test_marker_matches_what_the_scoring_code_computes() -> None:
    slug, score, grade = worked_example_marker()
    fixtures = read_fixtures(FIXTURES)
    assert slug in fixtures.services, f"the worked example names an unknown service {slug!r}"
    result = fixtures.services[slug].assess(fixtures.methodology)
    assert (result.score, result.grade) == (score, grade)


def test_marker_matches_the_independent_recomputation() -> None:
    slug, score, grade = worked_example_marker()
    levels, periods, reviewed_on = load_services()[slug]
    assert recompute(load_methodology_yaml(), levels, periods, reviewed_on) == (score, grade)


def test_worked_example_levels_table_matches_the_fixture() -> None:
    slug, _, _ = worked_example_marker()
    methodology = load_methodology_yaml()
    groups = {c["id"]: c["group"] for c in methodology["criteria"]}
    points = methodology["levels"]
    rows = table_rows(worked_example_section(), "Criterion")
    shown = {code(row[0]): row for row in rows}
    assert shown.keys() == set(groups), "the table must list every criterion exactly once"
    assert len(rows) == len(groups)
    levels = load_service_levels()[slug]
    for criterion, (_, group, level, value) in shown.items():
        assert code(group) == groups[criterion], criterion
        assert code(level) == levels[criterion], criterion
        unscored = levels[criterion] in ("not_applicable", "not_assessed")
        expected = "—" if unscored else str(points[code(level)])
        assert value == expected, criterion


def test_worked_example_group_means_are_consistent() -> None:
    slug, score, _ = worked_example_marker()
    methodology = load_methodology_yaml()
    levels = load_service_levels()[slug]
    points = {name: Fraction(str(value)) for name, value in methodology["levels"].items()}
    weights = {g["id"]: Fraction(str(g["weight"])) for g in methodology["groups"]}
    expected: dict[str, list[Fraction]] = {group: [] for group in weights}
    for criterion in methodology["criteria"]:
        level = levels[criterion["id"]]
        if level not in ("not_applicable", "not_assessed"):
            expected[criterion["group"]].append(points[level])

    rows = table_rows(worked_example_section(), "Group")
    means: dict[str, Fraction] = {}
    for group_cell, weight_cell, points_cell, mean_cell in rows:
        group = code(group_cell)
        assert Fraction(weight_cell) == weights[group], group
        addends = [Fraction(part.strip()) for part in points_cell.split("+")]
        assert sorted(addends) == sorted(expected[group]), group
        fraction = re.match(r"(\d+)/(\d+)", mean_cell)
        assert fraction, f"the mean of {group} should be written as an exact fraction"
        numerator, denominator = (int(part) for part in fraction.groups())
        assert numerator == sum(addends) and denominator == len(addends), group
        mean = Fraction(numerator, denominator)
        approximate = re.search(r"(?:=|≈)\s*([0-9.]+)\s*$", mean_cell)
        assert approximate, f"the mean of {group} should also be given as a decimal"
        assert abs(Fraction(approximate.group(1)) - mean) < Fraction(1, 100), group
        means[group] = mean
    assert means.keys() == {group for group, values in expected.items() if values}

    used = sum((weights[group] for group in means), Fraction(0))
    total = sum((weights[group] * mean for group, mean in means.items()), Fraction(0)) / used
    section = worked_example_section()
    stated = re.search(r"weighted total = (\d+)/(\d+)", section)
    assert stated, "the worked example should state `weighted total = a/b`"
    assert Fraction(int(stated.group(1)), int(stated.group(2))) == total
    stated_score = re.search(r"`score = (\d+)`", section)
    assert stated_score and int(stated_score.group(1)) == score
    assert math.floor(total + Fraction(1, 2)) == score


# -- the page states the current numbers ----------------------------------------------------


def test_page_states_the_current_weights_and_thresholds() -> None:
    methodology = load_methodology_yaml()
    text = DOC.read_text()
    groups = {code(row[1]): Fraction(row[2]) for row in table_rows(text, "Group") if len(row) == 4}
    assert groups == {g["id"]: Fraction(str(g["weight"])) for g in methodology["groups"]}
    thresholds = {row[0]: Fraction(row[1]) for row in table_rows(text, "Grade") if row[1].isdigit()}
    expected = {k: Fraction(str(v)) for k, v in methodology["grading"]["thresholds"].items()}
    assert thresholds == expected
    share = Fraction(str(methodology["grading"]["review_in_progress_share"]))
    assert f"**{int(share * 100)}%**" in text
    freshness = methodology["grading"]["report_freshness"]
    assert f"**{freshness['max_age_months']} months**" in text
    cap = methodology["grading"]["baseline_cap"]
    assert f"no better than **{cap['grade']}**" in text
    for level in cap["levels"]:
        assert f"`{level}`" in text
    assert f"**{methodology['grading']['stale_after_days']} days**" in text
    for criterion in methodology["criteria"]:
        assert f"(`{criterion['id']}`)" in text, criterion["id"]
        if criterion.get("baseline", False):
            assert re.search(rf"\(`{criterion['id']}`\) — a \*baseline\* criterion", text)


# -- every service, recomputed independently ------------------------------------------------


def test_every_grade_recomputes_from_the_published_rule() -> None:
    methodology = load_methodology_yaml()
    services = load_services()
    dataset = dataset_from_fixtures(read_fixtures(FIXTURES))
    assert set(dataset.ratings) == set(services)
    mismatches = {}
    for slug, rating in dataset.ratings.items():
        score, grade, subs = recompute_all(methodology, *services[slug])
        served = (rating.score, rating.grade, {g.id: g.score for g in rating.groups})
        if served != (score, grade, subs):
            mismatches[slug] = (served, (score, grade, subs))
    assert not mismatches, mismatches


def _full(**overrides: str) -> dict[str, str]:
    return {c["id"]: "full" for c in load_methodology_yaml()["criteria"]} | overrides


REVIEW = dt.date(2026, 11, 30)


@pytest.mark.parametrize(
    ("levels", "periods", "expected"),
    [
        (_full(), {}, (100, "A")),
        # one baseline criterion undisclosed: 10 full + 1 x 0 in security -> 93, capped at D
        (_full(vulnerability_handling="no_disclosure"), {}, (93, "D")),
        # ... and a confirmed none caps the same way
        (_full(account_security="none"), {}, (93, "D")),
        # silence is graded: four criteria undisclosed (36%) still get a score and grade
        (
            _full(
                transparency_report="no_disclosure",
                law_enforcement_process="no_disclosure",
                e2ee_calls="no_disclosure",
                policy_access="no_disclosure",
            ),
            {},
            (60, "C"),
        ),
        # three of eleven not assessed (27%) is graded on the other eight ...
        (
            _full(
                transparency_report="not_assessed",
                law_enforcement_process="not_assessed",
                e2ee_calls="not_assessed",
            ),
            {},
            (100, "A"),
        ),
        # ... four (36%) is more than 30%: review in progress, no score, no grade
        (
            _full(
                transparency_report="not_assessed",
                law_enforcement_process="not_assessed",
                e2ee_calls="not_assessed",
                policy_access="not_assessed",
            ),
            {},
            (None, None),
        ),
        # a group whose criteria are all not applicable drops out, weights renormalised
        (_full(data_minimisation="not_applicable", policy_access="not_applicable"), {}, (100, "A")),
        # a full report whose period ended 18 months and a day before the review counts partial:
        # transparency 350/4 -> 35 x 87.5 + 65 x 100 = 95.625 -> 96
        (_full(), {"transparency_report": dt.date(2025, 5, 29)}, (96, "A")),
        # ... exactly 18 months before is still fresh
        (_full(), {"transparency_report": dt.date(2025, 5, 30)}, (100, "A")),
        # both report criteria stale: 35 x 75 + 65 x 100 = 91.25 -> 91
        (
            _full(),
            {
                "transparency_report": dt.date(2023, 12, 31),
                "moderation_transparency": dt.date(2024, 6, 30),
            },
            (91, "A"),
        ),
        # the cap never raises a level: partial stays partial, none stays none
        (
            _full(transparency_report="partial"),
            {"transparency_report": dt.date(2020, 12, 31)},
            (96, "A"),
        ),
    ],
)
def test_recompute_follows_the_rules_on_the_page(
    levels: dict[str, str],
    periods: dict[str, dt.date],
    expected: tuple[int | None, Grade],
) -> None:
    methodology = load_methodology_yaml()
    assert recompute(methodology, levels, periods, REVIEW) == expected
    assert recompute(methodology, levels, periods, REVIEW) == _scoring_code(levels, periods)


def test_sub_scores_are_the_group_means() -> None:
    methodology = load_methodology_yaml()
    levels = _full(e2ee_calls="partial", transport_encryption="none", policy_access="not_assessed")
    _, _, subs = recompute_all(methodology, levels, {}, REVIEW)
    assert subs == {"transparency": 100, "encryption": 25, "security": 100, "data_policy": 100}
    fixtures = read_fixtures(FIXTURES)
    result = assess(levels, fixtures.methodology, reviewed_on=REVIEW)  # type: ignore[arg-type]
    assert result.group_scores == subs


def _scoring_code(
    levels: Mapping[str, str], periods: Mapping[str, dt.date]
) -> tuple[int | None, Grade]:
    fixtures = read_fixtures(FIXTURES)
    result = assess(levels, fixtures.methodology, periods=periods, reviewed_on=REVIEW)  # type: ignore[arg-type]
    return result.score, result.grade
