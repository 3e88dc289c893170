"""Usage limits hold under concurrency: reservations never exceed a promotion's limits."""

from __future__ import annotations

import asyncio

import pytest
from tortoise.transactions import in_transaction

from storefront.domain.models import Promotion, PromotionKind, PromotionUse
from storefront.domain.offers import limits


async def promotion(**limits) -> Promotion:
    return await Promotion.create(
        name="Welcome", code="WELCOME10", kind=PromotionKind.ORDER_PERCENT, percent=10, **limits
    )


async def try_reserve(promotion_id: int, email: str, reference: str) -> bool:
    try:
        async with in_transaction() as conn:
            await limits.reserve([promotion_id], email, reference, conn)
        return True
    except limits.LimitReached:
        return False


async def test_many_concurrent_orders_never_exceed_the_total_limit(db):
    promo = await promotion(usage_limit=10)
    results = await asyncio.gather(*(try_reserve(promo.id, f"shopper{i}@example.com", f"o{i}") for i in range(40)))
    assert results.count(True) == 10
    await promo.refresh_from_db()
    assert promo.used_count == 10 and await PromotionUse.filter(promotion_id=promo.id).count() == 10


async def test_one_customer_cannot_exceed_their_limit_even_concurrently(db):
    promo = await promotion(per_customer_limit=1)
    emails = ["Anna@Example.com ", "anna@example.com", "ANNA@EXAMPLE.COM"] * 4
    results = await asyncio.gather(*(try_reserve(promo.id, e, f"o{i}") for i, e in enumerate(emails)))
    assert results.count(True) == 1
    await promo.refresh_from_db()
    assert promo.used_count == 1  # the refused reservations rolled back their count
    assert await limits.customer_uses("anna@example.com") == {promo.id: 1}
    assert await try_reserve(promo.id, "bruno@example.com", "o-b")


async def test_a_refused_reservation_names_every_exhausted_promotion(db):
    first = await promotion(usage_limit=0)
    second = await Promotion.create(name="Ship free", kind=PromotionKind.FREE_SHIPPING, usage_limit=5)
    with pytest.raises(limits.LimitReached) as refused:
        async with in_transaction() as conn:
            await limits.reserve([first.id, second.id], "a@example.com", "o1", conn)
    assert refused.value.promotion_ids == [first.id]
    await second.refresh_from_db()
    assert second.used_count == 0  # the whole transaction rolled back
