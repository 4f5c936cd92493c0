"""The hot paths of two revisions of Candor side by side, in one run, against the floor.

    .venv/bin/python -m benchmarks.versus BASE [--rounds 5] [--seconds 5]

BASE (a commit, a branch) is taken out of git into a scratch directory and served with
this checkout's virtual environment, its code first on the import path; the working tree
is served as it is. Both load the real fixtures and face the same load, in rounds whose
order rotates (benchmarks/hotpath.py), so that a change's cost on the hot path is
measured against its parent on the same machine at the same time, not against a figure
of another day.
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
from pathlib import Path

from benchmarks import hotpath
from benchmarks.load import find_wrk
from benchmarks.procs import ROOT, candor_serve, floor_serve


def _export(revision: str, target: Path) -> Path:
    target.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", revision], capture_output=True, check=True
    )
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive.stdout, check=True)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.versus", description=__doc__)
    parser.add_argument("base", help="the revision to compare the working tree with")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args(argv)
    wrk = find_wrk()
    ratings, lookups = hotpath.rating_paths(), hotpath.lookup_paths()
    with tempfile.TemporaryDirectory(prefix="candor-versus-") as scratch:
        work = Path(scratch)
        base_code = _export(args.base, work / "base")
        with (
            candor_serve(
                "base",
                f"sqlite://{work}/base.sqlite3",
                hotpath.FIXTURES,
                work,
                env={"PYTHONPATH": str(base_code)},
            ) as base,
            candor_serve("head", f"sqlite://{work}/head.sqlite3", hotpath.FIXTURES, work) as head,
        ):
            sizes = (hotpath.mean_body_bytes(base, ratings), hotpath.mean_body_bytes(head, lookups))
            hotpath.mean_body_bytes(head, ratings)
            hotpath.mean_body_bytes(base, lookups)
            with floor_serve("floor", *sizes, work) as floor:
                for name, paths in (("ratings", ratings), ("lookup", lookups)):
                    sides = hotpath.measure(
                        wrk, [floor, base, head], paths, rounds=args.rounds, seconds=args.seconds
                    )
                    for side in ("base", "head"):
                        figure = hotpath.versus(name, sides, "floor", side)
                        print(
                            f"{name}: {side} vs floor {figure.ratio:.3f} "
                            f"({', '.join(f'{r:.3f}' for r in figure.ratios)}); "
                            f"{figure.b.rps:,.0f} vs {figure.a.rps:,.0f} req/s",
                            flush=True,
                        )
                    change = hotpath.versus(name, sides, "base", "head")
                    print(f"{name}: head vs base {change.ratio:.3f}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
