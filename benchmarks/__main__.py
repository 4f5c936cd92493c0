"""``make bench``: every performance figure of docs/performance.md, measured afresh.

    .venv/bin/python -m benchmarks            # everything (about 10 minutes)
    .venv/bin/python -m benchmarks --quick    # shorter runs, for a smoke test
    .venv/bin/python -m benchmarks --only api,sync

The results are written to docs/performance.md (and printed as they come).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import hotpath, matcher, report, scaleout, sync
from benchmarks.edge import find_nginx
from benchmarks.load import find_wrk
from benchmarks.machine import describe
from benchmarks.procs import ROOT, candor_serve, floor_serve, get, run_cli
from benchmarks.report import Results

PARTS = ("api", "scale", "sync", "matcher", "scaleout")
SCALE_SERVICES = 10_000
SYNC_SERVICES = 1_000


def _say(message: str) -> None:
    print(message, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="short runs (numbers are rough)")
    parser.add_argument("--only", default=",".join(PARTS), help=f"any of {','.join(PARTS)}")
    parser.add_argument("--rounds", type=int, help="rounds per comparison (default 5, quick 2)")
    parser.add_argument("--seconds", type=float, help="seconds per run (default 5, quick 2)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "performance.md")
    args = parser.parse_args(argv)
    parts = {part.strip() for part in args.only.split(",") if part.strip()}
    if unknown := parts - set(PARTS):
        parser.error(f"unknown part(s): {', '.join(sorted(unknown))}")
    rounds = args.rounds or (2 if args.quick else 5)
    seconds = args.seconds or (2.0 if args.quick else 5.0)

    started = time.monotonic()
    load_at_start = os.getloadavg()[0]
    wrk = find_wrk()
    if "scaleout" in parts:
        find_nginx(install=True)  # before the machine is described: it names nginx
    results = Results(machine=describe(wrk), rounds=rounds, seconds=seconds, quick=args.quick)
    _say(f"load generator: {results.machine['Load generator']}")
    with tempfile.TemporaryDirectory(prefix="candor-bench-") as scratch:
        work = Path(scratch)
        if parts & {"api", "scale", "matcher"}:
            _serve_and_measure(results, parts, wrk, work, rounds, seconds)
        if "sync" in parts:
            _sync(results, work, runs=2 if args.quick else 3)
        if "scaleout" in parts:
            results.scaleout = scaleout.run(
                wrk, work, rounds=rounds, seconds=seconds, quick=args.quick, say=_say
            )
    results.total_seconds = time.monotonic() - started
    # Other work on the machine moves every figure: say how busy it was.
    results.machine["Load average (1 min) at start / end"] = (
        f"{load_at_start:.1f} / {os.getloadavg()[0]:.1f}"
    )
    args.out.write_text(report.render(results), encoding="utf-8")
    _say(f"wrote {args.out} ({results.total_seconds:.0f} s)")
    return 0


def _serve_and_measure(
    results: Results, parts: set[str], wrk: str | None, work: Path, rounds: int, seconds: float
) -> None:
    ratings, lookups = hotpath.rating_paths(), hotpath.lookup_paths()
    with candor_serve(
        "candor-real", f"sqlite://{work}/small.sqlite3", hotpath.FIXTURES, work
    ) as small:
        rating_bytes = hotpath.mean_body_bytes(small, ratings)
        lookup_bytes = hotpath.mean_body_bytes(small, lookups)
        results.body_bytes = {"rating": rating_bytes, "lookup": lookup_bytes}
        if "api" in parts:
            headers = hotpath.answer_headers(small, ratings[0])
            with (
                floor_serve("floor", rating_bytes, lookup_bytes, work) as floor,
                floor_serve("floor+headers", rating_bytes, lookup_bytes, work, headers) as dressed,
            ):
                for name, paths in (("ratings", ratings), ("lookup", lookups)):
                    _say(f"api: {name} vs the floor, {rounds} rounds of {seconds:g} s ...")
                    sides = hotpath.measure(
                        wrk, [floor, small, dressed], paths, rounds=rounds, seconds=seconds
                    )
                    results.api[name] = hotpath.versus(name, sides, floor.name, small.name)
                    results.api_dressed[name] = hotpath.versus(
                        name, sides, dressed.name, small.name
                    )
                    _say(
                        f"  ratio {results.api[name].ratio:.3f} "
                        f"({', '.join(f'{r:.3f}' for r in results.api[name].ratios)}); "
                        f"vs the floor with Candor's headers {results.api_dressed[name].ratio:.3f}"
                    )
            label = f"{results.real_services} services, after the API runs"
            results.rss_mb[label] = small.rss_mb()
        if not parts & {"scale", "matcher"}:
            return
        _say(f"scale: writing and loading {SCALE_SERVICES} services ...")
        big_dir = hotpath.big_fixtures(work / "big", SCALE_SERVICES)
        big_url = f"sqlite://{work}/big.sqlite3"
        results.big_load_s, _ = run_cli("fixtures", "load", str(big_dir), database_url=big_url)
        _say(f"  loaded in {results.big_load_s:.1f} s")
        with candor_serve("candor-10k", big_url, big_dir, work) as big:
            results.rss_mb[f"{SCALE_SERVICES:,} services, after start-up"] = big.rss_mb()
            hotpath.mean_body_bytes(big, ratings + lookups)  # warm-up, as for the small one
            if "scale" in parts:
                for name, paths in (("ratings", ratings), ("lookup", lookups)):
                    _say(f"scale: {name}, {results.real_services} vs {SCALE_SERVICES} services ...")
                    sides = hotpath.measure(
                        wrk, [small, big], paths, rounds=rounds, seconds=seconds
                    )
                    results.scale[name] = hotpath.versus(name, sides, small.name, big.name)
                    _say(f"  ratio {results.scale[name].ratio:.3f}")
                results.rss_mb[f"{SCALE_SERVICES:,} services, after the API runs"] = big.rss_mb()
            plain = get(big.base + "/v1/bundle", {"Accept-Encoding": "identity"}, timeout=120)
            packed = get(big.base + "/v1/bundle", {"Accept-Encoding": "gzip"}, timeout=120)
            results.bundle_bytes = {"plain": len(plain), "gzip": len(packed)}
            results.rss_mb[f"{SCALE_SERVICES:,} services, after serving /v1/bundle"] = big.rss_mb()
            bundle_file = work / "bundle-10k.json"
            bundle_file.write_bytes(plain)
            del plain, packed
            # The real services' evidence is prose, unlike the synthetic one-liners: what
            # 10,000 services like them would weigh, from the real ones.
            real = get(small.base + "/v1/bundle", {"Accept-Encoding": "gzip"})
            results.bundle_bytes["gzip_real"] = len(real)
            if "scale" in parts:
                _say("scale: a new dataset while serving ...")
                results.rss_mb[f"{SCALE_SERVICES:,} services, after a dataset reload"] = (
                    hotpath.reload_and_measure(big, big_dir, big_url)
                )
        if "matcher" in parts and matcher.node_available():
            _say("matcher: Node, extension/src/lib/matcher.js ...")
            results.matcher = matcher.run(bundle_file)
            _say(f"  median {results.matcher['match_median_us']:.2f} us per URL")


def _sync(results: Results, work: Path, runs: int) -> None:
    directory = work / "sync-1000"
    run_cli("fixtures", "synth", str(SYNC_SERVICES), str(directory), database_url="unused")
    backends = ["sqlite"] + (["postgres"] if sync.postgres_url() else [])
    for backend in backends:
        _say(f"sync: {SYNC_SERVICES} services into {backend}, {runs} runs ...")
        figures = sync.measure(backend, directory, SYNC_SERVICES, work, runs)
        results.sync[backend] = figures
        _say(
            f"  load {figures.median(figures.load_s):.2f} s, "
            f"reload {figures.median(figures.reload_s):.2f} s"
        )


if __name__ == "__main__":
    sys.exit(main())
