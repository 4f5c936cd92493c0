from __future__ import annotations

from ratings.keys import create_key, revoke_key
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
        # The key's budget is its own: the same IP without the key still has its 2.
        anonymous = [(await client.get("/v1/ratings/zoom.us")).status_code for _ in range(3)]
        assert anonymous == [200, 200, 429]
        last = await client.get("/v1/ratings/zoom.us", headers=auth)
        assert last.headers["ratelimit-limit"] == "5"

        assert await revoke_key(key.prefix)
        app.state.candor.keys.forget()  # otherwise within the verdict cache's few seconds
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
