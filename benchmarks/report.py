"""docs/performance.md, rendered from one run's figures."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from benchmarks.hotpath import Comparison
from benchmarks.sync import SyncFigures

API_TARGET = 0.85
SCALE_TARGET = 0.90
RSS_TARGET_MB = 200
GZIP_TARGET = 1_000_000
LOAD_TARGET_S = 5.0
RELOAD_TARGET_S = 1.0
MATCH_TARGET_US = 20.0


@dataclass
class Results:
    machine: dict[str, str]
    rounds: int
    seconds: float
    quick: bool
    api: dict[str, Comparison] = field(default_factory=dict)
    api_dressed: dict[str, Comparison] = field(default_factory=dict)
    scale: dict[str, Comparison] = field(default_factory=dict)
    body_bytes: dict[str, int] = field(default_factory=dict)
    rss_mb: dict[str, float] = field(default_factory=dict)
    bundle_bytes: dict[str, int] = field(default_factory=dict)
    big_load_s: float = float("nan")
    sync: dict[str, SyncFigures] = field(default_factory=dict)
    matcher: dict[str, Any] = field(default_factory=dict)
    total_seconds: float = 0.0


def _verdict(ok: bool) -> str:
    return "yes" if ok else "**no**"


def _row(*cells: object) -> str:
    return "| " + " | ".join(str(cell) for cell in cells) + " |"


_ENDPOINTS = {"ratings": "`GET /v1/ratings/{host}`", "lookup": "`GET /v1/lookup?url=`"}


def _api_rows(results: Results) -> list[str]:
    rows = []
    for name, compared in results.api.items():
        floor, candor = compared.a, compared.b
        rows.append(
            _row(
                f"{_ENDPOINTS[name]}: throughput vs the floor",
                f"**{compared.ratio:.2f}** ({candor.rps:,.0f} vs {floor.rps:,.0f} req/s)",
                f">= {API_TARGET}",
                _verdict(compared.ratio >= API_TARGET),
            )
        )
        rows.append(
            _row(
                f"{_ENDPOINTS[name]}: latency p50 / p99",
                f"{candor.p50_ms:.2f} / {candor.p99_ms:.2f} ms "
                f"(floor {floor.p50_ms:.2f} / {floor.p99_ms:.2f} ms)",
                "",
                "",
            )
        )
        dressed = results.api_dressed.get(name)
        if dressed is not None:
            rows.append(
                _row(
                    f"{_ENDPOINTS[name]}: throughput vs the floor sending Candor's headers",
                    f"{dressed.ratio:.2f} (floor {dressed.a.rps:,.0f} req/s, "
                    f"p50 / p99 {dressed.a.p50_ms:.2f} / {dressed.a.p99_ms:.2f} ms)",
                    "informative",
                    "",
                )
            )
        if candor.failures or floor.failures:
            rows.append(_row(f"{_ENDPOINTS[name]}: failed answers", candor.failures, "0", "**no**"))
    return rows


def _scale_rows(results: Results) -> list[str]:
    rows = []
    for name, compared in results.scale.items():
        rows.append(
            _row(
                f"{_ENDPOINTS[name]}: 10,000 vs 33 services",
                f"**{compared.ratio:.2f}** ({compared.b.rps:,.0f} vs {compared.a.rps:,.0f} req/s; "
                f"p99 {compared.b.p99_ms:.2f} vs {compared.a.p99_ms:.2f} ms)",
                f">= {SCALE_TARGET}",
                _verdict(compared.ratio >= SCALE_TARGET),
            )
        )
    for label, value in results.rss_mb.items():
        ok = value < RSS_TARGET_MB
        rows.append(
            _row(
                f"API resident memory (VmRSS), {label}", f"{value:.0f} MB", "< 200 MB", _verdict(ok)
            )
        )
    if results.bundle_bytes:
        gzip = results.bundle_bytes["gzip"]
        rows.append(
            _row(
                "`/v1/bundle`, 10,000 services, gzip",
                f"**{gzip / 1e6:.2f} MB** ({results.bundle_bytes['plain'] / 1e6:.1f} MB plain)",
                "< 1 MB",
                _verdict(gzip < GZIP_TARGET),
            )
        )
    if "gzip_real_33" in results.bundle_bytes:
        projected = results.bundle_bytes["gzip_real_33"] / 33 * 10_000
        rows.append(
            _row(
                "`/v1/bundle`, gzip, projected for 10,000 services with evidence like the "
                "33 real ones (prose, not one-liners)",
                f"{projected / 1e6:.1f} MB ({results.bundle_bytes['gzip_real_33'] / 33:,.0f} "
                "bytes a service)",
                "< 1 MB",
                _verdict(projected < GZIP_TARGET),
            )
        )
    if results.big_load_s == results.big_load_s:  # not NaN
        rows.append(
            _row(
                "`candor fixtures load`, 10,000 services, SQLite",
                f"{results.big_load_s:.1f} s",
                "",
                "",
            )
        )
    return rows


def _sync_rows(results: Results) -> list[str]:
    rows = []
    for backend, figures in results.sync.items():
        label = {"sqlite": "SQLite", "postgres": "PostgreSQL"}[backend]
        load, reload = figures.median(figures.load_s), figures.median(figures.reload_s)
        rows.append(
            _row(
                f"`candor fixtures load`, {figures.services:,} services, {label}, empty database",
                f"**{load:.2f} s** (read {figures.median(figures.read_s):.2f} s, "
                f"transaction {figures.median(figures.sync_s):.2f} s)",
                f"< {LOAD_TARGET_S:g} s" if backend == "sqlite" else "reported",
                _verdict(load < LOAD_TARGET_S) if backend == "sqlite" else "",
            )
        )
        rows.append(
            _row(
                f"`candor fixtures load`, {figures.services:,} services, {label}, unchanged files",
                f"**{reload:.2f} s** (transaction {figures.median(figures.noop_s):.2f} s)",
                f"< {RELOAD_TARGET_S:g} s" if backend == "sqlite" else "reported",
                _verdict(reload < RELOAD_TARGET_S) if backend == "sqlite" else "",
            )
        )
    return rows


def _matcher_rows(results: Results) -> list[str]:
    m = results.matcher
    if not m:
        return []
    cap_note = (
        ""
        if m["bundle_bytes"] <= m["max_bundle_bytes"]
        else f"; over the extension's {m['max_bundle_bytes'] / 2**20:.0f} MiB cap, see below"
    )
    return [
        _row(
            f"Extension matcher, {m['services']:,} services: one URL, median",
            f"**{m['match_median_us']:.1f} us** (p99 {m['match_p99_us']:.1f} us, "
            f"{m['urls']:,} URLs)",
            f"< {MATCH_TARGET_US:g} us",
            _verdict(m["match_median_us"] < MATCH_TARGET_US),
        ),
        _row(
            f"Extension bundle, {m['services']:,} services: parse / validate / index",
            f"{m['parse_ms']:.0f} / {m['validate_ms']:.0f} / {m['index_ms']:.0f} ms "
            f"({m['bundle_bytes'] / 1e6:.1f} MB{cap_note})",
            "reported",
            "",
        ),
    ]


def _split(results: Results) -> str:
    """Where the hot path's gap to the floor goes, in this run."""
    parts = []
    for name in ("ratings", "lookup"):
        bare, dressed = results.api.get(name), results.api_dressed.get(name)
        if bare is None or dressed is None:
            continue
        headers = 1 - dressed.a.rps / bare.a.rps
        code = 1 - dressed.ratio
        parts.append(
            f"{_ENDPOINTS[name]}: the headers alone cost the floor {headers:.0%} of its "
            f"requests a second, Candor's own code (rate limiter, metrics, CORS, answer "
            f"cache, conditional requests) {code:.0%} of what is left"
        )
    return (" In this run, " + "; ".join(parts) + ".") if parts else ""


def render(results: Results) -> str:
    today = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d")
    quick = " (**--quick run: rough figures**)" if results.quick else ""
    lines = [
        "# Performance",
        "",
        f"Measured by `make bench` on {today}{quick}, in {results.total_seconds / 60:.1f} "
        "minutes. This file is written by the benchmark; edit `benchmarks/report.py`, "
        "not the table.",
        "",
        "## Figures",
        "",
        _row("What", "Measured", "Target", "Met"),
        _row("---", "---", "---", "---"),
        *_api_rows(results),
        *_scale_rows(results),
        *_sync_rows(results),
        *_matcher_rows(results),
        "",
        "## Machine",
        "",
        *[f"- {key}: {value}" for key, value in results.machine.items()],
        "",
    ]
    lines += [*NOTES.format(split=_split(results)).splitlines(), ""]
    lines += METHOD.format(
        rounds=results.rounds,
        seconds=results.seconds,
        rating_bytes=results.body_bytes.get("rating", "?"),
        lookup_bytes=results.body_bytes.get("lookup", "?"),
    ).splitlines()
    return "\n".join(lines) + "\n"


NOTES = """\
## Reading the figures

- **The hot paths against the bare floor.** Candor sends more response headers than the
  floor (`ETag`, `Cache-Control`, three `RateLimit-*`, `Vary`, `X-Content-Type-Options`);
  uvicorn checks and writes each one in Python. The rows "vs the floor sending Candor's
  headers" give the floor those same headers, fixed, to tell the two costs apart.{split}
- What was done for the hot paths (see `api/middleware.py`, `api/fastlane.py`,
  `api/ratelimit.py`, `api/responses.py`, `api/state.py`): metrics, CORS, rate limit and
  security headers are one pure-ASGI layer instead of four, adding pre-encoded header
  bytes in one pass; the page-only security headers (CSP, framing, referrer) are sent on
  HTML only; anonymous requests await nothing in the rate limiter (buckets in a
  cachetools `LRUCache`); a cached answer carries its header bytes, and a small
  per-dataset dict keyed by the raw path parameter (or query string) holds the rendered
  answers of repeated requests. The edge answers those before routing (the fast lane:
  no Request object, no route matching, no endpoint call); a miss takes the route, which
  is the only way an answer enters that dict. uvicorn gets its C HTTP parser
  (`httptools`, now a dependency), which doubled the requests a second of both Candor and
  the floor.
- **The bundle.** With the synthetic services' one-line evidence the 10,000-service bundle
  compresses to under 1 MB, but real evidence is prose: at the real services' rate the
  same bundle would be several megabytes of gzip, and its plain JSON (tens of MB) is far
  over the 5 MiB the extension accepts (`MAX_BUNDLE_BYTES` in `extension/src/lib/bundle.js`),
  which caps a usable bundle at a few thousand services. Past that the evidence has to
  leave the bundle (fetched per service when the popup opens, or in shards): a change of
  bundle format, for the extension and the API together. The API side no longer holds the
  bundle whole: it is encoded and compressed service by service in a worker thread and
  kept gzip-compressed only (a client without gzip gets it decompressed on the fly).
- **Memory.** A new dataset is built while the old one still serves. A reload now reuses
  the old dataset's ratings of services whose database rows did not change (and reads only
  the others), so a small edit costs a few rows rather than a second copy of everything;
  the criteria of a full read come in windows of 1,000 services with their ids and levels
  interned, which cut the 10,000-service dataset's memory by a quarter.
- **Fixture sync.** The loader writes each kind of row in bulk statements (it made a few
  round trips per service: 32 s for 1,000 services), the fixtures are parsed with
  libyaml's parser, and on SQLite a load takes the write lock first, so a second load
  waits (busy timeout 120 s) instead of failing with "database is locked".
"""

METHOD = """\
## How it is measured

- **Hot paths vs the floor.** `candor serve` (one uvicorn worker, no access log, the real
  middleware: metrics, CORS, security headers and the rate limiter, with a budget of 10^9
  requests a minute so that it counts every request but refuses none) against the floor:
  a bare Starlette app (`benchmarks/floor.py`) answering the same routes with a fixed
  JSON body of the same mean size ({rating_bytes} bytes for ratings, {lookup_bytes} for
  lookups), under uvicorn with the same options. `wrk -t1 -c32` sends the same paths to
  both, in rotation: every domain of every rated service (`/v1/ratings/{{host}}`), every
  shared test vector naming a rated service (`/v1/lookup?url=`, visits and meeting
  links). {rounds} rounds of {seconds:g} s per endpoint, the order alternating (floor first,
  then Candor first, ...) after a warm-up; the ratio is the median of the per-round
  ratios, latencies are medians of the per-run percentiles. The machine has two cores,
  so the load generator and the server share it: ratios are more stable than the raw
  request rates.
- **Scale.** The 33 real services plus synthetic ones (`candor fixtures synth`) make
  10,000 services in SQLite; the same paths as above are sent to a server on that
  dataset and to one on the 33 services, alternating, so the answers are identical
  byte for byte and only the dataset size differs. Resident memory is VmRSS of the
  `candor serve` process from `/proc/PID/status`. The bundle sizes are those of
  `GET /v1/bundle` with and without `Accept-Encoding: gzip`.
- **Fixture sync.** `candor fixtures load` (a new process, as a maintainer runs it) of
  1,000 synthetic services into an empty database, then again with unchanged files;
  in brackets the in-process parts: reading and validating the files, and the database
  transaction. Medians over the runs; PostgreSQL is the server CI uses
  (`CANDOR_TEST_POSTGRES_URL`, or `CANDOR_BENCH_POSTGRES_URL`).
- **Extension matcher.** `benchmarks/extension_matcher.mjs` imports the extension's own
  `bundle.js` and `matcher.js` (read only), validates and indexes the 10,000-service
  bundle served above, and times `matchUrl` call by call over the shared vectors plus a
  visit, a deep link and a meeting-style link for 2,000 services and as many unrated
  hosts; median over five passes, each figure the median of three Node processes.

## Rerun

```
make bench                                   # or: .venv/bin/python -m benchmarks
.venv/bin/python -m benchmarks --quick       # about two minutes, rough figures
.venv/bin/python -m benchmarks --only api    # parts: api, scale, sync, matcher
```

wrk comes from Debian (`apt-get install wrk`; the benchmark installs it when it runs as
root and wrk is missing, and falls back to an httpx client otherwise). PostgreSQL figures
need `CANDOR_TEST_POSTGRES_URL` (or `CANDOR_BENCH_POSTGRES_URL`) to name a server whose
user may create databases; Node figures need `node` on the PATH.
"""
