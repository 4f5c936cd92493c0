"""The public methodology page agrees with the data, and the published rule reproduces every grade.

``recompute`` below is an independent implementation of the rule as ``docs/methodology.md``
states it, written from the page and the machine-readable methodology alone: it does not
import ``ratings.scoring``. If the two ever disagree, either the code or the page is wrong.
"""

from __future__ import annotations

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
MARKER = re.compile(r"<!-- worked-example: slug=([a-z0-9-]+) score=(\d+) grade=([A-F]) -->")
Grade = str | None


def recompute(
    methodology: Mapping[str, Any], levels: Mapping[str, str]
) -> tuple[int | None, Grade]:
    """Score and grade from criterion levels, by the published rule, in exact fractions.

    ``methodology`` is the YAML file or the ``GET /v1/methodology`` answer (same shape).
    """
    points = {name: Fraction(str(value)) for name, value in methodology["levels"].items()}
    weights = {group["id"]: Fraction(str(group["weight"])) for group in methodology["groups"]}
    values: dict[str, list[Fraction]] = {group: [] for group in weights}
    applicable = undisclosed = 0
    capped = False
    for criterion in methodology["criteria"]:
        level = levels[criterion["id"]]
        if level == "not_applicable":
            continue
        applicable += 1
        if level == "no_disclosure":
            undisclosed += 1
        if criterion.get("baseline", False) and level in ("none", "no_disclosure"):
            capped = True
        values[criterion["group"]].append(points[level])

    grading = methodology["grading"]
    limit = Fraction(str(grading["insufficient_data_share"]))
    if applicable == 0 or Fraction(undisclosed, applicable) > limit:
        return None, None

    total = used_weight = Fraction(0)
    for group, group_values in values.items():
        if group_values:
            total += weights[group] * sum(group_values, Fraction(0)) / len(group_values)
            used_weight += weights[group]
    score = math.floor(total / used_weight + Fraction(1, 2))  # half up, exactly

    grade = "F"
    for letter, minimum in sorted(grading["thresholds"].items(), key=lambda item: -item[1]):
        if score >= Fraction(str(minimum)):
            grade = letter
            break
    cap = grading["baseline_cap"]
    if capped and grade < cap:  # letters: "A" is best, so smaller is better
        grade = cap
    return score, grade


def load_methodology_yaml() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((FIXTURES / "methodology.yaml").read_text())
    return data


def load_service_levels() -> dict[str, dict[str, str]]:
    levels: dict[str, dict[str, str]] = {}
    for path in sorted((FIXTURES / "services").glob("*.yaml")):
        data = yaml.safe_load(path.read_text())
        levels[data["slug"]] = {cid: entry["level"] for cid, entry in data["criteria"].items()}
    return levels


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
    result = assess(fixtures.services[slug].levels(), fixtures.methodology)
    assert (result.score, result.grade) == (score, grade)


def test_marker_matches_the_independent_recomputation() -> None:
    slug, score, grade = worked_example_marker()
    assert recompute(load_methodology_yaml(), load_service_levels()[slug]) == (score, grade)


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
        expected = "—" if levels[criterion] == "not_applicable" else str(points[code(level)])
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
        if level != "not_applicable":
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
    share = Fraction(str(methodology["grading"]["insufficient_data_share"]))
    assert f"**{int(share * 100)}%**" in text
    assert f"**{methodology['grading']['stale_after_days']} days**" in text
    for criterion in methodology["criteria"]:
        assert f"(`{criterion['id']}`)" in text, criterion["id"]
        if criterion.get("baseline", False):
            assert re.search(rf"\(`{criterion['id']}`\) — a \*baseline\* criterion", text)


# -- every service, recomputed independently ------------------------------------------------


def test_every_grade_recomputes_from_the_published_rule() -> None:
    methodology = load_methodology_yaml()
    levels = load_service_levels()
    dataset = dataset_from_fixtures(read_fixtures(FIXTURES))
    assert set(dataset.ratings) == set(levels)
    mismatches = {
        slug: ((rating.score, rating.grade), recompute(methodology, levels[slug]))
        for slug, rating in dataset.ratings.items()
        if (rating.score, rating.grade) != recompute(methodology, levels[slug])
    }
    assert not mismatches, mismatches


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({}, (100, "A")),
        # one baseline criterion undisclosed: 10 full + 1 x 0 in security -> 93, capped at D
        ({"vulnerability_handling": "no_disclosure"}, (93, "D")),
        # three undisclosed of eleven (27%) is still graded: 67.5 rounds half up to 68 ...
        (
            dict.fromkeys(
                ["transparency_report", "law_enforcement_process", "e2ee_calls"], "no_disclosure"
            ),
            (68, "C"),
        ),
        # ... but four (36%) is more than 30%: no score, no grade
        (
            dict.fromkeys(
                ["transparency_report", "law_enforcement_process", "e2ee_calls", "policy_access"],
                "no_disclosure",
            ),
            (None, None),
        ),
        # a group whose criteria are all not applicable drops out, weights renormalised
        (dict.fromkeys(["data_minimisation", "policy_access"], "not_applicable"), (100, "A")),
    ],
)
def test_recompute_follows_the_rules_on_the_page(
    overrides: dict[str, str], expected: tuple[int | None, Grade]
) -> None:
    methodology = load_methodology_yaml()
    levels = {c["id"]: "full" for c in methodology["criteria"]} | overrides
    assert recompute(methodology, levels) == expected
    assert recompute(methodology, levels) == _scoring_code(levels)


def _scoring_code(levels: Mapping[str, str]) -> tuple[int | None, Grade]:
    fixtures = read_fixtures(FIXTURES)
    result = assess(levels, fixtures.methodology)  # type: ignore[arg-type]
    return result.score, result.grade
