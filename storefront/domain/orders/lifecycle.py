"""Order status: one transition table, an event for every change, stock back on cancellation.

pending_payment -> paid -> packed -> shipped -> delivered
cash on delivery skips "paid" (the courier collects): pending_payment -> packed
cancelled from pending_payment, paid or packed; refunds once the money was taken.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from storefront.domain import email_address
from storefront.domain.basket import cart
from storefront.domain.db import literal
from storefront.domain.errors import DomainError
from storefront.domain.inventory import stock
from storefront.domain.models import Order, OrderEvent, OrderLine, OrderStatus, Payment, PaymentStatus
from storefront.domain.offers import limits
from storefront.domain.orders import notifications
from storefront.domain.payments.providers import CashOnDelivery, paid_online

S = OrderStatus
TRANSITIONS: dict[OrderStatus, set[OrderStatus]] = {
    S.PENDING_PAYMENT: {S.PAID, S.PACKED, S.CANCELLED},  # PACKED only for cash on delivery
    S.PAID: {S.PACKED, S.CANCELLED, S.REFUNDED, S.PARTIALLY_REFUNDED},
    S.PACKED: {S.SHIPPED, S.CANCELLED, S.REFUNDED, S.PARTIALLY_REFUNDED},
    S.SHIPPED: {S.DELIVERED, S.REFUNDED, S.PARTIALLY_REFUNDED},
    S.DELIVERED: {S.REFUNDED, S.PARTIALLY_REFUNDED},
    S.PARTIALLY_REFUNDED: {S.REFUNDED, S.PARTIALLY_REFUNDED, S.PACKED, S.SHIPPED, S.DELIVERED},
    S.CANCELLED: set(),
    S.REFUNDED: set(),
}
FINAL = {S.DELIVERED, S.CANCELLED, S.REFUNDED}
# What waits to be packed: status -> the payment methods it is so for (None: any). Paid orders, and
# cash-on-delivery orders before anyone pays (the courier collects on the doorstep). The order list's
# queues, the dashboard's count (SQL) and the transition check all read it through the functions below.
TO_PACK: dict[OrderStatus, frozenset[str] | None] = {
    S.PAID: None,
    S.PENDING_PAYMENT: frozenset({CashOnDelivery.code}),
}
# Emails the shopper gets when an order reaches a status (see email_for for the online-payment cases).
EMAILS = {
    S.PAID: "payment_received",
    S.SHIPPED: "shipped",
    S.CANCELLED: "cancelled",
    S.REFUNDED: "refunded",
    S.PARTIALLY_REFUNDED: "refunded",
}

_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read out on the phone without mistakes


class InvalidTransition(DomainError):
    def __init__(self, current: OrderStatus, wanted: OrderStatus, reason: str):
        super().__init__(f"{current} -> {wanted}: {reason}")
        self.current, self.wanted, self.reason = current, wanted, reason


def new_number() -> str:
    return "BT-" + "".join(secrets.choice(_ALPHABET) for _ in range(6))


def to_pack(status: str, payment_method: str) -> bool:
    methods = TO_PACK.get(OrderStatus(status), frozenset())
    return methods is None or payment_method in methods


def to_pack_q() -> Q:
    """to_pack as an ORM filter on orders."""
    return Q(
        *(Q(status=s) if m is None else Q(status=s, payment_method__in=sorted(m)) for s, m in TO_PACK.items()),
        join_type=Q.OR,
    )


def to_pack_sql(status: str, payment_method: str) -> str:
    """to_pack as a SQL condition on these columns."""
    cases = []
    for each, methods in TO_PACK.items():
        case = f"{status} = {literal(each.value)}"
        if methods is not None:
            case += f" AND {payment_method} IN ({', '.join(literal(m) for m in sorted(methods))})"
        cases.append(f"({case})")
    return f"({' OR '.join(cases)})"


def check(order: Order, wanted: OrderStatus) -> None:
    current = OrderStatus(order.status)
    if wanted not in TRANSITIONS[current]:
        raise InvalidTransition(current, wanted, "not allowed from this status")
    if current is S.PENDING_PAYMENT and wanted is S.PACKED and not to_pack(current, order.payment_method):
        raise InvalidTransition(current, wanted, "only cash-on-delivery orders are packed before payment")


def email_for(order: Order, wanted: OrderStatus) -> str | None:
    """The email an order reaching `wanted` sends. An order paid online is confirmed only once the money
    is in, so its confirmation goes out then; one that never got paid was never confirmed, and its
    cancellation (expired, abandoned, replaced by another try) is not news to write about."""
    if paid_online(order.payment_method) and order.status == S.PENDING_PAYMENT:
        return {S.PAID: "order_confirmation", S.CANCELLED: None}.get(wanted, EMAILS.get(wanted))
    return EMAILS.get(wanted)


async def record(order: Order, kind: str, conn, note: str = "", actor: str = "system") -> None:
    await OrderEvent.create(order_id=order.id, kind=kind, note=note[:255], actor=actor, using_db=conn)


async def transition(
    order_id: int, wanted: OrderStatus, *, actor: str = "system", note: str = "", conn=None, **changes
) -> Order:
    """Move an order to a status, with its event, email and (for cancellations) the stock back.

    The status is changed by a conditional UPDATE on the status read, so two concurrent changes
    cannot both succeed from the same status.
    """
    if conn is None:
        # Read outside, write first inside: SQLite with several processes cannot upgrade a transaction
        # that began with a read; the conditional UPDATE below catches any change in between.
        order = await Order.get(id=order_id)
        check(order, wanted)
        async with in_transaction() as conn:
            return await _apply(order, wanted, actor, note, conn, changes)
    order = await Order.get(id=order_id, using_db=conn)
    check(order, wanted)
    return await _apply(order, wanted, actor, note, conn, changes)


async def _apply(order: Order, wanted: OrderStatus, actor: str, note: str, conn, changes: dict) -> Order:
    updated = (
        await Order.filter(id=order.id, status=order.status)
        .using_db(conn)
        .update(status=wanted, updated_at=datetime.now(UTC), **changes)
    )
    if not updated:
        raise InvalidTransition(OrderStatus(order.status), wanted, "changed by someone else meanwhile")
    if wanted is S.CANCELLED:
        await _return_stock(order, conn)
        if order.status == S.PENDING_PAYMENT:  # never paid: the promotions it counted are given back
            await limits.release(order.number, conn)
        # A payment page still open for it must not take money for a cancelled order.
        await (
            Payment.filter(order_id=order.id, status=PaymentStatus.PENDING)
            .using_db(conn)
            .update(status=PaymentStatus.FAILED, failure="expired")
        )
    if wanted is S.PAID and paid_online(order.payment_method):
        await cart.spend(order.id, conn)  # the cart it came from has now become this order
    await record(order, wanted.value, conn, note=note, actor=actor)
    email = email_for(order, wanted)
    if email:
        await notifications.queue(email, order.id, order.email, conn)
    await order.refresh_from_db(using_db=conn)
    return order


async def replace(order: Order, by: str, conn) -> None:
    """Cancel an unpaid order placed online that a new order from the same cart replaces, giving its
    stock to the new one. `order` is as read before the transaction: the status UPDATE comes first in
    it (SQLite with several processes needs that) and refuses if the order was paid meanwhile."""
    check(order, S.CANCELLED)
    await _apply(order, S.CANCELLED, "customer", f"replaced by {by}", conn, {})


async def _return_stock(order: Order, conn) -> None:
    lines = await OrderLine.filter(order_id=order.id).using_db(conn)
    for line in sorted(lines, key=lambda each: each.variant_id):
        await stock.adjust(line.variant_id, line.quantity, stock.Reason.RETURNED, order.number, conn=conn)


async def expire_unpaid(now: datetime | None = None) -> list[str]:
    """Cancel orders still unpaid after their deadline, returning their stock; the order numbers."""
    now = now or datetime.now(UTC)
    expired = []
    for order in await Order.filter(status=S.PENDING_PAYMENT, expires_at__lt=now):
        try:
            await transition(order.id, S.CANCELLED, note="payment not received in time")
            expired.append(order.number)
        except InvalidTransition:
            pass  # paid or cancelled meanwhile
    return expired


# --- what a customer may see ------------------------------------------------------------------------


async def with_timeline(number: str) -> Order | None:
    """An order with what its page shows: lines, events (the timeline) and payments."""
    return await Order.get_or_none(number=number).prefetch_related("lines", "events", "payments")


async def look_up(number: str, email: str) -> Order | None:
    """The order a customer asks for by its number and email. A wrong number and a wrong email both give
    None, so the answer tells nobody which orders exist."""
    number = number.strip().upper()
    order = await Order.get_or_none(number=number) if number else None
    if order is None or email_address.normalise(order.email) != email_address.normalise(email):
        return None
    return order
