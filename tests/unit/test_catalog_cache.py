"""Workers keep what shoppers' pages read of the catalogue, and a change shows on the very next view.

Changes are made with plain SQL where the point is that no write path can forget to tell the workers
(the database's triggers do), and through the shop's own functions where a rule decides.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import replace

import pytest

from storefront.domain import db as database
from storefront.domain import schema
from storefront.domain.catalogue import cache, editing
from storefront.domain.catalogue import version as catalogue_version
from storefront.domain.catalogue.browse import ListingQuery
from storefront.domain.db import connection, count_queries
from storefront.domain.inventory import stock
from storefront.domain.models import Staff, StaffRole
from storefront.seed.shipping import ensure_shipping
from tests.unit import factories as f


@pytest.fixture
async def shop(db):
    clothing = await f.category("Clothing")
    tee = await f.product(
        "Maglietta lino",
        clothing,
        [
            {"price": 3500, "stock": 40, "options": {"size": "M", "colour": "Blu"}},
            {"price": 3900, "stock": 40, "options": {"size": "L", "colour": "Blu"}},
        ],
    )
    return {"clothing": clothing, "tee": tee}


async def views(client, url: str) -> tuple[str, int]:
    """The page's text and the queries it cost."""
    with count_queries() as queries:
        response = await client.get(url)
    assert response.status_code == 200, url
    return response.text, len(queries)


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/c/clothing",
        "/c/clothing?size=m&sort=price_asc",
        "/search?q=magl",
        "/p/{tee}",
        "/p/{tee}?size=l&colour=blu",
    ],
)
async def test_a_page_seen_again_costs_one_query_and_reads_the_same(client, shop, url):
    url = url.format(tee=shop["tee"].slug)
    first, cold = await views(client, url)
    again, warm = await views(client, url)
    assert cold > 1 and warm == 1
    token = re.compile(r"[0-9a-f]{64,}")  # the CSRF token, masked afresh in every page
    assert token.sub("", again) == token.sub("", first)


async def test_other_pages_read_the_navigation_with_the_version_in_one_query(client, shop):
    await client.get("/")
    _, queries = await views(client, "/orders/lookup")
    assert queries == 1


# (page, SQL a staff member's tool or another worker might run, text the page must then show)
CHANGES = {
    "product renamed": ("/c/clothing", "UPDATE product SET name = 'Camicia nuova'", "Camicia nuova"),
    "price changed": ("/c/clothing", "UPDATE variant SET price = 4321", r"43[.,]21"),
    "product hidden": ("/c/clothing", "UPDATE product SET active = FALSE", "0 products"),
    "category renamed": ("/", "UPDATE category SET name = 'Abbigliamento'", "Abbigliamento"),
    "colour renamed": ("/c/clothing", "UPDATE option_value SET name = 'Blu notte' WHERE slug = 'blu'", "Blu notte"),
    "option renamed": ("/c/clothing", "UPDATE \"option\" SET name = 'Taglia' WHERE slug = 'size'", "Taglia"),
    "size unlinked": (
        "/p/{tee}",
        "DELETE FROM variant_option_value WHERE optionvalue_id IN (SELECT id FROM option_value WHERE slug = 'l')",
        "This combination is not available",
    ),
    "photo added": (
        "/c/clothing",
        "INSERT INTO product_image (product_id, path, alt, position) SELECT id, 'abc123.webp', 'x', -1 FROM product",
        "/media/abc123.webp",
    ),
    "variant added": (
        "/c/clothing",
        "INSERT INTO variant (product_id, sku, price, weight_grams, stock,"
        " low_stock_threshold, active, position) SELECT id, 'NEW-1', 1234, 0, 9, 3, TRUE, 9 FROM product",
        r"12[.,]34",
    ),
}


@pytest.mark.parametrize("change", CHANGES)
async def test_a_change_made_anywhere_shows_on_the_next_view(client, shop, change):
    url, statement, shown = CHANGES[change]
    url = url.format(tee=shop["tee"].slug)
    if change == "size unlinked":
        url += "?size=l&colour=blu"
    before, _ = await views(client, url)
    assert not re.search(shown, before)
    await connection().execute_script(statement)
    after, _ = await views(client, url)
    assert re.search(shown, after)


async def test_a_renamed_product_is_found_by_its_new_name_at_once(client, shop):
    """The search index is written after the product's transaction, and raises the version itself."""
    owner = await Staff.create(email="owner@shop.test", password_hash="-", role=StaffRole.OWNER)
    assert "Grembiule" not in (await views(client, "/search?q=grembiule"))[0]
    draft = editing.read_product(
        {
            "name": "Grembiule",
            "slug": shop["tee"].slug,
            "active": "on",
            "category_id": str(shop["clothing"].id),
            "tax_class": "standard",
        }
    )
    await editing.save_product(owner, shop["tee"].id, draft)
    assert "Grembiule" in (await views(client, "/search?q=grembiule"))[0]


async def test_stock_changes_show_once_a_shopper_could_tell(client, shop):
    url = "/c/clothing"
    medium, large = [v.id for v in await shop["tee"].variants.all().order_by("id")]
    await views(client, url)
    # 40 -> 39 medium shirts: "In stock" either way, so every worker keeps its pages.
    await stock.adjust(medium, -1, stock.Reason.DAMAGED)
    text, queries = await views(client, url)
    assert queries == 1 and "In stock" in text
    await stock.adjust(medium, -39, stock.Reason.DAMAGED)  # sold out in M: the size filter must know
    await stock.adjust(large, -38, stock.Reason.DAMAGED)
    assert "Only 2 left" in (await views(client, url))[0]
    assert "0 products" in (await views(client, url + "?size=m&stock=1"))[0]
    await stock.adjust(large, 1, stock.Reason.RETURNED)
    assert "Only 3 left" in (await views(client, url))[0]


async def test_a_variant_above_its_own_threshold_still_changes_a_card_that_counts_low(client, db):
    """A card adds up its variants and compares them with the highest threshold among them."""
    clothing = await f.category("Clothing")
    bag = await f.product(
        "Borsa", clothing, [{"price": 9000, "stock": 20, "low": 3}, {"price": 9000, "stock": 0, "low": 50}]
    )
    assert "Only 20 left" in (await views(client, "/c/clothing"))[0]
    await stock.adjust((await bag.variants.all().order_by("id"))[0].id, -1, stock.Reason.DAMAGED)
    assert "Only 19 left" in (await views(client, "/c/clothing"))[0]


async def test_installing_again_keeps_the_version_and_the_triggers_fire_once(db):
    async def version():
        return (await connection().execute_query_dict("SELECT version FROM catalogue_version"))[0]["version"]

    await ensure_shipping("en")  # f.category's first call would add the demo's shipping rows, each a change
    before = await version()
    await catalogue_version.install()
    assert await version() == before
    await f.category("Pantry")  # one row, one change
    assert await version() == before + 1


async def test_a_listings_pages_and_sorts_share_its_counts_until_the_catalogue_changes(shop):
    q = ListingQuery(per_page=1)  # a full page: the total must be counted
    shelf = await cache.current("en")
    assert (await shelf.listing(q)).total == 1
    await f.product("Grembiule", shop["clothing"], [{"price": 2500, "stock": 3, "options": {"size": "S"}}])
    shelf = await cache.current("en")
    first = await shelf.listing(q)
    with count_queries() as queries:
        second = await shelf.listing(replace(q, page=2, sort="price_asc"))
    assert first.total == second.total == 2 and not any(" AS n FROM " in s for s in queries)  # no total, no facets
    assert [f.name for f in first.facets] == [f.name for f in second.facets] == ["Size", "Colour"]


@pytest.mark.sqlite_only
async def test_on_a_database_file_a_worker_checks_the_version_on_its_own_and_sees_other_processes(tmp_path):
    path = tmp_path / "shop.db"
    await schema.create(f"sqlite:///{path}")
    try:
        await f.category("Clothing")
        first = await cache.current("en")
        with count_queries() as queries:
            again = await cache.current("en")
        assert again is first and queries == []  # no round trip through the ORM's connection
        other = sqlite3.connect(path)  # another worker, or staff's SQL console
        other.execute("UPDATE category SET name = 'Abbigliamento'")
        other.commit()
        other.close()
        assert [c.name for c in (await cache.current("en")).tree.top] == ["Abbigliamento"]
    finally:
        await database.close()


async def test_a_product_selling_out_leaves_the_home_pages_sale_at_once(client, db):
    """Home is kept per catalogue version: selling out must raise it, whatever the threshold."""
    clothing = await f.category("Clothing")
    scarf = await f.product(
        "Sciarpa ridotta", clothing, [{"price": 2000, "compare_at_price": 3000, "stock": 1, "low": 0}]
    )
    await f.product("Camicia", clothing, [{"price": 5000, "stock": 9}])
    text, _ = await views(client, "/")
    assert 'id="on-sale"' in text and "Sciarpa ridotta" in text.split('id="on-sale"')[1]
    await stock.adjust((await scarf.variants.all())[0].id, -1, stock.Reason.SOLD)
    text, _ = await views(client, "/")
    assert 'id="on-sale"' not in text and "Sciarpa ridotta" in text  # still new, now sold out
