"""Prometheus metrics, in the text exposition format, without a client library: a few
counters and one histogram are all the API needs."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)


class Metrics:
    def __init__(self) -> None:
        self.requests: defaultdict[tuple[str, str, int], int] = defaultdict(int)
        self.latency_counts: defaultdict[str, list[int]] = defaultdict(lambda: [0] * len(BUCKETS))
        self.latency_sum: defaultdict[str, float] = defaultdict(float)
        self.latency_total: defaultdict[str, int] = defaultdict(int)
        self.rate_limited = 0

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests[(method, route, status)] += 1
        counts = self.latency_counts[route]
        for index, bound in enumerate(BUCKETS):
            if seconds <= bound:
                counts[index] += 1
                break
        self.latency_sum[route] += seconds
        self.latency_total[route] += 1

    def limited(self) -> None:
        self.rate_limited += 1

    def render(self, gauges: dict[str, tuple[str, float, dict[str, str]]]) -> str:
        lines = [
            "# HELP candor_http_requests_total HTTP requests by method, route and status.",
            "# TYPE candor_http_requests_total counter",
        ]
        for (method, route, status), count in sorted(self.requests.items()):
            labels = _labels({"method": method, "route": route, "status": str(status)})
            lines.append(f"candor_http_requests_total{labels} {count}")
        lines += [
            "# HELP candor_http_request_duration_seconds Time to answer, by route.",
            "# TYPE candor_http_request_duration_seconds histogram",
        ]
        for route in sorted(self.latency_total):
            cumulative = 0
            for bound, count in zip(BUCKETS, self.latency_counts[route], strict=True):
                cumulative += count
                labels = _labels({"route": route, "le": repr(bound)})
                lines.append(f"candor_http_request_duration_seconds_bucket{labels} {cumulative}")
            labels = _labels({"route": route, "le": "+Inf"})
            lines.append(
                f"candor_http_request_duration_seconds_bucket{labels} {self.latency_total[route]}"
            )
            plain = _labels({"route": route})
            lines.append(
                f"candor_http_request_duration_seconds_sum{plain} {self.latency_sum[route]}"
            )
            lines.append(
                f"candor_http_request_duration_seconds_count{plain} {self.latency_total[route]}"
            )
        lines += [
            "# HELP candor_rate_limited_total Requests refused by the rate limit.",
            "# TYPE candor_rate_limited_total counter",
            f"candor_rate_limited_total {self.rate_limited}",
        ]
        for name, (help_text, value, gauge_labels) in sorted(gauges.items()):
            kind = "counter" if name.endswith("_total") else "gauge"
            lines += [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}"]
            lines.append(f"{name}{_labels(gauge_labels)} {value}")
        return "\n".join(lines) + "\n"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _labels(labels: dict[str, str]) -> str:
    if not labels:
        return ""
    return "{" + ",".join(f'{key}="{_escape(value)}"' for key, value in labels.items()) + "}"


class MetricsMiddleware:
    """Counts every answer by route template (never the raw path: unbounded labels)."""

    def __init__(
        self, app: ASGIApp, metrics: Metrics, clock: Callable[[], float] = time.perf_counter
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.clock = clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = self.clock()
        status = 500

        async def record_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, record_status)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            self.metrics.observe(scope["method"], template, status, self.clock() - started)
