"""``candor bundle``: the extension's dataset, and the key that signs it."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from api.cli.common import DEFAULT_FIXTURES, Subcommands, err, read_or_report
from api.settings import Settings


def export(args: argparse.Namespace, settings: Settings) -> int:
    import dataclasses

    from ratings.bundle import build_bundle, data_date
    from ratings.dataset import dataset_from_fixtures

    fixtures = read_or_report(args.fixtures)
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


def public_key(args: argparse.Namespace, settings: Settings) -> int:
    """The base64 raw public key of CANDOR_BUNDLE_SIGNING_KEY, for the extension build."""
    from ratings.signing import SigningKeyError, load_signing_key, public_key_base64

    if settings.bundle_signing_key is None:
        err(
            "CANDOR_BUNDLE_SIGNING_KEY is not set: name a PKCS#8 PEM Ed25519 private key "
            "(openssl genpkey -algorithm ed25519 -out key.pem)"
        )
        return 2
    try:
        key = load_signing_key(settings.bundle_signing_key)
    except SigningKeyError as exc:
        err(str(exc))
        return 1
    print(public_key_base64(key))
    return 0


def register(commands: Subcommands) -> None:
    bundle = commands.add_parser("bundle", help="the extension's dataset")
    bcommands = bundle.add_subparsers(dest="bundle_command", required=True)
    export_parser = bcommands.add_parser("export", help="write the bundle built from the fixtures")
    export_parser.add_argument("out", metavar="OUT", help="a file, or - for standard output")
    export_parser.add_argument("--fixtures", type=Path, default=DEFAULT_FIXTURES)
    export_parser.set_defaults(func=export)
    public = bcommands.add_parser(
        "public-key",
        help="print the base64 raw public key of CANDOR_BUNDLE_SIGNING_KEY (for the extension)",
    )
    public.set_defaults(func=public_key)
