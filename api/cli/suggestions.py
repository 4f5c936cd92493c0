"""``candor suggestions``: what readers sent through /suggest."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

from api.cli.common import Subcommands, database, err
from api.settings import Settings

if TYPE_CHECKING:
    from ratings.suggestions import StoredSuggestion


def list_(args: argparse.Namespace, settings: Settings) -> int:
    from ratings.suggestions import list_suggestions

    since = None
    if args.since:
        try:
            since = dt.datetime.combine(dt.date.fromisoformat(args.since), dt.time.min, dt.UTC)
        except ValueError:
            err(f"--since {args.since!r}: expected a date, YYYY-MM-DD")
            return 2

    async def run() -> None:
        async with database(settings.database_url):
            rows = await list_suggestions(args.limit, since, args.service)
        if args.json:
            _print_json(rows)
        else:
            _print_text(rows)

    asyncio.run(run())
    return 0


def _print_json(rows: Sequence[StoredSuggestion]) -> None:
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


def _print_text(rows: Sequence[StoredSuggestion]) -> None:
    # Readers wrote these: control characters are shown escaped, never sent to a terminal.
    from ratings.suggestions import for_terminal

    if not rows:
        print("no suggestions")
    for r in rows:
        about = " / ".join(for_terminal(part) for part in (r.service, r.criterion, r.host) if part)
        print(f"#{r.id}  {r.created_at:%Y-%m-%d %H:%M} UTC  {about or '(general)'}")
        if r.reply_to:
            print(f"    reply to: {for_terminal(r.reply_to)}")
        for line in for_terminal(r.message).splitlines() or [""]:
            print(f"    {line}")
        print()


def register(commands: Subcommands) -> None:
    suggestions = commands.add_parser("suggestions", help="what readers sent through /suggest")
    scommands = suggestions.add_subparsers(dest="suggestions_command", required=True)
    slist = scommands.add_parser("list", help="the newest suggestions first")
    slist.add_argument("--limit", type=int, default=50)
    slist.add_argument("--since", help="only those sent on or after this date (YYYY-MM-DD)")
    slist.add_argument("--service", help="only those about this service (its slug)")
    slist.add_argument("--json", action="store_true", help="print JSON instead of text")
    slist.set_defaults(func=list_)
