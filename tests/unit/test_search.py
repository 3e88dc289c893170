"""Search as an Italian or English shopper types it: word forms (plurals, feminine), typos, the name before
the description, exact words before beginnings of words, an exact SKU straight to its product. The DB-backed
tests run on SQLite and, in `make test-postgres`, on PostgreSQL: the results must be the same."""

from __future__ import annotations

import re

import pytest

from storefront.domain.catalogue import browse, search
from storefront.domain.catalogue.browse import ListingQuery
from storefront.domain.db import connection
from storefront.domain.models import Product, Variant
from tests.unit import factories as f


@pytest.fixture
async def shop(db):
    clothing, kitchen, books = [await f.category(name) for name in ("Abbigliamento", "Cucina", "Libri")]
    return {
        "shirt": await f.product("Camicia di lino", clothing, description="Lino lavato, collo alla coreana."),
        "tee": await f.product(
            "Maglietta a righe", clothing, [{"price": 2500, "stock": 3, "sku": "MAG-RIG-M"}], description="Cotone."
        ),
        "oxford": await f.product("Oxford shirt", clothing, description="A button-down in cotton oxford."),
        "coffee": await f.product("Caffè in grani", kitchen, description="Miscela bar."),
        "moka": await f.product("Caffettiera moka", kitchen, description="Alluminio, sei tazze."),
        "book": await f.product("Storia di Napoli", books, description="Dal caffè al mare: una città."),
    }


async def found(text: str) -> list[str]:
    return [card.name for card in (await browse.listing(ListingQuery(text=text, sort="relevance"))).cards]


@pytest.mark.parametrize(
    ("typed", "finds"),
    [
        ("camicie", "Camicia di lino"),  # the plural finds the singular
        ("CAMICIA", "Camicia di lino"),
        ("magliette", "Maglietta a righe"),
        ("maglietta", "Maglietta a righe"),
        ("shirts", "Oxford shirt"),  # English forms too
        ("caffe", "Caffè in grani"),  # accents as a phone keyboard leaves them out
    ],
)
async def test_word_forms_find_each_other(shop, typed, finds):
    assert finds in await found(typed)


async def test_the_name_comes_before_the_description_and_whole_words_before_beginnings(shop):
    # "caffè" is the coffee's name, the beginning of "caffettiera", a word of the book's description.
    assert await found("caffe") == ["Caffè in grani", "Caffettiera moka", "Storia di Napoli"]
    assert await found("lino") == ["Camicia di lino"]  # its name and its description: listed once
    assert await found("magl") == ["Maglietta a righe"]  # still typing


async def test_a_misspelt_word_shows_what_the_closest_word_finds(client, shop):
    for typed in ("maglieta", "magliettta", "camisia"):
        page = (await client.get(f"/search?q={typed}")).text
        assert "Did you mean" in page and f"Nothing matched “{typed}”" in page, typed
        assert re.search(r'href="/p/(maglietta-a-righe|camicia-di-lino)-\d+"', page), typed
    nothing = (await client.get("/search?q=xyzzyq")).text
    assert "Did you mean" not in nothing


def test_suggestions_replace_only_unknown_words():
    words = frozenset({"maglietta", "camicia", "lino", "righe"})
    assert search.suggest("maglieta righe", words) == "maglietta righe"
    assert search.suggest("maglietta", words) is None  # nothing to correct
    assert search.suggest("qwertyuiop", words) is None  # nothing close


async def test_an_exact_sku_opens_its_product_in_the_pages_language(client, shop):
    variant = await Variant.get(sku="MAG-RIG-M")
    slug = shop["tee"].slug
    for typed, root in (("MAG-RIG-M", ""), ("mag-rig-m", ""), (" MAG-RIG-M ", "/it")):
        response = await client.get(f"{root}/search", params={"q": typed})
        assert response.status_code == 303, typed
        assert response.headers["location"] == f"{root}/p/{slug}?v={variant.id}"
    await Product.filter(id=shop["tee"].id).update(active=False)
    assert (await client.get("/search", params={"q": "MAG-RIG-M"})).status_code == 200  # not shown: no jump


async def test_an_index_of_an_older_format_is_rebuilt(shop):
    await connection().execute_script("UPDATE search_format SET format = 1")
    await connection().execute_query(
        "DELETE FROM product_search" if connection().capabilities.dialect == "postgres" else "DELETE FROM product_fts"
    )
    assert await found("camicie") == []
    await search.install()
    assert await found("camicie") == ["Camicia di lino"]
