"""A fresh database per test (in-memory SQLite, or TEST_DATABASE_URL), and an ASGI client for routes."""

from __future__ import annotations

import asyncio
import os
from urllib.parse import urlsplit

import httpx2 as httpx
import pytest
from tortoise.context import tortoise_test_context

from storefront.app import create_app
from storefront.domain.db import connection
from storefront.domain.schema import install_extras
from storefront.settings import MODELS, Settings

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "sqlite://:memory:")


def pytest_collection_modifyitems(config, items):
    """sqlite_only tests check SQLite's specifics; postgres tests hold races that only a database serving
    several connections at once can show (Tortoise runs SQLite's transactions one at a time per process,
    so there they could not fail). `make test-postgres` runs the latter, and CI fails without PostgreSQL."""
    sqlite = TEST_DATABASE_URL.startswith("sqlite")
    skip = pytest.mark.skip(reason="needs PostgreSQL" if sqlite else "needs SQLite")
    for item in items:
        if ("postgres" if sqlite else "sqlite_only") in item.keywords:
            item.add_marker(skip)


@pytest.fixture
async def db():
    async with tortoise_test_context(MODELS, db_url=TEST_DATABASE_URL) as ctx:
        await install_extras()
        name = getattr(connection(), "database", None)
        yield ctx
    if TEST_DATABASE_URL.startswith("asyncpg"):
        await _drop_postgres_database(name)  # the test context leaves PostgreSQL databases behind


async def _drop_postgres_database(name: str) -> None:
    import asyncpg

    url = urlsplit(TEST_DATABASE_URL)
    conn = await asyncpg.connect(
        host=url.hostname, port=url.port, user=url.username, password=url.password, database=url.username
    )
    try:
        # Our connections are closed by now; PostgreSQL itself stops an autovacuum worker in the way.
        # (WITH (FORCE) would try to kill it too, which a non-superuser may not.)
        for attempt in range(20):
            try:
                await conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
                return
            except asyncpg.ObjectInUseError:
                await asyncio.sleep(0.1 * (attempt + 1))
        raise RuntimeError(f"could not drop test database {name}")
    finally:
        await conn.close()


@pytest.fixture
def settings(tmp_path) -> Settings:
    # English at the root: tests read the source messages; the Italian pages are tested under /it/.
    return Settings(
        database_url=TEST_DATABASE_URL, secret_key="test-secret", media_dir=tmp_path / "media", language="en"
    )


@pytest.fixture
async def client(db, settings):
    app = create_app(settings, manage_db=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://shop.test") as client:
        yield client
