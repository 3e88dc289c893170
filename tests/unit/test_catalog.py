"""Listings, filters, facets, search and product pages, against a real database."""

from __future__ import annotations

import pytest

from storefront.domain.catalogue import browse
from storefront.domain.catalogue.browse import ListingQuery
from storefront.domain.errors import NotFound
from tests.unit import factories as f


@pytest.fixture
async def shop(db):
    clothing = await f.category("Clothing")
    shirts = await f.category("Shirts", parent=clothing)
    pantry = await f.category("Pantry")
    tee = await f.product(
        "Maglietta lino",
        shirts,
        [
            {"price": 3500, "stock": 4, "options": {"size": "M", "colour": "Blu"}},
            {"price": 3500, "stock": 0, "options": {"size": "L", "colour": "Blu"}},
            {"price": 3900, "stock": 9, "options": {"size": "M", "colour": "Bianco"}},
        ],
        description="Linen from Biella.",
        age_days=1,
    )
    sweater = await f.product(
        "Maglione merino",
        clothing,
        [{"price": 12000, "compare_at_price": 15000, "stock": 2, "options": {"size": "L", "colour": "Verde"}}],
        age_days=2,
    )
    coffee = await f.product("Caffè Espresso", pantry, [{"price": 890, "stock": 30, "sku": "CAF-ESP-250"}], age_days=3)
    gone = await f.product("Tazza sold out", pantry, [{"price": 1500, "stock": 0}], age_days=4)
    return {
        "clothing": clothing,
        "shirts": shirts,
        "pantry": pantry,
        "tee": tee,
        "sweater": sweater,
        "coffee": coffee,
        "gone": gone,
    }


def names(listing):
    return [c.name for c in listing.cards]


async def test_category_listing_includes_subcategories_newest_first(shop):
    tree = await browse.category_tree()
    listing = await browse.listing(ListingQuery(category_ids=tree.descendant_ids(shop["clothing"])))
    assert names(listing) == ["Maglietta lino", "Maglione merino"]
    assert listing.total == 2


async def test_card_shows_lowest_price_sale_and_availability(shop):
    listing = await browse.listing(ListingQuery(sort="price_asc"))
    cards = {c.name: c for c in listing.cards}
    assert cards["Maglietta lino"].price == 3500 and cards["Maglietta lino"].price_varies
    assert cards["Maglione merino"].on_sale and cards["Maglione merino"].compare_at_price == 15000
    assert cards["Maglione merino"].availability.state == "low"
    assert cards["Tazza sold out"].availability.state == "sold_out"
    assert names(listing) == ["Caffè Espresso", "Tazza sold out", "Maglietta lino", "Maglione merino"]


async def test_sort_by_price_descending(shop):
    listing = await browse.listing(ListingQuery(sort="price_desc"))
    assert names(listing)[0] == "Maglione merino"


async def test_filters_combine_on_one_variant(shop):
    # Only the tee has a size M, and its M comes in blue and white.
    listing = await browse.listing(ListingQuery(options={"size": ["m"], "colour": ["blu"]}))
    assert names(listing) == ["Maglietta lino"]
    # Size L in blue exists but is sold out: "in stock only" removes it.
    listing = await browse.listing(ListingQuery(options={"size": ["l"], "colour": ["blu"]}, in_stock=True))
    assert names(listing) == []


async def test_several_values_of_one_option_widen_the_result(shop):
    listing = await browse.listing(ListingQuery(options={"colour": ["blu", "verde"]}))
    assert sorted(names(listing)) == ["Maglietta lino", "Maglione merino"]


async def test_price_range_filters_on_variant_prices(shop):
    listing = await browse.listing(ListingQuery(price_min=1000, price_max=4000))
    assert sorted(names(listing)) == ["Maglietta lino", "Tazza sold out"]


async def test_facet_counts_ignore_their_own_selection(shop):
    listing = await browse.listing(ListingQuery(options={"colour": ["blu"]}))
    facets = {f.slug: {v.slug: (v.count, v.selected) for v in f.values} for f in listing.facets}
    # Colour counts are computed as if no colour were chosen, so shoppers see what else they could add.
    assert facets["colour"] == {"blu": (1, True), "bianco": (1, False), "verde": (1, False)}
    # Size counts respect the colour filter: only the blue tee remains, in M and L.
    assert facets["size"] == {"m": (1, False), "l": (1, False)}


async def test_search_is_accent_and_case_insensitive_with_prefixes(shop):
    assert names(await browse.listing(ListingQuery(text="caffe", sort="relevance"))) == ["Caffè Espresso"]
    assert names(await browse.listing(ListingQuery(text="CAFFÈ", sort="relevance"))) == ["Caffè Espresso"]
    assert sorted(names(await browse.listing(ListingQuery(text="magl", sort="relevance")))) == [
        "Maglietta lino",
        "Maglione merino",
    ]
    assert names(await browse.listing(ListingQuery(text="biella", sort="relevance"))) == ["Maglietta lino"]
    assert names(await browse.listing(ListingQuery(text="caf-esp", sort="relevance"))) == ["Caffè Espresso"]


async def test_search_ranks_name_matches_above_description_matches(shop, db):
    pantry = shop["pantry"]
    await f.product("Tazzina", pantry, description="Perfect for a lino tablecloth.")
    listing = await browse.listing(ListingQuery(text="lino", sort="relevance"))
    assert names(listing) == ["Maglietta lino", "Tazzina"]


async def test_search_without_words_finds_nothing(shop):
    listing = await browse.listing(ListingQuery(text="  %%' -- ", sort="relevance"))
    assert listing.total == 0 and listing.cards == []


async def test_pages_and_totals(shop, db):
    pantry = shop["pantry"]
    for i in range(30):
        await f.product(f"Pasta {i}", pantry, age_days=10 + i, image=False)
    first = await browse.listing(ListingQuery(category_ids=[pantry.id]))
    second = await browse.listing(ListingQuery(category_ids=[pantry.id], page=2))
    assert first.total == second.total == 32
    assert len(first.cards) == 24 and first.has_more
    assert len(second.cards) == 8 and not second.has_more
    assert not set(names(first)) & set(names(second))
    past_end = await browse.listing(ListingQuery(category_ids=[pantry.id], page=5))
    assert past_end.cards == [] and past_end.total == 32


async def test_product_page_marks_sold_out_and_missing_combinations(shop):
    page = await browse.product_page(shop["tee"].slug, {"size": "l", "colour": "blu"})
    assert page.variant is not None and page.variant.price == 3500
    assert page.availability.state == "sold_out"
    axes = {a.slug: {c.slug: c.status for c in a.choices} for a in page.axes}
    # With blue chosen: M is available, L is sold out.
    assert axes["size"] == {"m": "available", "l": "sold_out"}
    # With L chosen: blue is sold out, white does not exist in L.
    assert axes["colour"] == {"blu": "sold_out", "bianco": "unavailable"}


async def test_product_page_defaults_to_first_variant_in_stock(shop):
    page = await browse.product_page(shop["tee"].slug, {})
    assert page.variant.sku.endswith("-0")
    assert page.availability.state == "in_stock" or page.availability.state == "low"
    assert page.vat_rate == 2200


async def test_product_page_reports_a_combination_that_does_not_exist(shop):
    page = await browse.product_page(shop["tee"].slug, {"size": "l", "colour": "bianco"})
    assert page.variant is None and not page.availability.can_buy


async def test_unknown_or_inactive_product_is_not_found(shop):
    with pytest.raises(NotFound):
        await browse.product_page("nope", {})
    shop["coffee"].active = False
    await shop["coffee"].save()
    with pytest.raises(NotFound):
        await browse.product_page(shop["coffee"].slug, {})
    assert "Caffè Espresso" not in names(await browse.listing(ListingQuery()))


async def test_search_combines_with_filters_and_categories(shop):
    tree = await browse.category_tree()
    query = ListingQuery(
        text="magl",
        sort="relevance",
        options={"colour": ["verde"]},
        price_min=10000,
        category_ids=tree.descendant_ids(shop["clothing"]),
    )
    listing = await browse.listing(query)
    assert names(listing) == ["Maglione merino"]
    facets = {f.slug: {v.slug: v.count for v in f.values} for f in listing.facets}
    assert facets["colour"] == {"verde": 1}  # the tee's colours cost less than €100


async def test_choosing_one_option_fills_the_others_from_a_variant_that_exists(shop):
    # White exists only in M: choosing white alone picks the white M.
    page = await browse.product_page(shop["tee"].slug, {"colour": "bianco"})
    assert page.variant is not None and page.variant.price == 3900
    # Choosing L alone lands on the (sold out) blue L rather than "not available".
    page = await browse.product_page(shop["tee"].slug, {"size": "l"})
    assert page.variant is not None and page.availability.state == "sold_out"


async def test_card_sale_price_belongs_to_the_cheapest_variant(db):
    pantry = await f.category("Pantry")
    await f.product(
        "Paccheri",
        pantry,
        [
            {"price": 350, "compare_at_price": 420, "stock": 5, "options": {"format": "500g"}},
            {"price": 650, "compare_at_price": 840, "stock": 5, "options": {"format": "1kg"}},
        ],
    )
    await f.product(
        "Farina",
        pantry,
        [
            {"price": 200, "stock": 5, "options": {"format": "500g"}},
            {"price": 300, "compare_at_price": 400, "stock": 5, "options": {"format": "1kg"}},
        ],
    )
    cards = {c.name: c for c in (await browse.listing(ListingQuery())).cards}
    assert (cards["Paccheri"].price, cards["Paccheri"].compare_at_price) == (350, 420)
    # Only a dearer format is on sale: the card's "from" price is not a sale price.
    assert cards["Farina"].price == 200 and not cards["Farina"].on_sale


async def test_home_on_sale_lists_only_what_can_be_bought_at_a_sale_price_now(db):
    clothing = await f.category("Clothing")
    await f.product("Sciarpa ridotta", clothing, [{"price": 2000, "compare_at_price": 3000, "stock": 4}])
    await f.product("Guanti esauriti", clothing, [{"price": 2000, "compare_at_price": 3000, "stock": 0}])
    await f.product(
        "Cappello",
        clothing,
        [  # the reduced size is gone; the one left is at full price
            {"price": 2500, "compare_at_price": 3500, "stock": 0, "options": {"size": "S"}},
            {"price": 3500, "stock": 6, "options": {"size": "L"}},
        ],
    )
    new, on_sale = await browse.home()
    assert [c.name for c in on_sale] == ["Sciarpa ridotta"]
    assert len(new) == 3  # new arrivals still show all of them
