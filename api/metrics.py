"""Prometheus metrics, with ``prometheus_client``: what the edge (api/middleware.py)
records of every answer, by route template (never the raw path: unbounded labels), what
the application state reports at scrape time (api/statemetrics.py), and the process and
platform collectors the library brings.

With several worker processes (``candor serve --workers N``) each worker records into
the library's multiprocess files, in the directory ``candor serve`` makes for them
(api/listening.py), and ``/metrics`` from any worker reads them all: the request, latency
and rate-limit figures are those of the whole server. What the application state reports
(caches, buckets, the dataset) stays the answering worker's own.
"""

from __future__ import annotations

import os
from pathlib import Path

from prometheus_client import (
    CONTENT_TYPE_PLAIN_0_0_4,
    CollectorRegistry,
    Counter,
    GCCollector,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead
from prometheus_client.registry import Collector

BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)
# The exposition format Candor has always served (the text format, version 0.0.4).
CONTENT_TYPE = CONTENT_TYPE_PLAIN_0_0_4

# No `_created` series beside every counter and histogram: they would double the series
# for a figure Prometheus does not need (it sees resets itself).
disable_created_metrics()  # type: ignore[no-untyped-call]


class Metrics:
    def __init__(self, multiprocess_dir: Path | None = None) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "candor_http_requests",
            "HTTP requests by method, route and status.",
            ("method", "route", "status"),
            registry=self.registry,
        )
        self.latency = Histogram(
            "candor_http_request_duration_seconds",
            "Time to answer, by route.",
            ("route",),
            buckets=BUCKETS,
            registry=self.registry,
        )
        self.rate_limited = Counter(
            "candor_rate_limited", "Requests refused by the rate limit.", registry=self.registry
        )
        # The labelled children by (method, route, status): looking them up through
        # ``labels()`` on every answer would cost the hot path a lock and a few calls.
        self._children: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}
        self.multiprocess_dir = multiprocess_dir
        self.exposed = self._exposed(multiprocess_dir)

    def _exposed(self, multiprocess_dir: Path | None) -> CollectorRegistry:
        """The registry ``/metrics`` reads: this process's, or every worker's files."""
        if multiprocess_dir is None:
            ProcessCollector(registry=self.registry)
            GCCollector(registry=self.registry)
            PlatformCollector(registry=self.registry)
            return self.registry
        exposed = CollectorRegistry()
        MultiProcessCollector(exposed, path=str(multiprocess_dir))  # type: ignore[no-untyped-call]
        # The process and GC collectors describe one process: with several they would
        # report whichever worker answered the scrape, so they are left out.
        PlatformCollector(registry=exposed)
        return exposed

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        key = (method, route, status)
        children = self._children.get(key)
        if children is None:
            children = (
                self.requests.labels(method, route, str(status)),
                self.latency.labels(route),
            )
            self._children[key] = children
        children[0].inc()
        children[1].observe(seconds)

    def limited(self) -> None:
        self.rate_limited.inc()

    def register(self, collector: Collector) -> None:
        """Add a collector of figures read at scrape time (api/statemetrics.py)."""
        self.exposed.register(collector)

    def retire(self) -> None:
        """This worker is exiting: its counts stay in the totals, its live gauges go."""
        if self.multiprocess_dir is not None:
            mark_process_dead(os.getpid(), str(self.multiprocess_dir))  # type: ignore[no-untyped-call]

    def render(self) -> bytes:
        return generate_latest(self.exposed)
