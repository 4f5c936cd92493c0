"""The read path: "what is the rating of X", answered from an in-memory dataset.

The dataset is read from the database once, then re-read only when the dataset version
in the database changes (polled every few seconds, so that a fixture load through any
process reaches every replica). If the database goes away, answers keep coming from the
last dataset: ratings change rarely, and a stale answer beats none.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable

from ratings.dataset import Dataset
from ratings.repository import dataset_from_database, read_version
from ratings.singleflight import SingleFlight

log = logging.getLogger("candor.readpath")

# Seconds a poll may take before it counts as a failure.
CHECK_TIMEOUT = 3.0


class DatasetUnavailable(RuntimeError):
    """No dataset has been loaded yet (and the database cannot provide one)."""


class ReadPath:
    def __init__(self, poll_seconds: float = 5.0) -> None:
        self.poll_seconds = poll_seconds
        self._dataset: Dataset | None = None
        # One refresh at a time: a burst of callers noticing a new version does one read.
        self._refresh = SingleFlight[Dataset | None]({}, keep_results=False)
        self._listeners: list[Callable[[Dataset], None]] = []
        self.database_ok = False
        self.last_error: str | None = None
        self.last_checked: dt.datetime | None = None

    @property
    def dataset(self) -> Dataset:
        if self._dataset is None:
            raise DatasetUnavailable("the dataset has not been loaded")
        return self._dataset

    @property
    def loaded(self) -> bool:
        return self._dataset is not None

    def on_change(self, listener: Callable[[Dataset], None]) -> None:
        """Call ``listener`` with each new dataset (caches of rendered answers drop here)."""
        self._listeners.append(listener)

    def replace(self, dataset: Dataset) -> None:
        self._dataset = dataset
        for listener in self._listeners:
            listener(dataset)

    async def refresh(self) -> Dataset | None:
        """Re-read the dataset if its version (or the day, for staleness) changed."""
        return await self._refresh.get("refresh", self._refresh_now)

    async def _refresh_now(self) -> Dataset | None:
        try:
            version = await read_version()
            current = self._dataset
            today = dt.datetime.now(dt.UTC).date()
            if version is not None and (
                current is None or current.version != version or current.built_on != today
            ):
                # The current dataset lends its unchanged services to the new one.
                dataset = await dataset_from_database(today, current)
                if dataset is not None:
                    self.replace(dataset)
                    log.info("dataset %s: %d services", dataset.version, len(dataset.ratings))
        except Exception as exc:  # any database failure: keep serving what we have
            if self.database_ok:
                log.warning("database unreachable, serving the last dataset: %s", exc)
            self.database_ok = False
            self.last_error = f"{type(exc).__name__}: {exc}"
            raise
        self.database_ok = True
        self.last_error = None
        self.last_checked = dt.datetime.now(dt.UTC)
        return self._dataset

    def healthy(self) -> bool:
        """Did the last check reach the database, recently? A poller stuck for more than
        a few intervals counts as a failed check."""
        if not self.database_ok or self.last_checked is None:
            return False
        age = (dt.datetime.now(dt.UTC) - self.last_checked).total_seconds()
        return age <= 3 * self.poll_seconds + CHECK_TIMEOUT

    async def poll_forever(self) -> None:
        while True:
            await asyncio.sleep(self.poll_seconds)
            # Logged in refresh; the loop must survive outages. Bounded: a database that
            # accepts connections and never answers must turn readiness off too.
            try:
                await asyncio.wait_for(self.refresh(), timeout=CHECK_TIMEOUT)
            except TimeoutError:
                self.database_ok = False
                self.last_error = f"the database did not answer within {CHECK_TIMEOUT:.0f} s"
            except Exception:
                pass
