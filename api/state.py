"""What the endpoints share: settings, the read path and the cache of rendered answers."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field

from cachetools import LRUCache, TTLCache
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from starlette.requests import Request

from api.compressed import Compressed
from api.keycache import KeyVerifier
from api.metrics import Metrics
from api.ratelimit import RateLimiter, TokenBuckets
from api.responses import Rendered
from api.settings import Settings
from api.sharedlimits import SharedBuckets
from api.statemetrics import StateCollector
from api.windowlimit import WindowLimiter
from ratings.dataset import Dataset
from ratings.hostprefix import PrefixIndex
from ratings.readpath import ReadPath
from ratings.singleflight import SingleFlight

# A hot route's template and its raw input (api/hotroutes.py).
HotKey = tuple[str, str | bytes]


class HotAnswers:
    """Rendered answers by the raw request input (a path parameter, a query string), for
    one dataset.

    The answer cache proper is keyed by the *normalised* input, so a hit there still pays
    for host normalisation (IDNA, regular expressions) and for the single-flight await. A
    repeated request for the same raw input is by far the common case (the extension and
    third parties ask about the same few hosts), so this small dict in front answers it
    with one lookup. It belongs to one dataset: a new dataset starts an empty one. It is
    bounded, by count and by bytes (keys and bodies), by emptying it when full: cheap,
    and a burst of distinct inputs only costs their re-rendering from the answer cache.
    """

    MAX_ENTRIES = 10_000
    MAX_BYTES = 16 * 1024 * 1024
    MAX_KEY_LENGTH = 512

    def __init__(self) -> None:
        self._dataset: Dataset | None = None
        self._answers: dict[HotKey, Rendered] = {}
        self.bytes = 0

    def get(self, dataset: Dataset, key: HotKey) -> Rendered | None:
        if dataset is not self._dataset:
            return None
        return self._answers.get(key)

    def put(self, dataset: Dataset, key: HotKey, rendered: Rendered) -> None:
        if len(key[1]) > self.MAX_KEY_LENGTH:
            return  # long inputs are rare and would make the bound on memory meaningless
        size = len(key[1]) + len(rendered.body)
        if dataset is not self._dataset:
            self._dataset, self._answers, self.bytes = dataset, {}, 0
        elif len(self._answers) >= self.MAX_ENTRIES or self.bytes + size > self.MAX_BYTES:
            self._answers, self.bytes = {}, 0
        if key not in self._answers:
            self._answers[key] = rendered
            self.bytes += size

    def clear(self) -> None:
        self._dataset, self._answers, self.bytes = None, {}, 0

    def __len__(self) -> int:
        return len(self._answers)


@dataclass(frozen=True, slots=True)
class BundleAnswer:
    """The bundle of one dataset, kept compressed only (api/compressed.py), and its
    signature when the server has a key."""

    compressed: Compressed
    # The base64 Ed25519 signature over the plain body.
    signature: Rendered | None = None


# The rendered-answer cache is bounded by the bytes of its answers, not their count: a
# count bound lets a few huge answers (or, before, one per forged Host header) take any
# amount of memory. 64 MiB holds every answer of the real dataset many times over.
ANSWER_CACHE_BYTES = 64 * 1024 * 1024
# A flight still rendering counts as this much until its answer is known.
_PENDING_BYTES = 1024
_ENTRY_OVERHEAD = 512


def _answer_bytes(task: asyncio.Task[Rendered]) -> int:
    if task.done() and not task.cancelled() and task.exception() is None:
        return len(task.result().body) + _ENTRY_OVERHEAD
    return _PENDING_BYTES


def answer_cache(max_bytes: int = ANSWER_CACHE_BYTES) -> SingleFlight[Rendered]:
    cache: TTLCache[Hashable, asyncio.Task[Rendered]] = TTLCache(
        maxsize=max_bytes, ttl=600, getsizeof=_answer_bytes
    )
    return SingleFlight[Rendered](cache, resize=True)


@dataclass
class AppState:
    settings: Settings
    read_path: ReadPath
    answers: SingleFlight[Rendered] = field(default_factory=answer_cache)
    buckets: TokenBuckets = field(default_factory=TokenBuckets)
    keys: KeyVerifier = field(default_factory=KeyVerifier)
    hot: HotAnswers = field(default_factory=HotAnswers)
    bundles: SingleFlight[BundleAnswer] = field(
        default_factory=lambda: SingleFlight[BundleAnswer](TTLCache(maxsize=2, ttl=600))
    )
    # Set by create_app: shared buckets when CANDOR_REDIS_URL is set, and the limiter.
    shared: SharedBuckets | None = None
    limiter: RateLimiter | None = None
    # The private lookup's index, by dataset version: built on the first prefix query.
    prefixes: SingleFlight[PrefixIndex] = field(
        default_factory=lambda: SingleFlight[PrefixIndex](LRUCache(maxsize=2))
    )
    signing_key: Ed25519PrivateKey | None = None
    # The open-data files (dataset.csv, dataset.json) of the current dataset, gzipped.
    downloads: SingleFlight[Compressed] = field(
        default_factory=lambda: SingleFlight[Compressed](TTLCache(maxsize=4, ttl=600))
    )

    # Submissions of the /suggest form (api/suggest.py).
    suggestion_limit: WindowLimiter = field(init=False)
    metrics: Metrics = field(init=False)

    def __post_init__(self) -> None:
        self.metrics = Metrics(self.settings.metrics_multiprocess_dir)
        self.metrics.register(StateCollector(self))
        self.suggestion_limit = WindowLimiter(
            self.settings.suggestions_per_hour, self.settings.suggestions_per_hour_total
        )
        # Rendered answers carry the dataset version in their ETag: a new dataset
        # drops them all at once.
        self.read_path.on_change(self._drop_answers)

    def _drop_answers(self, dataset: Dataset) -> None:
        self.answers.clear()
        self.hot.clear()
        self.bundles.clear()
        self.prefixes.clear()
        self.downloads.clear()

    async def answer(self, key: Hashable, render: Callable[[], Awaitable[Rendered]]) -> Rendered:
        return await self.answers.get(key, render)


def state_of(request: Request) -> AppState:
    state: AppState = request.app.state.candor
    return state
