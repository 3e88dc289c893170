"""The demo shop is what the README promises, and keeps the stock ledger invariant."""

from __future__ import annotations

from tortoise.functions import Sum

from storefront import seed
from storefront.domain import money
from storefront.domain.basket import cart
from storefront.domain.catalogue import browse
from storefront.domain.catalogue.browse import ListingQuery
from storefront.domain.models import Category, Product, Promotion, StockMovement, Variant


async def test_demo_shop(db, tmp_path):
    assert await seed.is_empty()
    await seed.demo(tmp_path, "en")
    assert not await seed.is_empty()
    assert await Category.filter(parent_id=None).count() >= 8
    assert await Product.all().count() >= 120
    prices = await Variant.all().values_list("price", flat=True)
    assert 300 <= min(prices) and max(prices) <= 60000
    assert await Variant.filter(stock=0).count() > 0
    assert await Variant.filter(stock__gt=0, stock__lte=3).count() > 0
    on_sale = [
        v for v in await Variant.filter(compare_at_price__not_isnull=True) if money.on_sale(v.price, v.compare_at_price)
    ]
    assert on_sale
    # The ledger sums to on-hand for every variant.
    ledger = dict(
        await StockMovement.annotate(total=Sum("delta")).group_by("variant_id").values_list("variant_id", "total")
    )
    for variant_id, stock in await Variant.all().values_list("id", "stock"):
        assert ledger.get(variant_id, 0) == stock
    # Every image the catalogue points to was written.
    for card in (await browse.listing(ListingQuery(per_page=200), with_facets=False)).cards:
        assert card.image and (tmp_path / card.image).is_file()
    # Search works on the demo, accents and all.
    assert (await browse.listing(ListingQuery(text="caffe", sort="relevance"))).total > 3
    # The promotions the cart explains are there, and the welcome code is known.
    assert await Promotion.filter(code="WELCOME10").exists()
    token, code = await cart.apply_code(None, " welcome10 ")
    assert code == "WELCOME10"
