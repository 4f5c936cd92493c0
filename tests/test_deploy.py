"""The deployment files, checked for structure: there is no Docker engine to run them
here, so this is what keeps them from rotting."""

from __future__ import annotations

import re
from typing import Any

import yaml

from tests.conftest import ROOT


def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return data


def test_postgres_has_a_healthcheck_and_a_volume() -> None:
    db = compose()["services"]["db"]
    assert db["image"].startswith("postgres:")
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    volume = db["volumes"][0].split(":")[0]
    assert volume in compose()["volumes"]


def test_api_is_scalable_and_points_at_the_db_service() -> None:
    api = compose()["services"]["api"]
    assert api["build"] == "."
    # A fixed host port would make `--scale api=3` fail on the second replica.
    assert "ports" not in api
    assert api["depends_on"]["db"]["condition"] == "service_healthy"
    url = api["environment"]["CANDOR_DATABASE_URL"]
    assert re.fullmatch(r"postgres://\w+:\w+@db:5432/\w+", url)
    db_env = compose()["services"]["db"]["environment"]
    assert url == (
        f"postgres://{db_env['POSTGRES_USER']}:{db_env['POSTGRES_PASSWORD']}@db:5432/{db_env['POSTGRES_DB']}"
    )


def test_absolute_links_come_only_from_a_required_public_url() -> None:
    text = (ROOT / "docker-compose.yml").read_text()
    env = compose()["services"]["api"]["environment"]
    # ${VAR:?message}: compose refuses to start without it, so no replica ever builds links
    # from a Host header (issue 13).
    assert re.fullmatch(r"\$\{CANDOR_PUBLIC_URL:\?[^}]+\}", env["CANDOR_PUBLIC_URL"])
    assert "CANDOR_PUBLIC_URL=" in text.split("services:")[0]  # the usage line says so


def test_rate_limits_are_shared_through_redis() -> None:
    services = compose()["services"]
    assert services["redis"]["image"].startswith("redis:")
    assert "redis-cli" in " ".join(services["redis"]["healthcheck"]["test"])
    api = services["api"]
    assert api["environment"]["CANDOR_REDIS_URL"].startswith("redis://redis:6379")
    assert api["depends_on"]["redis"]["condition"] == "service_healthy"


def test_the_edge_cache_fronts_the_replicas() -> None:
    edge = compose()["services"]["edge"]
    assert edge["ports"] == ["8000:80"]
    config_file, mounted = edge["volumes"][0].split(":")[:2]
    # A whole nginx.conf, not a conf.d fragment (tests/test_nginx.py runs it).
    assert mounted == "/etc/nginx/nginx.conf"
    config = (ROOT / config_file).read_text()
    assert re.search(r"^events \{", config, re.MULTILINE)
    assert re.search(r"^http \{", config, re.MULTILINE)
    assert "server api:8000" in config and "proxy_cache " in config
    assert "proxy_no_cache $http_authorization" in config


def _instructions() -> list[tuple[str, str]]:
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    rows = [
        line.strip()
        for line in text.splitlines()
        if line.strip() and not line.strip().startswith("#")
    ]
    return [(row.split(None, 1)[0].upper(), row.split(None, 1)[1]) for row in rows]


def test_dockerfile_is_slim_non_root_and_healthchecked() -> None:
    steps = _instructions()
    kinds = [kind for kind, _ in steps]
    assert steps[0] == ("FROM", "python:3.11-slim")
    user = [arg for kind, arg in steps if kind == "USER"]
    assert user and user[-1] not in ("root", "0")
    assert kinds.index("USER") < kinds.index("CMD")
    assert any(kind == "HEALTHCHECK" and "/healthz" in arg for kind, arg in steps)
    assert ("EXPOSE", "8000") in steps
    cmd = next(arg for kind, arg in steps if kind == "CMD")
    assert '"candor", "serve", "--host", "0.0.0.0"' in cmd
    copied = {arg.split()[0] for kind, arg in steps if kind == "COPY"}
    assert {"api", "ratings", "fixtures"} <= copied
    for source in copied:
        assert (ROOT / source).exists(), source


def test_dockerfile_paths_exist_in_the_repository() -> None:
    for kind, arg in _instructions():
        if kind == "COPY":
            for source in arg.split()[:-1]:
                assert (ROOT / source).exists(), source
    env = " ".join(arg for kind, arg in _instructions() if kind == "ENV")
    doc = re.search(r"CANDOR_METHODOLOGY_DOC=/app/(\S+)", env)
    assert doc and (ROOT / doc.group(1)).is_file()


def test_dockerignore_keeps_local_state_out() -> None:
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".venv", ".git", "*.sqlite3*"} <= set(ignored)
