"""The API's hot paths against the floor, and the same paths on a 10,000-service dataset.

Throughput figures are ratios of runs made back to back, in rounds whose order alternates
(A B, B A, ...), so that the machine's drift (two cores, shared) hits both sides alike; a
figure is the median over the rounds.
"""

from __future__ import annotations

import json
import shutil
import statistics
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from benchmarks.load import LoadResult, run_load
from benchmarks.procs import ROOT, Server, fetch, get

FIXTURES = ROOT / "fixtures"
VECTORS = ROOT / "tests" / "vectors" / "urls.json"


@dataclass
class Side:
    runs: list[LoadResult] = field(default_factory=list)

    @property
    def rps(self) -> float:
        return statistics.median(r.rps for r in self.runs)

    @property
    def p50_ms(self) -> float:
        return statistics.median(r.p50_ms for r in self.runs)

    @property
    def p99_ms(self) -> float:
        return statistics.median(r.p99_ms for r in self.runs)

    @property
    def failures(self) -> int:
        return sum(r.failures for r in self.runs)


@dataclass
class Comparison:
    """B against A: ``ratio`` is the median over rounds of B's rps / A's rps."""

    name: str
    a: Side
    b: Side
    ratios: list[float]

    @property
    def ratio(self) -> float:
        return statistics.median(self.ratios)


def rating_paths() -> list[str]:
    """``/v1/ratings/<host>`` for every domain of every real service."""
    from ratings.fixtures import read_fixtures

    fixtures = read_fixtures(FIXTURES)
    return [
        f"/v1/ratings/{domain}"
        for service in sorted(fixtures.services.values(), key=lambda s: s.slug)
        for domain in service.domains
    ]


def lookup_paths() -> list[str]:
    """``/v1/lookup?url=`` for every shared test vector that names a rated service
    (visits and meeting links alike)."""
    cases = json.loads(VECTORS.read_text(encoding="utf-8"))["cases"]
    return [
        "/v1/lookup?url=" + quote(case["input"], safe="")
        for case in cases
        if case.get("service")
        and case["input"].isascii()
        and case["input"].lower().startswith(("http://", "https://"))  # not the bare hosts
    ]


def answer_headers(server: Server, path: str) -> list[tuple[str, str]]:
    """The headers Candor sends with an answer, less those every server adds itself."""
    _, headers = fetch(server.base + path)
    own = {"date", "server", "content-length", "content-type", "connection"}
    return [(name, value) for name, value in headers if name.lower() not in own]


def mean_body_bytes(server: Server, paths: list[str]) -> int:
    """Fetches every path once (this also warms the server's caches)."""
    sizes = [len(get(server.base + path)) for path in paths]
    return round(statistics.mean(sizes))


def measure(
    wrk: str | None,
    servers: list[Server],
    paths: list[str],
    *,
    rounds: int,
    seconds: float,
    connections: int = 32,
) -> dict[str, Side]:
    """Runs on every server in each round, the order rotating from round to round."""
    sides = {server.name: Side() for server in servers}
    for server in servers:  # warm-up, not counted
        run_load(wrk, server.base, paths, min(2.0, seconds), connections)
    for round_number in range(rounds):
        shift = round_number % len(servers)
        for server in servers[shift:] + servers[:shift]:
            sides[server.name].runs.append(run_load(wrk, server.base, paths, seconds, connections))
    return sides


def versus(name: str, sides: dict[str, Side], a: str, b: str) -> Comparison:
    """B against A, round by round (runs of one round were made minutes apart at most)."""
    ratios = [
        run_b.rps / run_a.rps for run_a, run_b in zip(sides[a].runs, sides[b].runs, strict=True)
    ]
    return Comparison(name, sides[a], sides[b], ratios)


def big_fixtures(target: Path, services: int) -> Path:
    """``services`` services in all: the real ones plus synthetic ones
    (``candor fixtures synth``), so that the real hosts used by the hot-path runs answer
    with the very same bodies on both datasets."""
    from benchmarks.procs import run_cli

    real = sorted((FIXTURES / "services").glob("*.yaml"))
    if target.exists():
        shutil.rmtree(target)
    run_cli("fixtures", "synth", str(services - len(real)), str(target), database_url="unused")
    for path in real:
        shutil.copyfile(path, target / "services" / path.name)
    return target


def reload_and_measure(server: Server, directory: Path, database_url: str) -> float:
    """Edit one service, load the files with the CLI, wait until ``server`` serves the new
    dataset (it polls the version), then return its resident memory: the old and the new
    dataset were both alive for a moment."""
    import time

    import yaml

    from benchmarks.procs import run_cli

    before = json.loads(get(server.base + "/readyz"))["dataset_version"]
    path = sorted((directory / "services").glob("synth-*.yaml"))[0]
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["summary"] = data["summary"].rstrip(".") + ", edited by the benchmark."
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    run_cli("fixtures", "load", str(directory), database_url=database_url)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if json.loads(get(server.base + "/readyz"))["dataset_version"] != before:
            get(server.base + "/v1/ratings/zoom.us")
            return server.rss_mb()
        time.sleep(0.5)
    raise RuntimeError("the server did not pick up the new dataset within 60 s")
