"""Tampered cart and checkout forms: prices, totals, discounts, shipping costs, surcharges or variant ids
added to or altered in what is posted are ignored or refused, so an order costs what the server prices the
cart at; variants that are not for sale are refused with a message; and every kind of bad quantity gets a
clear message beside its field, with what was typed kept, with JavaScript (htmx) and without.

test_cart_routes.py and test_checkout_routes.py cover the honest paths (and a few bad quantities on the
product page's htmx path); this file is about what a shopper editing the forms could try."""

from __future__ import annotations

import re

import pytest
from markupsafe import escape

from storefront.domain import checkout
from storefront.domain.basket import cart
from storefront.domain.checkout import Details
from storefront.domain.models import CartLine, Order, OrderLine, Product, Promotion, PromotionKind, Variant
from tests.unit import factories as f

HTMX = {"HX-Request": "true"}
FORM = f.checkout_form(payment_method="cod")
# Everything a shopper could add to a form to set their own price.
FORGED_AMOUNTS = {
    "price": "0.01",
    "unit_price": "1",
    "compare_at_price": "99999",
    "subtotal": "1",
    "total": "1",
    "discount": "7000",
    "discount_total": "7000",
    "discounts": "100%",
    "percent": "100",
    "amount": "99999",
    "shipping": "0",
    "shipping_cost": "0",
    "shipping_price": "0",
    "surcharge": "0",
    "vat": "0",
    "free_shipping": "on",
    "codes": "ANYTHING",
}
QUANTITY_MESSAGE = "Enter a whole number from 1 to 99."
# Negative, zero, fractional (both decimal marks), huge, non-numeric, empty, and digits int() cannot read.
BAD_QUANTITIES = ["-1", "0", "2.5", "1,5", str(10**30), "lots", "", " ", "²", "1e3"]


@pytest.fixture
async def shop(db):
    clothing = await f.category("Clothing")
    tee = await f.product(
        "Maglietta",
        clothing,
        [
            {"price": 3500, "stock": 10, "options": {"size": "M"}},
            {"price": 3900, "stock": 10, "options": {"size": "L"}},
        ],
    )
    m, large = await Variant.filter(product_id=tee.id).order_by("id")
    withdrawn = await f.product("Vecchia", clothing, [{"price": 100, "stock": 10}])
    await Product.filter(id=withdrawn.id).update(active=False)
    switched_off = await f.product("Calzini", clothing, [{"price": 200, "stock": 10}])
    await Variant.filter(product_id=switched_off.id).update(active=False)
    sold_out = await f.product("Esaurita", clothing, [{"price": 300, "stock": 0}])
    await Promotion.create(name="Welcome 10% off", code="WELCOME10", kind=PromotionKind.ORDER_PERCENT, percent=10)
    return {
        "tee": tee,
        "m": m,
        "l": large,
        "withdrawn": await Variant.get(product_id=withdrawn.id),
        "switched_off": await Variant.get(product_id=switched_off.id),
        "sold_out": await Variant.get(product_id=sold_out.id),
    }


async def csrf(client) -> str:
    return re.search(r'"X-CSRF-Token": "([^"]+)"', (await client.get("/cart")).text).group(1)


async def post(client, url: str, data: dict, htmx: bool = False, target: str | None = None):
    token = await csrf(client)
    headers = {**HTMX, "X-CSRF-Token": token, **({"HX-Target": target} if target else {})} if htmx else {}
    return await client.post(url, data={**data, "csrf_token": token}, headers=headers)


async def cart_lines() -> dict[int, int]:
    """What is in the cart, from the database (each test has one shopper): variant id -> quantity."""
    return dict(await CartLine.all().values_list("variant_id", "quantity"))


def described_error(html: str, input_id: str) -> str:
    """The message the field's aria-describedby points at: what a screen reader reads with the field."""
    field = re.search(rf'<input id="{input_id}"[^>]*>', html).group(0)
    described = re.search(r'aria-describedby="([^"]+)"', field)
    assert described and 'aria-invalid="true"' in field, field
    return re.sub(r"<[^>]+>", "", re.search(rf'id="{described.group(1)}"[^>]*>(.*?)</p>', html, re.S).group(1))


def typed_value(html: str, input_id: str) -> str:
    field = re.search(rf'<input id="{input_id}"[^>]*>', html).group(0)
    return re.search(r'value="([^"]*)"', field).group(1)


# --- amounts posted with the forms ---------------------------------------------------------------------


@pytest.mark.parametrize("htmx", [False, True])
async def test_prices_and_discounts_posted_to_the_cart_are_ignored(client, shop, htmx):
    m = shop["m"]
    await post(client, "/cart/items", {"variant_id": m.id, "quantity": "2", **FORGED_AMOUNTS}, htmx, "add-to-cart")
    await post(client, f"/cart/lines/{m.id}", {"quantity": "3", **FORGED_AMOUNTS}, htmx)
    await post(client, "/cart/codes", {"code": "WELCOME10", **FORGED_AMOUNTS}, htmx)
    assert await cart_lines() == {m.id: 3}
    page = (await client.get("/cart")).text
    # 3 × €35.00 = €105.00, 10% off = €10.50: the catalogue's price and the promotion's own percent.
    assert "€105.00" in page and "€10.50" in page and "€0.01" not in page
    view = await cart.view(await CartLine.first().values_list("cart__token", flat=True))
    assert (view.totals.subtotal, view.totals.discount_total) == (3 * m.price, 3 * m.price // 10)


@pytest.mark.parametrize("htmx", [False, True])
async def test_the_order_costs_what_the_server_prices_the_cart_at_whatever_the_form_says(client, shop, htmx):
    m, large = shop["m"], shop["l"]
    await post(client, "/cart/items", {"variant_id": m.id, "quantity": "2"})
    await post(client, "/cart/codes", {"code": "WELCOME10"})
    token = await CartLine.first().values_list("cart__token", flat=True)
    priced = (await checkout.summary(token, Details(**FORM))).totals  # what the checkout page shows
    attempt = re.search(r'name="attempt" value="([^"]+)"', (await client.get("/checkout")).text).group(1)
    # Amounts, and a line that is not in the cart (the other size, ten of them), added to the form.
    forged = {
        **FORM,
        **FORGED_AMOUNTS,
        "attempt": attempt,
        "variant_id": str(large.id),
        "quantity": "10",
        "lines": f"{large.id}:10",
        "code": "WELCOME10",
    }
    placed = await post(client, "/checkout", forged, htmx)
    assert placed.status_code == (204 if htmx else 303)
    order = await Order.get()
    assert (order.subtotal, order.discount_total, order.shipping_cost, order.surcharge, order.total) == (
        priced.subtotal,
        priced.discount_total,
        priced.shipping_charged,
        priced.surcharge,
        priced.total,
    )
    # By hand: 2 × €35.00, 10% off, standard courier to Italy €4.90, cash on delivery €4.00.
    assert order.total == 7000 - 700 + 490 + 400
    lines = await OrderLine.filter(order_id=order.id).values_list("variant_id", "unit_price", "quantity")
    assert lines == [(m.id, 3500, 2)]
    assert await Variant.filter(id__in=[m.id, large.id]).order_by("id").values_list("stock", flat=True) == [8, 10]


@pytest.mark.parametrize(
    "change, message",
    [
        (
            {
                "country": "FR",
                "postal_code": "75001",
                "province": "",
                "shipping_method": "pickup",
                "payment_method": "card",
            },
            "Choose how you'd like to receive your order.",
        ),  # picking up in Florence is for Italy only
        ({"shipping_method": "free-delivery"}, "Choose how you'd like to receive your order."),
        (
            {"country": "FR", "postal_code": "75001", "province": "", "payment_method": "cod"},
            "Choose how you'd like to pay.",
        ),  # no cash on delivery abroad
        ({"payment_method": "gift"}, "Choose how you'd like to pay."),
    ],
)
@pytest.mark.parametrize("htmx", [False, True])
async def test_a_shipping_method_or_payment_not_on_offer_is_refused(client, shop, change, message, htmx):
    await post(client, "/cart/items", {"variant_id": shop["m"].id, "quantity": "1"})
    attempt = re.search(r'name="attempt" value="([^"]+)"', (await client.get("/checkout")).text).group(1)
    refused = await post(client, "/checkout", {**FORM, **change, "attempt": attempt, "shipping_cost": "0"}, htmx)
    assert refused.status_code == 422 and message in refused.text
    assert ("<html" in refused.text) != htmx  # the page without JavaScript, the form's fragment to htmx
    assert await Order.all().count() == 0 and (await Variant.get(id=shop["m"].id)).stock == 10


# --- variants that are not for sale ------------------------------------------------------------------


@pytest.mark.parametrize(
    "which, message",
    [
        ("withdrawn", "Sorry, that item is no longer available."),  # its product is off the shop
        ("switched_off", "Sorry, that item is no longer available."),  # the variant itself is off
        ("missing", "Sorry, that item is no longer available."),
        ("sold_out", "Sorry, that item has just sold out."),
    ],
)
@pytest.mark.parametrize("htmx", [False, True])
async def test_a_variant_that_is_not_for_sale_is_refused_with_a_message(client, shop, which, message, htmx):
    variant_id = shop[which].id if which in shop else 10**6
    answer = await post(client, "/cart/items", {"variant_id": variant_id, "quantity": "1", "next": "/cart"}, htmx)
    shown = answer.text if htmx else (await client.get(answer.headers["location"])).text  # after the 303
    assert message in shown
    assert await cart_lines() == {}


@pytest.mark.parametrize("variant_id", ["-1", "1.5", "²", str(10**30), "1 OR 1=1", ""])
async def test_a_variant_id_that_is_no_id_is_refused_with_a_message(client, shop, variant_id):
    answer = await post(client, "/cart/items", {"variant_id": variant_id, "quantity": "1"}, htmx=True)
    assert answer.status_code < 500 and "Sorry, that item is no longer available." in answer.text
    assert await cart_lines() == {}


async def test_changing_a_line_never_adds_another_variant(client, shop):
    await post(client, "/cart/items", {"variant_id": shop["m"].id, "quantity": "1"})
    for other in (shop["l"], shop["withdrawn"], shop["sold_out"]):
        await post(client, f"/cart/lines/{other.id}", {"quantity": "5", "variant_id": str(other.id)})
    await post(client, f"/cart/lines/{10**6}", {"quantity": "5"})
    assert await cart_lines() == {shop["m"].id: 1}


async def test_a_product_withdrawn_during_checkout_stops_the_order_with_a_message(client, shop):
    await post(client, "/cart/items", {"variant_id": shop["m"].id, "quantity": "1"})
    attempt = re.search(r'name="attempt" value="([^"]+)"', (await client.get("/checkout")).text).group(1)
    await Product.filter(id=shop["tee"].id).update(active=False)
    answer = await post(client, "/checkout", {**FORM, "attempt": attempt})
    assert answer.status_code == 303 and answer.headers["location"] == "/cart"
    assert "Some items in your cart changed while you were checking out." in (await client.get("/cart")).text
    assert await Order.all().count() == 0 and (await Variant.get(id=shop["m"].id)).stock == 10


# --- quantities ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("quantity", BAD_QUANTITIES)
@pytest.mark.parametrize("htmx", [False, True])
async def test_a_bad_quantity_to_add_gets_its_message_beside_the_field_and_is_kept(client, shop, quantity, htmx):
    data = {"variant_id": shop["m"].id, "quantity": quantity, "next": f"/p/{shop['tee'].slug}"}
    answer = await post(client, "/cart/items", data, htmx, "add-to-cart")
    assert answer.status_code == 422
    assert ("<html" in answer.text) != htmx  # the product page again without JavaScript
    assert described_error(answer.text, "quantity") == QUANTITY_MESSAGE
    assert typed_value(answer.text, "quantity") == escape(quantity)
    assert await cart_lines() == {}


@pytest.mark.parametrize("quantity", [q for q in BAD_QUANTITIES if q != "0"])  # 0 removes the line
@pytest.mark.parametrize("htmx", [False, True])
async def test_a_bad_quantity_in_the_cart_gets_its_message_beside_the_field_and_is_kept(client, shop, quantity, htmx):
    m = shop["m"]
    await post(client, "/cart/items", {"variant_id": m.id, "quantity": "2"})
    answer = await post(client, f"/cart/lines/{m.id}", {"quantity": quantity}, htmx)
    assert answer.status_code == 422
    assert ("<html" in answer.text) != htmx  # the cart page again without JavaScript
    assert described_error(answer.text, f"qty-{m.id}") == QUANTITY_MESSAGE[:-1] + ", or 0 to remove."
    assert typed_value(answer.text, f"qty-{m.id}") == escape(quantity)
    assert await cart_lines() == {m.id: 2}
