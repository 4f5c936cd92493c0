"""Print the figures of issue 13's attacks, for this checkout or another one.

    python -m tests.security.figures              # this checkout's candor
    python -m tests.security.figures /path/to/old # an older checkout (its api/, ratings/)

The "before" figures in the closing note of issue 13 come from running this on the commit
before the fixes. Loopback only; every loop is bounded.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from tests.process import serving
from tests.security.attacks import (
    distinct_hosts,
    forged_forwarded_for,
    oversized_headers,
    slow_clients,
)


def main(argv: list[str]) -> None:
    env: dict[str, str] = {}
    command: tuple[str, ...] = (str(Path(sys.executable).parent / "candor"),)
    if argv:
        env["PYTHONPATH"] = str(Path(argv[0]).resolve())
        command = (sys.executable, "-m", "api.cli")
    import resource

    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 4096), hard))
    with tempfile.TemporaryDirectory() as raw:
        work = Path(raw)
        url = f"sqlite://{work}/c.sqlite3"
        big = {**env, "CANDOR_RATE_LIMIT_PER_MINUTE": "100000000"}
        with serving(url, work, extra_env=big, command=command) as (base, process):
            growth = distinct_hosts(base, process.pid, 10_000)
            print(
                f"10,000 distinct Host: {growth.before_mb:.1f} -> {growth.after_mb:.1f} MB "
                f"({growth.percent:+.1f}%) {growth.statuses}"
            )
            growth = oversized_headers(base, process.pid, 10, 8)
            print(
                f"10 x 8 MB Host: {growth.before_mb:.1f} -> {growth.after_mb:.1f} MB "
                f"({growth.percent:+.1f}%) {growth.statuses}"
            )
        small = {**env, "CANDOR_RATE_LIMIT_PER_MINUTE": "5"}
        with serving(url, work, extra_env=small, command=command) as (base, _):
            print(f"30 forged X-Forwarded-For, budget 5: {forged_forwarded_for(base, 30)}")
        with serving(url, work, extra_env=big, command=command, nofile=1024) as (base, _):
            log = work / f"serve-{base.rsplit(':', 1)[1]}.log"
            result = slow_clients(base, log, 1100, wait=5)
            print(
                f"1,100 slow connections at 1,024 descriptors: held {result.held}, /healthz "
                f"{result.healthz_status or 'no answer'} after {result.healthz_seconds:.2f} s, "
                f"log +{result.log_bytes} bytes"
            )
    sys.stdout.flush()


if __name__ == "__main__":
    main(sys.argv[1:])
