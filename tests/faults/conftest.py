from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import BACKENDS
from tests.process import postgres_database


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database on each backend, for processes to share (by URL, no schema yet:
    the first ``candor`` command migrates it)."""
    if request.param == "sqlite":
        yield f"sqlite://{tmp_path}/candor.sqlite3"
    else:
        with postgres_database() as url:
            yield url
