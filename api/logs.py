"""Rate-limited logging of repeated errors.

When the process runs out of file descriptors, asyncio logs "socket.accept() out of
system resource", with a traceback, for every connection the kernel still queues (and
uvicorn logs its own errors per connection): tens of megabytes a second, filling the
disk while the server is already struggling. The same message is written at most once
per interval here, with the count of the ones left out.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

# The loggers that speak per connection.
NOISY = ("asyncio", "uvicorn.error")


class RepeatFilter(logging.Filter):
    def __init__(self, interval: float = 10.0, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self.interval = interval
        self.clock = clock
        # message template -> (when it was last written, how many were left out since)
        self._seen: dict[tuple[str, str], tuple[float, int]] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING:
            return True
        # The first line: asyncio adds the socket and exception on the lines after it.
        key = (record.name, str(record.msg).split("\n", 1)[0][:200])
        now = self.clock()
        last = self._seen.get(key)
        if last is not None and now - last[0] < self.interval:
            self._seen[key] = (last[0], last[1] + 1)
            return False
        if last is not None and last[1]:
            since = now - last[0]
            record.msg = f"{record.msg} (and {last[1]} more like it in the last {since:.0f} s)"
        if len(self._seen) > 1000:  # bounded: templates, not values, but be safe
            self._seen.clear()
        self._seen[key] = (now, 0)
        return True


_installed: RepeatFilter | None = None


def quiet_repeated_errors(interval: float = 10.0) -> RepeatFilter:
    """Install the filter on the noisy loggers (once per process: every worker calls it)."""
    global _installed
    if _installed is None:
        _installed = RepeatFilter(interval)
        for name in NOISY:
            logging.getLogger(name).addFilter(_installed)
    return _installed
