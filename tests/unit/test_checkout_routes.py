"""Checkout and order pages over HTTP: 422 with everything kept, CSRF, the signed order link, lookups
that never tell whether an order exists."""

from __future__ import annotations

import re

import pytest

from storefront import links
from storefront.domain.models import Order, Variant
from tests.unit import factories as f

FORM = f.checkout_form()


@pytest.fixture
async def filled(client, db):
    tee = await f.product("Maglietta", await f.category("Clothing"), [{"price": 3500, "stock": 5}])
    variant = await Variant.get(product_id=tee.id)
    page = await client.get("/cart")
    token = re.search(r'"X-CSRF-Token": "([^"]+)"', page.text).group(1)
    await client.post("/cart/items", data={"csrf_token": token, "variant_id": variant.id, "quantity": "2"})
    checkout = await client.get("/checkout")
    attempt = re.search(r'name="attempt" value="([^"]+)"', checkout.text).group(1)
    return {"csrf_token": token, "attempt": attempt}


async def test_an_empty_cart_has_no_checkout(client, db):
    response = await client.get("/checkout")
    assert response.status_code == 303 and response.headers["location"] == "/cart"


async def test_the_checkout_page_has_the_right_fields(client, filled):
    page = (await client.get("/checkout")).text
    assert 'type="email" autocomplete="email"' in page
    assert re.search(r'autocomplete="postal-code"\s+inputmode="numeric"', page)
    assert 'autocomplete="tel"' in page and "(optional)" in page
    assert page.count(" required aria-required") <= 8
    assert "€74.90" in page  # 2 × €35.00 + €4.90 standard shipping, shown before "Place order"


async def test_mistakes_come_back_422_with_every_message_and_nothing_lost(client, filled):
    data = {**FORM, **filled, "email": "anna@", "postal_code": "5012", "city": ""}
    page = await client.post("/checkout", data=data)
    assert page.status_code == 422 and "<html" in page.text
    assert "That doesn't look like an email address" in page.text
    assert "Postal codes in Italy look like 00144." in page.text and "Enter the city." in page.text
    assert 'value="anna@"' in page.text and 'value="Via dei Servi 12"' in page.text
    fragment = await client.post("/checkout", data=data, headers={"HX-Request": "true"})
    assert fragment.status_code == 422 and "<html" not in fragment.text and 'id="checkout"' in fragment.text
    assert await Order.all().count() == 0


async def test_inline_validation_of_one_field(client, filled):
    headers = {"HX-Request": "true", "HX-Trigger-Name": "postal_code", "X-CSRF-Token": filled["csrf_token"]}
    bad = await client.post("/checkout/validate", data={**FORM, "postal_code": "123"}, headers=headers)
    assert "Postal codes in Italy look like 00144." in bad.text and 'id="field-postal_code"' in bad.text
    good = await client.post("/checkout/validate", data=FORM, headers=headers)
    assert "Looks good" in good.text


async def test_placing_twice_makes_one_order_and_opens_it_with_the_signed_link(client, filled):
    data = {**FORM, **filled}
    first = await client.post("/checkout", data=data)
    again = await client.post("/checkout", data=data)
    assert first.status_code == again.status_code == 303
    assert first.headers["location"] == again.headers["location"]
    order = await Order.get()
    page = await client.get(first.headers["location"])
    assert page.status_code == 200 and f"order {order.number} is placed" in page.text and "IBAN" in page.text
    assert "0 items" in page.text


async def test_an_order_needs_its_signed_link(client, filled):
    await client.post("/checkout", data={**FORM, **filled})
    order = await Order.get()
    for url in (
        f"/orders/{order.number}",
        f"/orders/{order.number}?key=forged",
        f"/orders/BT-AAAAAA?key={links.order_token(client._transport.app.state.settings, 'BT-AAAAAA')}",
    ):
        response = await client.get(url)
        assert response.status_code == 404 and order.email not in response.text


async def test_lookups_give_one_answer_for_any_mistake_and_are_limited(client, filled):
    await client.post("/checkout", data={**FORM, **filled})
    order = await Order.get()
    token = filled["csrf_token"]
    wrong_email = await client.post(
        "/orders/lookup", data={"csrf_token": token, "number": order.number, "email": "x@example.com"}
    )
    wrong_number = await client.post(
        "/orders/lookup", data={"csrf_token": token, "number": "BT-ZZZZZZ", "email": order.email}
    )
    assert wrong_email.status_code == wrong_number.status_code == 422

    # The typed values differ, and the CSRF token's one-time pad; nothing else.
    def strip(page: str) -> str:
        return re.sub(r'value="[^"]*"|"X-CSRF-Token": "[^"]*"', "", page)

    assert strip(wrong_email.text) == strip(wrong_number.text)
    right = await client.post(
        "/orders/lookup", data={"csrf_token": token, "number": order.number.lower(), "email": order.email.upper()}
    )
    assert right.status_code == 303 and right.headers["location"].startswith(f"/orders/{order.number}?key=")
    for _ in range(8):
        await client.post("/orders/lookup", data={"csrf_token": token, "number": "BT-ZZZZZZ", "email": "x@y.it"})
    blocked = await client.post(
        "/orders/lookup", data={"csrf_token": token, "number": order.number, "email": order.email}
    )
    assert blocked.status_code == 429 and "Too many attempts" in blocked.text


async def test_order_pages_are_never_cached(client, filled):
    placed = await client.post("/checkout", data={**FORM, **filled})
    page = await client.get(placed.headers["location"])
    assert page.headers["cache-control"] == "no-store"


async def test_the_checkout_and_its_re_renders_are_never_cached(client, filled):
    """They echo the shopper's name and address: a shared computer's cache must not keep them."""
    page = await client.get("/checkout")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    mistake = {**FORM, **filled, "postal_code": "5012"}
    for headers in ({}, {"HX-Request": "true"}):
        again = await client.post("/checkout", data=mistake, headers=headers)
        assert again.status_code == 422 and "Anna Rossi" in again.text and "Via dei Servi 12" in again.text
        assert again.headers["cache-control"] == "no-store"
    options = await client.post("/checkout/options", data={**FORM, **filled}, headers={"HX-Request": "true"})
    assert options.status_code == 200 and options.headers["cache-control"] == "no-store"
    field = await client.post(
        "/checkout/validate", data={**FORM, **filled}, headers={"HX-Request": "true", "HX-Trigger-Name": "address"}
    )
    assert field.status_code == 200 and field.headers["cache-control"] == "no-store"


async def test_too_many_unpaid_orders_are_refused_on_the_checkout_page(client, filled):
    from storefront.domain import checkout
    from storefront.domain.basket import cart

    variant = await Variant.first()
    for n in range(3):  # three bank transfers nobody pays, for the same email, from elsewhere
        token, _ = await cart.add(None, variant.id, 1)
        await checkout.place_order(token, checkout.Details(**FORM), f"unpaid-{n}", client_address="192.0.2.10")
    refused = await client.post("/checkout", data={**FORM, **filled}, headers={"HX-Request": "true"})
    assert refused.status_code == 422 and 'id="form-problem"' in refused.text
    assert (
        "There are already 3 orders waiting for payment for this email address or from this connection" in refused.text
    )
    assert await Order.all().count() == 3
    # Someone else from this connection may still buy; the page tells the domain where the order comes from.
    other = {**FORM, "email": "bruno@example.com"}
    assert (await client.post("/checkout", data={**other, **filled})).status_code == 303
    assert (await Order.filter(email="bruno@example.com").first()).client_address == "127.0.0.1"
