"""``candor serve``: migrate, load the fixtures into an empty database, and serve."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

from api.cli.common import Subcommands, database, err
from api.settings import Settings
from ratings.fixtures import FixtureErrors, read_fixtures

if TYPE_CHECKING:
    from api.serving import Guards

# The guards of api/serving.py: each is a setting (CANDOR_HEADER_TIMEOUT, ...) and an
# option of the same name, which wins.
GUARDS = ("header_timeout", "max_header_bytes", "max_connections")


async def prepare_database(url: str, fixtures_dir: Path, *, attempts: int = 8) -> None:
    """Migrate, and load the fixtures when the database has no dataset yet. Retries with
    backoff: in a deployment the database often starts after the API."""
    from ratings.loader import sync_fixtures
    from ratings.repository import read_version

    delay = 0.5
    for attempt in range(1, attempts + 1):
        try:
            async with database(url):
                if await read_version() is None:
                    fixtures = read_fixtures(fixtures_dir)
                    report = await sync_fixtures(fixtures)
                    count, version = len(fixtures.services), report.version_after
                    err(f"candor: loaded {count} services (version {version})")
            return
        except FixtureErrors:
            raise
        except Exception as exc:
            if attempt == attempts:
                raise
            reason = f"{type(exc).__name__}: {exc}"
            err(f"candor: database not reachable ({reason}); retrying in {delay:.1f} s")
            await asyncio.sleep(delay)
            delay = min(delay * 2, 10.0)


def _database_ready(args: argparse.Namespace, settings: Settings) -> bool:
    fixtures_dir = args.fixtures or settings.fixtures_dir
    try:
        asyncio.run(prepare_database(settings.database_url, fixtures_dir, attempts=args.attempts))
    except FixtureErrors as exc:
        for problem in exc.problems:
            err(str(problem))
        return False
    except Exception as exc:
        err(f"candor: cannot start: the database is unreachable ({exc})")
        return False
    return True


def _signing_key_readable(settings: Settings) -> bool:
    """Checked here too (the app checks it as it starts), so a bad key is one clear line,
    not a worker's traceback."""
    if settings.bundle_signing_key is None:
        return True
    from ratings.signing import SigningKeyError, load_signing_key

    try:
        load_signing_key(settings.bundle_signing_key)
    except SigningKeyError as exc:
        err(f"candor: cannot start: CANDOR_BUNDLE_SIGNING_KEY: {exc}")
        return False
    return True


def guards_of(args: argparse.Namespace, settings: Settings) -> Guards:
    from api.serving import Guards

    given = {name: value for name in GUARDS if (value := getattr(args, name)) is not None}
    chosen = settings.model_copy(update=given)
    return Guards(
        max_header_bytes=chosen.max_header_bytes,
        header_timeout=chosen.header_timeout,
        max_connections=chosen.max_connections,
    )


def serve(args: argparse.Namespace, settings: Settings) -> int:
    from api import listening
    from api.serving import guarded_protocol, raise_descriptor_limit

    if args.workers < 1:
        err("--workers must be at least 1")
        return 2
    if not _database_ready(args, settings) or not _signing_key_readable(settings):
        return 1
    raise_descriptor_limit()
    try:
        # More than one worker: Candor opens the listening socket (api/listening.py says why).
        listening.run(
            "api.app:create_app",
            factory=True,
            host=args.host,
            port=args.port,
            workers=args.workers,
            log_level=args.log_level,
            server_header=False,
            date_header=True,
            access_log=args.access_log,
            # Built after the descriptor limit is raised: the default connection ceiling
            # is derived from it.
            http=guarded_protocol(guards_of(args, settings)),
            # Off: uvicorn would believe X-Forwarded-For (and X-Forwarded-Proto) from any
            # local client before Candor's own CANDOR_TRUSTED_PROXIES check, which then
            # decides alone who the client is (api/clients.py).
            proxy_headers=False,
            timeout_keep_alive=args.keep_alive,
        )
    except listening.BindError as exc:
        err(f"candor: {exc.strerror}")
        return 1
    return 0


def register(commands: Subcommands) -> None:
    serve_parser = commands.add_parser(
        "serve", help="serve the API (loads the fixtures into an empty database)"
    )
    serve_parser.add_argument("--host", default="127.0.0.1")
    serve_parser.add_argument("--port", type=int, default=8000)
    serve_parser.add_argument("--workers", type=int, default=1)
    serve_parser.add_argument(
        "--fixtures",
        type=Path,
        default=None,
        help="the fixtures loaded into an empty database (default: CANDOR_FIXTURES_DIR, "
        "else fixtures)",
    )
    serve_parser.add_argument("--log-level", default="info")
    serve_parser.add_argument("--access-log", action=argparse.BooleanOptionalAction, default=True)
    serve_parser.add_argument(
        "--attempts", type=int, default=8, help="database connection attempts at start"
    )
    serve_parser.add_argument(
        "--header-timeout",
        type=float,
        default=None,
        help="seconds a request may take to arrive whole (default 10; CANDOR_HEADER_TIMEOUT)",
    )
    serve_parser.add_argument(
        "--keep-alive", type=int, default=5, help="seconds an idle connection is kept open"
    )
    serve_parser.add_argument(
        "--max-connections",
        type=int,
        default=None,
        help="open connections at most (default: the descriptor limit less a reserve)",
    )
    serve_parser.add_argument(
        "--max-header-bytes",
        type=int,
        default=None,
        help="bytes of request line and headers at most (default 32768)",
    )
    serve_parser.set_defaults(func=serve)
