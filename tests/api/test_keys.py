from __future__ import annotations

import pytest

from api.keys import create_key, revoke_key
from ratings.models import ApiKey
from tests.api.conftest import AppFactory, client_for


async def test_a_key_gets_its_own_limit_and_revocation_ends_it(make_app: AppFactory) -> None:
    app = await make_app(rate_limit_per_minute=2)
    secret, key = await create_key("researcher", per_minute=5)
    stored = await ApiKey.get(id=key.id)
    assert secret not in (stored.digest, stored.prefix) and len(stored.digest) == 64
    auth = {"Authorization": f"Bearer {secret}"}
    async with client_for(app) as client:
        statuses = [
            (await client.get("/v1/ratings/zoom.us", headers=auth)).status_code for _ in range(6)
        ]
        assert statuses == [200] * 5 + [429]
        # The key's budget is its own: the same IP without the key still has its 2, less
        # the one token its address paid for the key's first lookup in the database.
        anonymous = [(await client.get("/v1/ratings/zoom.us")).status_code for _ in range(3)]
        assert anonymous == [200, 429, 429]
        last = await client.get("/v1/ratings/zoom.us", headers=auth)
        assert last.headers["ratelimit-limit"] == "5"

        assert await revoke_key(key.prefix)
        app.state.candor.keys.forget()  # otherwise within the verdict cache's few seconds
    # From an address with budget left (finding out that a key is revoked costs a token).
    async with client_for(app, ("198.51.100.99", 1)) as client:
        revoked = await client.get("/v1/ratings/zoom.us", headers=auth)
        assert revoked.status_code == 401
        assert revoked.headers["www-authenticate"].startswith("Bearer")


async def test_an_invalid_key_is_401_never_a_silent_downgrade(make_app: AppFactory) -> None:
    app = await make_app()
    async with client_for(app) as client:
        for header in (
            "Bearer cnd_not-a-real-key",
            "Bearer nonsense",
            "Basic dXNlcjpwYXNz",
            "Bearer",
        ):
            response = await client.get("/v1/ratings/zoom.us", headers={"Authorization": header})
            assert response.status_code == 401, header
            assert response.headers["content-type"] == "application/problem+json"
        assert (
            await client.get("/healthz", headers={"Authorization": "Bearer x"})
        ).status_code == 200


async def test_wrong_keys_cost_the_callers_budget_before_any_lookup(
    make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    import api.keys

    lookups: list[str] = []
    real = api.keys.find_active_key

    async def counting(digest: str) -> ApiKey | None:
        lookups.append(digest)
        return await real(digest)

    monkeypatch.setattr(api.keys, "find_active_key", counting)
    app = await make_app(rate_limit_per_minute=5)
    async with client_for(app) as client:
        statuses = [
            (
                await client.get(
                    "/v1/ratings/zoom.us", headers={"Authorization": f"Bearer cnd_wrong{n}"}
                )
            ).status_code
            for n in range(20)
        ]
        # The same wrong key again: its negative verdict is cached, but still costs.
        again = await client.get(
            "/v1/ratings/zoom.us", headers={"Authorization": "Bearer cnd_wrong0"}
        )
    assert statuses == [401] * 5 + [429] * 15
    assert again.status_code == 429
    assert len(lookups) == 5  # at most the caller's budget of database work


async def test_a_negative_verdict_is_cached_briefly(
    make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    import api.keycache

    lookups: list[str] = []

    async def counting(digest: str) -> ApiKey | None:
        lookups.append(digest)
        return None

    monkeypatch.setattr(api.keys, "find_active_key", counting)
    app = await make_app(rate_limit_per_minute=100)
    async with client_for(app) as client:
        for _ in range(10):
            wrong = await client.get(
                "/v1/ratings/zoom.us", headers={"Authorization": "Bearer cnd_x"}
            )
            assert wrong.status_code == 401
    assert len(lookups) == 1
