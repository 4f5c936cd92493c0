"""One real ``candor serve`` for the client tests, and the OpenAPI document it serves."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.process import serving

HERE = Path(__file__).resolve().parent
NODE_MODULES = HERE / "node_modules"
DEV_KEY = HERE.parent.parent / "extension" / "dev-key" / "development.pem"


@pytest.fixture(scope="session")
def candor_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of a real server on a fresh SQLite database loaded from fixtures/."""
    workdir = tmp_path_factory.mktemp("candor-clients")
    # Generous: these tests make a few hundred requests and must not see a 429, except
    # the one test that starts its own, stingy server for it.
    env = {
        "CANDOR_RATE_LIMIT_PER_MINUTE": "1000000",
        # Signed, so that getBundleSignature has a signature to answer with.
        "CANDOR_BUNDLE_SIGNING_KEY": str(DEV_KEY),
    }
    with serving(f"sqlite://{workdir}/candor.sqlite3", workdir, extra_env=env) as (base, _):
        yield base


@pytest.fixture(scope="session")
def openapi_file(candor_server: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """/openapi.json as served, saved where the generators can read it."""
    response = httpx.get(f"{candor_server}/openapi.json", timeout=10)
    assert response.status_code == 200
    path = tmp_path_factory.mktemp("openapi") / "openapi.json"
    path.write_bytes(response.content)
    return path


def node_tool(name: str) -> Path:
    """A command from tests/clients/node_modules (``make client-tools`` installs them)."""
    path = NODE_MODULES / ".bin" / name
    assert path.exists(), (
        f"{path} is missing: run `make client-tools` "
        "(npm --prefix tests/clients ci) before these tests"
    )
    return path
