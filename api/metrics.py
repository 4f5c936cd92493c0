"""Prometheus metrics, in the text exposition format, without a client library: a few
counters and one histogram are all the API needs. The edge middleware (api/middleware.py)
records every answer here by route template (never the raw path: unbounded labels)."""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict

BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)


class _Latency:
    """One route's histogram (non-cumulative bucket counts; cumulated when rendered)."""

    __slots__ = ("counts", "sum", "total")

    def __init__(self) -> None:
        self.counts = [0] * len(BUCKETS)
        self.sum = 0.0
        self.total = 0


class Metrics:
    def __init__(self) -> None:
        self.requests: defaultdict[tuple[str, str, int], int] = defaultdict(int)
        self.latency: defaultdict[str, _Latency] = defaultdict(_Latency)
        self.rate_limited = 0

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests[(method, route, status)] += 1
        latency = self.latency[route]
        # The first bound >= seconds; beyond the last one only +Inf (the total) counts it.
        index = bisect_left(BUCKETS, seconds)
        if index < len(BUCKETS):
            latency.counts[index] += 1
        latency.sum += seconds
        latency.total += 1

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
        for route, latency in sorted(self.latency.items()):
            cumulative = 0
            for bound, count in zip(BUCKETS, latency.counts, strict=True):
                cumulative += count
                labels = _labels({"route": route, "le": repr(bound)})
                lines.append(f"candor_http_request_duration_seconds_bucket{labels} {cumulative}")
            labels = _labels({"route": route, "le": "+Inf"})
            lines.append(f"candor_http_request_duration_seconds_bucket{labels} {latency.total}")
            plain = _labels({"route": route})
            lines.append(f"candor_http_request_duration_seconds_sum{plain} {latency.sum}")
            lines.append(f"candor_http_request_duration_seconds_count{plain} {latency.total}")
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
