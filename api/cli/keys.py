"""``candor keys``: API keys for heavier third-party use."""

from __future__ import annotations

import argparse
import asyncio

from api.cli.common import Subcommands, database, err
from api.settings import Settings


async def _create(args: argparse.Namespace) -> int:
    from api.keys import create_key

    secret, key = await create_key(args.name, args.per_minute)
    print(f"created key {key.prefix} for {key.name!r} ({key.per_minute}/min)")
    print(f"secret (shown once, send as 'Authorization: Bearer <secret>'):\n{secret}")
    return 0


async def _list(args: argparse.Namespace) -> int:
    from api.keys import list_keys

    for key in await list_keys():
        state = f"revoked {key.revoked_at:%Y-%m-%d}" if key.revoked_at else "active"
        print(f"{key.prefix}  {key.per_minute:>6}/min  {state:20}  {key.name}")
    return 0


async def _revoke(args: argparse.Namespace) -> int:
    from api.keys import revoke_key

    if await revoke_key(args.prefix):
        print(f"revoked {args.prefix}")
        return 0
    err(f"no active key with prefix {args.prefix!r}")
    return 1


_ACTIONS = {"create": _create, "list": _list, "revoke": _revoke}


def keys(args: argparse.Namespace, settings: Settings) -> int:
    async def run() -> int:
        async with database(settings.database_url):
            return await _ACTIONS[args.keys_command](args)

    return asyncio.run(run())


def register(commands: Subcommands) -> None:
    parser = commands.add_parser("keys", help="API keys for heavier third-party use")
    kcommands = parser.add_subparsers(dest="keys_command", required=True)
    create = kcommands.add_parser("create", help="create a key (its secret is shown once)")
    create.add_argument("name")
    create.add_argument("--per-minute", type=int, default=1200)
    kcommands.add_parser("list", help="list keys")
    revoke = kcommands.add_parser("revoke", help="revoke a key by its prefix")
    revoke.add_argument("prefix")
    parser.set_defaults(func=keys)
