"""Payments: the use cases the checkout, the return page, the webhook endpoint and staff call.
The provider interface and the built-in providers live in payments/providers.py (re-exported here, so
callers import only this module).

Money moves so that a retry, a double click or a replayed webhook never charges twice:
  begin()            one Payment row per attempt, its idempotency key numbered per order (unique, so two
                     clicks cannot both create one); then the provider's start(), outside any transaction.
  receive_webhook()  the provider reports what happened, signed. Applying it is a conditional UPDATE from
                     the states the event may follow, so a replayed or reordered event changes nothing.
  refund()           reserve the amount on the row, ask the provider, then record it on the order.

A capture for an order no longer waiting for it (expired and cancelled, or already paid by another attempt)
is never accepted silently: it is refunded at once through the provider, with a "payment_refunded_late"
order event. If that refund fails, the payment stays flagged (status captured, failure="late_capture", and
a "payment_refund_failed" event for staff); refund_late_capture() or a replayed webhook retries it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from storefront.domain import money
from storefront.domain.errors import DomainError, NotFound
from storefront.domain.models import Order, OrderStatus, Payment, PaymentStatus
from storefront.domain.orders import lifecycle
from storefront.domain.payments.providers import (  # noqa: F401 (re-exported for callers)
    COD_SURCHARGE,
    MONEY_TAKEN,
    PROVIDERS,
    REFUNDABLE,
    SANDBOX,
    TEST_CARDS,
    BadSignature,
    BankDetails,
    CardEntry,
    CardRejected,
    Provider,
    ProviderError,
    StartResult,
    WebhookEvent,
    bank_details,
    cod_available,
    configure,
    paid_online,
    provider_for,
    return_ok,
    surcharge,
)

P = PaymentStatus
LATE_CAPTURE = "late_capture"


class PaymentNotPossible(DomainError):
    def __init__(self, reason: str):  # "already_paid", "not_payable", "expired", "wrong_method", "busy"
        super().__init__(reason)
        self.reason = reason


class RefundNotPossible(DomainError):
    def __init__(self, reason: str):  # "nothing_captured", "amount", "changed"
        super().__init__(reason)
        self.reason = reason


def _now() -> datetime:
    return datetime.now(UTC)


# --- starting ------------------------------------------------------------------------------------


async def begin(order_id: int, method_code: str, *, return_url: str) -> StartResult:
    """Start paying an order: where to send the shopper (None: nowhere, e.g. cash on delivery).

    A pending attempt is continued (a double click opens the same hosted page); after a failure a new
    attempt starts. return_url should be a path on this site: the browser follows it after a form post,
    and the Content-Security-Policy's form-action allows only 'self'.
    """
    provider = provider_for(method_code)
    order = await Order.get_or_none(id=order_id)
    if order is None:
        raise NotFound(f"order {order_id}")
    if order.status != OrderStatus.PENDING_PAYMENT:
        raise PaymentNotPossible("already_paid" if order.status == OrderStatus.PAID else "not_payable")
    if order.payment_method != method_code:
        raise PaymentNotPossible("wrong_method")  # the total (surcharge) was computed for the order's method
    if order.expires_at and order.expires_at <= _now():
        raise PaymentNotPossible("expired")
    payment = await _pending_attempt(order, provider.code)
    result = await provider.start(payment, return_url=return_url)  # a network call: no transaction open
    if result.reference and payment.reference != result.reference:
        await Payment.filter(id=payment.id, reference=None).update(reference=result.reference, updated_at=_now())
    return result


async def _pending_attempt(order: Order, provider_code: str) -> Payment:
    """The attempt to continue, or a new one. Attempts are numbered per order and the number is part of
    the unique idempotency key, so two concurrent calls cannot both create one."""
    for _ in range(3):
        pending = (
            await Payment.filter(order_id=order.id, provider=provider_code, status=P.PENDING).order_by("-id").first()
        )
        if pending:
            return pending
        # Numbered by the attempts that ended, so concurrent first clicks all try the same key and
        # collide, whatever they saw of each other.
        attempt = await Payment.filter(order_id=order.id).exclude(status=P.PENDING).count() + 1
        try:
            return await Payment.create(
                order_id=order.id,
                provider=provider_code,
                amount=order.total,
                idempotency_key=f"{order.number}-{attempt}",
            )
        except IntegrityError:
            continue  # the other click created it first: use theirs
    raise PaymentNotPossible("busy")


# --- what providers report ------------------------------------------------------------------------


async def receive_webhook(provider_code: str, body: bytes, signature: str) -> str:
    """Apply what a provider reports. Returns what happened: captured, failed, duplicate, ignored,
    refunded_late, flagged. Raises BadSignature (nothing changed) or NotFound (no such provider)."""
    provider = provider_for(provider_code)
    event = provider.verify_webhook(body, signature)
    payment = await Payment.get_or_none(reference=event.reference, provider=provider_code)
    if payment is None:
        return "ignored"  # signed, but not a payment of ours (another environment's)
    if event.kind == "captured":
        return await _captured(payment, event)
    if event.kind == "failed":
        return await _failed(payment, event)
    return "ignored"


async def _captured(payment: Payment, event: WebhookEvent) -> str:
    async with in_transaction() as conn:
        # From pending, or from failed: money the provider took is real even if it reported a failure first.
        taken = (
            await Payment.filter(id=payment.id, status__in=[P.PENDING, P.FAILED])
            .using_db(conn)
            .update(
                status=P.CAPTURED,
                card_brand=event.card_brand,
                card_last4=event.card_last4,
                failure="",
                updated_at=_now(),
            )
        )
        if taken:
            try:
                await lifecycle.transition(payment.order_id, OrderStatus.PAID, conn=conn, note=_card_note(event))
                return "captured"
            except lifecycle.InvalidTransition:
                # Expired and cancelled, or paid by another attempt. transition() refuses before writing,
                # so this transaction holds only the capture: flag it now, refund once committed.
                await Payment.filter(id=payment.id).using_db(conn).update(failure=LATE_CAPTURE)
    if not taken:
        current = await Payment.get(id=payment.id)
        if not (current.status == P.CAPTURED and current.failure == LATE_CAPTURE):
            return "duplicate"
    return await refund_late_capture(payment.id)  # outside the transaction: it calls the provider


async def _failed(payment: Payment, event: WebhookEvent) -> str:
    async with in_transaction() as conn:
        # Only a pending attempt can fail: after a capture, "failed" is stale news arriving out of order.
        changed = (
            await Payment.filter(id=payment.id, status=P.PENDING)
            .using_db(conn)
            .update(
                status=P.FAILED,
                failure=event.failure or "declined",
                card_brand=event.card_brand,
                card_last4=event.card_last4,
                updated_at=_now(),
            )
        )
        if not changed:
            return "ignored"
        order = await Order.get(id=payment.order_id, using_db=conn)
        await lifecycle.record(order, "payment_failed", conn, note=event.failure or "declined")
    return "failed"


def _card_note(event: WebhookEvent) -> str:
    return f"{event.card_brand} •••• {event.card_last4}" if event.card_last4 else ""


# --- giving money back ----------------------------------------------------------------------------


async def refund_late_capture(payment_id: int) -> str:
    """Give back a payment captured for an order that no longer wanted it; staff may call it again."""
    payment = await Payment.get(id=payment_id).select_related("order")
    if payment.status != P.CAPTURED or payment.failure != LATE_CAPTURE:
        return "duplicate"
    note = f"payment {payment.idempotency_key} arrived when the order was {payment.order.status}"
    try:
        await _refund_payment(payment, payment.amount - payment.refunded_amount)
    except (ProviderError, RefundNotPossible) as exc:
        async with in_transaction() as conn:
            await lifecycle.record(
                payment.order, "payment_refund_failed", conn, note=f"{note}; refund it by hand ({exc})"
            )
        return "flagged"
    async with in_transaction() as conn:
        await lifecycle.record(payment.order, "payment_refunded_late", conn, note=f"{note}; refunded in full")
    return "refunded_late"


async def _refund_payment(payment: Payment, amount: int) -> None:
    """Reserve the amount on the row, then ask the provider; give the reservation back if it says no.
    The key names the refund by what was refunded before it, so a retried call is the same refund."""
    if not 0 < amount <= payment.amount - payment.refunded_amount:
        raise RefundNotPossible("amount")
    before = payment.refunded_amount
    reserved = await Payment.filter(id=payment.id, refunded_amount=before, status__in=REFUNDABLE).update(
        refunded_amount=before + amount, updated_at=_now()
    )
    if not reserved:
        raise RefundNotPossible("changed")  # another refund ran meanwhile
    try:
        await provider_for(payment.provider).refund(
            payment, amount, idempotency_key=f"{payment.idempotency_key}-r{before}"
        )
    except Exception as exc:  # refused or unreachable; a retry reuses the key, so it cannot refund twice
        await Payment.filter(id=payment.id).update(refunded_amount=F("refunded_amount") - amount)
        if isinstance(exc, ProviderError):
            raise
        raise ProviderError(str(exc)) from exc
    await Payment.filter(id=payment.id, refunded_amount__gte=payment.amount).update(status=P.REFUNDED)
    await Payment.filter(id=payment.id, refunded_amount__lt=payment.amount).update(status=P.PARTIALLY_REFUNDED)


async def refund(order_id: int, amount: int, actor: str) -> Order:
    """Give money back to the shopper (staff), never more than was captured. The order becomes refunded
    or partially refunded; a cancelled order keeps its status and gets a "payment_refunded" event."""
    order = await Order.get_or_none(id=order_id)
    if order is None:
        raise NotFound(f"order {order_id}")
    payment = refundable(await Payment.filter(order_id=order_id))
    if payment is None:
        raise RefundNotPossible("nothing_captured")
    if order.status != OrderStatus.CANCELLED:
        lifecycle.check(order, OrderStatus.PARTIALLY_REFUNDED)  # refused with its reason before any money moves
    await _refund_payment(payment, amount)
    note = f"{money.form_value(amount, decimal_mark='.')} {order.currency} refunded"
    for _ in range(3):
        try:
            async with in_transaction() as conn:
                # The write comes first: SQLite with several processes needs it; PostgreSQL locks the row.
                await Order.filter(id=order_id).using_db(conn).update(refunded_total=F("refunded_total") + amount)
                order = await Order.get(id=order_id, using_db=conn)
                if order.status == OrderStatus.CANCELLED:
                    await lifecycle.record(order, "payment_refunded", conn, note=note, actor=actor)
                    return order
                wanted = OrderStatus.REFUNDED if fully_refunded(order) else OrderStatus.PARTIALLY_REFUNDED
                return await lifecycle.transition(order_id, wanted, actor=actor, note=note, conn=conn)
        except lifecycle.InvalidTransition:
            continue  # the order changed meanwhile (rolled back): read it again
    raise RefundNotPossible("changed")


# --- what an order's payments add up to ---------------------------------------------------------


def taken(payments_: list[Payment]) -> list[Payment]:
    """The payments whose money the shop got (refunded since or not)."""
    return [p for p in payments_ if p.status in MONEY_TAKEN]


def refundable(payments_: list[Payment]) -> Payment | None:
    """The payment a refund goes back through: the first captured one, never a late capture (that one
    is given back whole by refund_late_capture)."""
    usable = (p for p in payments_ if p.status in REFUNDABLE and p.failure != LATE_CAPTURE)
    return min(usable, key=lambda p: p.id, default=None)


def money_taken(order: Order) -> bool:
    """Whether the shopper paid: money taken by a provider, or marked paid by staff (the courier's cash).
    `order` with its payments and events fetched."""
    return bool(taken(list(order.payments))) or any(e.kind == OrderStatus.PAID for e in order.events)


def fully_refunded(order: Order) -> bool:
    """Everything the order cost went back (a cancelled order keeps its status, so the amounts decide)."""
    return order.refunded_total >= order.total


# --- staff and pages ------------------------------------------------------------------------------


async def mark_paid(order_id: int, *, actor: str) -> Order:
    """Staff saw the money arrive (a bank transfer, or the courier's cash)."""
    order = await Order.get_or_none(id=order_id)
    if order is None:
        raise NotFound(f"order {order_id}")
    if order.status != OrderStatus.PENDING_PAYMENT:
        raise PaymentNotPossible("not_payable")
    payment = await _pending_attempt(order, order.payment_method)
    async with in_transaction() as conn:
        captured = (
            await Payment.filter(id=payment.id, status=P.PENDING)
            .using_db(conn)
            .update(status=P.CAPTURED, updated_at=_now())
        )
        if not captured:
            raise PaymentNotPossible("busy")
        return await lifecycle.transition(order.id, OrderStatus.PAID, actor=actor, conn=conn, note="marked paid")


async def sandbox_payment(reference: str) -> Payment:
    """The payment behind a sandbox hosted page, with its order."""
    payment = await Payment.get_or_none(reference=reference, provider=SANDBOX.code).select_related("order")
    if payment is None:
        raise NotFound(reference)
    return payment


async def sandbox_cancel(reference: str) -> Payment:
    """The shopper pressed "Cancel" on the sandbox's page: like a gateway ending its checkout session,
    a signed "failed" webhook (failure "cancelled"). A payment already decided stays as it is."""
    payment = await sandbox_payment(reference)
    if payment.status == P.PENDING:
        await receive_webhook(SANDBOX.code, *SANDBOX.abandon(payment))
    return await sandbox_payment(reference)


async def sandbox_pay(reference: str, entry: CardEntry, *, today: date | None = None) -> Payment:
    """The shopper pressed "Pay" on the sandbox's page. Card problems raise CardRejected; otherwise the
    gateway answers (test cards) with a signed webhook, delivered here in-process."""
    payment = await sandbox_payment(reference)
    if payment.status != P.PENDING:
        return payment  # a second press of "Pay": the first one decided
    body, signature = SANDBOX.charge(payment, entry, today or _now().date())
    await receive_webhook(SANDBOX.code, body, signature)
    return await sandbox_payment(reference)
