"""Opening and closing the database, and the little raw SQL the ORM cannot say portably."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from tortoise import Tortoise, connections
from tortoise.backends.base.client import BaseDBAsyncClient

from storefront.settings import tortoise_config


async def init(database_url: str) -> None:
    await Tortoise.init(config=tortoise_config(database_url))


async def analyze() -> None:
    """Refresh the planner's statistics. SQLite only gathers them when asked (PostgreSQL's autovacuum
    does it too), and without them it reads a big category through its index and sorts it, rather
    than walking the date index and stopping after a page (docs/benchmarks.md, change 5). A full
    ANALYZE is quick; a sampled one (analysis_limit) or `PRAGMA optimize` on SQLite 3.40 leave the
    slow plan."""
    await connection().execute_script("ANALYZE")


async def close() -> None:
    await Tortoise.close_connections()


def connection() -> BaseDBAsyncClient:
    return connections.get("default")


def dialect() -> str:
    return connection().capabilities.dialect  # "sqlite" or "postgres"


def literal(value: str | int) -> str:
    """A constant of the code written into SQL text, for fragments a trigger or several statements share
    (they cannot take parameters): numbers as they are, text quoted."""
    if isinstance(value, int):
        return str(value)
    return "'" + value.replace("'", "''") + "'"


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


class _Statements(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.statements: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if message.lstrip().upper().startswith(("SELECT", "INSERT", "UPDATE", "DELETE", "WITH")):
            self.statements.append(message)


@contextmanager
def count_queries() -> Iterator[list[str]]:
    """The statements Tortoise sends while the block runs (BEGIN/COMMIT not counted), from its debug log:
    for the tests that hold query budgets and for the benchmark's per-page counts."""
    logger = logging.getLogger("tortoise.db_client")
    counter, level = _Statements(), logger.level
    logger.addHandler(counter)
    logger.setLevel(logging.DEBUG)
    try:
        yield counter.statements
    finally:
        logger.removeHandler(counter)
        logger.setLevel(level)
