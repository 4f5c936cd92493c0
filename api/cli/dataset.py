"""``candor dataset``: the open data (CC BY 4.0)."""

from __future__ import annotations

import argparse
from pathlib import Path

from api.cli.common import DEFAULT_FIXTURES, Subcommands, err, read_or_report
from api.settings import Settings


def export(args: argparse.Namespace, settings: Settings) -> int:
    """The open-data files of one release, from the fixtures: the same bytes as the API
    serves for the same dataset version, plus their datapackage.json."""
    from ratings.dataset import dataset_from_fixtures
    from ratings.opendata import export as export_files

    fixtures = read_or_report(args.fixtures)
    if fixtures is None:
        return 1
    if args.dir.exists() and not args.dir.is_dir():
        err(f"{args.dir}: not a directory")
        return 2
    sizes = export_files(dataset_from_fixtures(fixtures), args.dir)
    for name, size in sizes.items():
        print(f"wrote {args.dir / name} ({size} bytes)")
    print(f"dataset version {fixtures.version}, licensed CC BY 4.0")
    return 0


def register(commands: Subcommands) -> None:
    dataset = commands.add_parser("dataset", help="the open data (CC BY 4.0)")
    dcommands = dataset.add_subparsers(dest="dataset_command", required=True)
    export_parser = dcommands.add_parser(
        "export", help="write dataset.csv, dataset.json and datapackage.json into DIR"
    )
    export_parser.add_argument("dir", type=Path, metavar="DIR")
    export_parser.add_argument("--fixtures", type=Path, default=DEFAULT_FIXTURES)
    export_parser.set_defaults(func=export)
