"""What the endpoints share: settings, the read path and the cache of rendered answers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field

from cachetools import TTLCache
from starlette.requests import Request

from api.keycache import KeyVerifier
from api.metrics import Metrics
from api.ratelimit import TokenBuckets
from api.responses import Rendered
from api.settings import Settings
from ratings.dataset import Dataset
from ratings.readpath import ReadPath
from ratings.singleflight import SingleFlight


@dataclass
class AppState:
    settings: Settings
    read_path: ReadPath
    answers: SingleFlight[Rendered] = field(
        default_factory=lambda: SingleFlight[Rendered](TTLCache(maxsize=50_000, ttl=600))
    )
    metrics: Metrics = field(default_factory=Metrics)
    buckets: TokenBuckets = field(default_factory=TokenBuckets)
    keys: KeyVerifier = field(default_factory=KeyVerifier)

    def __post_init__(self) -> None:
        # Rendered answers carry the dataset version in their ETag: a new dataset
        # drops them all at once.
        self.read_path.on_change(self._drop_answers)

    def _drop_answers(self, dataset: Dataset) -> None:
        self.answers.clear()

    async def answer(self, key: Hashable, render: Callable[[], Awaitable[Rendered]]) -> Rendered:
        return await self.answers.get(key, render)


def state_of(request: Request) -> AppState:
    state: AppState = request.app.state.candor
    return state
