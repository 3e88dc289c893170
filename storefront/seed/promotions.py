"""The demo shop's promotions: one of each thing the engine explains to shoppers."""

from __future__ import annotations

from datetime import UTC, datetime

from storefront.domain.models import Promotion, PromotionKind
from storefront.seed.inserts import OTHER

# Shoppers read these names: in the shop's language, and in the other as the promotion's translation.
NAMES = {
    "welcome": {"en": "Welcome 10% off", "it": "Benvenuto: 10% di sconto"},
    "free_shipping": {"en": "Free shipping over €59", "it": "Spedizione gratuita sopra i 59 €"},
    "pasta": {"en": "Pasta: 3 for 2", "it": "Pasta: prendi 3, paghi 2"},
    "big_order": {"en": "€20 off orders over €150", "it": "20 € di sconto sopra i 150 €"},
    "summer": {"en": "Summer 25% off", "it": "Estate: 25% di sconto"},
}


async def demo_promotions(categories: dict[str, int], language: str) -> None:
    """The demo's promotions; `categories`: ids by the taxonomy's key (ensure_categories)."""
    other = OTHER[language]
    name = {key: names[language] for key, names in NAMES.items()}
    words = {key: {other: {"name": names[other]}} for key, names in NAMES.items()}
    await Promotion.bulk_create(
        [
            # The welcome code: once per customer.
            Promotion(
                name=name["welcome"],
                translations=words["welcome"],
                code="WELCOME10",
                kind=PromotionKind.ORDER_PERCENT,
                percent=10,
                per_customer_limit=1,
                priority=50,
            ),
            # Automatic free shipping above a threshold: the cart says how much more to spend.
            # Italy only (the demo's Italy zone: Italy, San Marino, the Vatican): abroad shipping costs what it costs.
            Promotion(
                name=name["free_shipping"],
                translations=words["free_shipping"],
                kind=PromotionKind.FREE_SHIPPING,
                min_subtotal=5900,
                priority=90,
                countries=["IT", "SM", "VA"],
            ),
            # "3 for 2" on pasta: the cheapest of every three packs is free.
            Promotion(
                name=name["pasta"],
                translations=words["pasta"],
                kind=PromotionKind.BUY_X_GET_Y,
                buy_quantity=2,
                get_quantity=1,
                percent=100,
                category_ids=[categories["pasta-rice"]],
                priority=10,
            ),
            # A code for big orders, that does not stack with other order discounts.
            Promotion(
                name=name["big_order"],
                translations=words["big_order"],
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
                name=name["summer"],
                translations=words["summer"],
                code="ESTATE25",
                kind=PromotionKind.ORDER_PERCENT,
                percent=25,
                starts_at=datetime(2026, 6, 21, tzinfo=UTC),
                ends_at=datetime(2026, 9, 1, tzinfo=UTC),
                priority=40,
            ),
        ]
    )
