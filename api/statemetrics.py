"""What the application state reports to ``/metrics``: the answer caches, the rate-limit
buckets and the dataset, read when Prometheus asks rather than counted per request."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

if TYPE_CHECKING:
    from api.state import AppState


class StateCollector:
    def __init__(self, state: AppState) -> None:
        self.state = state

    def collect(self) -> Iterator[Metric]:
        yield from self._caches()
        yield from self._dataset()
        yield from self._limits()

    def _caches(self) -> Iterator[Metric]:
        answers, hot = self.state.answers, self.state.hot
        yield CounterMetricFamily(
            "candor_answer_cache_hits",
            "Answers served from the rendered-answer cache.",
            value=answers.hits,
        )
        yield CounterMetricFamily(
            "candor_answer_cache_misses", "Answers rendered anew.", value=answers.misses
        )
        yield GaugeMetricFamily(
            "candor_answer_cache_entries", "Rendered answers held in memory.", value=len(answers)
        )
        yield GaugeMetricFamily(
            "candor_answer_cache_bytes",
            "Bytes of rendered answers held in memory (bounded).",
            value=answers.size_bytes() + hot.bytes,
        )

    def _dataset(self) -> Iterator[Metric]:
        read_path = self.state.read_path
        loaded = read_path.loaded
        info = GaugeMetricFamily(
            "candor_dataset_info",
            "The loaded dataset version (value always 1).",
            labels=("version",),
        )
        info.add_metric((read_path.dataset.version if loaded else "none",), 1)
        yield info
        yield GaugeMetricFamily(
            "candor_dataset_services",
            "Services in the loaded dataset.",
            value=len(read_path.dataset.ratings) if loaded else 0,
        )
        yield GaugeMetricFamily(
            "candor_database_up",
            "1 when the last database check succeeded.",
            value=float(read_path.database_ok),
        )

    def _limits(self) -> Iterator[Metric]:
        shared = self.state.shared
        yield GaugeMetricFamily(
            "candor_rate_limit_clients",
            "Clients with a live rate-limit bucket in this process.",
            value=len(self.state.buckets),
        )
        yield GaugeMetricFamily(
            "candor_rate_limit_shared",
            "1 when rate limits are shared through Redis; 0 when they are per process "
            "(no CANDOR_REDIS_URL, or Redis unreachable).",
            value=float(shared is not None and shared.up),
        )
        yield CounterMetricFamily(
            "candor_rate_limit_shared_errors",
            "Rate-limit decisions Redis could not make (answered per process instead).",
            value=shared.failures if shared is not None else 0,
        )
