"""Small, explicit catalogue builders for tests (the demo seed is for people, not for assertions)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from itertools import count

from storefront.domain.catalogue import search
from storefront.domain.checkout import Details
from storefront.domain.inventory import stock
from storefront.domain.models import Category, Option, OptionValue, Product, ProductImage, Variant
from storefront.seed.shipping import ensure_shipping

# A shopper in Florence who pays by bank transfer: the checkout details most tests place orders with.
ANNA = Details(
    email="anna@example.com",
    full_name="Anna Rossi",
    address="Via dei Servi 12",
    postal_code="50122",
    city="Firenze",
    province="FI",
    country="IT",
    shipping_method="standard",
    payment_method="bank_transfer",
)


def checkout_form(**changes: str | None) -> dict[str, str]:
    """ANNA's details as the checkout form posts them; a change to None leaves that field out."""
    typed = {**dataclasses.asdict(ANNA), **changes}
    return {name: value for name, value in typed.items() if value}


_n = count(1)
BASE_TIME = datetime(2026, 11, 1, tzinfo=UTC)


async def category(name: str = "Clothing", parent: Category | None = None) -> Category:
    await ensure_shipping("en")  # the demo's methods: standard to Italy is €4.90 up to 2 kg
    return await Category.create(name=name, slug=name.lower().replace(" ", "-"), parent=parent, position=next(_n))


async def option_value(option_slug: str, value: str, swatch: str | None = None) -> OptionValue:
    # Options are ordered as first used, as a shop would set them up.
    option, _ = await Option.get_or_create(
        slug=option_slug, defaults={"name": option_slug.title(), "position": next(_n)}
    )
    found, _ = await OptionValue.get_or_create(
        option=option, slug=value.lower(), defaults={"name": value, "swatch": swatch, "position": next(_n)}
    )
    return found


async def product(
    name: str,
    cat: Category,
    variants: list[dict] | None = None,
    description: str = "",
    age_days: int = 0,
    image: bool = True,
) -> Product:
    """variants: dicts of price (cents), stock, options ({"size": "M"}), compare_at_price, sku."""
    n = next(_n)
    p = await Product.create(
        name=name, slug=f"{name.lower().replace(' ', '-')}-{n}", category=cat, description=description
    )
    p.created_at = BASE_TIME - timedelta(days=age_days)
    await p.save(update_fields=["created_at"])
    for i, spec in enumerate(variants or [{"price": 1000, "stock": 5}]):
        v = await Variant.create(
            product=p,
            sku=spec.get("sku", f"SKU-{n}-{i}"),
            price=spec["price"],
            compare_at_price=spec.get("compare_at_price"),
            stock=0,
            low_stock_threshold=spec.get("low", 3),
            position=i,
        )
        for option_slug, value in spec.get("options", {}).items():
            await v.option_values.add(await option_value(option_slug, value))
        if spec.get("stock", 0):
            await stock.adjust(v.id, spec["stock"], stock.Reason.INITIAL)
    if image:
        await ProductImage.create(product=p, path=f"products/{p.slug}.svg", alt=name)
    await search.index([p.id])
    return p
