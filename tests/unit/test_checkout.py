"""Checkout rules and place_order against a real database: all or nothing, once per attempt."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from tortoise.functions import Sum
from tortoise.transactions import in_transaction

from storefront.domain import checkout
from storefront.domain.basket import cart
from storefront.domain.checkout import Details
from storefront.domain.forms import FieldErrors
from storefront.domain.inventory import stock
from storefront.domain.models import (
    Order,
    OrderEvent,
    OrderLine,
    OrderStatus,
    OutboxEmail,
    Product,
    Promotion,
    PromotionKind,
    StockMovement,
    Variant,
)
from storefront.domain.orders import lifecycle
from tests.unit import factories as f

ANNA = f.ANNA


@pytest.fixture
async def items(db):
    clothing = await f.category("Clothing")
    tee = await f.product(
        "Maglietta",
        clothing,
        [
            {"price": 3500, "stock": 3, "options": {"size": "M"}},
            {"price": 3500, "stock": 10, "options": {"size": "L"}},
        ],
    )
    variants = await Variant.filter(product_id=tee.id).order_by("id")
    await Promotion.create(
        name="Welcome 10% off", code="WELCOME10", kind=PromotionKind.ORDER_PERCENT, percent=10, per_customer_limit=1
    )
    return {"m": variants[0], "l": variants[1]}


async def cart_with(*lines) -> str:
    token = None
    for variant, quantity in lines:
        token, _ = await cart.add(token, variant.id, quantity)
    return token


async def ledger_matches_stock() -> bool:
    sums = dict(await StockMovement.annotate(t=Sum("delta")).group_by("variant_id").values_list("variant_id", "t"))
    return all(sums.get(v, 0) == s for v, s in await Variant.all().values_list("id", "stock"))


def test_every_field_problem_at_once():
    errors = checkout.field_errors(Details(email="anna@", postal_code="5012", province="Fiorenza", phone="call me"))
    assert errors == {
        "full_name": "required",
        "address": "required",
        "city": "required",
        "email": "email",
        "postal_code": "postal_code",
        "province": "province",
        "phone": "phone",
    }
    assert checkout.field_errors(ANNA) == {}
    abroad = Details(**{**ANNA.__dict__, "country": "FR", "postal_code": "75001", "province": ""})
    assert checkout.field_errors(abroad) == {}


async def test_placing_an_order_takes_stock_copies_lines_and_queues_the_confirmation(items):
    token = await cart_with((items["m"], 2), (items["l"], 1))
    await cart.apply_code(token, "welcome10")
    shown = await checkout.summary(token, ANNA)
    order = await checkout.place_order(token, ANNA, "attempt-1")
    assert order.status == OrderStatus.PENDING_PAYMENT and order.number.startswith("BT-")
    assert order.total == shown.totals.total == 3 * 3500 - 1050 + 490  # 10% off, standard shipping
    lines = await OrderLine.filter(order_id=order.id).order_by("variant_id")
    assert [(line.sku, line.options, line.unit_price, line.quantity) for line in lines] == [
        (items["m"].sku, "M", 3500, 2),
        (items["l"].sku, "L", 3500, 1),
    ]
    assert sum(line.discount for line in lines) == 1050
    assert [v.stock for v in await Variant.filter(id__in=[items["m"].id, items["l"].id]).order_by("id")] == [1, 9]
    assert await ledger_matches_stock()
    assert await StockMovement.filter(reference=order.number, reason="sold").count() == 2
    assert [e.kind for e in await OrderEvent.filter(order_id=order.id)] == ["placed"]
    assert await OutboxEmail.filter(order_id=order.id, kind="order_confirmation", to=ANNA.email).count() == 1
    assert (await Promotion.get(code="WELCOME10")).used_count == 1


async def test_the_same_attempt_never_makes_two_orders(items):
    token = await cart_with((items["l"], 1))
    results = await asyncio.gather(*(checkout.place_order(token, ANNA, "attempt-x") for _ in range(5)))
    assert len({o.id for o in results}) == 1
    assert await Order.all().count() == 1 and (await Variant.get(id=items["l"].id)).stock == 9


async def test_a_cart_that_changed_goes_back_to_the_shopper_before_anything_is_taken(items):
    token = await cart_with((items["m"], 3), (items["l"], 2))
    await stock.adjust(items["m"].id, -2, stock.Reason.DAMAGED)  # only 1 M left now
    with pytest.raises(checkout.CartNeedsAttention):
        await checkout.place_order(token, ANNA, "attempt-2")
    assert await Order.all().count() == 0 and (await Variant.get(id=items["l"].id)).stock == 10


async def test_a_race_for_the_last_units_is_all_or_nothing(items):
    token = await cart_with((items["m"], 2), (items["l"], 1))
    # Between the cart check and the order, stock goes: simulate by taking it inside the window.
    original = checkout.summary

    async def summary_then_sold_out(*args, **kwargs):
        found = await original(*args, **kwargs)
        await stock.adjust(items["m"].id, -2, stock.Reason.SOLD, "another order")
        return found

    checkout.summary = summary_then_sold_out
    try:
        with pytest.raises(stock.OutOfStock) as short:
            await checkout.place_order(token, ANNA, "attempt-3")
    finally:
        checkout.summary = original
    assert [(s.sku, s.wanted, s.available) for s in short.value.lines] == [(items["m"].sku, 2, 1)]
    assert (await Variant.get(id=items["l"].id)).stock == 10  # the L was not taken either
    assert await Order.all().count() == 0 and await ledger_matches_stock()


async def test_stock_of_a_withdrawn_product_is_never_taken_even_with_its_variant_active(items):
    """A product taken off sale between the cart check and the order: stock.take refuses its variants."""
    await Product.filter(id=items["m"].product_id).update(active=False)  # type: ignore[attr-defined]
    with pytest.raises(stock.OutOfStock) as short:
        async with in_transaction() as conn:
            await stock.take({items["m"].id: 1, items["l"].id: 1}, "attempt-withdrawn", conn)
    assert [s.sku for s in short.value.lines] == [items["m"].sku, items["l"].sku]
    assert [v.stock for v in await Variant.filter(id__in=[items["m"].id, items["l"].id]).order_by("id")] == [3, 10]
    assert await StockMovement.filter(reference="attempt-withdrawn").count() == 0 and await ledger_matches_stock()


async def test_a_customers_second_order_no_longer_gets_a_once_only_code(items):
    token = await cart_with((items["l"], 1))
    await cart.apply_code(token, "WELCOME10")
    first = await checkout.place_order(token, ANNA, "a1")
    token = await cart_with((items["l"], 1))
    await cart.apply_code(token, "WELCOME10")
    shown = await checkout.summary(token, ANNA)
    assert [e.reason for e in shown.totals.not_applied] == ["customer_limit"]
    second = await checkout.place_order(token, ANNA, "a2")
    assert second.total == first.total + 350


async def test_invalid_details_are_refused_with_every_error(items):
    token = await cart_with((items["l"], 1))
    bad = Details(**{**ANNA.__dict__, "email": "nope", "shipping_method": "teleport"})
    with pytest.raises(FieldErrors) as invalid:
        await checkout.place_order(token, bad, "a3")
    assert invalid.value.errors == {"email": "email", "shipping_method": "shipping_method"}
    assert await Order.all().count() == 0


async def test_cancelling_returns_the_stock_through_the_ledger(items):
    token = await cart_with((items["m"], 2))
    order = await checkout.place_order(token, ANNA, "a4")
    await lifecycle.transition(order.id, OrderStatus.CANCELLED, actor="staff@example.com")
    assert (await Variant.get(id=items["m"].id)).stock == 3 and await ledger_matches_stock()
    assert [e.kind for e in await OrderEvent.filter(order_id=order.id)] == ["placed", "cancelled"]
    with pytest.raises(lifecycle.InvalidTransition):
        await lifecycle.transition(order.id, OrderStatus.SHIPPED)


async def test_unpaid_orders_expire_and_release_their_stock(items):
    token = await cart_with((items["m"], 1))
    card = Details(**{**ANNA.__dict__, "payment_method": "card"})
    order = await checkout.place_order(token, card, "a5", payment_timeout=timedelta(minutes=30))
    assert await lifecycle.expire_unpaid(datetime.now(UTC)) == []
    assert await lifecycle.expire_unpaid(datetime.now(UTC) + timedelta(minutes=31)) == [order.number]
    assert (await Order.get(id=order.id)).status == OrderStatus.CANCELLED
    assert (await Variant.get(id=items["m"].id)).stock == 3 and await ledger_matches_stock()


async def test_cash_on_delivery_adds_its_fee_and_only_where_offered(items):
    token = await cart_with((items["l"], 1))
    cod = Details(**{**ANNA.__dict__, "payment_method": "cod"})
    order = await checkout.place_order(token, cod, "a6")
    assert order.surcharge > 0 and order.total == 3500 + 490 + order.surcharge
    abroad = Details(**{**cod.__dict__, "country": "FR", "postal_code": "75001", "province": ""})
    token = await cart_with((items["l"], 1))
    with pytest.raises(FieldErrors) as invalid:
        await checkout.place_order(token, abroad, "a7")
    assert invalid.value.errors == {"payment_method": "payment_method"}


async def test_two_submits_of_one_attempt_at_once_both_lead_to_its_order(items):
    """A double tap on a slow phone: the submit that loses the race finds the last units taken and the
    cart spent by the other, and must still answer with that attempt's order, not "sold out"."""
    token = await cart_with((items["m"], 3))  # every unit there is
    first, second = await asyncio.gather(
        checkout.place_order(token, ANNA, "double-tap"), checkout.place_order(token, ANNA, "double-tap")
    )
    assert first.id == second.id and await Order.all().count() == 1
    assert (await Variant.get(id=items["m"].id)).stock == 0 and await ledger_matches_stock()


async def test_an_attempt_belongs_to_the_cart_that_made_it(items):
    """An attempt key posted from another session is no way to someone's order, nor spends that cart."""
    token = await cart_with((items["l"], 1))
    await checkout.place_order(token, ANNA, "annas-attempt")
    other = await cart_with((items["m"], 1))
    with pytest.raises(checkout.AttemptNotYours):
        await checkout.place_order(other, ANNA, "annas-attempt")
    assert [line.quantity for line in (await cart.view(other)).lines] == [1]


async def test_an_order_number_already_taken_is_drawn_again(items, monkeypatch):
    token = await cart_with((items["l"], 1))
    taken = (await checkout.place_order(token, ANNA, "first")).number
    numbers = iter([taken, "BT-FRESH2"])
    monkeypatch.setattr(lifecycle, "new_number", lambda: next(numbers))
    token = await cart_with((items["l"], 1))
    assert (await checkout.place_order(token, ANNA, "second")).number == "BT-FRESH2"


def as_(d: Details, **changes) -> Details:
    return Details(**{**d.__dict__, **changes})


async def test_open_unpaid_orders_are_capped_per_email_before_anything_is_written(items):
    placed = [
        await checkout.place_order(await cart_with((items["l"], 1)), as_(ANNA, email=email), f"cap-{n}")
        for n, email in enumerate(["anna@example.com", "Anna@Example.com", "anna@example.com"])
    ]
    token = await cart_with((items["l"], 1))
    with pytest.raises(checkout.TooManyUnpaid) as refused:
        await checkout.place_order(token, as_(ANNA, email="ANNA@example.com", payment_method="card"), "cap-3")
    assert refused.value.by == ["email"]
    assert await Order.all().count() == 3 and await OutboxEmail.all().count() == 3
    assert (await Variant.get(id=items["l"].id)).stock == 7 and await ledger_matches_stock()
    await checkout.place_order(await cart_with((items["l"], 1)), as_(ANNA, email="bruno@example.com"), "cap-4")
    # One paid (or cancelled, or expired) makes room again.
    await lifecycle.transition(placed[0].id, OrderStatus.CANCELLED, actor="staff@example.com")
    await checkout.place_order(token, ANNA, "cap-5")


async def test_open_unpaid_orders_are_capped_per_client_address(items):
    cap = checkout.UnpaidCap(per_email=3, per_address=3)  # the shop's default is 20: NATs share addresses
    for n in range(3):
        await checkout.place_order(
            await cart_with((items["l"], 1)),
            as_(ANNA, email=f"buyer{n}@example.com"),
            f"addr-{n}",
            client_address="203.0.113.7",
            unpaid_cap=cap,
        )
    token = await cart_with((items["l"], 1))
    with pytest.raises(checkout.TooManyUnpaid) as refused:
        await checkout.place_order(
            token, as_(ANNA, email="other@example.com"), "addr-3", client_address="203.0.113.7", unpaid_cap=cap
        )
    assert (refused.value.by, refused.value.most) == (["address"], 3)
    assert (
        await checkout.place_order(
            token, as_(ANNA, email="other@example.com"), "addr-4", client_address="192.0.2.10", unpaid_cap=cap
        )
    ).client_address == "192.0.2.10"


async def test_the_unpaid_card_order_a_cart_replaces_does_not_count_against_the_cap(items):
    for n in range(2):
        await checkout.place_order(await cart_with((items["l"], 1)), ANNA, f"rep-{n}")
    token = await cart_with((items["m"], 1))
    first = await checkout.place_order(token, as_(ANNA, payment_method="card"), "rep-card-1")  # declined, say
    again = await checkout.place_order(token, as_(ANNA, payment_method="card"), "rep-card-2")
    assert (
        await Order.get(id=first.id)
    ).status == OrderStatus.CANCELLED and again.status == OrderStatus.PENDING_PAYMENT
