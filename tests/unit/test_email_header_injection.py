"""Line breaks in what shoppers and staff type (names, addresses, shipping and carrier names, product
names) never add a header to an email: every kind of email is built with the same headers as for a
plain order, its subject on one line, and the checkout gives the mail server only the shopper's address."""

from __future__ import annotations

import email
import email.policy
import re
from datetime import UTC, datetime

import httpx2 as httpx
import pytest

from storefront import mailer
from storefront.app import create_app
from storefront.domain.models import Order, OrderLine, OutboxEmail, Variant
from storefront.domain.orders.notifications import KINDS
from tests.unit import factories as f
from tests.unit.test_mailer import make_order, smtp_server  # noqa: F401  (a real SMTP server on loopback)

NOW = datetime(2026, 12, 1, 9, tzinfo=UTC)
# Every way text can break a line: CRLF, LF, CR, and the Unicode breaks some mail software honours.
BREAKS = ["\r\n", "\n", "\r", "\u2028", "\u0085", "\x0b", "\x0c"]


def injected(value: str, b: str) -> str:
    return f"{value}{b}Bcc: victim@evil.example{b}X-Evil: 1{b}{b}body"


async def built(order: Order, kind: str, settings) -> email.message.EmailMessage:
    """The message the sender would hand to SMTP, read back from its bytes as a mail server would."""
    queued = await OutboxEmail.create(kind=kind, order=order, to=order.email)
    queued.subject, queued.text, queued.html = await mailer.render(queued, settings)
    raw = mailer.message(queued, settings, NOW).as_bytes()
    return email.message_from_bytes(raw, policy=email.policy.default)


@pytest.mark.parametrize("kind", KINDS)
async def test_line_breaks_in_any_order_text_add_no_header(db, settings, kind):
    """Whatever path wrote them (a form, an import, a future API), the email stays well-formed."""
    plain = await built(await make_order(), kind, settings)
    for b in BREAKS:
        order = await make_order(
            full_name=injected("Mario", b),
            address=injected("Via Roma 1", b),
            city=injected("Roma", b),
            shipping_name=injected("Courier", b),
            carrier=injected("BRT", b),
            tracking_number="TRK1",
            refunded_total=100,
        )
        await OrderLine.filter(order_id=order.id).update(name=injected("Linen shirt", b), options=injected("Size M", b))
        message = await built(order, kind, settings)
        # The same headers as a plain order's (From, To, Subject, Date, Message-ID, MIME), the same parts.
        assert sorted(message.keys()) == sorted(plain.keys()), repr(b)
        assert message["Bcc"] is None and message["X-Evil"] is None
        assert not re.search(r"[\r\n\x0b\x0c\u2028\u0085]", str(message["Subject"])), repr(b)
        assert message["To"] == "mario@example.com"
        assert [sorted(p.keys()) for p in message.iter_parts()] == [sorted(p.keys()) for p in plain.iter_parts()]


async def test_the_checkout_refuses_an_email_with_a_line_break_and_sends_only_to_the_shopper(db, settings, smtp_server):  # noqa: F811
    tee = await f.product("Tee", await f.category("Clothing"), [{"price": 1000, "stock": 5}])
    variant = await Variant.get(product_id=tee.id)
    app = create_app(settings, manage_db=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://shop.test") as client:
        token = re.search(r'name="csrf_token" value="([^"]+)"', (await client.get(f"/p/{tee.slug}")).text).group(1)
        await client.post("/cart/items", data={"csrf_token": token, "variant_id": variant.id, "quantity": "1"})
        attempt = re.search(r'name="attempt" value="([^"]+)"', (await client.get("/checkout")).text).group(1)
        form = {
            "csrf_token": token,
            "attempt": attempt,
            "full_name": injected("Anna", "\r\n"),
            "address": injected("Via", "\n"),
            "postal_code": "50122",
            "city": injected("Firenze", "\u2028"),
            "province": "FI",
            "country": "IT",
            "shipping_method": "standard",
            "payment_method": "bank_transfer",
        }
        for b in BREAKS:
            refused = await client.post("/checkout", data={**form, "email": f"anna@example.com{b}Bcc: x@evil.example"})
            assert refused.status_code == 422 and "look like an email address" in refused.text
        assert await Order.all().count() == 0
        placed = await client.post("/checkout", data={**form, "email": "anna@example.com"})
        assert placed.status_code == 303
    order = await Order.get()
    assert not re.search(r"[\r\n]", order.full_name + order.address + order.city)  # kept, on one line
    assert await mailer.deliver_pending(settings.override(smtp_url=smtp_server.url), now=NOW) == 1
    [received] = smtp_server.messages
    assert smtp_server.recipients == [["anna@example.com"]]
    assert received["Bcc"] is None and received["X-Evil"] is None and "\n" not in received["Subject"]
