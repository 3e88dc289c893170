"""Payments in the domain: card rules, the sandbox gateway, webhooks applied once whatever their order,
late captures refunded, refunds never above what was captured, and card numbers kept out of our tables."""

from __future__ import annotations

import asyncio
import itertools
import json
import re
from datetime import UTC, date, datetime, timedelta

import pytest

from storefront.domain import checkout
from storefront.domain import models as m
from storefront.domain.errors import NotFound
from storefront.domain.models import Order, OrderEvent, OrderStatus, OutboxEmail, Payment, PaymentStatus
from storefront.domain.orders import lifecycle
from storefront.domain.payments import providers
from storefront.domain.payments import service as payments
from storefront.domain.payments.service import CardEntry

RETURN = "/checkout/return/BT-TEST"
GOOD = "4242 4242 4242 4242"
_n = itertools.count(1)


@pytest.fixture(autouse=True)
def payment_keys(monkeypatch):
    monkeypatch.setattr(providers, "_secret", None)
    payments.configure("test-secret")


async def make_order(
    method: str = "card", total: int = 4200, expires_in: timedelta | None = timedelta(minutes=30), **fields
) -> Order:
    n = next(_n)
    expires_at = datetime.now(UTC) + expires_in if expires_in is not None else None
    return await Order.create(
        number=f"BT-T{n:05d}",
        idempotency_key=f"checkout-{n}",
        email="ada@example.com",
        full_name="Ada Lovelace",
        address="Via Roma 1",
        postal_code="00100",
        city="Roma",
        country="IT",
        shipping_method="standard",
        shipping_name="Standard courier",
        payment_method=method,
        subtotal=total,
        total=total,
        expires_at=expires_at,
        **fields,
    )


def card(number: str = GOOD, expiry: str = "12/99", cvc: str = "123", name: str = "Ada Lovelace") -> CardEntry:
    return CardEntry(number=number, expiry=expiry, cvc=cvc, name=name)


async def start(order: Order) -> str:
    """Begin a card payment; its sandbox reference."""
    result = await payments.begin(order.id, "card", return_url=RETURN)
    assert result.redirect_url and result.reference
    return result.reference


def signed(event: dict) -> tuple[bytes, str]:
    body = json.dumps(event).encode()
    return body, payments.SANDBOX.sign(body)


def captured(reference: str, amount: int = 4200) -> tuple[bytes, str]:
    return signed(
        {
            "event": "captured",
            "reference": reference,
            "amount": amount,
            "card_brand": "visa",
            "card_last4": "4242",
            "failure": "",
        }
    )


async def kinds(order: Order) -> list[str]:
    return [e.kind for e in await OrderEvent.filter(order_id=order.id).order_by("id")]


# --- card rules (no database) --------------------------------------------------------------------

TODAY = date(2026, 11, 29)


def test_luhn_and_brands():
    assert providers.luhn_valid("4242424242424242")
    assert not providers.luhn_valid("4242424242424241")
    assert providers.card_brand("4242424242424242") == "visa"
    assert providers.card_brand("5555555555554444") == "mastercard"
    assert providers.card_brand("378282246310005") == "amex"


@pytest.mark.parametrize(
    "entry, errors",
    [
        (card(), {}),
        (card("4242-4242-4242-4242", expiry="1126"), {}),  # dashes; MMYY from a phone keypad; this month is fine
        (card("378282246310005", cvc="1234", expiry="1 / 2030"), {}),
        (card(number=""), {"number": "required"}),
        (card("4242 4242 4242 4241"), {"number": "invalid"}),  # fails Luhn
        (card("4242 42x2 4242 4242"), {"number": "invalid"}),
        (card("4111 1111 1111 1111"), {"number": "not_test_card"}),  # valid, but not a test card
        (card(expiry=""), {"expiry": "required"}),
        (card(expiry="13/29"), {"expiry": "format"}),
        (card(expiry="2029-12"), {"expiry": "format"}),
        (card(expiry="10/26"), {"expiry": "past"}),
        (card(cvc="12"), {"cvc": "format"}),
        (card(cvc="1234"), {"cvc": "format"}),
        (card("378282246310005", cvc="123"), {"cvc": "format_amex"}),
        (card(name=" "), {"name": "required"}),
        (CardEntry(), {"number": "required", "expiry": "required", "cvc": "required", "name": "required"}),
    ],
)
def test_card_form_rules_report_every_field_at_once(entry, errors):
    assert providers.check_card(entry, TODAY) == errors


def test_a_card_entry_never_shows_its_number():
    assert "4242" not in repr(card()) and "4242" not in str(card())


def test_cash_on_delivery_only_where_enabled_with_its_surcharge():
    assert payments.cod_available("IT") and payments.cod_available("it") and not payments.cod_available("DE")
    assert payments.surcharge("cod", "IT") == payments.COD_SURCHARGE == 400
    assert payments.surcharge("cod", "DE") == 0 and payments.surcharge("card", "IT") == 0
    assert checkout.payment_methods("IT") == ["card", "bank_transfer", "cod"]
    assert checkout.payment_methods("DE") == ["card", "bank_transfer"]
    details = payments.bank_details()
    assert details.iban.startswith("IT") and details.holder and details.bank


# --- starting a payment ---------------------------------------------------------------------------


async def test_begin_opens_the_sandbox_page_with_a_pending_attempt(db):
    order = await make_order()
    result = await payments.begin(order.id, "card", return_url=RETURN)
    assert result.redirect_url.startswith(f"/sandbox/pay/{result.reference}?return=")
    payment = await Payment.get(order_id=order.id)
    assert payment.status == PaymentStatus.PENDING and payment.reference == result.reference
    assert payment.amount == 4200 and payment.idempotency_key == f"{order.number}-1"


async def test_a_double_begin_reuses_the_pending_attempt(db):
    order = await make_order()
    first = await payments.begin(order.id, "card", return_url=RETURN)
    again = await payments.begin(order.id, "card", return_url=RETURN)
    together = await asyncio.gather(*[payments.begin(order.id, "card", return_url=RETURN) for _ in range(3)])
    assert {r.redirect_url for r in [first, again, *together]} == {first.redirect_url}
    assert await Payment.filter(order_id=order.id).count() == 1


async def test_concurrent_first_clicks_create_one_attempt(db):
    order = await make_order()
    results = await asyncio.gather(*[payments.begin(order.id, "card", return_url=RETURN) for _ in range(4)])
    assert len({r.reference for r in results}) == 1
    assert await Payment.filter(order_id=order.id).count() == 1


async def test_after_a_failure_a_new_attempt_starts_and_can_succeed(db):
    order = await make_order()
    declined = await start(order)
    await payments.sandbox_pay(declined, card("4000 0000 0000 0002"))
    retry = await start(order)
    assert retry != declined
    payment = await payments.sandbox_pay(retry, card())
    assert payment.status == PaymentStatus.CAPTURED and payment.idempotency_key == f"{order.number}-2"
    assert (await Order.get(id=order.id)).status == OrderStatus.PAID
    assert await kinds(order) == ["payment_failed", "paid"]


@pytest.mark.parametrize("method", ["cod", "bank_transfer"])
async def test_offline_methods_need_no_redirect(db, method):
    order = await make_order(method)
    result = await payments.begin(order.id, method, return_url=RETURN)
    assert result.redirect_url is None
    payment = await Payment.get(order_id=order.id)
    assert payment.provider == method and payment.status == PaymentStatus.PENDING
    assert (await Order.get(id=order.id)).status == OrderStatus.PENDING_PAYMENT


async def test_begin_refuses_orders_that_cannot_be_paid(db):
    paid = await make_order(status=OrderStatus.PAID)
    with pytest.raises(payments.PaymentNotPossible, match="already_paid"):
        await payments.begin(paid.id, "card", return_url=RETURN)
    other_method = await make_order("bank_transfer")
    with pytest.raises(payments.PaymentNotPossible, match="wrong_method"):
        await payments.begin(other_method.id, "card", return_url=RETURN)
    expired = await make_order(expires_in=timedelta(minutes=-1))
    with pytest.raises(payments.PaymentNotPossible, match="expired"):
        await payments.begin(expired.id, "card", return_url=RETURN)
    with pytest.raises(NotFound):
        await payments.begin(paid.id, "bitcoin", return_url=RETURN)
    assert await Payment.all().count() == 0


# --- the sandbox gateway and its webhooks ---------------------------------------------------------


async def test_a_good_card_captures_and_the_order_is_paid(db):
    order = await make_order()
    reference = await start(order)
    payment = await payments.sandbox_pay(reference, card())
    assert payment.status == PaymentStatus.CAPTURED
    assert (payment.card_brand, payment.card_last4, payment.failure) == ("visa", "4242", "")
    order = await Order.get(id=order.id)
    assert order.status == OrderStatus.PAID
    paid = await OrderEvent.get(order_id=order.id, kind="paid")
    assert paid.note == "visa •••• 4242"
    # A card order is confirmed once paid: one email, the confirmation, and no "payment received" beside it.
    assert [e.kind for e in await OutboxEmail.filter(order_id=order.id)] == ["order_confirmation"]


@pytest.mark.parametrize(
    "number, failure", [("4000 0000 0000 0002", "declined"), ("4000 0000 0000 9995", "insufficient_funds")]
)
async def test_a_refused_card_fails_the_attempt_and_the_order_waits(db, number, failure):
    order = await make_order()
    payment = await payments.sandbox_pay(await start(order), card(number))
    assert payment.status == PaymentStatus.FAILED and payment.failure == failure
    assert (await Order.get(id=order.id)).status == OrderStatus.PENDING_PAYMENT
    event = await OrderEvent.get(order_id=order.id)
    assert (event.kind, event.note) == ("payment_failed", failure)


async def test_form_errors_change_nothing(db):
    order = await make_order()
    reference = await start(order)
    with pytest.raises(payments.CardRejected) as rejected:
        await payments.sandbox_pay(reference, card("4242 4242 4242 4241", expiry="01/20", cvc="9"))
    assert rejected.value.errors == {"number": "invalid", "expiry": "past", "cvc": "format"}
    assert (await Payment.get(reference=reference)).status == PaymentStatus.PENDING
    assert await kinds(order) == []


async def test_paying_twice_on_the_gateway_charges_once(db):
    order = await make_order()
    reference = await start(order)
    await payments.sandbox_pay(reference, card())
    again = await payments.sandbox_pay(reference, card("4000 0000 0000 0002"))
    assert again.status == PaymentStatus.CAPTURED
    assert await kinds(order) == ["paid"]


async def test_a_webhook_with_a_bad_signature_is_refused_and_changes_nothing(db):
    order = await make_order()
    reference = await start(order)
    body, signature = captured(reference)
    for forged in ["", "sha256=" + "0" * 64, signature.upper(), "sha256=ünïcode"]:
        with pytest.raises(payments.BadSignature):
            await payments.receive_webhook("card", body, forged)
    tampered = body.replace(b"4200", b"1")  # the amount changed after signing
    with pytest.raises(payments.BadSignature):
        await payments.receive_webhook("card", tampered, signature)
    with pytest.raises(payments.BadSignature):
        await payments.receive_webhook("cod", body, signature)  # offline methods send no webhooks
    assert (await Payment.get(reference=reference)).status == PaymentStatus.PENDING
    assert (await Order.get(id=order.id)).status == OrderStatus.PENDING_PAYMENT
    assert await kinds(order) == []


@pytest.mark.parametrize("purpose", ["sandbox return", "sandbox reference"])
async def test_a_webhook_signed_with_the_key_of_another_purpose_is_refused(db, purpose):
    """Each use has its own key: a return-link signature (shown in every shopper's address bar) or a
    reference can never pass for a webhook's."""
    order = await make_order()
    reference = await start(order)
    body = captured(reference)[0]
    forged = "sha256=" + providers._mac(purpose, body)
    with pytest.raises(payments.BadSignature):
        await payments.receive_webhook("card", body, forged)
    assert (await Payment.get(reference=reference)).status == PaymentStatus.PENDING


async def test_a_signed_but_unreadable_body_is_refused(db):
    body = b"not json"
    with pytest.raises(payments.BadSignature):
        await payments.receive_webhook("card", body, payments.SANDBOX.sign(body))


async def test_replayed_and_reordered_webhooks_never_capture_twice(db):
    order = await make_order()
    reference = await start(order)
    body, signature = captured(reference)
    assert await payments.receive_webhook("card", body, signature) == "captured"
    assert await payments.receive_webhook("card", body, signature) == "duplicate"
    replays = await asyncio.gather(*[payments.receive_webhook("card", body, signature) for _ in range(3)])
    assert replays == ["duplicate"] * 3
    late_failure = signed({"event": "failed", "reference": reference, "failure": "declined"})
    assert await payments.receive_webhook("card", *late_failure) == "ignored"
    payment = await Payment.get(reference=reference)
    assert payment.status == PaymentStatus.CAPTURED and payment.failure == ""
    assert await kinds(order) == ["paid"]
    assert await OutboxEmail.filter(order_id=order.id, kind="order_confirmation").count() == 1


async def test_a_capture_after_a_failure_of_the_same_attempt_still_counts(db):
    # Events can arrive out of order; money the gateway reports as taken is real.
    order = await make_order()
    reference = await start(order)
    failure = signed({"event": "failed", "reference": reference, "failure": "declined"})
    assert await payments.receive_webhook("card", *failure) == "failed"
    assert await payments.receive_webhook("card", *captured(reference)) == "captured"
    assert await payments.receive_webhook("card", *failure) == "ignored"
    assert (await Order.get(id=order.id)).status == OrderStatus.PAID
    assert (await Payment.get(reference=reference)).status == PaymentStatus.CAPTURED


async def test_a_webhook_for_an_unknown_payment_is_ignored(db):
    assert await payments.receive_webhook("card", *captured("sbx_nobody")) == "ignored"
    with pytest.raises(NotFound):
        await payments.receive_webhook("bitcoin", b"{}", "")


# --- late captures ----------------------------------------------------------------------------------


async def test_a_capture_for_an_expired_cancelled_order_is_refunded(db):
    order = await make_order()
    reference = await start(order)  # the shopper leaves the gateway page open...
    await Order.filter(id=order.id).update(expires_at=datetime.now(UTC) - timedelta(minutes=1))
    assert await lifecycle.expire_unpaid() == [order.number]  # ...the order expires and its stock goes back
    # The sandbox no longer takes the payment (expiry failed the attempt), but a real gateway may still
    # report a capture it made meanwhile:
    assert (await payments.sandbox_pay(reference, card())).status == PaymentStatus.FAILED
    await payments.receive_webhook("card", *captured(reference))
    payment = await Payment.get(reference=reference)
    assert payment.status == PaymentStatus.REFUNDED and payment.refunded_amount == payment.amount == 4200
    assert payment.failure == payments.LATE_CAPTURE  # the reason it was refunded stays visible
    assert (await Order.get(id=order.id)).status == OrderStatus.CANCELLED
    assert await kinds(order) == ["cancelled", "payment_refunded_late"]
    assert await payments.receive_webhook("card", *captured(reference)) == "duplicate"  # replay: nothing more


async def test_a_second_capture_for_a_paid_order_is_refunded(db):
    # Two gateway tabs: the first attempt failed, the shopper paid the second, then the first one captured.
    order = await make_order()
    first = await start(order)
    await payments.receive_webhook("card", *signed({"event": "failed", "reference": first, "failure": "declined"}))
    await payments.sandbox_pay(await start(order), card())
    assert await payments.receive_webhook("card", *captured(first)) == "refunded_late"
    assert (await Payment.get(reference=first)).status == PaymentStatus.REFUNDED
    assert (await Order.get(id=order.id)).status == OrderStatus.PAID
    assert await kinds(order) == ["payment_failed", "paid", "payment_refunded_late"]


async def test_a_late_capture_whose_refund_fails_is_flagged_then_retried(db, monkeypatch):
    order = await make_order()
    reference = await start(order)
    await lifecycle.transition(order.id, OrderStatus.CANCELLED, note="shopper cancelled")

    async def unreachable(payment, amount, *, idempotency_key):
        raise ConnectionError("gateway down")

    monkeypatch.setattr(payments.SANDBOX, "refund", unreachable)
    body, signature = captured(reference)
    assert await payments.receive_webhook("card", body, signature) == "flagged"
    payment = await Payment.get(reference=reference)
    assert (payment.status, payment.failure, payment.refunded_amount) == (PaymentStatus.CAPTURED, "late_capture", 0)
    assert await kinds(order) == ["cancelled", "payment_refund_failed"]
    with pytest.raises(payments.RefundNotPossible):
        await payments.refund(order.id, 4200, "staff@bottega")  # a late capture is not the order's money

    monkeypatch.undo()
    payments.configure("test-secret")
    assert await payments.receive_webhook("card", body, signature) == "refunded_late"  # the replay retries
    assert (await Payment.get(reference=reference)).status == PaymentStatus.REFUNDED
    assert await payments.refund_late_capture(payment.id) == "duplicate"
    assert await kinds(order) == ["cancelled", "payment_refund_failed", "payment_refunded_late"]


# --- refunds and staff ------------------------------------------------------------------------------


async def paid_order(total: int = 4200) -> Order:
    order = await make_order(total=total)
    await payments.sandbox_pay(await start(order), card())
    return order


async def test_partial_then_full_refund(db):
    order = await paid_order()
    order = await payments.refund(order.id, 1000, "staff@bottega")
    assert (order.status, order.refunded_total) == (OrderStatus.PARTIALLY_REFUNDED, 1000)
    assert (await Payment.get(order_id=order.id)).status == PaymentStatus.PARTIALLY_REFUNDED
    with pytest.raises(payments.RefundNotPossible, match="amount"):
        await payments.refund(order.id, 3201, "staff@bottega")  # more than is left
    order = await payments.refund(order.id, 3200, "staff@bottega")
    assert (order.status, order.refunded_total) == (OrderStatus.REFUNDED, 4200)
    payment = await Payment.get(order_id=order.id)
    assert (payment.status, payment.refunded_amount) == (PaymentStatus.REFUNDED, 4200)
    events = await OrderEvent.filter(order_id=order.id, kind__in=["partially_refunded", "refunded"]).order_by("id")
    assert [(e.kind, e.actor, e.note) for e in events] == [
        ("partially_refunded", "staff@bottega", "10.00 EUR refunded"),
        ("refunded", "staff@bottega", "32.00 EUR refunded"),
    ]
    assert await OutboxEmail.filter(order_id=order.id, kind="refunded").count() == 2


@pytest.mark.parametrize("amount", [0, -5, 4201])
async def test_never_refund_more_than_captured(db, amount):
    order = await paid_order()
    with pytest.raises(payments.RefundNotPossible):
        await payments.refund(order.id, amount, "staff@bottega")
    assert (await Payment.get(order_id=order.id)).refunded_amount == 0


async def test_concurrent_refunds_never_exceed_the_capture(db):
    order = await paid_order()
    results = await asyncio.gather(
        *[payments.refund(order.id, 3000, "staff@bottega") for _ in range(3)], return_exceptions=True
    )
    assert sum(isinstance(r, Order) for r in results) == 1
    assert (await Payment.get(order_id=order.id)).refunded_amount == 3000
    assert (await Order.get(id=order.id)).refunded_total == 3000


async def test_a_refused_refund_leaves_the_payment_as_it_was(db, monkeypatch):
    order = await paid_order()

    async def refuses(payment, amount, *, idempotency_key):
        raise payments.ProviderError("gateway says no")

    monkeypatch.setattr(payments.SANDBOX, "refund", refuses)
    with pytest.raises(payments.ProviderError):
        await payments.refund(order.id, 1000, "staff@bottega")
    payment = await Payment.get(order_id=order.id)
    assert (payment.status, payment.refunded_amount) == (PaymentStatus.CAPTURED, 0)
    assert (await Order.get(id=order.id)).status == OrderStatus.PAID


async def test_nothing_to_refund_on_an_unpaid_order(db):
    order = await make_order()
    await start(order)
    with pytest.raises(payments.RefundNotPossible, match="nothing_captured"):
        await payments.refund(order.id, 100, "staff@bottega")


async def test_staff_mark_a_bank_transfer_paid(db):
    order = await make_order("bank_transfer")
    await payments.begin(order.id, "bank_transfer", return_url=RETURN)
    order = await payments.mark_paid(order.id, actor="staff@bottega")
    assert order.status == OrderStatus.PAID
    assert (await Payment.get(order_id=order.id)).status == PaymentStatus.CAPTURED
    with pytest.raises(payments.PaymentNotPossible):
        await payments.mark_paid(order.id, actor="staff@bottega")


# --- card data ----------------------------------------------------------------------------------------


async def every_stored_value() -> str:
    """Every row of every table, as text."""
    tables = [
        cls
        for cls in vars(m).values()
        if isinstance(cls, type) and issubclass(cls, m.Model) and cls is not m.Model and not cls._meta.abstract
    ]
    return "\n".join([repr(row) for table in tables for row in await table.all().values()])


@pytest.mark.parametrize("number", [GOOD, "4000 0000 0000 0002", "4242 4242 4242 4241"])
async def test_card_numbers_never_reach_our_tables_or_logs(db, caplog, number):
    caplog.set_level("DEBUG")
    order = await make_order()
    reference = await start(order)
    try:
        await payments.sandbox_pay(reference, card(number, cvc="987", name="Ada Card-Holder"))
    except payments.CardRejected as exc:
        assert number.replace(" ", "") not in str(exc)
    stored = await every_stored_value()
    assert reference in stored and "ada@example.com" in stored  # the dump does cover payments and orders
    digits = number.replace(" ", "")
    assert digits not in stored and number not in stored and digits[:12] not in stored
    # The CVC as a value of its own (hex references and timestamps may contain the digits by chance).
    assert "Ada Card-Holder" not in stored and not re.search(r"(?<![0-9a-f])987(?![0-9a-f])", stored)
    assert digits not in caplog.text and number not in caplog.text
    payment = await Payment.get(reference=reference)
    assert payment.card_last4 in ("", digits[-4:])
