"""``candor fixtures``: check, load, compare and synthesise the curated data."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

from api.cli.common import DEFAULT_FIXTURES, Subcommands, database, err, read_or_report
from api.settings import Settings

if TYPE_CHECKING:
    from ratings.loader import SyncReport


def check(args: argparse.Namespace, settings: Settings) -> int:
    fixtures = read_or_report(args.dir)
    if fixtures is None:
        return 1
    problems = []
    if args.vectors and Path(args.vectors).is_file():
        from ratings.vectors import check_vectors

        problems = check_vectors(fixtures, Path(args.vectors))
        for problem in problems:
            err(str(problem))
    if problems:
        err(f"{len(problems)} error(s)")
        return 1
    print(
        f"ok: {len(fixtures.services)} services, {len(fixtures.methodology.criteria)} criteria, "
        f"dataset version {fixtures.version}, {len(fixtures.warnings)} warning(s)"
    )
    return 0


def _print_report(report: SyncReport) -> None:
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


def load(args: argparse.Namespace, settings: Settings) -> int:
    from ratings.loader import sync_fixtures

    fixtures = read_or_report(args.dir)
    if fixtures is None:
        return 1

    async def run() -> None:
        async with database(settings.database_url):
            report = await sync_fixtures(fixtures, dry_run=args.dry_run)
        _print_report(report)
        verb = "would load" if args.dry_run else "loaded"
        print(f"{verb} {len(fixtures.services)} services, dataset version {report.version_after}")

    asyncio.run(run())
    return 0


def diff(args: argparse.Namespace, settings: Settings) -> int:
    from ratings.loader import plan_sync

    fixtures = read_or_report(args.dir)
    if fixtures is None:
        return 1

    async def run() -> None:
        async with database(settings.database_url):
            report = await plan_sync(fixtures)
        _print_report(report)

    asyncio.run(run())
    return 0


def synth(args: argparse.Namespace, settings: Settings) -> int:
    from ratings.synth import write_synthetic

    if args.count < 1:
        err("N must be at least 1")
        return 2
    write_synthetic(args.count, args.outdir, DEFAULT_FIXTURES / "methodology.yaml")
    print(f"wrote {args.count} synthetic services to {args.outdir}")
    return 0


def register(commands: Subcommands) -> None:
    fixtures = commands.add_parser("fixtures", help="check, load and compare the curated data")
    fcommands = fixtures.add_subparsers(dest="fixtures_command", required=True)
    check_parser = fcommands.add_parser("check", help="validate every fixture file")
    check_parser.add_argument("dir", nargs="?", type=Path, default=DEFAULT_FIXTURES)
    check_parser.add_argument(
        "--vectors", default="tests/vectors/urls.json", help="shared URL vectors to check against"
    )
    check_parser.set_defaults(func=check)
    load_parser = fcommands.add_parser(
        "load", help="sync the files into the database, in one transaction"
    )
    load_parser.add_argument("dir", nargs="?", type=Path, default=DEFAULT_FIXTURES)
    load_parser.add_argument(
        "--dry-run", action="store_true", help="show what would change; write nothing"
    )
    load_parser.set_defaults(func=load)
    diff_parser = fcommands.add_parser("diff", help="what loading would change, and why")
    diff_parser.add_argument("dir", nargs="?", type=Path, default=DEFAULT_FIXTURES)
    diff_parser.set_defaults(func=diff)
    synth_parser = fcommands.add_parser("synth", help="write N synthetic, valid service files")
    synth_parser.add_argument("count", type=int, metavar="N")
    synth_parser.add_argument("outdir", type=Path, metavar="OUTDIR")
    synth_parser.set_defaults(func=synth)
