"""The whole order-status table, pair by pair, as the shop means it: every move allowed, every other refused.
Written out here rather than read from orders.TRANSITIONS, so a change to the table has to change this too."""

from __future__ import annotations

import pytest

from storefront.domain.db import Sql
from storefront.domain.models import Order, OrderStatus
from storefront.domain.orders import lifecycle

S = OrderStatus
REFUNDS = {S.REFUNDED, S.PARTIALLY_REFUNDED}
ALLOWED = {
    S.PENDING_PAYMENT: {S.PAID, S.CANCELLED},  # and packed, for cash on delivery only (below)
    S.PAID: {S.PACKED, S.CANCELLED, *REFUNDS},
    S.PACKED: {S.SHIPPED, S.CANCELLED, *REFUNDS},
    S.SHIPPED: {S.DELIVERED, *REFUNDS},  # a parcel on its way is refunded, never cancelled
    S.DELIVERED: REFUNDS,
    S.PARTIALLY_REFUNDED: {S.PACKED, S.SHIPPED, S.DELIVERED, *REFUNDS},  # the rest of the order goes on
    S.CANCELLED: set(),
    S.REFUNDED: set(),
}


@pytest.mark.parametrize("method", ["card", "bank_transfer", "cod"])
@pytest.mark.parametrize("current", list(S))
@pytest.mark.parametrize("wanted", list(S))
def test_every_status_pair_is_allowed_or_refused_as_the_shop_means(current, wanted, method):
    order = Order(status=current, payment_method=method)
    allowed = wanted in ALLOWED[current] or (current, wanted, method) == (S.PENDING_PAYMENT, S.PACKED, "cod")
    if allowed:
        lifecycle.check(order, wanted)
    else:
        with pytest.raises(lifecycle.InvalidTransition):
            lifecycle.check(order, wanted)


async def test_to_pack_is_one_rule_in_python_the_orm_and_sql(db):
    """Paid orders, and cash-on-delivery orders before payment: the same orders whichever way it is asked."""
    details = {"email": "ada@example.com", "full_name": "Ada", "country": "IT", "subtotal": 100, "total": 100}
    placed = [
        Order(
            number=f"BT-{i}-{method[:4]}",
            idempotency_key=f"{i}-{method}",
            status=status,
            payment_method=method,
            shipping_method="standard",
            shipping_name="Standard",
            **details,
        )
        for i, status in enumerate(S)
        for method in ("card", "bank_transfer", "cod")
    ]
    await Order.bulk_create(placed)
    expected = {
        o.number for o in placed if o.status is S.PAID or (o.status, o.payment_method) == (S.PENDING_PAYMENT, "cod")
    }
    every = await Order.all()
    assert {o.number for o in every if lifecycle.to_pack(o.status, o.payment_method)} == expected
    assert set(await Order.filter(lifecycle.to_pack_q()).values_list("number", flat=True)) == expected
    sql = Sql()
    rows = await sql.rows(f'SELECT number FROM "order" o WHERE {lifecycle.to_pack_sql("o.status", "o.payment_method")}')
    assert {r["number"] for r in rows} == expected
