"""The ``candor`` command as users run it: real processes, real exit codes."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import yaml

from ratings.fixtures import read_fixtures
from tests.conftest import FIXTURES, copy_real_fixtures, edit_service
from tests.process import CANDOR


def candor(*args: str, cwd: Path, db: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CANDOR_DATABASE_URL": f"sqlite://{db or cwd / 'candor.sqlite3'}"}
    return subprocess.run(
        [CANDOR, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def test_check_passes_on_the_real_fixtures(tmp_path: Path) -> None:
    result = candor(
        "fixtures",
        "check",
        str(FIXTURES),
        "--vectors",
        str(FIXTURES.parent / "tests/vectors/urls.json"),
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert f"ok: {len(read_fixtures(FIXTURES).services)} services" in result.stdout


def test_check_reports_file_line_and_field_and_fails(tmp_path: Path) -> None:
    directory = copy_real_fixtures(tmp_path / "fx")
    path = directory / "services" / "zoom.yaml"
    text = path.read_text()
    lines = text.splitlines()
    index = next(i for i, line in enumerate(lines) if line.strip().startswith("reviewed_on:"))
    lines[index] = "reviewed_on: 2026-13-45"
    path.write_text("\n".join(lines) + "\n")
    result = candor("fixtures", "check", str(directory), cwd=tmp_path)
    assert result.returncode == 1
    assert f"{path}:{index + 1}: error: reviewed_on:" in result.stderr


def test_check_rejects_a_vector_another_service_claims(tmp_path: Path) -> None:
    vectors = tmp_path / "urls.json"
    vectors.write_text(
        json.dumps(
            {
                "cases": [
                    {"input": "https://us02web.zoom.us/j/1", "service": "webex", "meeting": True}
                ]
            }
        )
    )
    result = candor("fixtures", "check", str(FIXTURES), "--vectors", str(vectors), cwd=tmp_path)
    assert result.returncode == 1
    assert "matched (zoom, meeting=True), expected (webex, meeting=True)" in result.stderr


def test_failed_load_writes_nothing_and_diff_explains_changes(tmp_path: Path) -> None:
    directory = copy_real_fixtures(tmp_path / "fx")
    assert candor("fixtures", "load", str(directory), cwd=tmp_path).returncode == 0
    database = tmp_path / "candor.sqlite3"
    before = database.read_bytes()

    edit_service(directory, "zoom", lambda d: d["criteria"]["e2ee_calls"].update(level="full"))
    signal = directory / "services" / "signal.yaml"
    original = signal.read_text()
    edit_service(directory, "signal", lambda d: d["domains"].append("zoom.us"))
    failed = candor("fixtures", "load", str(directory), cwd=tmp_path)
    assert failed.returncode == 1
    assert "zoom.yaml" in failed.stderr and "'zoom.us' already belongs to 'signal'" in failed.stderr
    assert "nothing was written" in failed.stderr
    assert database.read_bytes() == before

    signal.write_text(original)
    diff = candor("fixtures", "diff", str(directory), cwd=tmp_path)
    assert diff.returncode == 0, diff.stderr
    assert "zoom" in diff.stdout and "e2ee_calls: partial -> full" in diff.stdout
    assert database.read_bytes() == before
    dry = candor("fixtures", "load", str(directory), "--dry-run", cwd=tmp_path)
    assert "would load" in dry.stdout and database.read_bytes() == before
    assert candor("fixtures", "load", str(directory), cwd=tmp_path).returncode == 0
    assert "no changes" in candor("fixtures", "load", str(directory), cwd=tmp_path).stdout


def test_synth_writes_valid_services(tmp_path: Path) -> None:
    result = candor("fixtures", "synth", "25", str(tmp_path / "synth"), cwd=FIXTURES.parent)
    assert result.returncode == 0, result.stderr
    fixtures = read_fixtures(tmp_path / "synth")
    assert len(fixtures.services) == 25
    service = fixtures.services["synth-00003"]
    assert len(service.domains) == 5 and len(service.meeting_patterns) == 3


def test_bundle_export_matches_the_fixtures(tmp_path: Path) -> None:
    out = tmp_path / "bundle.json"
    result = candor("bundle", "export", str(out), "--fixtures", str(FIXTURES), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    bundle = json.loads(out.read_text())
    fixtures = read_fixtures(FIXTURES)
    assert bundle["version"] == fixtures.version
    assert {s["slug"] for s in bundle["services"]} == set(fixtures.services)
    # The snapshot is stamped with the files' own newest date, so the same files always
    # give the same bytes, and a server that loads them later is never "older".
    newest = max(
        [fixtures.methodology.published_on, *(s.reviewed_on for s in fixtures.services.values())]
    )
    assert bundle["generated_at"] == f"{newest.isoformat()}T00:00:00Z"
    again = tmp_path / "again.json"
    candor("bundle", "export", str(again), "--fixtures", str(FIXTURES), cwd=tmp_path)
    assert again.read_bytes() == out.read_bytes()


def test_keys_create_list_revoke(tmp_path: Path) -> None:
    created = candor("keys", "create", "newsroom", "--per-minute", "600", cwd=tmp_path)
    assert created.returncode == 0, created.stderr
    secret = created.stdout.strip().splitlines()[-1]
    assert secret.startswith("cnd_")
    prefix = secret[:12]
    listed = candor("keys", "list", cwd=tmp_path).stdout
    assert prefix in listed and "600/min" in listed and "active" in listed
    assert secret not in listed and secret not in (tmp_path / "candor.sqlite3").read_bytes().decode(
        "latin-1"
    )
    assert candor("keys", "revoke", prefix, cwd=tmp_path).returncode == 0
    assert "revoked" in candor("keys", "list", cwd=tmp_path).stdout
    assert candor("keys", "revoke", prefix, cwd=tmp_path).returncode == 1


def test_yaml_of_the_synthetic_files_round_trips(tmp_path: Path) -> None:
    candor("fixtures", "synth", "1", str(tmp_path / "s"), cwd=FIXTURES.parent)
    data = yaml.safe_load((tmp_path / "s" / "services" / "synth-00000.yaml").read_text())
    assert data["slug"] == "synth-00000"
