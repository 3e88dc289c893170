"""Fulfilment: what staff do to an order (mark it paid, pack, ship, mark delivered, cancel, refund) and
the order list they work from. Every action is checked against the transition table in orders/lifecycle.py and
written to the audit log with who did it.

Every action takes the status the staff member saw (`seen`). An order someone else changed meanwhile is
refused with InvalidTransition (carrying the status it has now) instead of being changed on a stale view.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from urllib.parse import quote

from tortoise.expressions import Q
from tortoise.functions import Count
from tortoise.transactions import in_transaction

from storefront.domain import as_typed, money, shop_time
from storefront.domain.errors import NotFound
from storefront.domain.forms import FieldErrors
from storefront.domain.models import (
    Order,
    OrderLine,
    OrderStatus,
    ShippingMethod,
    Staff,
)
from storefront.domain.orders import lifecycle
from storefront.domain.orders.lifecycle import InvalidTransition
from storefront.domain.payments import service as payments
from storefront.domain.staff import accounts

S = OrderStatus
CHANGED = "changed by someone else meanwhile"
# What each action moves the order to. A refund becomes "partially refunded" or "refunded" by amount.
ACTIONS: dict[str, OrderStatus] = {
    "mark_paid": S.PAID,
    "pack": S.PACKED,
    "ship": S.SHIPPED,
    "deliver": S.DELIVERED,
    "cancel": S.CANCELLED,
    "refund": S.PARTIALLY_REFUNDED,
}
STEPS = [S.PAID, S.PACKED, S.SHIPPED, S.DELIVERED]  # the way a parcel goes, in order
PAGE_SIZE = 50
CARRIER_MAX, TRACKING_MAX = 60, 80
_TRACKING = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ./-]*$")


# --- what may be done ---------------------------------------------------------------------------


def refusal(order: Order, action: str, event_kinds: list[str], refundable: int) -> str | None:
    """Why an action cannot be done to the order now, or None if it can. The transition table decides;
    on top of it a partly refunded order only moves on to its next fulfilment step (the table lets it
    return to any of them)."""
    wanted = ACTIONS[action]
    if action == "mark_paid" and payments.paid_online(order.payment_method):
        return "paid_by_provider"  # card payments are captured by the provider, never by hand
    if action == "refund":
        if refundable <= 0:
            return "nothing_to_refund"
        if order.status == S.CANCELLED:
            return None  # money taken for a cancelled order goes back; its status stays
    try:
        lifecycle.check(order, wanted)
    except InvalidTransition as exc:
        return exc.reason
    if order.status == S.PARTIALLY_REFUNDED and wanted in STEPS:
        reached = max((STEPS.index(S(kind)) for kind in event_kinds if kind in set(STEPS)), default=0)
        if STEPS.index(wanted) != reached + 1:
            return "not the next step"
    return None


def allowed(order: Order, event_kinds: list[str], refundable: int) -> list[str]:
    return [action for action in ACTIONS if refusal(order, action, event_kinds, refundable) is None]


def refundable_amount(order: Order, payments_: list) -> int:
    """What can still go back to the shopper: the captured payment payments.refund would use."""
    payment = payments.refundable(payments_)
    return payment.amount - payment.refunded_amount if payment else 0


# --- reading -------------------------------------------------------------------------------------


@dataclass
class Detail:
    """An order as staff see it: everything fetched, with the actions its status allows."""

    order: Order  # with lines, events and payments
    method: ShippingMethod | None
    actions: list[str]
    refundable: int  # cents

    @property
    def pickup(self) -> bool:
        return bool(self.method and self.method.pickup)

    @property
    def offline(self) -> bool:
        """The money arrives outside the shop (bank transfer, the courier's cash): staff record it."""
        return not payments.paid_online(self.order.payment_method)


async def detail(number: str) -> Detail:
    order = await Order.get_or_none(number=number).prefetch_related("lines", "events", "payments")
    if order is None:
        raise NotFound(number)
    method = await ShippingMethod.get_or_none(code=order.shipping_method)
    payments_ = sorted(order.payments, key=lambda p: p.id)
    refundable = refundable_amount(order, payments_)
    actions = allowed(order, [e.kind for e in order.events], refundable)
    return Detail(order, method, actions, refundable)


async def _fresh(order_id: int) -> tuple[Order, list[str], int]:
    order = await Order.get_or_none(id=order_id).prefetch_related("events", "payments")
    if order is None:
        raise NotFound(f"order {order_id}")
    return order, [e.kind for e in order.events], refundable_amount(order, list(order.payments))


def _refuse_unless_allowed(order: Order, action: str, kinds: list[str], refundable: int, seen) -> None:
    current = OrderStatus(order.status)
    if seen is not None and OrderStatus(seen) != current:
        raise InvalidTransition(current, ACTIONS[action], CHANGED)
    reason = refusal(order, action, kinds, refundable)
    if reason:
        raise InvalidTransition(current, ACTIONS[action], reason)


async def _status_now(order_id: int) -> OrderStatus:
    return OrderStatus((await Order.get(id=order_id)).status)


# --- acting --------------------------------------------------------------------------------------


def _subject(order: Order) -> str:
    return f"order:{order.number}"


async def _move(
    order_id: int,
    action: str,
    staff: Staff,
    seen,
    *,
    note: str = "",
    before: dict | None = None,
    after: dict | None = None,
    **changes,
) -> Order:
    """One status change with its audit entry, in one transaction."""
    order, kinds, refundable = await _fresh(order_id)
    _refuse_unless_allowed(order, action, kinds, refundable, seen)
    wanted = ACTIONS[action]
    try:
        async with in_transaction() as conn:
            # The write comes first: SQLite with several processes needs it, and on PostgreSQL it locks
            # the row until commit, so the status staff saw is the one we change.
            if (
                not await Order.filter(id=order.id, status=order.status)
                .using_db(conn)
                .update(updated_at=datetime.now(UTC))
            ):
                raise InvalidTransition(OrderStatus(order.status), wanted, CHANGED)
            await accounts.audit(
                staff,
                f"order.{action}",
                _subject(order),
                {"status": order.status.value, **(before or {})},
                {"status": wanted.value, **(after or {})},
                conn=conn,
            )
            return await lifecycle.transition(
                order.id, wanted, actor=staff.email[:120], note=note, conn=conn, **changes
            )
    except InvalidTransition as exc:
        if exc.reason == CHANGED:  # rolled back: say what the order is now
            raise InvalidTransition(await _status_now(order.id), wanted, CHANGED) from None
        raise


async def mark_paid(order_id: int, staff: Staff, seen=None) -> Order:
    """The bank transfer arrived, or the courier handed over the cash."""
    order, kinds, refundable = await _fresh(order_id)
    _refuse_unless_allowed(order, "mark_paid", kinds, refundable, seen)
    try:
        paid = await payments.mark_paid(order.id, actor=staff.email[:120])
    except payments.PaymentNotPossible:
        raise InvalidTransition(await _status_now(order.id), S.PAID, CHANGED) from None
    # payments.mark_paid commits on its own, so the audit entry follows it (nothing to undo if it fails).
    await accounts.audit(
        staff,
        "order.mark_paid",
        _subject(order),
        {"status": order.status.value},
        {"status": paid.status.value, "payment_method": order.payment_method},
    )
    return paid


async def pack(order_id: int, staff: Staff, seen=None) -> Order:
    return await _move(order_id, "pack", staff, seen)


async def deliver(order_id: int, staff: Staff, seen=None) -> Order:
    return await _move(order_id, "deliver", staff, seen)


async def cancel(order_id: int, staff: Staff, seen=None, *, confirmed: bool = True) -> Order:
    """Cancel the order; orders.transition puts its stock back and queues the email."""
    order, kinds, refundable = await _fresh(order_id)
    _refuse_unless_allowed(order, "cancel", kinds, refundable, seen)  # a stale page first, then the box
    if not confirmed:
        raise FieldErrors({"confirm": "required"})
    lines = await OrderLine.filter(order_id=order_id).order_by("id")
    returned = {line.sku: line.quantity for line in lines}
    return await _move(order_id, "cancel", staff, seen, note="cancelled by staff", after={"stock_returned": returned})


def tracking_url(template: str, number: str) -> str:
    """The carrier's tracking page for a parcel: the method's template with the number filled in."""
    if not template or not number:
        return ""
    return template.replace("{number}", quote(number, safe="")) if "{number}" in template else template


def shipment_errors(carrier: str, tracking_number: str, pickup: bool) -> dict[str, str]:
    errors = {}
    if not carrier and not pickup:
        errors["carrier"] = "required"
    elif len(carrier) > CARRIER_MAX:
        errors["carrier"] = "too_long"
    if not tracking_number:
        if not pickup:  # collected in the shop: no parcel to track
            errors["tracking_number"] = "required"
    elif len(tracking_number) > TRACKING_MAX:
        errors["tracking_number"] = "too_long"
    elif not _TRACKING.match(tracking_number):
        errors["tracking_number"] = "format"
    return errors


async def ship(order_id: int, staff: Staff, carrier: str, tracking_number: str, seen=None) -> Order:
    """The parcel left: carrier and tracking number on the order, the tracking link made from the
    shipping method's template (only for the method's own carrier), and the "shipped" email queued."""
    order, kinds, refundable = await _fresh(order_id)
    _refuse_unless_allowed(order, "ship", kinds, refundable, seen)  # a stale page first, then the fields
    carrier, tracking_number = " ".join(carrier.split()), tracking_number.strip()
    method = await ShippingMethod.get_or_none(code=order.shipping_method)
    errors = shipment_errors(carrier, tracking_number, bool(method and method.pickup))
    if errors:
        raise FieldErrors(errors)
    same_carrier = method is not None and method.carrier.casefold() == carrier.casefold()
    url = tracking_url(method.tracking_url, tracking_number) if same_carrier and method is not None else ""
    shipment = {"carrier": carrier, "tracking_number": tracking_number, "tracking_url": url}
    before = {"carrier": order.carrier, "tracking_number": order.tracking_number}
    return await _move(
        order_id,
        "ship",
        staff,
        seen,
        note=" ".join(filter(None, [carrier, tracking_number])),
        before=before,
        after=shipment,
        **shipment,
    )


def parse_amount(text: str) -> int:
    """The amount to refund, as staff type it ("12,50", "â¬ 12.50", "1.234,50"), in cents. Raises FieldErrors."""
    try:
        amount = money.parse_money(text)
    except money.InvalidMoney:
        raise FieldErrors({"amount": "format"}) from None
    if amount is None:
        raise FieldErrors({"amount": "required"})
    return amount


async def refund(order_id: int, staff: Staff, amount_text: str, seen=None) -> Order:
    """Give money back through the payment provider: never more than was captured and not yet refunded."""
    order, kinds, refundable = await _fresh(order_id)
    _refuse_unless_allowed(order, "refund", kinds, refundable, seen)
    amount = parse_amount(amount_text)
    if amount <= 0:
        raise FieldErrors({"amount": "zero"})
    if amount > refundable:
        raise FieldErrors({"amount": "too_much"}, {"amount": refundable})
    before = {"status": order.status.value, "refunded_total": order.refunded_total}
    try:
        refunded = await payments.refund(order.id, amount, actor=staff.email[:120])
    except payments.RefundNotPossible as exc:
        if exc.reason == "changed":
            raise InvalidTransition(await _status_now(order.id), S.PARTIALLY_REFUNDED, CHANGED) from None
        raise FieldErrors(
            {"amount": "too_much" if exc.reason == "amount" else "nothing_to_refund"}, {"amount": refundable}
        ) from None
    except payments.ProviderError as exc:
        raise FieldErrors({"amount": "provider"}, {"amount": str(exc)}) from None
    # payments.refund talks to the provider between its transactions, so the audit entry follows it.
    await accounts.audit(
        staff,
        "order.refund",
        _subject(order),
        before,
        {"status": refunded.status.value, "refunded_total": refunded.refunded_total, "amount": amount},
    )
    return refunded


# --- the order list ------------------------------------------------------------------------------

# Work queues rather than bare statuses: what is to pack is orders.to_pack (cash on delivery before payment).
QUEUES: dict[str, Q] = {
    "unpaid": Q(status=S.PENDING_PAYMENT) & ~lifecycle.to_pack_q(),
    "to_pack": lifecycle.to_pack_q(),
    "to_ship": Q(status=S.PACKED),
    "shipped": Q(status=S.SHIPPED),
    "delivered": Q(status=S.DELIVERED),
    "partially_refunded": Q(status=S.PARTIALLY_REFUNDED),
    "refunded": Q(status=S.REFUNDED),
    "cancelled": Q(status=S.CANCELLED),
}
PAYMENT_METHODS = tuple(payments.PROVIDERS)


def queue_of(status: str, payment_method: str) -> str:
    if lifecycle.to_pack(status, payment_method):
        return "to_pack"
    return {S.PENDING_PAYMENT: "unpaid", S.PACKED: "to_ship"}.get(S(status), str(status))


def _day(text: str) -> date | None:
    try:
        return shop_time.parse_day(text)
    except ValueError:
        return None


@dataclass(frozen=True)
class Filters:
    queue: str = ""
    payment_method: str = ""
    date_from: date | None = None
    date_to: date | None = None
    text: str = ""  # an order number, email or name, or part of one
    page: int = 1

    @classmethod
    def from_query(cls, params) -> Filters:
        """From a query string; values that make no sense are ignored rather than refused."""
        return cls(
            queue=q if (q := params.get("status", "")) in QUEUES else "",
            payment_method=m if (m := params.get("payment", "")) in PAYMENT_METHODS else "",
            date_from=_day(params.get("from", "")),
            date_to=_day(params.get("to", "")),
            text=" ".join(as_typed.search_text(params.get("q"), 120).split()),
            page=as_typed.page(params.get("page"), 10_000),
        )

    def query(self, **changes) -> dict[str, str]:
        """The filters as query parameters (for links that change one of them)."""
        values = {
            "status": self.queue,
            "payment": self.payment_method,
            "q": self.text,
            "from": self.date_from.isoformat() if self.date_from else "",
            "to": self.date_to.isoformat() if self.date_to else "",
            "page": str(self.page),
        }
        values.update(changes)
        return {k: v for k, v in values.items() if v and not (k == "page" and v == "1")}


@dataclass
class OrderList:
    orders: list[Order]
    total: int
    page: int
    pages: int
    counts: dict[str, int] = field(default_factory=dict)  # per queue, under the other filters


def _narrowed(filters: Filters):
    """Every filter but the queue, which the counts are broken down by."""
    query = Order.all()
    if filters.payment_method:
        query = query.filter(payment_method=filters.payment_method)
    if filters.date_from:
        query = query.filter(created_at__gte=shop_time.day_start(filters.date_from))
    if filters.date_to:
        query = query.filter(created_at__lt=shop_time.day_end(filters.date_to))
    if filters.text:
        text = filters.text
        query = query.filter(Q(number__icontains=text) | Q(email__icontains=text) | Q(full_name__icontains=text))
    return query


async def find(filters: Filters) -> OrderList:
    """Newest first, PAGE_SIZE a page, with the count of every queue."""
    groups = (
        await _narrowed(filters)
        .annotate(n=Count("id"))
        .group_by("status", "payment_method")
        .values("status", "payment_method", "n")
    )
    counts = dict.fromkeys(QUEUES, 0)
    for group in groups:
        counts[queue_of(group["status"], group["payment_method"])] += group["n"]
    query = _narrowed(filters)
    if filters.queue:
        query = query.filter(QUEUES[filters.queue])
    total = counts[filters.queue] if filters.queue else sum(counts.values())
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(filters.page, pages)
    found = await query.order_by("-created_at", "-id").offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)
    return OrderList(found, total, page, pages, counts)
