"""Set-up and inspection of a served shop's database, run in a subprocess (its own Tortoise context):
`python -m tests.integration.shop prepare|report VARIANT_SKU [UNITS]`."""

from __future__ import annotations

import asyncio
import json
import sys

from tortoise.functions import Sum

from storefront.domain import db, stock
from storefront.domain.models import OrderLine, StockMovement, Variant
from storefront.settings import Settings


async def prepare(sku: str, units: int) -> dict:
    """Leave exactly `units` of a variant, through the ledger."""
    variant = await Variant.get(sku=sku)
    if variant.stock != units:
        await stock.adjust(variant.id, units - variant.stock, stock.Reason.CORRECTION, "race test")
    return {"variant_id": variant.id}


async def report(sku: str) -> dict:
    variant = await Variant.get(sku=sku)
    sold = await OrderLine.filter(variant_id=variant.id).annotate(n=Sum("quantity")).first().values_list("n", flat=True)
    sums = dict(await StockMovement.annotate(t=Sum("delta")).group_by("variant_id").values_list("variant_id", "t"))
    mismatched = [v for v, s in await Variant.all().values_list("id", "stock") if sums.get(v, 0) != s]
    return {"stock": variant.stock, "sold": sold or 0, "ledger_mismatches": mismatched}


async def main(command: str, sku: str, units: int) -> None:
    await db.init(Settings.from_env().database_url)
    try:
        result = await (prepare(sku, units) if command == "prepare" else report(sku))
    finally:
        await db.close()
    print(json.dumps(result))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 0))
