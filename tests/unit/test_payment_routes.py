"""The sandbox gateway's hosted page and the webhook endpoint over HTTP: the form and its field errors
(422, everything typed kept), the redirect back to the shop, CSRF on the page but not on the webhook,
signatures checked, and no card number in our tables or logs."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlsplit

import httpx2 as httpx
import pytest

from storefront import links
from storefront.app import create_app
from storefront.domain.models import Order, OrderStatus, Payment, PaymentStatus
from storefront.domain.payments import providers
from storefront.domain.payments import service as payments
from tests.unit.test_payments import RETURN, every_stored_value, make_order

WEBHOOK = "/payments/webhook/{provider}"


@pytest.fixture
async def client(db, settings, monkeypatch):
    monkeypatch.setattr(providers, "_secret", None)  # create_app must configure payments itself
    app = create_app(settings, manage_db=False)
    if not any(getattr(route, "name", None) == "payment_webhook" for route in app.routes):
        pytest.skip("app.py does not mount storefront.pages.payments.routes yet")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://shop.test") as client:
        yield client


async def open_gateway(client, total: int = 4200):
    order = await make_order(total=total)
    result = await payments.begin(order.id, "card", return_url=RETURN)
    page = await client.get(result.redirect_url)
    assert page.status_code == 200
    return order, result.reference, page


def form_of(page) -> dict:
    """The hidden fields of the gateway form (csrf token, return address and its signature)."""
    return dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page.text))


async def submit(client, reference, page, **typed):
    card = {"number": "4242 4242 4242 4242", "expiry": "12/99", "cvc": "123", "name": "Ada Lovelace", **typed}
    return await client.post(f"/sandbox/pay/{reference}", data={**form_of(page), **card})


def back_url(reference: str) -> str:
    return f"{RETURN}?payment={reference}"


async def test_the_hosted_page_shows_amount_shop_and_a_phone_friendly_form(client):
    order, reference, page = await open_gateway(client)
    html = page.text
    assert "Sandbox Pay" in html and "test payments only" in html
    assert "Pay Bottega" in html and "€42.00" in html and order.number in html
    for name, autocomplete in [("number", "cc-number"), ("expiry", "cc-exp"), ("cvc", "cc-csc"), ("name", "cc-name")]:
        field = re.search(rf'<input id="card-{name}" name="{name}"[^>]*>', html, re.S).group(0)
        assert f'autocomplete="{autocomplete}"' in field
        assert f'<label for="card-{name}">' in html
    for name in ("number", "expiry", "cvc"):
        assert 'inputmode="numeric"' in re.search(rf'<input id="card-{name}"[^>]*>', html, re.S).group(0)
    assert f'action="/sandbox/pay/{reference}/cancel"' in html and "Cancel and go back to Bottega" in html
    assert "pay.css" in html and "htmx" not in html  # its own look; no JavaScript needed
    assert page.headers["cache-control"] == "no-store"


async def test_a_good_card_redirects_back_and_the_order_is_paid(client):
    order, reference, page = await open_gateway(client)
    response = await submit(client, reference, page)
    assert response.status_code == 303 and response.headers["location"] == back_url(reference)
    assert (await Order.get(id=order.id)).status == OrderStatus.PAID
    payment = await Payment.get(reference=reference)
    assert (payment.status, payment.card_brand, payment.card_last4) == (PaymentStatus.CAPTURED, "visa", "4242")


@pytest.mark.parametrize(
    "number, failure", [("4000 0000 0000 0002", "declined"), ("4000000000009995", "insufficient_funds")]
)
async def test_a_refused_card_redirects_back_with_the_order_still_waiting(client, number, failure):
    order, reference, page = await open_gateway(client)
    response = await submit(client, reference, page, number=number)
    assert response.status_code == 303 and response.headers["location"] == back_url(reference)
    payment = await Payment.get(reference=reference)
    assert (payment.status, payment.failure) == (PaymentStatus.FAILED, failure)
    assert (await Order.get(id=order.id)).status == OrderStatus.PENDING_PAYMENT
    again = await client.get(f"/sandbox/pay/{reference}?" + urlsplit(str(page.url)).query)
    assert "This payment was not completed." in again.text and 'name="number"' not in again.text


async def test_cancelling_on_the_gateway_tells_the_shop_nothing_was_paid(client):
    """ "Cancel and go back" ends the attempt (as a gateway expiring its session would), so the order page
    can offer another try instead of waiting for a payment that will never come."""
    order, reference, page = await open_gateway(client)
    response = await client.post(f"/sandbox/pay/{reference}/cancel", data=form_of(page))
    assert response.status_code == 303 and response.headers["location"] == back_url(reference)
    payment = await Payment.get(reference=reference)
    assert (payment.status, payment.failure) == (PaymentStatus.FAILED, "cancelled")
    assert (await Order.get(id=order.id)).status == OrderStatus.PENDING_PAYMENT


async def test_cancelling_with_a_changed_return_address_is_refused(client):
    order, reference, page = await open_gateway(client)
    response = await client.post(
        f"/sandbox/pay/{reference}/cancel", data={**form_of(page), "return": "https://evil.example/"}
    )
    assert response.status_code == 400
    assert (await Payment.get(reference=reference)).status == PaymentStatus.PENDING


@pytest.mark.parametrize(
    "typed, field, message",
    [
        ({"number": "4242 4242 4242 4241"}, "number", "This card number isn't valid. Check the digits."),
        ({"number": ""}, "number", "Enter the card number."),
        ({"number": "4111 1111 1111 1111"}, "number", "use one of the test cards below"),
        ({"expiry": "01/20"}, "expiry", "This card has expired."),
        ({"expiry": "13/30"}, "expiry", "Enter the expiry date as MM/YY, for example 08/29."),
        ({"cvc": "12"}, "cvc", "Enter the 3-digit security code."),
        ({"number": "3782 822463 10005", "cvc": "123"}, "cvc", "Enter the 4-digit code from the front of the card."),
        ({"name": ""}, "name", "Enter the name as it appears on the card."),
    ],
)
async def test_form_errors_are_shown_next_to_their_field_with_everything_typed_kept(client, typed, field, message):
    order, reference, page = await open_gateway(client)
    response = await submit(client, reference, page, **typed)
    assert response.status_code == 422
    html = response.text
    error = re.search(rf'<p class="error" id="card-{field}-error">([^<]*)</p>', html)
    assert error and message in error.group(1)
    assert re.search(rf'<input id="card-{field}"[^>]*aria-invalid="true"', html, re.S)
    typed_values = {"number": "4242 4242 4242 4242", "expiry": "12/99", "cvc": "123", "name": "Ada Lovelace", **typed}
    for name, value in typed_values.items():
        assert re.search(rf'<input id="card-{name}"[^>]*value="{re.escape(value)}"', html, re.S), name
    assert "Please correct the highlighted field." in html
    assert (await Payment.get(reference=reference)).status == PaymentStatus.PENDING


async def test_every_field_error_at_once(client):
    _, reference, page = await open_gateway(client)
    response = await submit(client, reference, page, number="1234", expiry="", cvc="x", name="")
    assert response.status_code == 422 and "Please correct the 4 highlighted fields." in response.text
    assert response.text.count('aria-invalid="true"') == 4


async def test_a_second_press_of_pay_charges_once(client):
    order, reference, page = await open_gateway(client)
    first = await submit(client, reference, page)
    second = await submit(client, reference, page, number="4000 0000 0000 0002")
    assert first.status_code == second.status_code == 303
    assert (await Payment.get(reference=reference)).status == PaymentStatus.CAPTURED
    done = await client.get(f"/sandbox/pay/{reference}?" + urlsplit(str(page.url)).query)
    assert "This payment is complete." in done.text and f'href="{back_url(reference)}"' in done.text


async def test_the_gateway_form_needs_its_csrf_token(client):
    _, reference, page = await open_gateway(client)
    data = {
        **form_of(page),
        "csrf_token": "forged",
        "number": "4242424242424242",
        "expiry": "12/99",
        "cvc": "123",
        "name": "Ada",
    }
    response = await client.post(f"/sandbox/pay/{reference}", data=data)
    assert response.status_code == 403
    assert (await Payment.get(reference=reference)).status == PaymentStatus.PENDING


async def test_a_changed_return_address_is_refused(client):
    # The gateway only goes back where the shop asked at start: never an open redirect.
    _, reference, page = await open_gateway(client)
    query = parse_qs(urlsplit(str(page.url)).query)
    forged = await client.get(
        f"/sandbox/pay/{reference}", params={"return": "https://evil.example/", "sig": query["sig"][0]}
    )
    assert forged.status_code == 400 and "This payment link is not valid" in forged.text
    response = await client.post(
        f"/sandbox/pay/{reference}",
        data={
            **form_of(page),
            "return": "https://evil.example/",
            "number": "4242424242424242",
            "expiry": "12/99",
            "cvc": "123",
            "name": "Ada",
        },
    )
    assert response.status_code == 400 and "location" not in response.headers
    assert (await Payment.get(reference=reference)).status == PaymentStatus.PENDING
    assert (await client.get("/sandbox/pay/sbx_unknown?return=/x&sig=y")).status_code == 404


async def test_card_numbers_never_reach_our_tables_or_logs(client, caplog):
    caplog.set_level("DEBUG")
    _, reference, page = await open_gateway(client)
    await submit(client, reference, page, cvc="12")  # rejected, echoed back only in the gateway's own form
    await submit(client, reference, page, cvc="987", name="Ada Card-Holder")
    stored = await every_stored_value()
    assert reference in stored
    for secret in ("4242424242424242", "4242 4242 4242 4242", "Ada Card-Holder"):
        assert secret not in stored and secret not in caplog.text


# --- the webhook endpoint -------------------------------------------------------------------------


def signed(event: dict) -> tuple[bytes, dict]:
    body = json.dumps(event).encode()
    return body, {"X-Signature": payments.SANDBOX.sign(body), "Content-Type": "application/json"}


async def test_a_signed_webhook_is_applied_without_a_session_or_csrf_token(client):
    order = await make_order()
    reference = (await payments.begin(order.id, "card", return_url=RETURN)).reference
    body, headers = signed(
        {"event": "captured", "reference": reference, "amount": 4200, "card_brand": "visa", "card_last4": "4242"}
    )
    client.cookies.clear()
    response = await client.post(WEBHOOK.format(provider="card"), content=body, headers=headers)
    assert response.status_code == 200 and response.text == "captured"
    assert (await Order.get(id=order.id)).status == OrderStatus.PAID
    replay = await client.post(WEBHOOK.format(provider="card"), content=body, headers=headers)
    assert replay.status_code == 200 and replay.text == "duplicate"


async def test_a_webhook_with_a_bad_signature_gets_400_and_changes_nothing(client):
    order = await make_order()
    reference = (await payments.begin(order.id, "card", return_url=RETURN)).reference
    body, headers = signed({"event": "captured", "reference": reference, "amount": 4200})
    for forged in [{}, {"X-Signature": "sha256=" + "0" * 64}]:
        response = await client.post(WEBHOOK.format(provider="card"), content=body, headers=forged)
        assert response.status_code == 400
    tampered = body.replace(b"captured", b"failed")
    assert (await client.post(WEBHOOK.format(provider="card"), content=tampered, headers=headers)).status_code == 400
    assert (await Payment.get(reference=reference)).status == PaymentStatus.PENDING
    assert (await Order.get(id=order.id)).status == OrderStatus.PENDING_PAYMENT
    unknown = await client.post(WEBHOOK.format(provider="bitcoin"), content=body, headers=headers)
    assert unknown.status_code == 404


async def test_the_order_page_takes_back_only_a_payment_of_its_own_order(client, settings):
    """Back from the gateway, the page follows the payment named in the address only if it is this
    order's latest attempt: another order's reference changes nothing."""
    order, other = await make_order(), await make_order()
    mine = (await payments.begin(order.id, "card", return_url=RETURN)).reference
    theirs = (await payments.begin(other.id, "card", return_url=RETURN)).reference
    path = links.order_path(settings, order.number, "en")
    waiting = "waiting for your card payment to be confirmed"
    assert waiting in (await client.get(f"{path}&payment={mine}")).text
    page = (await client.get(f"{path}&payment={theirs}")).text
    assert waiting not in page and "Your payment is not complete yet" in page
