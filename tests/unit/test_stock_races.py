"""Stock races that only concurrent connections can show (PostgreSQL): Tortoise serialises SQLite's
transactions per process, so these are marked `postgres` and run by `make test-postgres`."""

from __future__ import annotations

import asyncio

import pytest
from tortoise.transactions import in_transaction

from storefront.domain.inventory import stock
from storefront.domain.models import Variant
from tests.unit import factories as f

pytestmark = pytest.mark.postgres


async def test_two_orders_taking_the_same_variants_in_opposite_orders_never_deadlock(db):
    """Each cart lists the two variants the other way round; stock.take locks rows in id order, so the
    second waits for the first instead of each holding the row the other needs (a deadlock aborts one)."""
    tee = await f.product("Maglietta", await f.category("Clothing"), [{"price": 3500, "stock": 50}])
    mug = await f.product("Tazza", await f.category("Home"), [{"price": 1200, "stock": 50}])
    a, b = (await Variant.get(product_id=tee.id)).id, (await Variant.get(product_id=mug.id)).id

    async def order(lines: dict[int, int], reference: str) -> None:
        async with in_transaction() as conn:
            await stock.take(lines, reference, conn)

    for round_ in range(10):
        await asyncio.gather(order({a: 1, b: 1}, f"ab-{round_}"), order({b: 1, a: 1}, f"ba-{round_}"))
    assert [v.stock for v in await Variant.filter(id__in=[a, b]).order_by("id")] == [30, 30]
