"""Third-party clients generated from the served /openapi.json, with the generators'
default settings: openapi-python-client's Python client calls every operation against a
real ``candor serve`` (tests/clients/exercise.py) and its models parse every answer;
openapi-typescript's types compile under ``tsc --strict`` (typed_usage.ts)."""

from __future__ import annotations

import importlib
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest

from api.operations import OPERATIONS
from tests.clients.conftest import HERE, node_tool
from tests.process import serving

BIN = Path(sys.executable).parent
PACKAGE = "candor_rating_api_client"  # from the document's title, "Candor rating API"
BADGE_PATH = "GET /v1/services/{slug}/badge.svg"


@dataclass(frozen=True)
class Generated:
    project: Path
    output: str


@pytest.fixture(scope="module")
def generated(openapi_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Generated:
    workdir = tmp_path_factory.mktemp("python-client")
    # The generator formats its output with ruff, which it looks for on PATH.
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    result = subprocess.run(
        [str(BIN / "openapi-python-client"), "generate", "--path", str(openapi_file)],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    project = workdir / "candor-rating-api-client"
    assert (project / PACKAGE / "__init__.py").is_file(), output
    return Generated(project, output)


@pytest.fixture(scope="module")
def exercise(generated: Generated) -> Iterator[ModuleType]:
    sys.path.insert(0, str(generated.project))
    try:
        yield importlib.import_module("tests.clients.exercise")
    finally:
        sys.path.remove(str(generated.project))
        for name in list(sys.modules):
            if name.split(".")[0] == PACKAGE or name == "tests.clients.exercise":
                del sys.modules[name]


# The answers the generator cannot type, by the media types it does not know.
UNTYPED = {
    (BADGE_PATH, "image/svg+xml"),
    ("GET /changes.atom", "application/atom+xml"),
    ("GET /services/{slug}/changes.atom", "application/atom+xml"),
}


def _content_type(why: str) -> str | None:
    found = re.search(r"Unsupported content_type (\S+?)\)", why)
    return found.group(1) if found else None


def test_python_generator_accepts_the_document(generated: Generated) -> None:
    """With no configuration, the generator types every answer but the SVG badge (200, and
    the grey 404 badge) and the two Atom feeds: it knows JSON, text and octet-stream bodies
    only, so those are left as bytes. Anything else it warns about is a defect of the
    document."""
    warnings = re.findall(r"WARNING parsing (\w+ \S+) within \S+\n+(.+)", generated.output)
    assert generated.output.count("WARNING") == len(warnings), generated.output
    others = [(where, why) for where, why in warnings if (where, _content_type(why)) not in UNTYPED]
    assert not others, generated.output
    # It found ruff and formatted what it wrote, as on a third party's machine.
    assert "Skipping Integration" not in generated.output, generated.output


def test_every_operation_has_a_client_check(exercise: ModuleType, openapi_file: Path) -> None:
    document = json.loads(openapi_file.read_text())
    documented = {op["operationId"] for ops in document["paths"].values() for op in ops.values()}
    assert documented == {op.operation_id for op in OPERATIONS}
    missing = documented - set(exercise.CHECKS)
    assert not missing, f"add a check for {sorted(missing)} to tests/clients/exercise.py"
    assert set(exercise.CHECKS) <= documented


@pytest.mark.parametrize("operation_id", [op.operation_id for op in OPERATIONS])
def test_generated_python_client(
    operation_id: str, exercise: ModuleType, candor_server: str
) -> None:
    check = exercise.CHECKS.get(operation_id)
    assert check is not None, f"add a check for {operation_id} to tests/clients/exercise.py"
    # raise_on_unexpected_status: a status the document does not list fails the test.
    with exercise.Client(base_url=candor_server, raise_on_unexpected_status=True) as client:
        check(client)


def test_generated_python_client_unknown_key(exercise: ModuleType, candor_server: str) -> None:
    exercise.check_unknown_key(candor_server)


def test_generated_python_client_rate_limited(exercise: ModuleType, tmp_path: Path) -> None:
    budget = 3
    env = {"CANDOR_RATE_LIMIT_PER_MINUTE": str(budget)}
    with (
        serving(f"sqlite://{tmp_path}/candor.sqlite3", tmp_path, extra_env=env) as (base, _),
        exercise.Client(base_url=base, raise_on_unexpected_status=True) as client,
    ):
        exercise.check_rate_limited(client, budget)


def test_client_checks_type_check_against_the_generated_client(
    generated: Generated, tmp_path: Path
) -> None:
    """exercise.py is what a third party would write: it must pass mypy --strict with the
    generated package, so the models are typed, not dictionaries of Any."""
    config = tmp_path / "mypy.ini"
    config.write_text("[mypy]\n")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--config-file",
            str(config),
            "--follow-imports",
            "silent",
            "--cache-dir",
            str(tmp_path / "cache"),
            str(HERE / "exercise.py"),
        ],
        cwd=tmp_path,
        env={**os.environ, "MYPYPATH": str(generated.project)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_typescript_types_compile(openapi_file: Path, tmp_path: Path) -> None:
    types = tmp_path / "candor.ts"
    result = subprocess.run(
        [str(node_tool("openapi-typescript")), str(openapi_file), "--output", str(types)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0 and types.is_file(), output
    assert "✘" not in output and "warn" not in output.lower(), output
    shutil.copy(HERE / "typed_usage.ts", tmp_path / "typed_usage.ts")
    result = subprocess.run(
        [
            str(node_tool("tsc")),
            "--strict",
            "--noEmit",
            "--noUnusedLocals",
            "--target",
            "es2022",
            "--module",
            "esnext",
            "--moduleResolution",
            "bundler",
            "--lib",
            "es2022,dom",
            "typed_usage.ts",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stdout + result.stderr
