"""Pages cost a fixed number of queries, however many products they show (a regression fails here)."""

from __future__ import annotations

import pytest

from storefront.domain.catalogue import cache
from storefront.domain.db import count_queries
from tests.unit import factories as f


async def make_shop(products: int):
    clothing = await f.category("Clothing")
    await f.category("Pantry")
    first = None
    for i in range(products):
        p = await f.product(
            f"Maglietta {i}",
            clothing,
            [
                {"price": 3000 + i, "stock": 5, "options": {"size": "M", "colour": "Blu"}},
                {"price": 3000 + i, "stock": 0, "options": {"size": "L", "colour": "Nero"}},
            ],
        )
        first = first or p
    return first


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/c/clothing",
        "/c/clothing?size=m",
        "/c/clothing?size=m&colour=blu&stock=1&min=10&sort=price_asc",
        "/search?q=magl",
        "/search?q=magl&colour=nero",
    ],
)
async def test_listing_pages_cost_the_same_few_queries_for_3_30_or_60_products(client, url):
    await make_shop(3)
    with count_queries() as few:
        assert (await client.get(url)).status_code == 200
    await make_shop_more(27)
    with count_queries() as many:
        assert (await client.get(url)).status_code == 200
    await make_shop_more(30)
    with count_queries() as more:
        assert (await client.get(url)).status_code == 200
    # A listing that fits on its first page is its own total, so it may skip the count; a search also
    # looks whether its text is a SKU.
    assert len(few) <= len(many) == len(more) <= (7 if url.startswith("/search") else 6), more


async def make_shop_more(n: int):
    from storefront.domain.models import Category

    clothing = await Category.get(slug="clothing")
    for i in range(n):
        await f.product(f"Maglietta extra {i}", clothing, [{"price": 2000, "stock": 1, "options": {"size": "S"}}])


async def test_product_page_costs_a_fixed_number_of_queries(client, db):
    clothing = await f.category("Clothing")
    small = await f.product("Maglietta", clothing, [{"price": 3000, "stock": 5, "options": {"size": "M"}}])
    sizes = ["XS", "S", "M", "L", "XL"]
    colours = ["Blu", "Nero", "Bianco", "Verde"]
    big = await f.product(
        "Maglione",
        clothing,
        [{"price": 9000, "stock": 3, "options": {"size": s, "colour": c}} for s in sizes for c in colours],
    )
    await (await cache.current("en")).shipping()  # the shipping rows are read once per catalogue version
    with count_queries() as one_variant:
        assert (await client.get(f"/p/{small.slug}")).status_code == 200
    with count_queries() as twenty_variants:
        assert (await client.get(f"/p/{big.slug}")).status_code == 200
    assert len(one_variant) == len(twenty_variants) <= 6, twenty_variants
