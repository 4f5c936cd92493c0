"""Attack 2: forged client addresses. Through a real process, since uvicorn's own
proxy-header handling (off in ``candor serve``) runs before anything in-process tests see."""

from __future__ import annotations

from pathlib import Path

from tests.process import serving
from tests.security.attacks import forged_forwarded_for


def test_a_fake_forwarded_for_gives_nothing(tmp_path: Path) -> None:
    env = {"CANDOR_RATE_LIMIT_PER_MINUTE": "5"}
    with serving(f"sqlite://{tmp_path}/c.sqlite3", tmp_path, extra_env=env) as (base, _):
        statuses = forged_forwarded_for(base, 30)
    print(f"\n30 requests with forged X-Forwarded-For, budget 5: {statuses}")
    assert statuses == {200: 5, 429: 25}


def test_the_named_proxy_is_believed(tmp_path: Path) -> None:
    env = {"CANDOR_RATE_LIMIT_PER_MINUTE": "5", "CANDOR_TRUSTED_PROXIES": "127.0.0.1/32"}
    with serving(f"sqlite://{tmp_path}/c.sqlite3", tmp_path, extra_env=env) as (base, _):
        # 30 requests through "the proxy", for 30 different clients: none runs out.
        statuses = forged_forwarded_for(base, 30)
    assert statuses == {200: 30}
