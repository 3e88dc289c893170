"""Orders in the back office: who may see them, the actions the transition table allows (and nothing
else), what each action writes (order, stock, emails, audit), and the list's filters."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from tortoise.functions import Sum

from storefront.domain import checkout
from storefront.domain.basket import cart
from storefront.domain.checkout import Details
from storefront.domain.forms import FieldErrors
from storefront.domain.models import (
    AuditEntry,
    Order,
    OrderEvent,
    OrderStatus,
    OutboxEmail,
    StaffRole,
    StockMovement,
    Variant,
)
from storefront.domain.orders import fulfilment
from storefront.domain.orders.lifecycle import InvalidTransition
from storefront.domain.payments import service as payments
from storefront.domain.staff import accounts
from tests.unit import factories as f

PASSWORD = "correct horse battery"
ANNA = f.ANNA
HTMX = {"HX-Request": "true"}


@pytest.fixture
async def clerk(db):
    """A staff member (not an owner): orders are everyone's work."""
    return await accounts.create("clerk@bottega.example", PASSWORD, StaffRole.STAFF)


@pytest.fixture
async def variants(db):
    tee = await f.product(
        "Maglietta",
        await f.category("Clothing"),
        [
            {"price": 3500, "stock": 5, "options": {"size": "M"}, "sku": "TEE-M"},
            {"price": 3500, "stock": 5, "options": {"size": "L"}, "sku": "TEE-L"},
        ],
    )
    return await Variant.filter(product_id=tee.id).order_by("id")


async def place(variants, n: int = 0, quantities=(2, 1), **details) -> Order:
    token = None
    for variant, quantity in zip(variants, quantities, strict=False):
        token, _ = await cart.add(token, variant.id, quantity)
    return await checkout.place_order(token, Details(**{**ANNA.__dict__, **details}), f"attempt-{n}-{details}")


async def paid_by_card(variants) -> Order:
    payments.configure("test-secret")
    order = await place(variants, 1, payment_method="card")
    started = await payments.begin(order.id, "card", return_url="/checkout/return")
    await payments.sandbox_pay(
        started.reference,
        payments.CardEntry(number="4242 4242 4242 4242", expiry="12/99", cvc="123", name="Anna Rossi"),
    )
    return await Order.get(id=order.id)


async def csrf(client, url: str = "/admin/login") -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', (await client.get(url)).text).group(1)


async def log_in(client, email: str = "clerk@bottega.example") -> str:
    response = await client.post(
        "/admin/login", data={"csrf_token": await csrf(client), "email": email, "password": PASSWORD, "next": "/admin"}
    )
    assert response.status_code == 303
    return await csrf(client, "/admin/orders")


async def act(client, token: str, order: Order, action: str, headers=None, **fields):
    fields.setdefault("seen", (await Order.get(id=order.id)).status.value)
    return await client.post(
        f"/admin/orders/{order.number}/{action}", data={"csrf_token": token, **fields}, headers=headers or {}
    )


async def ledger_matches_stock() -> bool:
    sums = dict(await StockMovement.annotate(t=Sum("delta")).group_by("variant_id").values_list("variant_id", "t"))
    return all(sums.get(v, 0) == s for v, s in await Variant.all().values_list("id", "stock"))


# --- rules without a database ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed, cents",
    [
        ("12,50", 1250),
        ("12.5", 1250),
        ("€ 12", 1200),
        ("0,05", 5),
        ("1.234,50", 123450),
        ("1,234.50", 123450),
        (" 7 ", 700),
    ],
)
def test_amounts_are_read_as_staff_type_them(typed, cents):
    assert fulfilment.parse_amount(typed) == cents


@pytest.mark.parametrize(
    "typed, code",
    [("", "required"), ("12,505", "format"), ("-5", "format"), ("twelve", "format"), ("12,50,1", "format")],
)
def test_amounts_that_make_no_sense_are_refused(typed, code):
    with pytest.raises(FieldErrors) as refused:
        fulfilment.parse_amount(typed)
    assert refused.value.errors == {"amount": code}


def test_a_partly_refunded_order_only_moves_on_to_its_next_step():
    order = Order(status=OrderStatus.PARTIALLY_REFUNDED, payment_method="card", total=5000)
    assert fulfilment.allowed(order, ["placed", "paid", "partially_refunded"], 2000) == ["pack", "refund"]
    assert fulfilment.allowed(order, ["placed", "paid", "packed", "shipped", "partially_refunded"], 2000) == [
        "deliver",
        "refund",
    ]
    assert fulfilment.allowed(order, ["placed", "paid", "packed", "shipped", "delivered"], 0) == []


def test_tracking_links_fill_in_the_number():
    template = "https://vas.brt.it/vas/sped_numspe_par.htm?sped_num={number}"
    assert (
        fulfilment.tracking_url(template, "0123 45/6")
        == "https://vas.brt.it/vas/sped_numspe_par.htm?sped_num=0123%2045%2F6"
    )
    assert fulfilment.tracking_url("", "123") == "" and fulfilment.tracking_url(template, "") == ""


# --- who may come in ------------------------------------------------------------------------------


async def test_anonymous_visitors_and_shoppers_are_sent_to_the_login(client, clerk, variants):
    order = await place(variants)
    for url in ["/admin/orders", f"/admin/orders/{order.number}", f"/admin/orders/{order.number}/packing-slip"]:
        response = await client.get(url)
        assert response.status_code == 303 and response.headers["location"] == f"/admin/login?next={url}"
    await client.get("/")  # a shopper's session, with its own CSRF token
    token = re.search(r'"X-CSRF-Token": "([^"]+)"', (await client.get("/cart")).text).group(1)
    response = await act(client, token, order, "pack")
    assert response.status_code == 303 and response.headers["location"].startswith("/admin/login")
    assert (await Order.get(id=order.id)).status == OrderStatus.PENDING_PAYMENT


async def test_staff_see_the_list_the_order_and_its_packing_slip(client, clerk, variants):
    order = await place(variants)
    await log_in(client)
    listing = await client.get("/admin/orders")
    assert listing.status_code == 200 and order.number in listing.text and "Anna Rossi" in listing.text
    assert listing.headers["cache-control"] == "no-store" and "noindex" in listing.headers["x-robots-tag"]
    page = await client.get(f"/admin/orders/{order.number}")
    assert page.status_code == 200 and "TEE-M" in page.text and "Via dei Servi 12" in page.text
    assert page.headers["cache-control"] == "no-store"
    slip = await client.get(f"/admin/orders/{order.number}/packing-slip")
    assert slip.status_code == 200 and "Packing slip" in slip.text and "TEE-L" in slip.text
    assert "€" not in slip.text.split('class="packing-slip"')[1]  # no prices in the parcel
    assert (await client.get("/admin/orders/BT-NOPE00")).status_code == 404


async def test_actions_need_the_csrf_token(client, clerk, variants):
    order = await place(variants)
    await log_in(client)
    response = await client.post(f"/admin/orders/{order.number}/mark-paid", data={"seen": "pending_payment"})
    assert response.status_code == 403
    assert (await Order.get(id=order.id)).status == OrderStatus.PENDING_PAYMENT
    assert await AuditEntry.all().count() == 0


# --- the actions ----------------------------------------------------------------------------------


async def test_only_the_actions_the_table_allows_are_offered(client, clerk, variants):
    bank, cod = await place(variants, 1), await place(variants, 2, (1, 1), payment_method="cod")
    await log_in(client)
    page = (await client.get(f"/admin/orders/{bank.number}")).text
    assert "Mark as paid" in page and "Cancel order" in page
    assert "Mark as packed" not in page and "Mark as shipped" not in page and ">Refund<" not in page
    cod_page = (await client.get(f"/admin/orders/{cod.number}")).text
    assert "Mark as packed" in cod_page  # cash on delivery is packed before anyone pays
    card = await paid_by_card(variants)
    card_page = (await client.get(f"/admin/orders/{card.number}")).text
    assert "Mark as paid" not in card_page and "Mark as packed" in card_page and ">Refund<" in card_page


async def test_mark_paid_pack_ship_deliver_without_javascript(client, clerk, variants):
    order = await place(variants)
    token = await log_in(client)
    response = await act(client, token, order, "mark-paid")
    assert response.status_code == 303 and response.headers["location"] == f"/admin/orders/{order.number}"
    page = await client.get(response.headers["location"])
    assert "Marked as paid." in page.text and "Mark as packed" in page.text
    assert (await client.get(f"/admin/orders/{order.number}")).text.count("Marked as paid.") == 0  # shown once

    assert (await act(client, token, order, "pack")).status_code == 303
    response = await act(client, token, order, "ship", carrier="BRT", tracking_number="0123456789")
    assert response.status_code == 303
    order = await Order.get(id=order.id)
    assert order.status == OrderStatus.SHIPPED and (order.carrier, order.tracking_number) == ("BRT", "0123456789")
    assert order.tracking_url == "https://vas.brt.it/vas/sped_numspe_par.htm?sped_num=0123456789"
    assert await OutboxEmail.filter(order_id=order.id, kind="shipped").count() == 1
    assert (await act(client, token, order, "deliver")).status_code == 303
    assert (await Order.get(id=order.id)).status == OrderStatus.DELIVERED

    events = await OrderEvent.filter(order_id=order.id).order_by("id")
    assert [(e.kind, e.actor) for e in events][1:] == [
        (s, "clerk@bottega.example") for s in ("paid", "packed", "shipped", "delivered")
    ]
    audit = await AuditEntry.all().order_by("id")
    assert [(a.action, a.actor, a.subject, a.before["status"], a.after["status"]) for a in audit] == [
        ("order.mark_paid", "clerk@bottega.example", f"order:{order.number}", "pending_payment", "paid"),
        ("order.pack", "clerk@bottega.example", f"order:{order.number}", "paid", "packed"),
        ("order.ship", "clerk@bottega.example", f"order:{order.number}", "packed", "shipped"),
        ("order.deliver", "clerk@bottega.example", f"order:{order.number}", "shipped", "delivered"),
    ]
    assert audit[2].before["tracking_number"] == "" and audit[2].after["tracking_number"] == "0123456789"
    delivered = (await client.get(f"/admin/orders/{order.number}")).text
    assert ">Refund<" in delivered and "Mark as" not in delivered and "Cancel order" not in delivered


async def test_htmx_gets_the_panel_and_the_message_for_the_live_region(client, clerk, variants):
    order = await place(variants)
    token = await log_in(client)
    response = await act(client, token, order, "mark-paid", headers=HTMX)
    assert response.status_code == 200 and "<html" not in response.text
    assert 'id="order-panel"' in response.text and 'id="flash" hx-swap-oob="innerHTML"' in response.text
    assert "Marked as paid." in response.text


async def test_shipping_needs_a_tracking_number(client, clerk, variants):
    order = await paid_by_card(variants)
    token = await log_in(client)
    await act(client, token, order, "pack")
    response = await act(client, token, order, "ship", carrier="BRT", tracking_number="  ")
    assert response.status_code == 422 and "<html" in response.text
    assert "Enter the tracking number from the carrier's label." in response.text
    assert re.search(r'id="ship-tracking"[^>]*aria-invalid="true"', response.text)
    fragment = await act(client, token, order, "ship", headers=HTMX, carrier="BRT", tracking_number="12<script>")
    assert fragment.status_code == 422 and "<html" not in fragment.text
    assert "Use only letters, digits" in fragment.text and 'value="12&lt;script&gt;"' in fragment.text
    assert (await Order.get(id=order.id)).status == OrderStatus.PACKED
    assert await AuditEntry.filter(action="order.ship").count() == 0


async def test_another_carrier_gets_no_tracking_link(variants, clerk):
    order = await paid_by_card(variants)
    await fulfilment.pack(order.id, clerk)
    shipped = await fulfilment.ship(order.id, clerk, "Poste Italiane", "RR123456789IT")
    assert shipped.carrier == "Poste Italiane" and shipped.tracking_url == ""


async def test_actions_the_table_refuses_are_refused(client, clerk, variants):
    order = await place(variants)  # bank transfer, not paid yet
    token = await log_in(client)
    response = await act(client, token, order, "pack")
    assert (
        response.status_code == 422 and "That can't be done to this order now: it is Awaiting payment." in response.text
    )
    response = await act(client, token, order, "refund", amount="10")
    assert response.status_code == 422
    assert (await Order.get(id=order.id)).status == OrderStatus.PENDING_PAYMENT
    assert await AuditEntry.all().count() == 0


async def test_a_change_made_meanwhile_is_explained_not_overwritten(client, clerk, variants):
    order = await paid_by_card(variants)
    token = await log_in(client)
    await fulfilment.pack(order.id, clerk)
    await fulfilment.ship(order.id, clerk, "BRT", "111")  # by someone else, while this page showed "paid"
    response = await act(client, token, order, "cancel", seen="paid", confirm="yes", headers=HTMX)
    assert response.status_code == 422
    assert "Someone else changed this order meanwhile — it is now Shipped." in response.text
    assert (await Order.get(id=order.id)).status == OrderStatus.SHIPPED
    assert await AuditEntry.filter(action="order.cancel").count() == 0
    with pytest.raises(InvalidTransition) as refused:
        await fulfilment.deliver(order.id, clerk, seen=OrderStatus.PACKED)
    assert refused.value.current == OrderStatus.SHIPPED


async def test_cancelling_needs_the_box_ticked_and_puts_the_stock_back(client, clerk, variants):
    order = await place(variants)
    assert [v.stock for v in await Variant.all().order_by("id")] == [3, 4]
    token = await log_in(client)
    refused = await act(client, token, order, "cancel")
    assert refused.status_code == 422 and "Tick the box to confirm the cancellation." in refused.text
    assert (await Order.get(id=order.id)).status == OrderStatus.PENDING_PAYMENT
    response = await act(client, token, order, "cancel", confirm="yes")
    assert response.status_code == 303
    assert "Its items are back in stock" in (await client.get(response.headers["location"])).text
    assert (await Order.get(id=order.id)).status == OrderStatus.CANCELLED
    assert [v.stock for v in await Variant.all().order_by("id")] == [5, 5]
    assert await ledger_matches_stock()
    assert await OutboxEmail.filter(order_id=order.id, kind="cancelled").count() == 1
    entry = await AuditEntry.get(action="order.cancel")
    assert entry.after == {"status": "cancelled", "stock_returned": {"TEE-M": 2, "TEE-L": 1}}


async def test_a_partial_then_a_full_refund_through_the_provider(client, clerk, variants):
    order = await paid_by_card(variants)  # 3 × €35.00 + €4.90
    assert order.total == 10990
    token = await log_in(client)
    page = (await client.get(f"/admin/orders/{order.number}")).text
    assert "Up to €109.90" in page
    response = await act(client, token, order, "refund", amount="12,50")
    assert response.status_code == 303
    assert "Refunded €12.50." in (await client.get(response.headers["location"])).text
    order = await Order.get(id=order.id)
    assert order.status == OrderStatus.PARTIALLY_REFUNDED and order.refunded_total == 1250

    too_much = await act(client, token, order, "refund", headers=HTMX, amount="100")
    assert too_much.status_code == 422 and "You can refund at most €97.40." in too_much.text
    garbled = await act(client, token, order, "refund", amount="12,5x")
    assert garbled.status_code == 422 and "Type an amount in euros, like 12,50." in garbled.text
    assert 'value="12,5x"' in garbled.text  # what was typed stays in the field

    response = await act(client, token, order, "refund", headers=HTMX, amount="97,40")
    assert response.status_code == 200 and "Refunded €97.40." in response.text
    order = await Order.get(id=order.id)
    assert order.status == OrderStatus.REFUNDED and order.refunded_total == order.total
    assert await OutboxEmail.filter(order_id=order.id, kind="refunded").count() == 2
    audit = await AuditEntry.filter(action="order.refund").order_by("id")
    assert [
        (a.before["refunded_total"], a.after["refunded_total"], a.after["amount"], a.after["status"]) for a in audit
    ] == [(0, 1250, 1250, "partially_refunded"), (1250, 10990, 9740, "refunded")]
    assert ">Refund<" not in (await client.get(f"/admin/orders/{order.number}")).text


async def test_a_cancelled_paid_order_can_still_be_refunded(variants, clerk):
    order = await paid_by_card(variants)
    await fulfilment.cancel(order.id, clerk, OrderStatus.PAID)
    refunded = await fulfilment.refund(order.id, clerk, "109,90", OrderStatus.CANCELLED)
    assert refunded.status == OrderStatus.CANCELLED and refunded.refunded_total == 10990


# --- the list -------------------------------------------------------------------------------------


async def make(
    number: str,
    status=OrderStatus.PENDING_PAYMENT,
    method="bank_transfer",
    email="ada@example.com",
    name="Ada Lovelace",
    days_ago: int = 0,
) -> Order:
    order = await Order.create(
        number=number,
        idempotency_key=number,
        status=status,
        email=email,
        full_name=name,
        country="IT",
        shipping_method="standard",
        shipping_name="Standard courier",
        payment_method=method,
        subtotal=1000,
        total=1490,
    )
    # Noon in Rome, so "a day ago" stays on the same calendar day whatever the clock says.
    order.created_at = datetime.now(UTC).replace(hour=11, minute=0) - timedelta(days=days_ago)
    await order.save(update_fields=["created_at"])
    return order


async def listing(client, **params) -> str:
    response = await client.get("/admin/orders", params=params)
    assert response.status_code == 200
    return response.text


def numbers(page: str) -> list[str]:
    return re.findall(r'href="/admin/orders/(BT-[A-Z0-9]+)"', page)


async def test_filters_search_and_counts(client, clerk):
    await make("BT-AAAAA1", days_ago=3)
    await make("BT-BBBBB2", OrderStatus.PAID, "card", "bob@example.com", "Bob Marley", days_ago=2)
    await make("BT-CCCCC3", OrderStatus.PENDING_PAYMENT, "cod", "carla@example.com", "Carla Bruni", days_ago=1)
    await make("BT-DDDDD4", OrderStatus.SHIPPED, "card", "dora@example.com", "Dora Maar")
    await log_in(client)
    assert numbers(await listing(client)) == ["BT-DDDDD4", "BT-CCCCC3", "BT-BBBBB2", "BT-AAAAA1"]  # newest first
    page = await listing(client)
    assert "To pack: 2" in page and "Awaiting payment: 1" in page and "Shipped: 1" in page and "All: 4" in page
    assert numbers(await listing(client, status="to_pack")) == ["BT-CCCCC3", "BT-BBBBB2"]  # cash on delivery too
    assert numbers(await listing(client, payment="card")) == ["BT-DDDDD4", "BT-BBBBB2"]
    assert numbers(await listing(client, q="carla@")) == ["BT-CCCCC3"]
    assert numbers(await listing(client, q="bt-bbb")) == ["BT-BBBBB2"]
    assert numbers(await listing(client, q="marley")) == ["BT-BBBBB2"]
    today = datetime.now(UTC).date()
    dated = await listing(client, **{"from": str(today - timedelta(days=2)), "to": str(today - timedelta(days=1))})
    assert numbers(dated) == ["BT-CCCCC3", "BT-BBBBB2"]
    card_page = await listing(client, payment="card")
    assert "To pack: 1" in card_page and "Shipped: 1" in card_page and "All: 2" in card_page  # counts follow filters
    empty = await listing(client, q="nobody")
    assert "No orders match these filters." in empty
    nonsense = await listing(client, status="bogus", payment="gold", page="x", **{"from": "yesterday"})
    assert len(numbers(nonsense)) == 4


async def test_the_list_is_paginated_and_htmx_gets_only_the_results(client, clerk):
    for i in range(fulfilment.PAGE_SIZE + 3):
        await make(f"BT-P{i:05d}", days_ago=i)
    await log_in(client)
    first = await listing(client)
    assert len(numbers(first)) == 50 and "page 1 of 2" in first and "Older orders" in first
    second = await listing(client, page="2")
    assert numbers(second) == ["BT-P00050", "BT-P00051", "BT-P00052"] and "Newer orders" in second
    fragment = await client.get("/admin/orders", params={"page": "2"}, headers=HTMX)
    assert fragment.status_code == 200 and "<html" not in fragment.text and 'id="orders"' in fragment.text
    assert "HX-Request" in fragment.headers["vary"]
