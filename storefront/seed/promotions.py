"""The demo shop's promotions: one of each thing the engine explains to shoppers."""

from __future__ import annotations

from datetime import UTC, datetime

from storefront.domain.models import Category, Promotion, PromotionKind


async def demo_promotions() -> None:
    pasta = await Category.get(slug="pasta-rice")
    await Promotion.bulk_create(
        [
            # The welcome code: once per customer.
            Promotion(
                name="Welcome 10% off",
                code="WELCOME10",
                kind=PromotionKind.ORDER_PERCENT,
                percent=10,
                per_customer_limit=1,
                priority=50,
            ),
            # Automatic free shipping above a threshold: the cart says how much more to spend.
            # Italy only (the demo's Italy zone: Italy, San Marino, the Vatican): abroad shipping costs what it costs.
            Promotion(
                name="Free shipping over €59",
                kind=PromotionKind.FREE_SHIPPING,
                min_subtotal=5900,
                priority=90,
                countries=["IT", "SM", "VA"],
            ),
            # "3 for 2" on pasta: the cheapest of every three packs is free.
            Promotion(
                name="Pasta: 3 for 2",
                kind=PromotionKind.BUY_X_GET_Y,
                buy_quantity=2,
                get_quantity=1,
                percent=100,
                category_ids=[pasta.id],
                priority=10,
            ),
            # A code for big orders, that does not stack with other order discounts.
            Promotion(
                name="€20 off orders over €150",
                code="GRAZIE20",
                kind=PromotionKind.ORDER_FIXED,
                amount=2000,
                min_subtotal=15000,
                exclude_sale_items=True,
                combines_with_order=False,
                priority=60,
            ),
            # Last summer's code: shoppers who still try it learn when it ended.
            Promotion(
                name="Summer 25% off",
                code="ESTATE25",
                kind=PromotionKind.ORDER_PERCENT,
                percent=25,
                starts_at=datetime(2026, 6, 21, tzinfo=UTC),
                ends_at=datetime(2026, 9, 1, tzinfo=UTC),
                priority=40,
            ),
        ]
    )
