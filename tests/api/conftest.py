from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.applications import Starlette
from tortoise.context import TortoiseContext

from api.app import create_app
from api.settings import Settings
from ratings.fixtures import read_fixtures
from ratings.loader import sync_fixtures
from tests.conftest import FIXTURES


@pytest.fixture
async def app(db: TortoiseContext) -> AsyncIterator[Starlette]:
    """The app on a database loaded with the real fixtures (Tortoise set up by ``db``)."""
    await sync_fixtures(read_fixtures(FIXTURES))
    application = create_app(
        Settings(database_url="unused://", rate_limit_per_minute=100_000), manage_database=False
    )
    await application.state.candor.read_path.refresh()
    yield application


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http
