"""Scale-out: the deployment the README recommends, past one process.

- ``candor serve --workers 2`` against one worker (wrk -c32, and one kept-alive
  connection);
- two replicas on one PostgreSQL behind nginx with ``deploy/nginx.conf``, with its cache
  turned off and as shipped;
- the cache's hit ratio under a mixed load: 1,000 distinct hosts and URLs requested with
  Zipf-like repetition, by clients that spell Accept-Encoding and Origin differently;
- the outage: both replicas killed, the same load again.
"""

from __future__ import annotations

import contextlib
import http.client
import random
import re
import statistics
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from benchmarks import hotpath
from benchmarks.edge import Edge, find_nginx, nginx_edge
from benchmarks.hotpath import Comparison, Side
from benchmarks.procs import Server, candor_serve, fetch
from benchmarks.sync import postgres_url

ONE, TWO, PLAIN, CACHED = "1 worker", "2 workers", "nginx, no cache", "nginx, cache"
TARGETS = 1_000
UNRATED_SHARE = 0.1
ZIPF_S = 1.0
# The mixed load runs at a fixed pace for a fixed time, with answers that expire after
# MIX_MAX_AGE seconds: a 20 s run then sees each popular answer expire and be revalidated
# a few times, as a day of traffic does with the default five minutes.
MIX_RATE = 1_000  # requests a second
MIX_REQUESTS = 20_000
MIX_MAX_AGE = 5
SEED = 14
# How browsers and libraries spell Accept-Encoding, with a rough share of each.
ENCODINGS = (
    ("gzip, deflate, br, zstd", 45),  # Chromium
    ("gzip, deflate, br", 35),  # Firefox, Safari
    ("gzip", 10),  # libraries
    ("identity", 10),  # curl without --compressed, scripts
)
# Served from the cache without waiting for a replica.
FROM_CACHE = frozenset({"HIT", "STALE", "UPDATING"})


@dataclass
class MixFigures:
    targets: int
    requests: int
    seconds: float
    max_age: int
    distinct: int  # targets requested at least once
    cache: Counter[str]  # X-Cache-Status of each answer
    codes: Counter[int]
    reached: Counter[int]  # what the replicas answered meanwhile (nginx's requests)

    @property
    def hit_ratio(self) -> float:
        return sum(self.cache[status] for status in FROM_CACHE) / self.requests


@dataclass
class OutageFigures:
    requests: int
    codes: Counter[int]
    cache: Counter[str]
    p50_ms: float
    p99_ms: float
    cached_targets: int  # targets answered 200 during the mixed load
    cached_answered: int  # of those, answered 200 during the outage
    origins: int  # distinct Origin values sent (none of them seen before)


@dataclass
class ScaleOut:
    sides: dict[str, Side] = field(default_factory=dict)
    single: dict[str, Side] = field(default_factory=dict)  # one kept-alive connection
    mix: MixFigures | None = None
    outage: OutageFigures | None = None
    skipped: list[str] = field(default_factory=list)

    def versus_one(self, name: str) -> Comparison:
        return hotpath.versus(name, self.sides, ONE, name)


# The mixed load ----------------------------------------------------------------------


def mixed_targets(count: int = TARGETS, seed: int = SEED) -> list[str]:
    """``count`` distinct request paths: half `/v1/ratings/{host}`, half `/v1/lookup?url=`;
    most on rated services (their domains, subdomains, pages and meeting links), one in
    ten on sites no service covers (answered 404, which the API marks no-store)."""
    from ratings.fixtures import read_fixtures

    rng = random.Random(seed)
    domains = sorted(
        d for s in read_fixtures(hotpath.FIXTURES).services.values() for d in s.domains
    )
    half = count // 2
    unrated = round(half * UNRATED_SHARE)
    hosts = {f"/v1/ratings/{domain}" for domain in domains[: half - unrated]}
    while len(hosts) < half - unrated:
        label = rng.choice(("us02web", "eu01", "app", "team", "corp", "live", "meet"))
        hosts.add(f"/v1/ratings/{label}{rng.randrange(1000)}.{rng.choice(domains)}")
    hosts |= {f"/v1/ratings/site{n}.example.net" for n in range(unrated)}

    urls: set[str] = set()
    while len(urls) < half - unrated:
        kind = rng.random()
        if kind < 0.3:
            url = f"https://us{rng.randrange(2, 100):02d}web.zoom.us/j/{rng.randrange(10**10)}"
        elif kind < 0.5:
            letters = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(10))
            url = f"https://meet.google.com/{letters[:3]}-{letters[3:7]}-{letters[7:]}"
        else:
            url = f"https://{rng.choice(domains)}/p/{rng.randrange(10**6)}"
        urls.add(url)
    urls |= {f"https://news{n}.example.org/story/{n}" for n in range(unrated)}
    paths = sorted(hosts) + sorted("/v1/lookup?url=" + quote(url, safe="") for url in urls)
    if len(set(paths)) != count:
        raise AssertionError(f"{len(set(paths))} distinct targets, not {count}")
    return paths


def zipf_sequence(targets: list[str], requests: int, seed: int = SEED) -> list[str]:
    """``requests`` picks from ``targets``: the k-th most popular is asked 1/k^s as often
    as the first (which targets are popular is shuffled, not alphabetical)."""
    rng = random.Random(seed)
    ranked = targets[:]
    rng.shuffle(ranked)
    weights = [1 / (rank**ZIPF_S) for rank in range(1, len(ranked) + 1)]
    return rng.choices(ranked, weights=weights, k=requests)


@dataclass
class Answer:
    path: str
    status: int
    cache: str
    seconds: float


def replay(
    base: str,
    sequence: list[str],
    *,
    rate: float | None,
    headers: Callable[[int], dict[str, str]],
) -> list[Answer]:
    """Sends the sequence over one kept-alive connection, at ``rate`` requests a second
    when given (else as fast as answers come), each with ``headers(i)``."""
    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    answers = []
    started = time.perf_counter()
    try:
        for number, path in enumerate(sequence):
            if rate is not None:
                ahead = started + number / rate - time.perf_counter()
                if ahead > 0.002:
                    time.sleep(ahead)
            sent = time.perf_counter()
            try:
                connection.request("GET", path, headers=headers(number))
                response = connection.getresponse()
                response.read()
            except (ConnectionError, http.client.HTTPException):
                connection.close()
                connection = http.client.HTTPConnection(host, int(port), timeout=30)
                answers.append(Answer(path, 0, "", time.perf_counter() - sent))
                continue
            cache = response.getheader("x-cache-status", "")
            answers.append(Answer(path, response.status, cache, time.perf_counter() - sent))
    finally:
        connection.close()
    return answers


def _client_headers(seed: int) -> Callable[[int], dict[str, str]]:
    """A browser-like mix: Accept-Encoding spelled by the client's kind, and an Origin
    (an extension's per-install id) on half of the requests."""
    rng = random.Random(seed)
    spellings = [value for value, share in ENCODINGS for _ in range(share)]
    installs = [f"moz-extension://{rng.getrandbits(64):016x}" for _ in range(200)]

    def headers(_: int) -> dict[str, str]:
        chosen = {"Accept-Encoding": rng.choice(spellings)}
        if rng.random() < 0.5:
            chosen["Origin"] = rng.choice(installs)
        return chosen

    return headers


def _reached(replicas: list[Server]) -> Counter[int]:
    """Every answer the replicas have given, by status (from their own /metrics)."""
    counts: Counter[int] = Counter()
    # prometheus_client writes counts as floats ("2.0").
    pattern = re.compile(
        r'^candor_http_requests_total\{.*,status="(\d+)"\} (\d+)(?:\.0)?$', re.MULTILINE
    )
    for replica in replicas:
        body, _ = fetch(replica.base + "/metrics")
        for code, count in pattern.findall(body.decode()):
            counts[int(code)] += int(count)
    return counts


# The run -------------------------------------------------------------------------------


def _edge_server(name: str, edge: Edge) -> Server:
    return Server(name, edge.base, edge.process, edge.scratch / "nginx.log")


def run(
    wrk: str | None,
    work: Path,
    *,
    rounds: int,
    seconds: float,
    quick: bool,
    say: Callable[[str], None],
) -> ScaleOut:
    figures = ScaleOut()
    ratings = hotpath.rating_paths()
    server = postgres_url()
    nginx = find_nginx(install=True)
    if server is None:
        figures.skipped.append(
            "the replicas behind nginx need PostgreSQL (CANDOR_TEST_POSTGRES_URL or "
            "CANDOR_BENCH_POSTGRES_URL)"
        )
    if nginx is None:
        figures.skipped.append("nginx is not installed (apt-get install nginx-light)")
    with contextlib.ExitStack() as stack:
        database = (
            stack.enter_context(_postgres(server))
            if server
            else f"sqlite://{work}/scaleout.sqlite3"
        )
        fixtures = hotpath.FIXTURES
        one = stack.enter_context(candor_serve(ONE, database, fixtures, work))
        two = stack.enter_context(candor_serve(TWO, database, fixtures, work, workers=2))
        servers = [one, two]
        if server and nginx:
            replicas = [
                stack.enter_context(candor_serve(f"replica-{n}", database, fixtures, work))
                for n in (1, 2)
            ]
            upstreams = [replica.base.removeprefix("http://") for replica in replicas]
            for name, cache in ((PLAIN, False), (CACHED, True)):
                edge = stack.enter_context(
                    nginx_edge(
                        nginx,
                        upstreams,
                        work / name.replace(", ", "-").replace(" ", "-"),
                        cache=cache,
                    )
                )
                servers.append(_edge_server(name, edge))
        for target in servers:
            hotpath.mean_body_bytes(target, ratings)  # warm every cache on the way
        say(f"scale-out: {', '.join(s.name for s in servers)}, {rounds} rounds ...")
        figures.sides = hotpath.measure(wrk, servers, ratings, rounds=rounds, seconds=seconds)
        for name in figures.sides:
            side = figures.sides[name]
            say(f"  {name}: {side.rps:,.0f} req/s, p50 {side.p50_ms:.2f} ms")
        say("scale-out: one kept-alive connection, 1 vs 2 workers ...")
        figures.single = hotpath.measure(
            wrk, [one, two], ratings, rounds=rounds, seconds=seconds, connections=1
        )
        if server and nginx:
            _mixed_and_outage(figures, nginx, database, work, quick, say)
    return figures


@contextlib.contextmanager
def _postgres(server: str) -> Iterator[str]:
    from tests.process import postgres_database

    with postgres_database(server, prefix="candor_bench") as url:
        yield url


def _mixed_and_outage(
    figures: ScaleOut,
    nginx: str,
    database: str,
    work: Path,
    quick: bool,
    say: Callable[[str], None],
) -> None:
    requests = MIX_REQUESTS // 4 if quick else MIX_REQUESTS
    targets = mixed_targets()
    sequence = zipf_sequence(targets, requests)
    env = {"CANDOR_CACHE_MAX_AGE": str(MIX_MAX_AGE)}
    with contextlib.ExitStack() as stack:
        replicas = [
            stack.enter_context(
                candor_serve(f"mix-replica-{n}", database, hotpath.FIXTURES, work, env=env)
            )
            for n in (1, 2)
        ]
        upstreams = [replica.base.removeprefix("http://") for replica in replicas]
        edge = stack.enter_context(nginx_edge(nginx, upstreams, work / "nginx-mix"))
        say(f"scale-out: mixed load, {requests:,} requests over {len(targets):,} targets ...")
        before = _reached(replicas)
        started = time.perf_counter()
        answers = replay(edge.base, sequence, rate=MIX_RATE, headers=_client_headers(SEED))
        elapsed = time.perf_counter() - started
        after = _reached(replicas)
        # The two /metrics reads themselves are in ``after``: not nginx's doing.
        reached = Counter({code: after[code] - before[code] for code in after})
        reached[200] -= len(replicas)
        figures.mix = MixFigures(
            targets=len(targets),
            requests=requests,
            seconds=elapsed,
            max_age=MIX_MAX_AGE,
            distinct=len(set(sequence)),
            cache=Counter(answer.cache or "-" for answer in answers),
            codes=Counter(answer.status for answer in answers),
            reached=+reached,
        )
        say(f"  from the cache: {figures.mix.hit_ratio:.1%} ({dict(figures.mix.cache)})")

        cached = {answer.path for answer in answers if answer.status == 200}
        for replica in replicas:
            replica.process.kill()
            replica.process.wait()
        time.sleep(MIX_MAX_AGE + 1.5)  # every stored answer is now expired
        say("scale-out: both replicas killed, the same load again ...")
        outage_sequence = sequence[: requests // 4]
        rng = random.Random(SEED + 1)
        origins = [f"moz-extension://{rng.getrandbits(64):016x}" for _ in outage_sequence]
        down = replay(
            edge.base,
            outage_sequence,
            rate=None,
            headers=lambda n: {"Accept-Encoding": "gzip, deflate, br", "Origin": origins[n]},
        )
        served = [answer for answer in down if answer.status == 200]
        latencies = sorted(answer.seconds * 1000 for answer in served) or [float("nan")]
        asked = {answer.path for answer in down} & cached
        failed = {answer.path for answer in down if answer.status != 200}
        figures.outage = OutageFigures(
            requests=len(down),
            codes=Counter(answer.status for answer in down),
            cache=Counter(answer.cache or "-" for answer in down),
            p50_ms=statistics.median(latencies),
            p99_ms=latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
            cached_targets=len(asked),
            cached_answered=len(asked - failed),
            origins=len(set(origins)),
        )
        say(f"  answered: {len(served) / len(down):.1%} ({dict(figures.outage.codes)})")
