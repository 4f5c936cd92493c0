"""Every variable of README.md's configuration table, set, and seen doing what the table
says: through ``Settings`` and through the part of Candor that uses it (the app, with its
lifespan, in this process; a real ``candor serve`` for what only a process shows).

Each check names the variables it covers (``@checks``); a variable added to the table
with no check here fails ``test_every_documented_variable_is_checked``.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import ipaddress
import os
import re
import socket
import sqlite3
import subprocess
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx
import pytest
import redis
from pydantic import AliasChoices
from starlette.applications import Starlette

from api.app import create_app
from api.cli.common import database
from api.settings import ENV_PREFIX, Settings
from ratings.fixtures import read_fixtures
from ratings.loader import sync_fixtures
from ratings.signing import load_signing_key, public_key_base64, verify
from tests.api.conftest import client_for
from tests.conftest import FIXTURES, ROOT, copy_real_fixtures, edit_service
from tests.process import CANDOR, serving
from tests.ratings.test_signing import openssl_key

README = ROOT / "README.md"
REDIS_URL = os.environ.get("CANDOR_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")

# Variable -> the tests here that check it.
CHECKED: dict[str, list[str]] = {}

Test = TypeVar("Test", bound=Callable[..., object])


def checks(*variables: str) -> Callable[[Test], Test]:
    def register(test: Test) -> Test:
        for variable in variables:
            CHECKED.setdefault(variable, []).append(test.__name__)
        return test

    return register


def documented_variables() -> set[str]:
    """The variables named in the first column of README.md's configuration table."""
    _, heading, rest = README.read_text(encoding="utf-8").partition(
        "## Configuration (environment)"
    )
    assert heading, "README.md has no configuration table"
    table = rest.split("\n## ", 1)[0]
    names: set[str] = set()
    for line in table.splitlines():
        cells = line.split("|")
        if len(cells) > 2:
            names.update(re.findall(r"`((?:CANDOR|PROMETHEUS)_[A-Z0-9_]+)`", cells[1]))
    return names


def test_every_documented_variable_is_checked() -> None:
    documented = documented_variables()
    assert documented, "README.md's configuration table names no variable"
    assert sorted(documented - CHECKED.keys()) == [], "in README.md, checked by no test here"
    assert sorted(CHECKED.keys() - documented) == [], "checked here, missing from README.md"


def _variable(name: str) -> str:
    # A field read from another program's variable names it as its alias.
    alias = Settings.model_fields[name].validation_alias
    if isinstance(alias, AliasChoices):
        return str(alias.choices[0])
    return ENV_PREFIX + name.upper()


def test_every_setting_is_documented() -> None:
    fields = {_variable(name) for name in Settings.model_fields}
    assert sorted(fields - documented_variables()) == []


# In process ---------------------------------------------------------------------------------

Build = Callable[[dict[str, str]], Awaitable[Starlette]]


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No CANDOR_ variable from the shell running the tests."""
    for name in list(os.environ):
        if name.startswith(ENV_PREFIX) and name[len(ENV_PREFIX) :].lower() in Settings.model_fields:
            monkeypatch.delenv(name)
    return monkeypatch


@pytest.fixture
async def app_from_env(tmp_path: Path, clean_env: pytest.MonkeyPatch) -> AsyncIterator[Build]:
    """Apps built as ``candor serve`` builds them (``create_app()`` reads the environment,
    its lifespan opens the database), on a database loaded with the real fixtures."""
    url = f"sqlite://{tmp_path}/settings.sqlite3"
    async with database(url):
        await sync_fixtures(read_fixtures(FIXTURES))
    clean_env.setenv("CANDOR_DATABASE_URL", url)
    async with contextlib.AsyncExitStack() as lifespans:

        async def build(env: dict[str, str]) -> Starlette:
            for name, value in env.items():
                clean_env.setenv(name, value)
            app = create_app()
            await lifespans.enter_async_context(app.router.lifespan_context(app))
            return app

        yield build


def max_age(answer: httpx.Response) -> int:
    found = re.search(r"max-age=(\d+)", answer.headers["cache-control"])
    assert found, answer.headers["cache-control"]
    return int(found.group(1))


@checks("CANDOR_RATE_LIMIT_PER_MINUTE")
async def test_the_anonymous_budget(app_from_env: Build) -> None:
    app = await app_from_env({"CANDOR_RATE_LIMIT_PER_MINUTE": "3"})
    assert Settings.from_env().rate_limit_per_minute == 3
    async with client_for(app) as client:
        answers = [await client.get("/v1/ratings/zoom.us") for _ in range(4)]
    assert answers[0].headers["ratelimit-limit"] == "3"
    assert [a.status_code for a in answers] == [200, 200, 200, 429]


@checks("CANDOR_TRUSTED_PROXIES")
async def test_forwarded_addresses_are_believed_from_the_listed_networks_only(
    app_from_env: Build,
) -> None:
    app = await app_from_env(
        {"CANDOR_TRUSTED_PROXIES": "10.0.0.0/8, 192.0.2.0/24", "CANDOR_RATE_LIMIT_PER_MINUTE": "1"}
    )
    assert Settings.from_env().trusted_proxies == (
        ipaddress.ip_network("10.0.0.0/8"),
        ipaddress.ip_network("192.0.2.0/24"),
    )

    async def status(peer: str, forwarded: str) -> int:
        async with client_for(app, (peer, 1)) as client:
            answer = await client.get("/v1/ratings/zoom.us", headers={"X-Forwarded-For": forwarded})
            return answer.status_code

    # Behind either listed proxy, each forwarded client has a budget of its own...
    assert await status("10.1.2.3", "203.0.113.1") == 200
    assert await status("192.0.2.9", "203.0.113.2") == 200
    assert await status("10.9.9.9", "203.0.113.1") == 429
    # ... from anyone else the header is ignored: one address, one budget.
    assert await status("198.51.100.7", "203.0.113.3") == 200
    assert await status("198.51.100.7", "203.0.113.4") == 429


def set_e2ee(service: dict[str, Any], level: str) -> None:
    service["criteria"]["e2ee_calls"]["level"] = level


@checks("CANDOR_POLL_SECONDS")
async def test_a_new_dataset_is_seen_within_the_poll_interval(
    app_from_env: Build, tmp_path: Path
) -> None:
    app = await app_from_env({"CANDOR_POLL_SECONDS": "0.1"})
    assert Settings.from_env().poll_seconds == 0.1
    directory = copy_real_fixtures(tmp_path / "fx")
    env = dict(os.environ)  # CANDOR_DATABASE_URL: the app's database
    async with client_for(app) as client:
        # Twice: one poll of the default interval (5 s) may fall in the second after a
        # load by chance, two in a row hardly.
        for level in ("full", "none"):
            edit_service(directory, "zoom", functools.partial(set_e2ee, level=level))
            # As in production: the load is another process, on another connection.
            load = await asyncio.create_subprocess_exec(
                CANDOR,
                "fixtures",
                "load",
                str(directory),
                env=env,
                cwd=tmp_path,
                stdout=asyncio.subprocess.DEVNULL,
            )
            assert await load.wait() == 0
            loaded = read_fixtures(directory).version
            seen_by = time.monotonic() + 1.5
            version = None
            while version != loaded and time.monotonic() < seen_by:
                await asyncio.sleep(0.05)
                version = (await client.get("/readyz")).json()["dataset_version"]
            assert version == loaded


@checks("CANDOR_CACHE_MAX_AGE")
async def test_the_max_age_of_cacheable_answers(app_from_env: Build) -> None:
    app = await app_from_env({"CANDOR_CACHE_MAX_AGE": "77"})
    assert Settings.from_env().cache_max_age == 77
    async with client_for(app) as client:
        assert max_age(await client.get("/v1/ratings/zoom.us")) == 77
        assert max_age(await client.get("/v1/services")) == 77


@checks("CANDOR_PREFIX_MAX_AGE")
async def test_the_max_age_of_the_private_lookup(app_from_env: Build) -> None:
    app = await app_from_env({"CANDOR_PREFIX_MAX_AGE": "99"})
    assert Settings.from_env().prefix_max_age == 99
    prefix = hashlib.sha256(b"zoom.us").hexdigest()[:5]
    async with client_for(app) as client:
        answer = await client.get(f"/v1/hosts/prefix/{prefix}")
    assert answer.status_code == 200
    assert max_age(answer) == 99


@checks("CANDOR_PUBLIC_URL")
async def test_links_are_absolute_on_the_public_url(app_from_env: Build) -> None:
    app = await app_from_env({"CANDOR_PUBLIC_URL": "https://candor.example/"})
    assert Settings.from_env().public_url == "https://candor.example"
    async with client_for(app) as client:
        host = {"Host": "candor.example"}
        rating = (await client.get("/v1/ratings/zoom.us", headers=host)).json()
        # Without CANDOR_ALLOWED_HOSTS, its host (and loopback) are the ones answered.
        foreign = await client.get("/v1/ratings/zoom.us", headers={"Host": "evil.example"})
        local = await client.get("/v1/ratings/zoom.us", headers={"Host": "127.0.0.1:8000"})
    assert rating["links"]["self"] == "https://candor.example/v1/services/zoom"
    assert rating["links"]["html"] == "https://candor.example/services/zoom"
    assert (foreign.status_code, local.status_code) == (400, 200)


@checks("CANDOR_ALLOWED_HOSTS")
async def test_only_the_listed_hosts_are_answered(app_from_env: Build) -> None:
    app = await app_from_env({"CANDOR_ALLOWED_HOSTS": "Candor.example, *.mirror.example"})
    assert Settings.from_env().allowed_hosts == ("candor.example", "*.mirror.example")
    async with client_for(app) as client:

        async def status(path: str, host: str) -> int:
            return (await client.get(path, headers={"Host": host})).status_code

        assert await status("/v1/ratings/zoom.us", "candor.example") == 200
        assert await status("/v1/ratings/zoom.us", "eu.mirror.example") == 200
        assert await status("/v1/ratings/zoom.us", "evil.example") == 400
        assert await status("/healthz", "evil.example") == 200


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    """A key prefix of this test's own: other tests (and worktrees) share the server."""
    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=1).ping()
    except redis.RedisError:
        if os.environ.get("CANDOR_REQUIRE_REDIS"):  # CI starts Redis: skipping would hide it
            pytest.fail(f"Redis is not reachable at {REDIS_URL}")
        pytest.skip(f"Redis tests skipped: no Redis at {REDIS_URL}")
    prefix = f"candor-test-{uuid.uuid4().hex[:12]}:"
    yield prefix
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(f"{prefix}*"):
        client.delete(key)


@checks("CANDOR_REDIS_URL", "CANDOR_REDIS_PREFIX")
async def test_replicas_share_one_budget_under_the_prefix(
    app_from_env: Build, redis_prefix: str
) -> None:
    env = {
        "CANDOR_REDIS_URL": REDIS_URL,
        "CANDOR_REDIS_PREFIX": redis_prefix,
        "CANDOR_RATE_LIMIT_PER_MINUTE": "3",
    }
    replicas = [await app_from_env(env), await app_from_env(env)]
    settings = Settings.from_env()
    assert (settings.redis_url, settings.redis_prefix) == (REDIS_URL, redis_prefix)
    statuses = []
    for replica in [*replicas, *replicas]:
        async with client_for(replica) as client:
            statuses.append((await client.get("/v1/ratings/zoom.us")).status_code)
    assert statuses == [200, 200, 200, 429]
    assert list(redis.Redis.from_url(REDIS_URL).scan_iter(f"{redis_prefix}*"))


@checks("CANDOR_SUGGESTIONS_PER_HOUR", "CANDOR_SUGGESTIONS_PER_HOUR_TOTAL")
async def test_report_form_submissions_per_client_and_in_total(app_from_env: Build) -> None:
    app = await app_from_env(
        {"CANDOR_SUGGESTIONS_PER_HOUR": "2", "CANDOR_SUGGESTIONS_PER_HOUR_TOTAL": "3"}
    )
    settings = Settings.from_env()
    assert (settings.suggestions_per_hour, settings.suggestions_per_hour_total) == (2, 3)
    data = {"message": "a suggestion that is long enough"}
    async with client_for(app, ("198.51.100.1", 1)) as one:
        first = [(await one.post("/suggest", data=data)).status_code for _ in range(3)]
    async with client_for(app, ("198.51.100.2", 1)) as two:
        second = [(await two.post("/suggest", data=data)).status_code for _ in range(2)]
    assert first == [303, 303, 429]
    assert second == [303, 429]


@checks("CANDOR_BUNDLE_SIGNING_KEY")
async def test_the_bundle_is_signed_with_the_named_key(app_from_env: Build, tmp_path: Path) -> None:
    key_file = openssl_key(tmp_path / "key.pem")
    app = await app_from_env({"CANDOR_BUNDLE_SIGNING_KEY": str(key_file)})
    assert Settings.from_env().bundle_signing_key == key_file
    async with client_for(app) as client:
        bundle = await client.get("/v1/bundle", headers={"Accept-Encoding": "identity"})
        signature = await client.get("/v1/bundle.sig")
    assert signature.status_code == 200
    assert verify(public_key_base64(load_signing_key(key_file)), bundle.content, signature.text)


@checks("CANDOR_METHODOLOGY_DOC")
async def test_the_methodology_page_shows_the_named_document(
    app_from_env: Build, tmp_path: Path
) -> None:
    doc = tmp_path / "method.md"
    doc.write_text("# How we rate\n\nA sentence only this copy of the document has.\n")
    app = await app_from_env({"CANDOR_METHODOLOGY_DOC": str(doc)})
    async with client_for(app) as client:
        page = await client.get("/methodology")
    assert page.status_code == 200
    assert "A sentence only this copy of the document has." in page.text


# Processes ----------------------------------------------------------------------------------


@checks("CANDOR_TIMING")
def test_commands_say_how_long_they_took(tmp_path: Path) -> None:
    unset = {name: value for name, value in os.environ.items() if name != "CANDOR_TIMING"}

    def check(env: dict[str, str]) -> str:
        run = subprocess.run(
            [CANDOR, "fixtures", "check", str(FIXTURES)],
            env={**unset, **env},
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert run.returncode == 0, run.stderr
        return run.stderr

    assert re.search(r"^took \d+\.\d\d s at \d\d:\d\d:\d\d$", check({"CANDOR_TIMING": "1"}), re.M)
    assert "took" not in check({})


@checks("CANDOR_DATABASE_URL", "CANDOR_FIXTURES_DIR")
def test_serve_loads_the_fixtures_dir_into_the_database_url(
    tmp_path: Path, make_fixtures: Callable[..., Path], clean_env: pytest.MonkeyPatch
) -> None:
    fixtures = make_fixtures(count=3, name="elsewhere")
    database = tmp_path / "data" / "ratings.sqlite3"
    database.parent.mkdir()
    url = f"sqlite://{database}"
    clean_env.setenv("CANDOR_DATABASE_URL", url)
    clean_env.setenv("CANDOR_FIXTURES_DIR", str(fixtures))
    settings = Settings.from_env()
    assert (settings.database_url, settings.fixtures_dir) == (url, fixtures)
    # No --fixtures: the variable decides what an empty database is loaded with.
    workdir = tmp_path / "work"
    workdir.mkdir()
    env = {"CANDOR_FIXTURES_DIR": str(fixtures)}
    with serving(url, workdir, fixtures=None, extra_env=env) as (base, _):
        services = httpx.get(f"{base}/v1/services").json()
    assert sorted(s["slug"] for s in services["items"]) == [
        "synth-00000",
        "synth-00001",
        "synth-00002",
    ]
    with contextlib.closing(sqlite3.connect(database)) as connection:
        assert connection.execute("SELECT count(*) FROM service").fetchone() == (3,)
    assert not (workdir / "candor.sqlite3").exists()


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One ``candor serve`` with its guards set by the environment."""
    workdir = tmp_path_factory.mktemp("guarded")
    env = {
        "CANDOR_HEADER_TIMEOUT": "3",
        "CANDOR_MAX_HEADER_BYTES": "2048",
        "CANDOR_MAX_CONNECTIONS": "20",
    }
    with serving(f"sqlite://{workdir}/c.sqlite3", workdir, extra_env=env) as (base, _):
        yield base


def _connect(base: str) -> socket.socket:
    parts = urlsplit(base)
    assert parts.hostname and parts.port
    return socket.create_connection((parts.hostname, parts.port), timeout=10)


@checks("CANDOR_HEADER_TIMEOUT")
def test_a_half_sent_request_is_closed_after_the_timeout(guarded: str) -> None:
    with _connect(guarded) as slow:
        slow.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        started = time.monotonic()
        closed = slow.recv(100)
        waited = time.monotonic() - started
    assert closed == b""
    assert 2 < waited < 8  # 3 s, not the default 10


@checks("CANDOR_MAX_HEADER_BYTES")
def test_a_head_over_the_limit_is_refused(guarded: str) -> None:
    small = httpx.get(f"{guarded}/healthz", headers={"X-Padding": "a" * 1000})
    large = httpx.get(f"{guarded}/healthz", headers={"X-Padding": "a" * 3000})
    assert small.status_code == 200
    assert large.status_code == 431
    assert "2 KiB" in large.json()["detail"]
    # A head still arriving is refused as soon as it is past the limit.
    with _connect(guarded) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Padding: " + b"a" * 2100)
        assert sock.recv(64).startswith(b"HTTP/1.1 431 ")


@checks("CANDOR_MAX_CONNECTIONS")
def test_past_the_connection_ceiling_the_longest_waiting_is_closed(guarded: str) -> None:
    with contextlib.ExitStack() as stack:
        silent = [stack.enter_context(_connect(guarded)) for _ in range(20)]
        opened = time.monotonic()
        assert httpx.get(f"{guarded}/healthz").status_code == 200
        oldest = silent[0]
        oldest.settimeout(2)
        try:
            closed = oldest.recv(100) == b""
        except ConnectionResetError:
            closed = True
        # Well before the 3 s header timeout would have closed it.
        assert closed and time.monotonic() - opened < 2


def test_serve_stops_on_a_bad_value_and_names_the_variable(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "CANDOR_DATABASE_URL": f"sqlite://{tmp_path}/never.sqlite3",
        "CANDOR_POLL_SECONDS": "often",
        "CANDOR_TRUSTED_PROXIES": "10.0.0.0/8,not-a-network",
    }
    run = subprocess.run(
        [CANDOR, "serve", "--port", "0"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode != 0
    assert "CANDOR_POLL_SECONDS='often'" in run.stderr
    assert "CANDOR_TRUSTED_PROXIES='10.0.0.0/8,not-a-network'" in run.stderr
    assert "not-a-network" in run.stderr and "Traceback" not in run.stderr
    assert not (tmp_path / "never.sqlite3").exists()


@checks("PROMETHEUS_MULTIPROC_DIR")
def test_worker_metrics_are_kept_in_the_named_directory(tmp_path: Path) -> None:
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    workdir = tmp_path / "work"
    workdir.mkdir()
    env = {"PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)}
    with serving(f"sqlite://{workdir}/m.sqlite3", workdir, extra_env=env) as (base, _):
        for _ in range(3):
            assert httpx.get(f"{base}/v1/services/zoom").status_code == 200
        text = httpx.get(f"{base}/metrics").text
        # The worker writes its figures to files there (multiprocess mode), and /metrics
        # reads them back from the directory.
        assert any(metrics_dir.glob("*.db")), sorted(metrics_dir.iterdir())
    served = re.search(
        r'candor_http_requests_total\{[^}]*route="/v1/services/\{slug\}"[^}]*\} (\S+)', text
    )
    assert served is not None, [line for line in text.splitlines() if "requests_total" in line]
    assert float(served.group(1)) == 3
