"""Opening and closing the database, and the little raw SQL the ORM cannot say portably."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tortoise import Tortoise, connections
from tortoise.backends.base.client import BaseDBAsyncClient

from storefront.settings import tortoise_config


async def init(database_url: str, *, create_schema: bool = False) -> None:
    await Tortoise.init(config=tortoise_config(database_url))
    if create_schema:
        from storefront.domain import search

        await Tortoise.generate_schemas(safe=True)
        await search.install()


async def close() -> None:
    await Tortoise.close_connections()


def connection() -> BaseDBAsyncClient:
    return connections.get("default")


def dialect() -> str:
    return connection().capabilities.dialect  # "sqlite" or "postgres"


class Sql:
    """Collects parameters while a statement is written, in the placeholder style of the database."""

    def __init__(self) -> None:
        self.params: list[Any] = []
        self.postgres = dialect() == "postgres"

    def param(self, value: Any) -> str:
        # Numbered placeholders ($1 on PostgreSQL, ?1 on SQLite), so fragments may be written in any order.
        self.params.append(value)
        return f"${len(self.params)}" if self.postgres else f"?{len(self.params)}"

    def params_in(self, values: Sequence[Any]) -> str:
        return ", ".join(self.param(v) for v in values)

    async def rows(self, statement: str) -> list[dict]:
        return await connection().execute_query_dict(statement, self.params)
