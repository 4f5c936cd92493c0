"""``candor``: the one command line entry point."""

from __future__ import annotations

import argparse
import datetime as dt
import time
from collections.abc import Sequence

from api.cli import bundle, dataset, fixtures, keys, serve, suggestions
from api.cli.common import err
from api.settings import Settings, SettingsError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="candor", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    for module in (serve, fixtures, bundle, dataset, suggestions, keys):
        module.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        # Whatever the command: a variable set wrong is a mistake worth stopping for.
        err(f"candor: {exc}")
        return 2
    started = time.monotonic()
    code: int = args.func(args, settings)
    if settings.timing:
        err(f"took {time.monotonic() - started:.2f} s at {dt.datetime.now(dt.UTC):%H:%M:%S}")
    return code
