"""The outbox sender against a real SMTP server (aiosmtpd on a free local port): what each email says,
that nothing is lost while the server is down, and that every email arrives exactly once."""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from itertools import count
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from storefront import links, mailer
from storefront.domain.models import Order, OrderEvent, OrderLine, OrderStatus, OutboxEmail, Payment, ShippingMethod
from storefront.domain.orders import lifecycle
from storefront.domain.payments import service as payments
from tests.unit import factories

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
_n = count(1)


class Inbox:
    """What the test SMTP server received: one parsed message per DATA, with its envelope."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.recipients: list[list[str]] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        self.recipients.append(list(envelope.rcpt_tos))
        return "250 Message accepted"

    def per_email(self) -> Counter:
        return Counter(m["Message-ID"] for m in self.messages)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    inbox.url = f"smtp://127.0.0.1:{controller.port}"
    yield inbox
    controller.stop()


async def make_order(**overrides) -> Order:
    n = next(_n)
    cat = await factories.category(f"Shirts {n}")
    product = await factories.product("Linen shirt", cat, [{"price": 4900, "stock": 10}])
    variant = (await product.variants.all())[0]
    fields = dict(
        number=lifecycle.new_number(),
        idempotency_key=f"checkout-{n}",
        email="mario@example.com",
        full_name="Mario Rossi",
        address="Via Roma 1",
        postal_code="00184",
        city="Roma",
        province="RM",
        country="IT",
        shipping_method="standard",
        shipping_name="Standard courier",
        carrier="BRT",
        delivery_earliest=date(2026, 12, 3),
        delivery_latest=date(2026, 12, 5),
        payment_method="card",
        subtotal=9800,
        discount_total=980,
        discounts=[{"name": "Welcome 10% off", "code": "WELCOME10", "amount": 980, "promotion_id": 1}],
        shipping_cost=490,
        total=9310,
        vat={"2200": 1679},
    )
    order = await Order.create(**{**fields, **overrides})
    await OrderLine.create(
        order=order,
        variant=variant,
        sku=variant.sku,
        name="Linen shirt",
        options="Size M, Blue",
        unit_price=4900,
        quantity=2,
        discount=980,
        vat_rate=2200,
    )
    await OrderEvent.create(order=order, kind="placed")
    return order


async def queue(order: Order, kind: str = "order_confirmation") -> OutboxEmail:
    return await OutboxEmail.create(kind=kind, order=order, to=order.email)


# --- what the emails say ------------------------------------------------------------------------


async def test_confirmation_has_everything_the_shopper_needs(db, settings):
    order = await make_order(payment_method="bank_transfer", expires_at=T0 + timedelta(days=7))
    subject, text, html = await mailer.render(await queue(order), settings)

    assert subject == f"Thank you, Mario! Your order {order.number}"
    for body in (text, html):
        assert order.number in body
        assert "2 × Linen shirt" in body and "Size M, Blue" in body
        assert "Welcome 10% off" in body and "WELCOME10" in body and "−€9.80" in body
        assert "Standard courier" in body and "€4.90" in body
        assert "€93.10" in body and "Includes €16.79 VAT at 22%" in body
        assert "Arrives Thu 3 Dec – Sat 5 Dec" in body
        bank = payments.bank_details()
        assert bank.holder in body and bank.iban in body and bank.bic in body
    assert f"Reference: {order.number}" in text
    assert links.order_url(settings, order.number, "en") in text
    assert f'href="{links.order_url(settings, order.number, "en")}"' in html
    assert "Via Roma 1" in text and "Italy" in text


async def test_confirmation_of_a_cash_on_delivery_order_says_what_to_have_ready(db, settings):
    order = await make_order(payment_method="cod", surcharge=300, total=9610)
    _, text, html = await mailer.render(await queue(order), settings)
    assert "You pay €96.10 in cash to the courier on delivery." in text
    assert "Cash on delivery fee: €3.00" in text
    assert "IBAN" not in text and "IBAN" not in html


async def test_free_shipping_shows_the_shipping_price_and_its_discount_so_lines_add_up(db, settings):
    order = await make_order(
        shipping_cost=0,
        total=8820,
        discounts=[
            {"name": "Welcome 10% off", "code": "WELCOME10", "amount": 980, "promotion_id": 1},
            {"name": "Free shipping over €50", "code": None, "amount": 490, "promotion_id": 2},
        ],
    )
    _, text, _ = await mailer.render(await queue(order), settings)
    assert "Free shipping over €50: −€4.90" in text
    assert "Shipping, Standard courier: €4.90" in text
    assert "Total: €88.20" in text


async def test_payment_received(db, settings):
    order = await make_order(status=OrderStatus.PAID)
    subject, text, html = await mailer.render(await queue(order, "payment_received"), settings)
    assert subject == f"Payment received for order {order.number}"
    assert "payment of €93.10" in text and "payment of €93.10" in html


async def test_shipped_gives_carrier_and_a_working_tracking_link(db, settings):
    order = await make_order(
        status=OrderStatus.SHIPPED,
        tracking_number="AB 123/45",
        tracking_url="https://carrier.example/track?n={number}&lang=it",
    )
    subject, text, html = await mailer.render(await queue(order, "shipped"), settings)
    assert subject == f"Your order {order.number} is on its way"
    assert "Carrier: BRT" in text and "Tracking number: AB 123/45" in text
    assert "https://carrier.example/track?n=AB%20123%2F45&lang=it" in text
    assert 'href="https://carrier.example/track?n=AB%20123%2F45&amp;lang=it"' in html


async def test_cancelled_unpaid_order_says_nothing_was_charged(db, settings):
    order = await make_order(status=OrderStatus.CANCELLED)
    subject, text, _ = await mailer.render(await queue(order, "cancelled"), settings)
    assert subject == f"Order {order.number} has been cancelled"
    assert "back on our shelves" in text and "You have not been charged" in text


async def test_cancelled_paid_order_promises_the_refund(db, settings):
    order = await make_order(status=OrderStatus.CANCELLED)
    await Payment.create(
        order=order,
        provider="card",
        idempotency_key="k1",
        amount=9310,
        status="captured",
        card_brand="Visa",
        card_last4="4242",
    )
    _, text, html = await mailer.render(await queue(order, "cancelled"), settings)
    assert "You'll get your €93.10 back in full" in text
    assert "You'll get your €93.10 back in full" in html


@pytest.mark.parametrize(
    ("refunded", "status", "says"),
    [
        (9310, OrderStatus.REFUNDED, "We've refunded €93.10 for order {n}: the whole order."),
        (4900, OrderStatus.PARTIALLY_REFUNDED, "We've refunded €49.00 of your €93.10 for order {n}."),
    ],
)
async def test_refunded_gives_the_amount(db, settings, refunded, status, says):
    order = await make_order(status=status, refunded_total=refunded)
    subject, text, _ = await mailer.render(await queue(order, "refunded"), settings)
    assert subject == f"Your refund for order {order.number}"
    assert says.format(n=order.number) in text


async def test_money_and_dates_follow_the_orders_language(db, settings):
    order = await make_order(language="it")
    _, text, html = await mailer.render(await queue(order), settings)
    for body in (text, html):
        assert "93,10\xa0€" in body and "gio 3 dic – sab 5 dic" in body and "Italia" in body


async def test_names_are_escaped_in_html_and_left_alone_in_text(db, settings):
    order = await make_order(full_name="<script>alert(1)</script> Rossi", city="<b>Roma</b>")
    await OrderLine.filter(order=order).update(name='Mug "<img src=x onerror=alert(1)>"')
    subject, text, html = await mailer.render(await queue(order), settings)
    assert "<script>" not in html and "<img" not in html and "<b>Roma" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "&lt;img src=x" in html
    assert "Ciao <script>alert(1)</script>," in text and "<img src=x onerror=alert(1)>" in text
    assert "&lt;" not in text and "&lt;" not in subject


async def test_line_breaks_in_a_name_cannot_inject_headers(db, settings, smtp_server):
    order = await make_order(full_name="Mario\r\nBcc: victim@evil.example\r\n\r\nhello")
    assert "\n" not in (await mailer.render(await queue(order), settings))[0]
    assert mailer.one_line("Order\r\nBcc: x@y.z\rX-Evil: 1\n") == "Order Bcc: x@y.z X-Evil: 1"

    assert await mailer.deliver_pending(settings.override(smtp_url=smtp_server.url), now=T0) == 1
    [received] = smtp_server.messages
    assert received["Bcc"] is None and received["X-Evil"] is None
    assert smtp_server.recipients == [["mario@example.com"]]


async def test_a_recipient_with_a_line_break_is_refused_and_kept(db, settings, smtp_server):
    order = await make_order(email="mario@example.com\r\nBcc: victim@evil.example")
    await queue(order)
    assert await mailer.deliver_pending(settings.override(smtp_url=smtp_server.url), now=T0) == 0
    kept = await OutboxEmail.get()
    assert kept.sent_at is None and kept.attempts == 1 and "linefeed" in kept.last_error.lower()
    assert smtp_server.messages == []


# --- delivery -----------------------------------------------------------------------------------


async def test_the_sent_message_is_multipart_with_proper_headers(db, settings, smtp_server):
    order = await make_order()
    queued = await queue(order)
    await mailer.deliver_pending(settings.override(smtp_url=smtp_server.url), now=T0)

    [received] = smtp_server.messages
    assert received.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in received.iter_parts()] == ["text/plain", "text/html"]
    assert received["From"] == settings.mail_from and received["To"] == "mario@example.com"
    assert received["Subject"] == f"Thank you, Mario! Your order {order.number}"
    assert received["Date"].datetime == T0
    assert received["Message-ID"].startswith(f"<outbox-{queued.id}.") and received["Message-ID"].endswith(
        "@bottega.example>"
    )
    sent = await OutboxEmail.get(id=queued.id)
    assert sent.sent_at == T0 and sent.attempts == 0 and order.number in sent.text


async def test_without_smtp_emails_are_rendered_and_wait_in_the_outbox(db, settings):
    order = await make_order()
    await queue(order)
    await queue(order, "payment_received")
    assert await mailer.deliver_pending(settings, now=T0) == 0
    for kept in await OutboxEmail.all():
        assert order.number in kept.subject and order.number in kept.text and order.number in kept.html
        assert kept.sent_at is None and kept.attempts == 0 and kept.next_attempt_at is None


async def test_smtp_down_backs_off_loses_nothing_then_delivers_each_email_once(db, settings, smtp_server):
    order = await make_order()
    queued = [await queue(order, kind) for kind in ("order_confirmation", "payment_received", "shipped")]
    down = settings.override(smtp_url=f"smtp://127.0.0.1:{free_port()}")  # nothing listens there

    assert await mailer.deliver_pending(down, now=T0) == 0
    for kept in await OutboxEmail.all():
        assert kept.sent_at is None and kept.attempts == 1 and kept.last_error
        assert kept.next_attempt_at == T0 + timedelta(minutes=1)
        assert kept.subject  # rendered anyway: readable in the outbox
    assert await mailer.deliver_pending(down, now=T0 + timedelta(seconds=30)) == 0  # not due yet
    assert {e.attempts for e in await OutboxEmail.all()} == {1}
    assert await mailer.deliver_pending(down, now=T0 + timedelta(minutes=1)) == 0
    assert {(e.attempts, e.next_attempt_at) for e in await OutboxEmail.all()} == {(2, T0 + timedelta(minutes=3))}

    up = settings.override(smtp_url=smtp_server.url)
    assert await mailer.deliver_pending(up, now=T0 + timedelta(minutes=2)) == 0  # still backing off
    assert await mailer.deliver_pending(up, now=T0 + timedelta(minutes=3)) == 3
    assert await mailer.deliver_pending(up, now=T0 + timedelta(hours=2)) == 0
    assert sorted(smtp_server.per_email().values()) == [1, 1, 1]
    assert await OutboxEmail.filter(sent_at__isnull=True).count() == 0
    assert len(queued) == len(smtp_server.messages)


def test_backoff_doubles_up_to_an_hour():
    assert [mailer.backoff(n) for n in (1, 2, 3, 6, 7, 30)] == [
        timedelta(minutes=1),
        timedelta(minutes=2),
        timedelta(minutes=4),
        timedelta(minutes=32),
        timedelta(hours=1),
        timedelta(hours=1),
    ]


async def test_concurrent_senders_never_send_an_email_twice(db, settings, smtp_server):
    order = await make_order()
    for kind in ("order_confirmation", "payment_received", "shipped", "cancelled", "refunded") * 2:
        await queue(order, kind)
    up = settings.override(smtp_url=smtp_server.url)

    sent = await asyncio.gather(*(mailer.deliver_pending(up, now=T0) for _ in range(4)))

    assert sum(sent) == 10 and len(smtp_server.messages) == 10
    assert set(smtp_server.per_email().values()) == {1}
    assert await mailer.deliver_pending(up, now=T0 + timedelta(hours=1)) == 0


async def test_a_claimed_email_is_left_to_its_sender_until_the_lease_ends(db, settings, smtp_server):
    queued = await queue(await make_order())
    await OutboxEmail.filter(id=queued.id).update(next_attempt_at=T0 + mailer.LEASE)  # another sender has it
    up = settings.override(smtp_url=smtp_server.url)
    assert await mailer.deliver_pending(up, now=T0 + timedelta(minutes=5)) == 0
    assert await mailer.deliver_pending(up, now=T0 + mailer.LEASE) == 1  # that sender died: retried


@pytest.mark.parametrize("with_smtp", [True, False])
async def test_an_email_that_cannot_be_rendered_is_kept_for_a_retry(db, settings, smtp_server, with_smtp):
    order = await make_order()
    await OutboxEmail.create(kind="no_such_kind", order=order, to=order.email)
    fine = await queue(order)
    configured = settings.override(smtp_url=smtp_server.url if with_smtp else "")
    assert await mailer.deliver_pending(configured, now=T0) == (1 if with_smtp else 0)
    kept = await OutboxEmail.get(kind="no_such_kind")
    assert kept.attempts == 1 and "no_such_kind" in kept.last_error and kept.sent_at is None
    assert kept.next_attempt_at == T0 + timedelta(minutes=1)  # backs off: never blocks the emails after it
    assert (await OutboxEmail.get(id=fine.id)).subject


async def test_the_background_sender_delivers_queued_emails(db, settings, smtp_server):
    await queue(await make_order())
    sender = asyncio.create_task(mailer.run_sender(settings.override(smtp_url=smtp_server.url), interval=0.01))
    try:
        for _ in range(300):
            if smtp_server.messages:
                break
            await asyncio.sleep(0.01)
    finally:
        sender.cancel()
        with pytest.raises(asyncio.CancelledError):
            await sender
    assert len(smtp_server.messages) == 1


async def test_outbox_report_lists_emails_with_their_status(db, settings, smtp_server):
    order = await make_order()
    await queue(order)
    report = await mailer.outbox_report(settings)
    assert "1 waiting." in report and f"Thank you, Mario! Your order {order.number}" in report and "queued" in report
    report = await mailer.outbox_report(settings.override(smtp_url=smtp_server.url), send=True)
    assert "Sent 1." in report and "0 waiting." in report and "sent " in report
    assert "SMTP_URL is not set" in await mailer.outbox_report(settings, send=True)


# Several uvicorn workers each run a sender: the claim must hold across processes, not only tasks.
_SETUP = """
import asyncio, sys
from storefront.domain import db, schema
from storefront.domain.models import OutboxEmail
from tests.unit.test_mailer import make_order

async def main(url, count):
    await schema.create(url)
    order = await make_order()
    for _ in range(count):
        await OutboxEmail.create(kind="payment_received", order=order, to=order.email)
    await db.close()

asyncio.run(main(sys.argv[1], int(sys.argv[2])))
"""
_SENDER = """
import asyncio, sys, time
from datetime import datetime, timezone
from storefront import mailer
from storefront.domain import db
from storefront.settings import Settings

async def main(url, smtp_url, start):
    await db.init(url)
    settings = Settings(database_url=url, secret_key="test-secret", smtp_url=smtp_url)
    await asyncio.sleep(max(0.0, start - time.time()))  # all senders begin together
    sent = 0
    while batch := await mailer.deliver_pending(settings, now=datetime(2026, 12, 1, 9, tzinfo=timezone.utc), limit=4):
        sent += batch
    await db.close()
    print(sent)

asyncio.run(main(sys.argv[1], sys.argv[2], float(sys.argv[3])))
"""


@pytest.mark.sqlite_only
def test_sender_processes_sharing_a_database_never_send_an_email_twice(tmp_path, smtp_server):
    url = f"sqlite:///{tmp_path / 'shop.db'}?busy_timeout=15000"
    root = Path(__file__).resolve().parents[2]
    subprocess.run([sys.executable, "-c", _SETUP, url, "40"], cwd=root, check=True, timeout=60)

    start = str(time.time() + 1.5)
    senders = [
        subprocess.Popen(
            [sys.executable, "-c", _SENDER, url, smtp_server.url, start], cwd=root, stdout=subprocess.PIPE, text=True
        )
        for _ in range(3)
    ]
    sent = [int(p.communicate(timeout=60)[0]) for p in senders]

    assert sum(sent) == 40 and len(smtp_server.messages) == 40
    assert set(smtp_server.per_email().values()) == {1}


async def test_a_pickup_method_is_known_by_its_flag_whatever_its_code(db, client, settings):
    """The shop's own pickup method under another code: the email and the order page say "collect it",
    and a delivery method that happens to be coded "pickup" still says when it arrives."""
    await ShippingMethod.create(code="ritiro-bottega", name="Ritiro in bottega", carrier="", pickup=True)
    await ShippingMethod.create(code="pickup", name="Pick-up point courier", carrier="BRT", pickup=False)
    collected = await make_order(shipping_method="ritiro-bottega", shipping_name="Ritiro in bottega", carrier="")
    couriered = await make_order(shipping_method="pickup", shipping_name="Pick-up point courier")

    _, text, html = await mailer.render(await queue(collected), settings)
    for body in (text, html):
        assert "Ready to collect in our shop Thu 3 Dec – Sat 5 Dec." in body
        assert "Arrives" not in body and "Delivery to" not in body
    _, text, html = await mailer.render(await queue(couriered), settings)
    for body in (text, html):
        assert "Arrives Thu 3 Dec – Sat 5 Dec." in body and "Delivery to:" in body

    page = (await client.get(links.order_path(settings, collected.number, "en"))).text
    assert "Ready for pick-up from Thu 3 Dec." in page and "Estimated delivery" not in page
    assert "collects it in our shop" in page and "Via Roma 1" not in page  # no parcel goes to the address
    unpaid = await make_order(
        shipping_method="ritiro-bottega", carrier="", payment_method="bank_transfer", expires_at=T0 + timedelta(days=7)
    )
    page = (await client.get(links.order_path(settings, unpaid.number, "en"))).text
    assert "ready to collect once the money arrives" in page and "we ship" not in page
    page = (await client.get(links.order_path(settings, couriered.number, "en"))).text
    assert "Estimated delivery: Thu 3 Dec – Sat 5 Dec" in page and "Ready for pick-up" not in page
    assert "Via Roma 1" in page and "collects it in our shop" not in page
