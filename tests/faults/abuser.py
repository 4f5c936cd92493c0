"""An abusive client, in its own process (``python -m tests.faults.abuser``).

Its own process, as a real abuser would be: sharing the measuring test's event loop, its
requests delayed the well-behaved clients' requests inside the test process itself, and
that, not the server, is what the latencies then showed.

It first spends its burst allowance (until the first 429), then, from ``start`` (a
``time.monotonic()`` value: CLOCK_MONOTONIC is shared by all processes of the machine),
sends ``rate`` requests a second in every odd window of ``window`` seconds, in an open
loop (slow answers do not slow it down). It prints the answers it got, as JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import time

import httpx


async def abuse(
    url: str, address: str, rate: float, start: float, windows: int, window: float
) -> dict[str, object]:
    headers = {"X-Forwarded-For": address}
    drained: collections.Counter[int] = collections.Counter()
    statuses: collections.Counter[int] = collections.Counter()
    errors: list[str] = []
    limits = httpx.Limits(max_connections=20, max_keepalive_connections=20)
    async with httpx.AsyncClient(limits=limits, timeout=30) as http:
        for _ in range(100_000):
            status = (await http.get(url, headers=headers)).status_code
            drained[status] += 1
            if status == 429:
                break
        drained_at = time.monotonic()

        async def one() -> None:
            try:
                statuses[(await http.get(url, headers=headers)).status_code] += 1
            except Exception as exc:
                errors.append(f"{type(exc).__name__}: {exc}")

        tasks = []
        for number in range(1, windows, 2):
            window_start = start + number * window
            for sent in range(int(rate * window)):
                await asyncio.sleep(max(0.0, window_start + sent / rate - time.monotonic()))
                tasks.append(asyncio.create_task(one()))
        await asyncio.gather(*tasks)
    return {
        "drained": dict(drained),
        "drained_at": drained_at,
        "statuses": dict(statuses),
        "errors": errors,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--address", default="10.66.6.6")
    parser.add_argument("--rate", type=float, required=True)
    parser.add_argument("--start", type=float, required=True)
    parser.add_argument("--windows", type=int, required=True)
    parser.add_argument("--window", type=float, required=True)
    args = parser.parse_args()
    result = asyncio.run(
        abuse(args.url, args.address, args.rate, args.start, args.windows, args.window)
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
