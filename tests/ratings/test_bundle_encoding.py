"""The bundle is encoded piece by piece (api/endpoints.py never holds it whole); the
pieces must make exactly the document ``build_bundle`` describes."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from ratings.bundle import build_bundle, encode_bundle
from ratings.dataset import dataset_from_fixtures
from ratings.fixtures import read_fixtures
from tests.conftest import FIXTURES


def _whole(document: dict[str, object]) -> bytes:
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()


@pytest.mark.parametrize("chunk", [1, 7, 200])
def test_pieces_join_to_the_whole_document(chunk: int) -> None:
    dataset = dataset_from_fixtures(read_fixtures(FIXTURES))
    pieces = list(encode_bundle(dataset, chunk_services=chunk))
    assert len(pieces) >= 3  # head, services, tail: really in pieces
    assert b"".join(pieces) == _whole(build_bundle(dataset))


def test_one_service_and_non_ascii_text(make_fixtures: Callable[..., Path]) -> None:
    import yaml

    directory = make_fixtures(1)
    path = directory / "services" / "synth-00000.yaml"
    data = yaml.safe_load(path.read_text())
    data["summary"] = "Zürich-based — «private» calls, 会議."
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    dataset = dataset_from_fixtures(read_fixtures(directory))
    encoded = b"".join(encode_bundle(dataset))
    assert encoded == _whole(build_bundle(dataset))
    assert json.loads(encoded)["services"][0]["summary"] == data["summary"]


def test_each_grade_carries_the_methodologys_colours() -> None:
    dataset = dataset_from_fixtures(read_fixtures(FIXTURES))
    grading = dataset.methodology.grading
    assert grading.grade_colours is not None
    grades = build_bundle(dataset)["methodology"]["grades"]
    assert [g["letter"] for g in grades] == list(dataset.methodology.grades)
    for grade in grades:
        given = grading.grade_colours[grade["letter"]]
        assert grade["colours"] == {"background": given.background, "text": given.text}


def test_a_methodology_without_colours_gives_grades_without_them() -> None:
    """A dataset stored before colours were part of the methodology: its bundle simply
    has none, which the extension's validator accepts (a neutral colour then)."""
    dataset = dataset_from_fixtures(read_fixtures(FIXTURES))
    methodology = dataset.methodology
    bare = methodology.model_copy(
        update={"grading": methodology.grading.model_copy(update={"grade_colours": None})}
    )
    document = build_bundle(dataclasses.replace(dataset, methodology=bare))
    assert all("colours" not in grade for grade in document["methodology"]["grades"])
    assert [g["letter"] for g in document["methodology"]["grades"]] == list(bare.grades)
