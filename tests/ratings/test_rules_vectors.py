"""The shared bundle rules (tests/vectors/rules.json), on the server's side; the extension's
unit tests run the same cases through its validator."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ratings.fixtures import domain_problem
from ratings.text import plain_text
from tests.conftest import ROOT

RULES: dict[str, Any] = json.loads((ROOT / "tests" / "vectors" / "rules.json").read_text())


@pytest.mark.parametrize("case", RULES["domains"], ids=lambda case: case["input"])
def test_domain_rules(case: dict[str, Any]) -> None:
    problem = domain_problem(case["input"])
    assert (problem is None) == case["valid"], (case, problem)


@pytest.mark.parametrize("case", RULES["text"], ids=lambda case: repr(case["input"]))
def test_text_rules(case: dict[str, Any]) -> None:
    try:
        plain_text(case["input"])
        accepted = True
    except ValueError:
        accepted = False
    assert accepted == case["valid"], case


def test_the_vectors_cover_both_answers() -> None:
    for kind in ("domains", "text"):
        assert {case["valid"] for case in RULES[kind]} == {True, False}
