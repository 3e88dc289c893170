"""The shop's words in two languages as shoppers meet them: product and category names, descriptions and
slugs, option values, shipping methods and promotions in the page's language; old-language links
redirected (301); a missing translation falling back to the shop's text; the cart and the order naming
what was bought in the language it was bought in; staff writing each language beside the shop's.

The test shop's own language is English (conftest), so these products are written in English with Italian
translations, served under /it/; the demo is the other way round, and the code is the same."""

from __future__ import annotations

import csv
import io
import re

import pytest

from storefront import seed
from storefront.domain.catalogue import search, spreadsheet
from storefront.domain.models import (
    AuditEntry,
    Category,
    CategoryTranslation,
    OptionValue,
    OptionValueTranslation,
    Order,
    OrderLine,
    Product,
    ProductTranslation,
    Promotion,
    PromotionKind,
    ShippingMethod,
    StaffRole,
    Variant,
)
from storefront.domain.staff import accounts
from tests.unit import factories as f
from tests.unit.test_admin_products import product_form
from tests.unit.test_admin_stock import log_in
from tests.unit.test_languages import FORM, csrf_of


def value(html: str, name: str) -> str:
    """The value of the form's input `name`."""
    return re.search(rf'<input[^>]* name="{name}"[^>]* value="([^"]*)"', html).group(1)


@pytest.fixture
async def shirt(db) -> Product:
    clothing = await f.category("Clothing")
    await CategoryTranslation.create(category=clothing, language="it", name="Abbigliamento", slug="abbigliamento")
    product = await f.product(
        "Linen shirt",
        clothing,
        [{"price": 6900, "stock": 5, "options": {"colour": "Sage green"}}],
        description="A relaxed shirt in washed linen.",
    )
    await ProductTranslation.create(
        product=product,
        language="it",
        name="Camicia in lino",
        slug="camicia-in-lino",
        description="Morbida, in tessuto lavato.",
    )
    green = await OptionValue.get(slug="sage green")
    await OptionValueTranslation.create(option_value=green, language="it", name="Verde salvia")
    await search.index([product.id])
    return product


async def test_a_product_reads_in_the_pages_language_at_its_own_address(client, shirt, settings):
    italian = (await client.get("/it/p/camicia-in-lino")).text
    assert "<h1>Camicia in lino</h1>" in italian and "Morbida, in tessuto lavato." in italian
    assert "Verde salvia" in italian and "Sage green" not in italian
    # Each language's alternate is that language's own address, not a redirect.
    assert f'hreflang="en" href="{settings.base_url}/p/{shirt.slug}"' in italian
    assert f'hreflang="it" href="{settings.base_url}/it/p/camicia-in-lino"' in italian
    assert f'href="/p/{shirt.slug}" hreflang="en"' in italian  # the language switch
    english = (await client.get(f"/p/{shirt.slug}")).text
    assert "<h1>Linen shirt</h1>" in english and "Camicia" not in english


async def test_a_link_in_the_other_language_redirects_to_this_ones_address(client, shirt):
    moved = await client.get(f"/it/p/{shirt.slug}?colour=sage%20green")
    assert moved.status_code == 301 and moved.headers["location"] == "/it/p/camicia-in-lino?colour=sage%20green"
    moved = await client.get("/p/camicia-in-lino")
    assert moved.status_code == 301 and moved.headers["location"] == f"/p/{shirt.slug}"
    moved = await client.get("/it/c/clothing")
    assert moved.status_code == 301 and moved.headers["location"] == "/it/c/abbigliamento"
    assert (await client.get("/c/abbigliamento")).headers["location"] == "/c/clothing"
    assert (await client.get("/it/p/camicia-in-lana")).status_code == 404


async def test_listings_facets_and_categories_speak_the_pages_language(client, shirt):
    listing = (await client.get("/it/c/abbigliamento")).text
    assert "<h1>Abbigliamento</h1>" in listing and 'href="/it/p/camicia-in-lino"' in listing
    assert ">Camicia in lino<" in listing and "Verde salvia" in listing
    assert 'href="/it/c/abbigliamento"' in (await client.get("/it/")).text  # the navigation
    # A search in either language finds it, on either page.
    assert "Camicia in lino" in (await client.get("/it/search?q=linen")).text
    assert "Linen shirt" in (await client.get("/search?q=camicia")).text


async def test_what_is_not_translated_shows_in_the_shops_language(client, shirt):
    plain = await f.product("Wool scarf", await Category.get(slug="clothing"), [{"price": 3000, "stock": 2}])
    await ProductTranslation.create(product=plain, language="it", name="", description="")  # begun, left blank
    page = await client.get(f"/it/p/{plain.slug}")
    assert page.status_code == 200 and "<h1>Wool scarf</h1>" in page.text
    assert ">Wool scarf<" in (await client.get("/it/c/abbigliamento")).text


async def test_a_translation_changed_in_the_back_office_shows_at_once(client, shirt):
    assert "Camicia in lino" in (await client.get("/it/c/abbigliamento")).text  # kept by this worker
    await ProductTranslation.filter(product=shirt).update(name="Camicia di lino lavato")
    assert "Camicia di lino lavato" in (await client.get("/it/c/abbigliamento")).text


async def test_the_cart_and_the_order_name_what_was_bought_in_its_language(client, shirt):
    variant = await Variant.get(product=shirt)
    token = csrf_of((await client.get("/it/cart")).text)
    added = await client.post(
        "/it/cart/items", data={"csrf_token": token, "variant_id": variant.id, "quantity": "1"}, follow_redirects=True
    )
    assert "Camicia in lino" in added.text
    cart = (await client.get("/it/cart")).text
    assert (
        "Camicia in lino" in cart and "Verde salvia" in cart and f'href="/it/p/camicia-in-lino?v={variant.id}"' in cart
    )
    assert "Linen shirt" in (await client.get("/cart")).text  # the same cart, in English
    checkout = (await client.get("/it/checkout")).text
    attempt = re.search(r'name="attempt" value="([^"]+)"', checkout).group(1)
    placed = await client.post(
        "/it/checkout", data={**FORM, "csrf_token": token, "attempt": attempt, "payment_method": "bank_transfer"}
    )
    assert placed.status_code == 303
    assert (await OrderLine.get()).name == "Camicia in lino"


async def test_the_demo_is_written_in_both_languages(db, tmp_path):
    await seed.demo(tmp_path, "it")
    products = await Product.all().prefetch_related("translations")
    assert all(p.translations and p.translations[0].language == "en" and p.translations[0].name for p in products)
    linen = next(p for p in products if p.name == "Camicia in lino")
    assert (linen.slug, linen.translations[0].name, linen.translations[0].slug) == (
        "camicia-in-lino",
        "Linen shirt",
        "linen-shirt",
    )
    assert "lino" in linen.description and "linen" in linen.translations[0].description
    clothing = await Category.get(slug="abbigliamento").prefetch_related("translations")
    assert (clothing.translations[0].name, clothing.translations[0].slug) == ("Clothing", "clothing")
    assert await OptionValueTranslation.filter(name="Sage green", option_value__name="Verde salvia").exists()


async def test_staff_write_a_product_in_both_languages_side_by_side(client, shirt):
    token = await log_in(client)
    page = (await client.get(f"/admin/products/{shirt.id}")).text
    assert (value(page, "name_it"), value(page, "slug_it")) == ("Camicia in lino", "camicia-in-lino")
    form = product_form(
        token, shirt, description=shirt.description, name_it="Camicia di lino", slug_it="", description_it="Morbida."
    )
    saved = await client.post(f"/admin/products/{shirt.id}", data=form)
    assert saved.status_code == 303
    # A blank slug is made from the name; the shop shows the new words at once, the old address redirects.
    assert "<h1>Camicia di lino</h1>" in (await client.get("/it/p/camicia-di-lino")).text
    assert (await client.get("/it/p/camicia-in-lino")).status_code == 404  # no longer any product's
    entry = (await AuditEntry.filter(action="product.update").order_by("-id").first()).after
    assert entry == {"name_it": "Camicia di lino", "slug_it": "camicia-di-lino", "description_it": "Morbida."}
    # Blank words are no translation: the Italian page shows the English ones.
    cleared = product_form(token, shirt, description=shirt.description, name_it="", slug_it="", description_it="")
    assert (await client.post(f"/admin/products/{shirt.id}", data=cleared)).status_code == 303
    assert not await ProductTranslation.filter(product=shirt).exists()
    assert "<h1>Linen shirt</h1>" in (await client.get(f"/it/p/{shirt.slug}")).text


async def test_a_slug_taken_in_any_language_is_refused_beside_its_field(client, shirt):
    token = await log_in(client)
    other = await f.product("Wool scarf", await Category.get(slug="clothing"), [{"price": 3000, "stock": 2}])
    refused = await client.post(
        f"/admin/products/{other.id}", data=product_form(token, other, name_it="Sciarpa", slug_it="camicia-in-lino")
    )
    assert refused.status_code == 422
    assert value(refused.text, "slug_it") == "camicia-in-lino" and "Already used" in refused.text
    assert value(refused.text, "name_it") == "Sciarpa"  # nothing typed is lost
    taken = await client.post(f"/admin/products/{other.id}", data=product_form(token, other, slug="camicia-in-lino"))
    assert taken.status_code == 422


async def test_the_csv_carries_each_languages_words_in_columns_of_their_own(db, shirt):
    owner = await accounts.create("owner@bottega.example", "correct horse battery", StaffRole.OWNER)
    exported = await spreadsheet.export_csv(("it",))
    row = next(csv.DictReader(io.StringIO(exported)))
    assert (row["product_name"], row["product_name_it"], row["product_slug_it"], row["description_it"]) == (
        "Linen shirt",
        "Camicia in lino",
        "camicia-in-lino",
        "Morbida, in tessuto lavato.",
    )
    assert (await spreadsheet.plan_import(exported, ("it",))).nothing_to_do  # a round trip changes nothing
    changed = exported.replace("Camicia in lino", "Camicia di lino").replace(",camicia-in-lino,", ",,")
    plan = await spreadsheet.plan_import(changed, ("it",))
    assert [(c.field, c.before, c.after) for c in plan.changes] == [
        ("name_it", "Camicia in lino", "Camicia di lino"),
        ("slug_it", "camicia-in-lino", None),
    ]
    await spreadsheet.apply_import(owner, changed, languages=("it",))
    words = await ProductTranslation.get(product=shirt)
    assert (words.name, words.slug) == ("Camicia di lino", None)  # no slug: the page keeps the English one
    # A file without the Italian columns leaves the Italian words as they are.
    await spreadsheet.apply_import(owner, await spreadsheet.export_csv(), languages=("it",))
    assert (await ProductTranslation.get(product=shirt)).name == "Camicia di lino"


async def test_an_imported_slug_that_is_another_products_is_refused_by_row(db, shirt):
    await f.product("Wool scarf", await Category.get(slug="clothing"), [{"price": 3000, "sku": "SCARF"}])
    exported = await spreadsheet.export_csv(("it",))
    rows = exported.splitlines()
    scarf = next(i for i, line in enumerate(rows) if line.startswith("SCARF,"))
    assert rows[scarf].endswith(",,,")  # no Italian words yet
    rows[scarf] = rows[scarf][:-3] + ",Sciarpa,camicia-in-lino,"
    plan = await spreadsheet.plan_import("\r\n".join(rows) + "\r\n", ("it",))
    assert [(e.row, e.field, e.code, e.value) for e in plan.errors] == [
        (scarf + 1, "product_slug_it", "slug_taken", shirt.slug)
    ]


async def test_shipping_methods_and_promotions_are_named_in_the_pages_language(client, shirt):
    await Promotion.create(
        name="Welcome 10% off",
        code="WELCOME10",
        kind=PromotionKind.ORDER_PERCENT,
        percent=10,
        translations={"it": {"name": "Benvenuto: 10% di sconto"}},
    )
    token = csrf_of((await client.get("/it/cart")).text)
    variant = await Variant.get(product=shirt)
    await client.post("/it/cart/items", data={"csrf_token": token, "variant_id": variant.id, "quantity": "1"})
    await client.post("/it/cart/codes", data={"csrf_token": token, "code": "welcome10"})
    italian = (await client.get("/it/cart")).text
    assert "Benvenuto: 10% di sconto" in italian and "Corriere standard" in italian  # the demo's methods
    english = (await client.get("/cart")).text
    assert "Welcome 10% off" in english and "Standard courier" in english
    checkout = (await client.get("/it/checkout")).text
    assert "Corriere espresso" in checkout and "Ritiro nel nostro negozio di Firenze" in checkout
    attempt = re.search(r'name="attempt" value="([^"]+)"', checkout).group(1)
    form = {**FORM, "csrf_token": token, "attempt": attempt, "payment_method": "bank_transfer"}
    assert (await client.post("/it/checkout", data=form)).status_code == 303
    order = await Order.get()
    assert order.shipping_name == "Corriere standard"  # what the Italian shopper chose, as they read it


async def test_staff_name_methods_and_promotions_in_each_language(client, db):
    from tests.unit.test_admin_promotions import form as promotion_form
    from tests.unit.test_admin_shipping import method_form

    token = await log_in(client)
    assert 'name="name_it"' in (await client.get("/admin/shipping")).text
    saved = await client.post("/admin/shipping/methods", data=method_form(token, name_it="Bici in giornata"))
    assert saved.status_code == 303
    method = await ShippingMethod.get(code="same-day-bike")
    assert method.translations == {"it": {"name": "Bici in giornata"}}
    assert 'value="Bici in giornata"' in (await client.get("/admin/shipping")).text
    saved = await client.post("/admin/promotions", data=promotion_form(token, name_it="Autunno: 15% di sconto"))
    assert saved.status_code == 303
    promotion = await Promotion.get(code="AUTUNNO15")
    assert promotion.translations == {"it": {"name": "Autunno: 15% di sconto"}}
    assert 'value="Autunno: 15% di sconto"' in (await client.get(f"/admin/promotions/{promotion.id}")).text


async def test_staff_rename_a_category_in_each_language(client, shirt):
    token = await log_in(client)
    clothing = await Category.get(slug="clothing")
    listing = (await client.get("/admin/categories")).text
    assert f'href="/admin/categories/{clothing.id}"' in listing and "/c/clothing" in listing
    page = (await client.get(f"/admin/categories/{clothing.id}")).text
    assert (value(page, "name"), value(page, "name_it"), value(page, "slug_it")) == (
        "Clothing",
        "Abbigliamento",
        "abbigliamento",
    )
    form = {"csrf_token": token, "name": "Clothing", "slug": "clothing", "description": "", "name_it": "Vestiti"}
    saved = await client.post(f"/admin/categories/{clothing.id}", data={**form, "slug_it": "", "description_it": ""})
    assert saved.status_code == 303
    assert "<h1>Vestiti</h1>" in (await client.get("/it/c/vestiti")).text  # a blank address: made from the name
    assert "Camicia in lino" in (await client.get("/it/search?q=vestiti")).text  # its products found by it
    entry = (await AuditEntry.filter(action="category.update").get()).after
    assert entry == {"name_it": "Vestiti", "slug_it": "vestiti"}
    pantry = await f.category("Pantry")
    taken = await client.post(
        f"/admin/categories/{pantry.id}",
        data={**form, "name": "Pantry", "slug": "pantry", "name_it": "Dispensa", "slug_it": "vestiti"},
    )
    assert taken.status_code == 422 and "Already used" in taken.text and value(taken.text, "name_it") == "Dispensa"
