"""``candor``: the one command line entry point."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import sys
import time
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

from ratings.db import database_url, migrate, tortoise_config
from ratings.fixtures import FixtureErrors, FixtureSet, read_fixtures

DEFAULT_FIXTURES = Path("fixtures")


def _err(message: str) -> None:
    print(message, file=sys.stderr)


@contextlib.asynccontextmanager
async def database(url: str | None = None) -> AsyncIterator[None]:
    """The database, migrated to the latest schema, for one CLI command."""
    from tortoise import Tortoise

    url = url or database_url()
    await migrate(url)
    await Tortoise.close_connections()
    await Tortoise.init(config=tortoise_config(url), _enable_global_fallback=True)
    try:
        yield
    finally:
        await Tortoise.close_connections()


def _read(directory: Path) -> FixtureSet | None:
    try:
        fixtures = read_fixtures(directory)
    except FixtureErrors as exc:
        for problem in exc.problems:
            _err(str(problem))
        _err(f"{len(exc.problems)} error(s): nothing was written")
        return None
    for warning in fixtures.warnings:
        _err(str(warning))
    return fixtures


# fixtures ------------------------------------------------------------------------------


def cmd_fixtures_check(args: argparse.Namespace) -> int:
    fixtures = _read(args.dir)
    if fixtures is None:
        return 1
    problems = []
    if args.vectors and Path(args.vectors).is_file():
        from ratings.vectors import check_vectors

        problems = check_vectors(fixtures, Path(args.vectors))
        for problem in problems:
            _err(str(problem))
    if problems:
        _err(f"{len(problems)} error(s)")
        return 1
    print(
        f"ok: {len(fixtures.services)} services, {len(fixtures.methodology.criteria)} criteria, "
        f"dataset version {fixtures.version}, {len(fixtures.warnings)} warning(s)"
    )
    return 0


def _print_report(report: object) -> None:
    from ratings.loader import SyncReport

    assert isinstance(report, SyncReport)
    for change in report.changes:
        grade = ""
        if change.grade_changed:
            old = f"{change.old_grade or '-'}({_n(change.old_score)})"
            new = f"{change.new_grade or '-'}({_n(change.new_score)})"
            grade = f" {old} -> {new}"
        reason = change.reason(report.methodology_before, report.methodology_after)
        print(f"{change.kind:9} {change.slug}{grade}: {reason}")
    if not report.changed:
        print(f"no changes (dataset version {report.version_after})")


def _n(value: int | None) -> str:
    return "-" if value is None else str(value)


def cmd_fixtures_load(args: argparse.Namespace) -> int:
    from ratings.loader import sync_fixtures

    fixtures = _read(args.dir)
    if fixtures is None:
        return 1

    async def run() -> None:
        async with database():
            report = await sync_fixtures(fixtures, dry_run=args.dry_run)
        _print_report(report)
        verb = "would load" if args.dry_run else "loaded"
        print(f"{verb} {len(fixtures.services)} services, dataset version {report.version_after}")

    asyncio.run(run())
    return 0


def cmd_fixtures_diff(args: argparse.Namespace) -> int:
    from ratings.loader import plan_sync

    fixtures = _read(args.dir)
    if fixtures is None:
        return 1

    async def run() -> None:
        async with database():
            report = await plan_sync(fixtures)
        _print_report(report)

    asyncio.run(run())
    return 0


def cmd_fixtures_synth(args: argparse.Namespace) -> int:
    from ratings.synth import write_synthetic

    if args.count < 1:
        _err("N must be at least 1")
        return 2
    write_synthetic(args.count, args.outdir, DEFAULT_FIXTURES / "methodology.yaml")
    print(f"wrote {args.count} synthetic services to {args.outdir}")
    return 0


# bundle --------------------------------------------------------------------------------


def cmd_bundle_export(args: argparse.Namespace) -> int:
    import dataclasses

    from ratings.bundle import build_bundle, data_date
    from ratings.dataset import dataset_from_fixtures

    fixtures = _read(args.fixtures)
    if fixtures is None:
        return 1
    dataset = dataset_from_fixtures(fixtures)
    bundle = build_bundle(dataclasses.replace(dataset, loaded_at=data_date(dataset)))
    text = json.dumps(bundle, ensure_ascii=False, separators=(",", ":"))
    if args.out == "-":
        sys.stdout.write(text + "\n")
    else:
        Path(args.out).write_text(text, encoding="utf-8")
        print(
            f"wrote {args.out}: {len(bundle['services'])} services, version {bundle['version']}",
            file=sys.stderr,
        )
    return 0


def cmd_bundle_public_key(args: argparse.Namespace) -> int:
    """The base64 raw public key of CANDOR_BUNDLE_SIGNING_KEY, for the extension build."""
    from ratings.signing import SigningKeyError, load_signing_key, public_key_base64

    path = os.environ.get("CANDOR_BUNDLE_SIGNING_KEY")
    if not path:
        _err(
            "CANDOR_BUNDLE_SIGNING_KEY is not set: name a PKCS#8 PEM Ed25519 private key "
            "(openssl genpkey -algorithm ed25519 -out key.pem)"
        )
        return 2
    try:
        key = load_signing_key(Path(path))
    except SigningKeyError as exc:
        _err(str(exc))
        return 1
    print(public_key_base64(key))
    return 0


# dataset -------------------------------------------------------------------------------


def cmd_dataset_export(args: argparse.Namespace) -> int:
    """The open-data files of one release, from the fixtures: the same bytes as the API
    serves for the same dataset version, plus their datapackage.json."""
    from ratings.dataset import dataset_from_fixtures
    from ratings.opendata import export

    fixtures = _read(args.fixtures)
    if fixtures is None:
        return 1
    if args.dir.exists() and not args.dir.is_dir():
        _err(f"{args.dir}: not a directory")
        return 2
    sizes = export(dataset_from_fixtures(fixtures), args.dir)
    for name, size in sizes.items():
        print(f"wrote {args.dir / name} ({size} bytes)")
    print(f"dataset version {fixtures.version}, licensed CC BY 4.0")
    return 0


# suggestions ---------------------------------------------------------------------------


def cmd_suggestions_list(args: argparse.Namespace) -> int:
    from ratings.suggestions import for_terminal, list_suggestions

    since = None
    if args.since:
        try:
            since = dt.datetime.combine(dt.date.fromisoformat(args.since), dt.time.min, dt.UTC)
        except ValueError:
            _err(f"--since {args.since!r}: expected a date, YYYY-MM-DD")
            return 2

    async def run() -> int:
        async with database():
            rows = await list_suggestions(args.limit, since, args.service)
        if args.json:
            print(
                json.dumps(
                    [
                        {
                            "id": r.id,
                            "created_at": r.created_at.isoformat(),
                            "service": r.service,
                            "criterion": r.criterion,
                            "host": r.host,
                            "message": r.message,
                            "reply_to": r.reply_to,
                            "dataset_version": r.dataset_version,
                        }
                        for r in rows
                    ],
                    indent=2,
                )
            )
            return 0
        if not rows:
            print("no suggestions")
        for r in rows:
            about = " / ".join(
                for_terminal(part) for part in (r.service, r.criterion, r.host) if part
            )
            print(f"#{r.id}  {r.created_at:%Y-%m-%d %H:%M} UTC  {about or '(general)'}")
            if r.reply_to:
                print(f"    reply to: {for_terminal(r.reply_to)}")
            for line in for_terminal(r.message).splitlines() or [""]:
                print(f"    {line}")
            print()
        return 0

    return asyncio.run(run())


# serve ---------------------------------------------------------------------------------


async def prepare_database(fixtures_dir: Path, *, attempts: int = 8) -> None:
    """Migrate, and load the fixtures when the database has no dataset yet. Retries with
    backoff: in a deployment the database often starts after the API."""
    from ratings.loader import sync_fixtures
    from ratings.repository import read_version

    delay = 0.5
    for attempt in range(1, attempts + 1):
        try:
            async with database():
                if await read_version() is None:
                    fixtures = read_fixtures(fixtures_dir)
                    report = await sync_fixtures(fixtures)
                    count, version = len(fixtures.services), report.version_after
                    _err(f"candor: loaded {count} services (version {version})")
            return
        except FixtureErrors:
            raise
        except Exception as exc:
            if attempt == attempts:
                raise
            reason = f"{type(exc).__name__}: {exc}"
            _err(f"candor: database not reachable ({reason}); retrying in {delay:.1f} s")
            await asyncio.sleep(delay)
            delay = min(delay * 2, 10.0)


def cmd_serve(args: argparse.Namespace) -> int:
    from api import listening
    from api.serving import GuardedHttpToolsProtocol, raise_descriptor_limit

    if args.workers < 1:
        _err("--workers must be at least 1")
        return 2
    try:
        asyncio.run(prepare_database(args.fixtures, attempts=args.attempts))
    except FixtureErrors as exc:
        for problem in exc.problems:
            _err(str(problem))
        return 1
    except Exception as exc:
        _err(f"candor: cannot start: the database is unreachable ({exc})")
        return 1
    if key_path := os.environ.get("CANDOR_BUNDLE_SIGNING_KEY"):
        # Checked here too, so a bad key is one clear line, not a worker's traceback.
        from ratings.signing import SigningKeyError, load_signing_key

        try:
            load_signing_key(Path(key_path))
        except SigningKeyError as exc:
            _err(f"candor: cannot start: CANDOR_BUNDLE_SIGNING_KEY: {exc}")
            return 1
    os.environ.setdefault("CANDOR_FIXTURES_DIR", str(args.fixtures))
    # The guards of api/serving.py, for this process and every worker it starts.
    for name, value in (
        ("CANDOR_HEADER_TIMEOUT", args.header_timeout),
        ("CANDOR_MAX_CONNECTIONS", args.max_connections),
        ("CANDOR_MAX_HEADER_BYTES", args.max_header_bytes),
    ):
        if value is not None:
            os.environ[name] = str(value)
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
            http=GuardedHttpToolsProtocol,
            # Off: uvicorn would believe X-Forwarded-For (and X-Forwarded-Proto) from any
            # local client before Candor's own CANDOR_TRUSTED_PROXIES check, which then
            # decides alone who the client is (api/clients.py).
            proxy_headers=False,
            timeout_keep_alive=args.keep_alive,
        )
    except listening.BindError as exc:
        _err(f"candor: {exc.strerror}")
        return 1
    return 0


# keys ------------------------------------------------------------------------------------


def cmd_keys(args: argparse.Namespace) -> int:
    from ratings import keys

    async def run() -> int:
        async with database():
            if args.keys_command == "create":
                secret, key = await keys.create_key(args.name, args.per_minute)
                print(f"created key {key.prefix} for {key.name!r} ({key.per_minute}/min)")
                print(f"secret (shown once, send as 'Authorization: Bearer <secret>'):\n{secret}")
                return 0
            if args.keys_command == "list":
                for key in await keys.list_keys():
                    state = f"revoked {key.revoked_at:%Y-%m-%d}" if key.revoked_at else "active"
                    print(f"{key.prefix}  {key.per_minute:>6}/min  {state:20}  {key.name}")
                return 0
            if await keys.revoke_key(args.prefix):
                print(f"revoked {args.prefix}")
                return 0
            _err(f"no active key with prefix {args.prefix!r}")
            return 1

    return asyncio.run(run())


# parser --------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="candor", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser(
        "serve", help="serve the API (loads the fixtures into an empty database)"
    )
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument("--fixtures", type=Path, default=DEFAULT_FIXTURES)
    serve.add_argument("--log-level", default="info")
    serve.add_argument("--access-log", action=argparse.BooleanOptionalAction, default=True)
    serve.add_argument(
        "--attempts", type=int, default=8, help="database connection attempts at start"
    )
    serve.add_argument(
        "--header-timeout",
        type=float,
        default=None,
        help="seconds a request may take to arrive whole (default 10; CANDOR_HEADER_TIMEOUT)",
    )
    serve.add_argument(
        "--keep-alive", type=int, default=5, help="seconds an idle connection is kept open"
    )
    serve.add_argument(
        "--max-connections",
        type=int,
        default=None,
        help="open connections at most (default: the descriptor limit less a reserve)",
    )
    serve.add_argument(
        "--max-header-bytes",
        type=int,
        default=None,
        help="bytes of request line and headers at most (default 32768)",
    )
    serve.set_defaults(func=cmd_serve)

    fixtures = commands.add_parser("fixtures", help="check, load and compare the curated data")
    fcommands = fixtures.add_subparsers(dest="fixtures_command", required=True)
    check = fcommands.add_parser("check", help="validate every fixture file")
    check.add_argument("dir", nargs="?", type=Path, default=DEFAULT_FIXTURES)
    check.add_argument(
        "--vectors", default="tests/vectors/urls.json", help="shared URL vectors to check against"
    )
    check.set_defaults(func=cmd_fixtures_check)
    load = fcommands.add_parser("load", help="sync the files into the database, in one transaction")
    load.add_argument("dir", nargs="?", type=Path, default=DEFAULT_FIXTURES)
    load.add_argument(
        "--dry-run", action="store_true", help="show what would change; write nothing"
    )
    load.set_defaults(func=cmd_fixtures_load)
    diff = fcommands.add_parser("diff", help="what loading would change, and why")
    diff.add_argument("dir", nargs="?", type=Path, default=DEFAULT_FIXTURES)
    diff.set_defaults(func=cmd_fixtures_diff)
    synth = fcommands.add_parser("synth", help="write N synthetic, valid service files")
    synth.add_argument("count", type=int, metavar="N")
    synth.add_argument("outdir", type=Path, metavar="OUTDIR")
    synth.set_defaults(func=cmd_fixtures_synth)

    bundle = commands.add_parser("bundle", help="the extension's dataset")
    bcommands = bundle.add_subparsers(dest="bundle_command", required=True)
    export = bcommands.add_parser("export", help="write the bundle built from the fixtures")
    export.add_argument("out", metavar="OUT", help="a file, or - for standard output")
    export.add_argument("--fixtures", type=Path, default=DEFAULT_FIXTURES)
    export.set_defaults(func=cmd_bundle_export)
    public = bcommands.add_parser(
        "public-key",
        help="print the base64 raw public key of CANDOR_BUNDLE_SIGNING_KEY (for the extension)",
    )
    public.set_defaults(func=cmd_bundle_public_key)

    dataset = commands.add_parser("dataset", help="the open data (CC BY 4.0)")
    dcommands = dataset.add_subparsers(dest="dataset_command", required=True)
    dexport = dcommands.add_parser(
        "export", help="write dataset.csv, dataset.json and datapackage.json into DIR"
    )
    dexport.add_argument("dir", type=Path, metavar="DIR")
    dexport.add_argument("--fixtures", type=Path, default=DEFAULT_FIXTURES)
    dexport.set_defaults(func=cmd_dataset_export)

    suggestions = commands.add_parser("suggestions", help="what readers sent through /suggest")
    scommands = suggestions.add_subparsers(dest="suggestions_command", required=True)
    slist = scommands.add_parser("list", help="the newest suggestions first")
    slist.add_argument("--limit", type=int, default=50)
    slist.add_argument("--since", help="only those sent on or after this date (YYYY-MM-DD)")
    slist.add_argument("--service", help="only those about this service (its slug)")
    slist.add_argument("--json", action="store_true", help="print JSON instead of text")
    slist.set_defaults(func=cmd_suggestions_list)

    keys = commands.add_parser("keys", help="API keys for heavier third-party use")
    kcommands = keys.add_subparsers(dest="keys_command", required=True)
    create = kcommands.add_parser("create", help="create a key (its secret is shown once)")
    create.add_argument("name")
    create.add_argument("--per-minute", type=int, default=1200)
    kcommands.add_parser("list", help="list keys")
    revoke = kcommands.add_parser("revoke", help="revoke a key by its prefix")
    revoke.add_argument("prefix")
    keys.set_defaults(func=cmd_keys)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    started = time.monotonic()
    code: int = args.func(args)
    if os.environ.get("CANDOR_TIMING"):
        _err(f"took {time.monotonic() - started:.2f} s at {dt.datetime.now(dt.UTC):%H:%M:%S}")
    return code


if __name__ == "__main__":
    sys.exit(main())
