"""docs/performance.md, rendered from one run's figures."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from benchmarks.hotpath import Comparison
from benchmarks.procs import ROOT
from benchmarks.scaleout import (
    CACHED,
    FROM_CACHE,
    MIX_MAX_AGE,
    MIX_RATE,
    MIX_REQUESTS,
    ONE,
    PLAIN,
    TWO,
    ScaleOut,
)
from benchmarks.sync import SyncFigures

API_TARGET = 0.85
SCALE_TARGET = 0.90
RSS_TARGET_MB = 200
GZIP_TARGET = 1_000_000
LOAD_TARGET_S = 5.0
RELOAD_TARGET_S = 1.0
MATCH_TARGET_US = 20.0
WORKERS_P50_TARGET = 1.5  # --workers 2 keep-alive p50, as a multiple of one worker's
STALL_MS = 20.0  # half the shortest delayed-ACK stall (40 ms on Linux)


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
    # The curated services in fixtures/ (the "real" ones, beside synthetic ones).
    real_services: int = field(
        default_factory=lambda: len(list((ROOT / "fixtures" / "services").glob("*.yaml")))
    )
    scaleout: ScaleOut | None = None
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
                f"{_ENDPOINTS[name]}: 10,000 vs {results.real_services} services",
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
    if "gzip_real" in results.bundle_bytes:
        each = results.bundle_bytes["gzip_real"] / results.real_services
        projected = each * 10_000
        rows.append(
            _row(
                "`/v1/bundle`, gzip, projected for 10,000 services with evidence like the "
                f"{results.real_services} real ones (prose, not one-liners)",
                f"{projected / 1e6:.1f} MB ({each:,.0f} bytes a service)",
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


def _scaleout_rows(results: Results) -> list[str]:
    out = results.scaleout
    if out is None or ONE not in out.sides:
        return []
    one, two = out.sides[ONE], out.sides[TWO]
    p50 = two.p50_ms / one.p50_ms
    rows = [
        _row(
            "`candor serve --workers 2` vs 1 worker, `GET /v1/ratings/{host}`: latency p50",
            f"**{p50:.2f}x** ({two.p50_ms:.2f} vs {one.p50_ms:.2f} ms; "
            f"p99 {two.p99_ms:.2f} vs {one.p99_ms:.2f} ms)",
            f"<= {WORKERS_P50_TARGET}x",
            _verdict(p50 <= WORKERS_P50_TARGET),
        ),
        _row(
            "`candor serve --workers 2` vs 1 worker: throughput",
            f"{out.versus_one(TWO).ratio:.2f} ({two.rps:,.0f} vs {one.rps:,.0f} req/s)",
            "reported",
            "",
        ),
    ]
    if out.single:
        alone, pair = out.single[ONE], out.single[TWO]
        rows.append(
            _row(
                "One kept-alive connection (wrk -c1): latency p50, 2 workers / 1 worker",
                f"{pair.p50_ms:.2f} / {alone.p50_ms:.2f} ms "
                f"({pair.rps:,.0f} / {alone.rps:,.0f} req/s)",
                f"< {STALL_MS:g} ms",
                _verdict(pair.p50_ms < STALL_MS),
            )
        )
    for name, label in (
        (PLAIN, "2 replicas on PostgreSQL behind nginx, no cache: throughput vs 1 worker"),
        (CACHED, "2 replicas behind nginx with `deploy/nginx.conf`'s cache: vs 1 worker"),
    ):
        if name in out.sides:
            side = out.sides[name]
            rows.append(
                _row(
                    label,
                    f"**{out.versus_one(name).ratio:.2f}** ({side.rps:,.0f} req/s, "
                    f"p50 / p99 {side.p50_ms:.2f} / {side.p99_ms:.2f} ms)",
                    "reported",
                    "",
                )
            )
    if out.mix is not None:
        mix = out.mix
        reached = ", ".join(
            f"{count:,} x {code}" for code, count in sorted(mix.reached.items()) if count
        )
        rows.append(
            _row(
                f"nginx cache, mixed load ({mix.targets:,} distinct hosts and URLs, "
                f"Zipf repetition): answered from the cache",
                f"**{mix.hit_ratio:.1%}** of {mix.requests:,} requests "
                f"({mix.distinct:,} distinct); the replicas answered {reached}",
                "reported",
                "",
            )
        )
    if out.outage is not None:
        down = out.outage
        answered = down.codes[200] / down.requests
        errors = ", ".join(
            f"{count:,} x {code or 'no answer'}"
            for code, count in sorted(down.codes.items())
            if code != 200
        )
        rows.append(
            _row(
                "Outage, both replicas killed, the mixed load again: answered",
                f"**{answered:.1%}** (stale, p50 / p99 {down.p50_ms:.2f} / {down.p99_ms:.2f} ms; "
                f"{down.cached_answered:,} of the {down.cached_targets:,} answers cached "
                f"before; {errors or 'no errors'})",
                "every cached answer",
                _verdict(down.cached_answered == down.cached_targets),
            )
        )
    return rows


def _scaleout_section(results: Results) -> list[str]:
    out = results.scaleout
    if out is None:
        return []
    lines = ["## Scale-out", ""]
    if out.sides:
        lines += [
            "`GET /v1/ratings/{host}`, wrk -t1 -c32, medians over the rounds:",
            "",
            _row("setup", "ratings req/s", "p50 / p99 ms", "vs one worker"),
            _row("---", "---", "---", "---"),
        ]
        labels = {
            ONE: "`candor serve`, 1 worker",
            TWO: "`candor serve --workers 2`",
            PLAIN: "2 replicas on PostgreSQL behind nginx, no cache",
            CACHED: "the same nginx with `deploy/nginx.conf`'s cache",
        }
        for name, side in out.sides.items():
            ratio = 1.0 if name == ONE else out.versus_one(name).ratio
            lines.append(
                _row(
                    labels[name],
                    f"{side.rps:,.0f}",
                    f"{side.p50_ms:.2f} / {side.p99_ms:.2f}",
                    f"{ratio:.2f}",
                )
            )
        lines.append("")
    if out.mix is not None:
        mix = out.mix
        shares = ", ".join(
            f"{status} {count / mix.requests:.1%}" for status, count in mix.cache.most_common()
        )
        lines += [
            f"Mixed load: {mix.requests:,} requests in {mix.seconds:.0f} s over "
            f"{mix.targets:,} targets ({mix.distinct:,} of them asked), answers kept "
            f"{mix.max_age} s; nginx's cache status of the answers: {shares}. "
            f"Answered without waiting for a replica ({', '.join(sorted(FROM_CACHE))}): "
            f"{mix.hit_ratio:.1%}.",
            "",
        ]
    if out.outage is not None:
        down = out.outage
        shares = ", ".join(
            f"{code or 'no answer'}: {count / down.requests:.1%}"
            for code, count in down.codes.most_common()
        )
        lines += [
            f"Outage: {down.requests:,} requests, each with an Origin never seen before "
            f"({down.origins:,} distinct); {shares}.",
            "",
        ]
    lines += [f"Not measured: {reason}." for reason in out.skipped]
    if out.skipped:
        lines.append("")
    return lines


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
        *_scaleout_rows(results),
        "",
        *_scaleout_section(results),
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
        real_services=results.real_services,
        mix_requests=f"{MIX_REQUESTS:,}",
        mix_rate=f"{MIX_RATE:,}",
        mix_max_age=MIX_MAX_AGE,
    ).splitlines()
    return "\n".join(lines) + "\n"


NOTES = """\
## Reading the figures

- **The hot paths against the bare floor.** Candor sends more response headers than the
  floor (`ETag`, `Cache-Control`, three `RateLimit-*`, two CORS headers,
  `X-Content-Type-Options`);
  uvicorn checks and writes each one in Python. The rows "vs the floor sending Candor's
  headers" give the floor those same headers, fixed, to tell the two costs apart.{split}
- What was done for the hot paths (see `api/middleware.py`, `api/hotroutes.py`,
  `api/ratelimit.py`, `api/responses.py`, `api/state.py`): metrics, CORS, rate limit,
  Host policy and security headers are one pure-ASGI layer instead of four middlewares,
  each policy a small object of its own (`api/cors.py`, `api/securityheaders.py`,
  `api/hosts.py`, `api/ratelimit.py`, `api/metrics.py`) that the layer composes, adding
  pre-encoded header bytes in one pass; the page-only security headers (CSP, framing,
  referrer) are sent on HTML only; anonymous requests await nothing in the rate limiter
  (buckets in a cachetools `LRUCache`, a client's identity parsed once per address); a
  cached answer carries its header bytes, and a small per-dataset dict keyed by a hot
  route and its raw input (its path parameter, or the query string) holds the rendered
  answers of repeated requests. There is one router: the two hot routes of the route
  table (`HotRoute` in `api/app.py`) say what their key is, the endpoint stores its answer
  under it, and the edge asks the same routes for the same key before routing (the hot
  lane: no Request object, no Response object, no matching of the whole table, no
  endpoint call); a miss takes the route, which is the only way an answer enters that
  dict. Metrics go through `prometheus_client` (a labelled child is looked up once per
  method, route and status). uvicorn gets its C HTTP parser (`httptools`, now a
  dependency), which doubled the requests a second of both Candor and the floor.
- **Two revisions side by side.** `python -m benchmarks.versus REV` serves REV (taken out
  of git) and the working tree at once, against the floor, in alternating rounds: a
  change's cost on the hot path, measured against its parent on the same machine at the
  same time.
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
- **Scale-out.** `candor serve --workers 2` used to stall: uvicorn's multi-process path
  binds its listening socket with protocol number 0, asyncio then never turns Nagle's
  algorithm off on the workers' connections, and on a kept-alive connection the body of
  every answer after the first waited for the client's delayed ACK (44 ms a request; 735
  req/s for two workers against 16,516 for one). `candor serve` now opens the socket
  itself, with `IPPROTO_TCP` and `TCP_NODELAY`, and hands it to the workers
  (`api/serving.py`; `tests/api/test_workers.py` fails at the old 44 ms). On this machine
  wrk, nginx and every replica share the same two cores, so a second worker or replica
  adds no core: the rows show what each layer costs, not how far it scales (on real
  machines every replica brings its own cores). What multiplies on any machine is the
  cache: a hit is answered by nginx alone, without a replica or Python. Answers carry no
  `Vary: Origin` (the CORS headers are the same for every origin), and the edge asks the
  replicas for gzip whatever the client said, so one entry serves every client; a
  client without gzip gets it decompressed by nginx. Unrated hosts and URLs are 404s,
  which the API marks `no-store`: they reach a replica every time and have nothing to
  fall back on in an outage. What each topology is for: [deployment.md](deployment.md).
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
- **Scale.** The {real_services} real services plus synthetic ones (`candor fixtures synth`) make
  10,000 services in SQLite; the same paths as above are sent to a server on that
  dataset and to one on the {real_services} real ones, alternating, so the answers are identical
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
- **Scale-out.** The rating paths above, `wrk -t1 -c32`, sent to four setups in rotation,
  {rounds} rounds of {seconds:g} s: `candor serve` with one worker, with `--workers 2`,
  and two replicas (one worker each) behind nginx, without and with its cache. The
  replicas and the workers share one PostgreSQL database. nginx is Debian's nginx-light
  running `deploy/nginx.conf` with only the addresses and paths replaced
  (`benchmarks/edge.py`); "no cache" is the same file with `proxy_cache off`. wrk sends no
  Accept-Encoding and no Origin. The kept-alive row is `wrk -t1 -c1` on the two
  `candor serve` setups.
- **Mixed load.** 1,000 distinct targets: 500 `/v1/ratings/{{host}}` (every rated domain,
  subdomains of them, 50 hosts no service covers) and 500 `/v1/lookup?url=` (Zoom and
  Meet meeting links, pages on rated domains, 50 sites no service covers), asked
  {mix_requests} times in a Zipf order (the k-th most asked target 1/k as often as the
  first), {mix_rate} requests a second over one kept-alive connection, to a fresh nginx in
  front of two fresh replicas that keep answers {mix_max_age} s (`CANDOR_CACHE_MAX_AGE`),
  so that answers expire and are revalidated during the run as they would over hours
  with the default five minutes. Accept-Encoding is spelled as Chromium (45%),
  Firefox and Safari (35%) or a library (10%) send it, or left without gzip (10%); half
  the requests carry an extension's Origin, one of 200. "From the cache" counts the
  answers nginx gave without waiting for a replica (HIT, STALE, UPDATING); the replicas'
  own counters say what reached them (a revalidation is a 304).
- **Outage.** Both mixed-load replicas are killed (SIGKILL), every stored answer is left
  to expire, and the first quarter of the same sequence is sent again, each request with
  an Origin never seen before.

## Rerun

```
make bench                                   # or: .venv/bin/python -m benchmarks
.venv/bin/python -m benchmarks --quick       # about two minutes, rough figures
.venv/bin/python -m benchmarks --only api    # parts: api, scale, sync, matcher, scaleout
.venv/bin/python -m benchmarks.versus REV  # REV and the working tree side by side
```

wrk comes from Debian (`apt-get install wrk`; the benchmark installs it when it runs as
root and wrk is missing, and falls back to an httpx client otherwise). PostgreSQL figures
need `CANDOR_TEST_POSTGRES_URL` (or `CANDOR_BENCH_POSTGRES_URL`) to name a server whose
user may create databases; so do the replicas behind nginx, which also need nginx
(`apt-get install nginx-light`; installed like wrk when missing). Node figures need
`node` on the PATH.
"""
