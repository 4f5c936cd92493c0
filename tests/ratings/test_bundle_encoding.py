"""The bundle is encoded piece by piece (api/endpoints.py never holds it whole); the
pieces must make exactly the document ``build_bundle`` describes."""

from __future__ import annotations

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
