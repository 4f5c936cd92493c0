"""Several ``candor serve`` replicas on one PostgreSQL: a fixture load through the CLI
reaches every replica (each polls the dataset version), with no restart."""

from __future__ import annotations

import contextlib
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from ratings.fixtures import read_fixtures
from tests.conftest import FIXTURES, POSTGRES_URL, copy_real_fixtures, edit_service, set_level
from tests.faults.dbstate import load
from tests.process import postgres_database, serving

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not POSTGRES_URL,
        reason="PostgreSQL tests skipped: set CANDOR_TEST_POSTGRES_URL (CI does)",
    ),
]

# The promise to operators: a load is live everywhere within 10 s (poll every 5 s).
PROPAGATION_SECONDS = 10.0


def served(base: str, slug: str) -> tuple[str | None, str, str | None]:
    """What one replica serves now: dataset version, the service's name and one level.

    Read from the service detail only: /readyz refreshes the dataset itself, so polling it
    would hide a broken background poller."""
    detail = httpx.get(f"{base}/v1/services/{slug}", timeout=2).json()
    levels = {c["id"]: c["level"] for c in detail["criteria"]}
    return detail["dataset_version"], detail["name"], levels.get("transparency_report")


def test_a_cli_load_reaches_every_replica_without_restart(tmp_path: Path) -> None:
    changed = copy_real_fixtures(tmp_path / "changed")

    def change(data: dict[str, Any]) -> None:
        data["name"] = "Zoom (renamed)"
        set_level(data["criteria"]["transparency_report"], "none")

    edit_service(changed, "zoom", change)
    old, new = read_fixtures(FIXTURES), read_fixtures(changed)
    assert old.version != new.version
    old_level = old.services["zoom"].criteria["transparency_report"].level
    assert old_level != "none"

    with postgres_database() as url, contextlib.ExitStack() as stack:
        replicas = [stack.enter_context(serving(url, tmp_path)) for _ in range(2)]
        for base, _ in replicas:
            assert served(base, "zoom") == (old.version, "Zoom", old_level)
        pids = [process.pid for _, process in replicas]

        result = load(url, changed)
        assert result.returncode == 0, result.stderr
        loaded_at = time.monotonic()

        want = (new.version, "Zoom (renamed)", "none")
        pending = {base for base, _ in replicas}
        seen: dict[str, float] = {}
        while pending and time.monotonic() - loaded_at < PROPAGATION_SECONDS:
            for base in sorted(pending):
                if served(base, "zoom") == want:
                    seen[base] = time.monotonic() - loaded_at
                    pending.discard(base)
            time.sleep(0.2)
        assert not pending, f"not updated within {PROPAGATION_SECONDS} s: {sorted(pending)}"
        for base, _ in replicas:
            assert httpx.get(f"{base}/readyz", timeout=2).json()["dataset_version"] == new.version
        # The same processes served both datasets: nothing was restarted.
        assert all(process.poll() is None for _, process in replicas)
        assert [process.pid for _, process in replicas] == pids
        print(f"replicas updated after {sorted(round(t, 2) for t in seen.values())} s")
