"""Attack 3: database work without a limit. Random API keys and readiness floods, against
a real process on PostgreSQL, counting the database's own transaction statistics."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest

from tests.conftest import POSTGRES_URL
from tests.process import postgres_database, serving
from tests.security.attacks import random_keys, readiness_flood
from tests.security.conftest import pg_transactions

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not POSTGRES_URL, reason="PostgreSQL tests skipped: set CANDOR_TEST_POSTGRES_URL (CI does)"
    ),
]

BUDGET = 60
T = TypeVar("T")


@pytest.fixture
def database() -> Iterator[tuple[str, str]]:
    assert POSTGRES_URL
    with postgres_database() as url:
        yield url, url.rsplit("/", 1)[1]


def _lifetime(url: str, name: str, workdir: Path, attack: Callable[[str], T]) -> tuple[int, T]:
    """The transactions of one ``candor serve``'s whole life (start, ``attack``, stop),
    and what the attack returned. Counted once the process is gone: a backend flushes its
    statistics when it exits, so nothing is left pending."""
    assert POSTGRES_URL
    # No polling during the attack: the only database work is what the requests cause.
    env = {"CANDOR_RATE_LIMIT_PER_MINUTE": str(BUDGET), "CANDOR_POLL_SECONDS": "3600"}
    before = pg_transactions(POSTGRES_URL, name)
    with serving(url, workdir, extra_env=env) as (base, _):
        result = attack(base)
    return pg_transactions(POSTGRES_URL, name) - before, result


def _attack_cost(url: str, name: str, workdir: Path, attack: Callable[[str], T]) -> tuple[int, T]:
    """Transactions the attack caused: a life with it less a life without it (the first
    start, which loads the fixtures, is not counted)."""
    _lifetime(url, name, workdir, lambda base: None)
    baseline, _ = _lifetime(url, name, workdir, lambda base: None)
    total, result = _lifetime(url, name, workdir, attack)
    return total - baseline, result


def test_three_thousand_bad_keys_cost_at_most_the_callers_budget(
    database: tuple[str, str], tmp_path: Path
) -> None:
    url, name = database
    spent, (statuses, seconds) = _attack_cost(url, name, tmp_path, lambda b: random_keys(b, 3000))
    # The budget, plus what refills while the attack runs.
    allowed = BUDGET + int(seconds * BUDGET / 60) + 1
    print(f"\n3,000 random keys in {seconds:.1f} s: {statuses}, {spent} PostgreSQL transactions")
    assert statuses.get(401, 0) <= allowed and statuses.get(429, 0) >= 3000 - allowed
    assert set(statuses) <= {401, 429}
    # A lookup is two transactions (asyncpg prepares, then executes): at most the budget's
    # worth of lookups, and a few either way for the noise of a process's start.
    assert spent <= 2 * allowed + 5


def test_readiness_touches_no_database(database: tuple[str, str], tmp_path: Path) -> None:
    url, name = database
    spent, statuses = _attack_cost(url, name, tmp_path, lambda b: readiness_flood(b, 2000))
    print(f"\n2,000 /readyz: {statuses}, {spent} PostgreSQL transactions")
    assert statuses == {200: 2000}
    assert spent <= 5  # none by design; a few either way for the noise of a process's start
