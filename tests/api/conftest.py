from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from tortoise.context import TortoiseContext

from api.app import create_app
from api.settings import Settings
from ratings.fixtures import read_fixtures
from ratings.loader import sync_fixtures
from tests.conftest import FIXTURES

AppFactory = Callable[..., Awaitable[Starlette]]


@pytest.fixture
async def make_app(db: TortoiseContext) -> AppFactory:
    """Apps on a database loaded with the real fixtures (Tortoise set up by ``db``)."""
    await sync_fixtures(read_fixtures(FIXTURES))

    async def make(**settings: Any) -> Starlette:
        values = {"database_url": "unused://", "rate_limit_per_minute": 100_000, **settings}
        application = create_app(Settings(**values), manage_database=False)
        await application.state.candor.read_path.refresh()
        return application

    return make


@pytest.fixture
async def app(make_app: AppFactory) -> Starlette:
    return await make_app()


def client_for(
    app: Starlette, client: tuple[str, int] = ("198.51.100.7", 5000)
) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=client)
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(app) as http:
        yield http
