"""Journeys that used to lose a sale, over HTTP as a browser makes them: a declined or cancelled card,
paying another way, a paid order's page opened again, an old form posted again, a total that changed,
codes that cannot be used, and what the pages say at each step."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest

from storefront.domain import checkout
from storefront.domain.basket import cart
from storefront.domain.models import (
    Cart,
    Order,
    OrderEvent,
    OrderStatus,
    OutboxEmail,
    Promotion,
    PromotionKind,
    Variant,
)
from storefront.domain.orders import lifecycle
from tests.unit import factories as f
from tests.unit.test_checkout import ANNA, ledger_matches_stock

FORM = f.checkout_form(payment_method=None)
DECLINED, GOOD = "4000 0000 0000 0002", "4242 4242 4242 4242"


def hidden(page, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', page.text).group(1)


class Shopper:
    """One browser: its cookie jar, its CSRF token, and the steps a shopper takes."""

    def __init__(self, client):
        self.client = client
        self.token = ""

    async def open(self, url: str):
        page = await self.client.get(url)
        found = re.search(r'"X-CSRF-Token": "([^"]+)"', page.text)
        self.token = found.group(1) if found else self.token
        return page

    async def post(self, url: str, **data):
        return await self.client.post(url, data={"csrf_token": self.token, **data})

    async def add(self, variant: Variant, quantity: int = 1):
        if not self.token:
            await self.open("/cart")
        return await self.post("/cart/items", variant_id=variant.id, quantity=str(quantity))

    async def checkout_form(self, payment_method: str = "card") -> dict:
        """The checkout's hidden fields once the address and method are chosen (its summary caught up)."""
        page = await self.open("/checkout")
        attempt = hidden(page, "attempt")
        page = await self.post("/checkout/options", **FORM, attempt=attempt, payment_method=payment_method)
        return {"attempt": attempt, "shown_total": hidden(page, "shown_total")}

    async def place(self, payment_method: str, form: dict | None = None, **changes):
        form = form or await self.checkout_form(payment_method)
        return await self.post("/checkout", **{**FORM, **form, "payment_method": payment_method, **changes})

    async def _on_gateway(self, gateway_url: str, action: str, **typed) -> str:
        """On the sandbox's hosted page: a press of one of its buttons; the shop's page it returns to."""
        page = await self.open(gateway_url)
        fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page.text))
        answer = await self.client.post(urlsplit(gateway_url).path + action, data={**fields, **typed})
        assert answer.status_code == 303
        return answer.headers["location"]

    async def pay(self, gateway_url: str, number: str) -> str:
        return await self._on_gateway(gateway_url, "", number=number, expiry="12/99", cvc="123", name="Anna Rossi")

    async def cancel_payment(self, gateway_url: str) -> str:
        return await self._on_gateway(gateway_url, "/cancel")


@pytest.fixture
async def shop(db):
    clothing = await f.category("Clothing")
    tee = await f.product("Maglietta", clothing, [{"price": 3500, "stock": 2}])
    scarf = await f.product("Sciarpa", clothing, [{"price": 2000, "stock": 5}])
    return {"tee": await Variant.get(product_id=tee.id), "scarf": await Variant.get(product_id=scarf.id)}


@pytest.fixture
def anna(client):
    return Shopper(client)


async def test_after_a_declined_card_the_cart_still_buys_and_another_method_replaces_the_order(anna, shop):
    await anna.add(shop["tee"], 2)  # every unit there is
    placed = await anna.place("card")
    assert placed.headers["location"].startswith("/sandbox/pay/")
    back = await anna.pay(placed.headers["location"], DECLINED)
    declined = await Order.get()

    order_page = await anna.open(back)
    assert "Your card was declined. Nothing was charged. Your items are kept for you until" in order_page.text
    assert "Try the card again" in order_page.text and 'href="/checkout#payment"' in order_page.text
    assert "updates by itself" not in order_page.text
    cart_page = await anna.open("/cart")  # the declined order holds the stock, for this very cart
    assert "Sold out" not in cart_page.text and "Go to checkout" in cart_page.text

    checkout_page = await anna.open("/checkout")
    assert f"Your order {declined.number} has not been paid" in checkout_page.text
    assert 'value="Via dei Servi 12"' in checkout_page.text  # typed once
    replaced = await anna.place("bank_transfer")
    assert replaced.status_code == 303 and "placed=1" in replaced.headers["location"]

    old, new = await Order.all().order_by("id")
    assert (old.status, new.status) == (OrderStatus.CANCELLED, OrderStatus.PENDING_PAYMENT)
    assert await OrderEvent.filter(order_id=old.id, kind="cancelled", note=f"replaced by {new.number}").exists()
    assert (await Variant.get(id=shop["tee"].id)).stock == 0 and await ledger_matches_stock()
    # The shopper was told of one order: the one going ahead, and nothing about the card that never paid.
    assert [(e.order_id, e.kind) for e in await OutboxEmail.all()] == [(new.id, "order_confirmation")]
    assert "Your cart is empty" in (await anna.open("/cart")).text


async def test_cancelling_on_the_payment_page_says_so_and_offers_both_ways_on(anna, shop):
    await anna.add(shop["tee"])
    placed = await anna.place("card")
    page = await anna.open(await anna.cancel_payment(placed.headers["location"]))
    assert "You cancelled the card payment. Nothing was charged." in page.text
    assert "Try the card again" in page.text and "Pay another way" in page.text
    assert "updates by itself" not in page.text
    assert (await Order.get()).status == OrderStatus.PENDING_PAYMENT


async def test_placing_again_after_a_card_was_left_unpaid_never_makes_two_orders(anna, shop):
    await anna.add(shop["tee"], 2)
    await anna.place("card")  # the shopper closes the payment page and comes back to the checkout
    again = await anna.place("card")
    assert again.headers["location"].startswith("/sandbox/pay/")
    await anna.pay(again.headers["location"], GOOD)
    statuses = [o.status for o in await Order.all().order_by("id")]
    assert statuses == [OrderStatus.CANCELLED, OrderStatus.PAID]
    assert (await Variant.get(id=shop["tee"].id)).stock == 0 and await ledger_matches_stock()


async def test_a_card_buyer_gets_a_thank_you_and_a_new_cart_survives_the_confirmation_link(anna, shop):
    await anna.add(shop["tee"])
    placed = await anna.place("card")
    back = await anna.pay(placed.headers["location"], GOOD)
    order = await Order.get()
    thanks = await anna.open(back)
    assert "Thank you, Anna!" in thanks.text and f"Your order {order.number} is placed and paid." in thanks.text
    assert "We've emailed the details to anna@example.com." in thanks.text and "Continue shopping" in thanks.text
    assert "0 items" in thanks.text  # the cart became the order when the card was paid
    assert [e.kind for e in await OutboxEmail.filter(order_id=order.id)] == ["order_confirmation"]

    await anna.add(shop["scarf"])  # shopping on, then the confirmation link again, and its poll
    again = await anna.open(back)
    polled = await anna.client.get(back, headers={"HX-Request": "true"})
    assert "1 item" in again.text and polled.status_code == 200
    assert [line.name for line in (await cart.view(await _token_of(order))).lines] == ["Sciarpa"]


async def _token_of(order: Order) -> str:
    return (await Order.get(id=order.id).prefetch_related("cart")).cart.token


async def test_posting_an_old_checkout_form_again_keeps_the_new_cart(anna, shop):
    await anna.add(shop["tee"])
    form = await anna.checkout_form("bank_transfer")
    first = await anna.place("bank_transfer", form)
    await anna.add(shop["scarf"], 2)
    again = await anna.place("bank_transfer", form)  # the back button, and "Place order" once more
    assert again.headers["location"] == first.headers["location"]
    assert await Order.all().count() == 1
    assert "Sciarpa" in (await anna.open("/cart")).text


async def test_a_total_the_shopper_was_not_shown_is_never_charged(anna, shop):
    await Promotion.create(
        name="Welcome 10% off", code="WELCOME10", kind=PromotionKind.ORDER_PERCENT, percent=10, per_customer_limit=1
    )
    token, _ = await cart.add(None, shop["scarf"].id, 1)
    await cart.apply_code(token, "WELCOME10")
    await checkout.place_order(token, ANNA, "earlier-order")  # Anna used her welcome code already

    await anna.add(shop["scarf"])  # a new session: the code is shown as taking 10% off
    await anna.post("/cart/codes", code="WELCOME10")
    page = await anna.open("/checkout")  # the total before the email is typed
    form = {"attempt": hidden(page, "attempt"), "shown_total": hidden(page, "shown_total")}
    assert form["shown_total"] == "2290"  # 20.00 - 2.00 + 4.90 shipping, before the email is known
    refused = await anna.place("bank_transfer", form)
    assert refused.status_code == 422
    assert "The total has changed from €22.90 to €24.90, so we have not placed your order." in refused.text
    assert "You have already used WELCOME10 as many times as it allows." in refused.text
    assert await Order.all().count() == 1
    placed = await anna.place("bank_transfer", form, shown_total=hidden(refused, "shown_total"))
    assert placed.status_code == 303
    assert (await Order.all().order_by("-id").first()).total == 2490


async def test_the_email_brings_the_summary_up_to_date(anna, shop):
    await Promotion.create(
        name="Welcome 10% off", code="WELCOME10", kind=PromotionKind.ORDER_PERCENT, percent=10, per_customer_limit=1
    )
    token, _ = await cart.add(None, shop["scarf"].id, 1)
    await cart.apply_code(token, "WELCOME10")
    await checkout.place_order(token, ANNA, "earlier-order")
    await anna.add(shop["scarf"])
    await anna.post("/cart/codes", code="WELCOME10")
    await anna.checkout_form()
    checked = await anna.client.post(
        "/checkout/validate",
        data={**FORM, "payment_method": "bank_transfer"},
        headers={"HX-Request": "true", "HX-Trigger-Name": "email", "X-CSRF-Token": anna.token},
    )
    assert 'id="summary"' in checked.text and 'hx-swap-oob="true"' in checked.text
    assert 'name="shown_total" value="2490"' in checked.text and "already used WELCOME10" in checked.text


async def test_codes_that_cannot_apply_are_refused_or_explained_never_announced_as_added(anna, shop):
    now = datetime.now(UTC)
    await Promotion.create(
        name="Summer", code="ESTATE25", kind=PromotionKind.ORDER_PERCENT, percent=25, ends_at=now - timedelta(days=30)
    )
    await Promotion.create(
        name="Big basket", code="BIG5", kind=PromotionKind.ORDER_FIXED, amount=500, min_subtotal=10000
    )
    await Promotion.create(name="Ten off", code="TEN", kind=PromotionKind.ORDER_PERCENT, percent=10)
    await anna.add(shop["scarf"])

    expired = await anna.client.post(
        "/cart/codes", data={"code": "estate25"}, headers={"HX-Request": "true", "X-CSRF-Token": anna.token}
    )
    assert expired.status_code == 422
    live = re.search(r'<div id="flash" hx-swap-oob="innerHTML">(.*?)</div>', expired.text, re.S).group(1)
    assert 'role="alert"' in live and "ESTATE25 expired on" in live and "added" not in live
    assert "ESTATE25 expired on" in re.search(r'id="code-error">(.*?)</p>', expired.text, re.S).group(1)
    assert (await Cart.get()).codes == []

    pending = await anna.client.post(
        "/cart/codes", data={"code": "BIG5"}, headers={"HX-Request": "true", "X-CSRF-Token": anna.token}
    )
    assert "Code BIG5 saved, but it does not apply yet:" in pending.text and "spend €80.00 more" in pending.text
    applied = await anna.client.post(
        "/cart/codes", data={"code": "TEN"}, headers={"HX-Request": "true", "X-CSRF-Token": anna.token}
    )
    assert "Code TEN applied." in applied.text


async def test_a_refused_checkout_brings_an_error_summary_into_view(anna, shop):
    await anna.add(shop["tee"])
    form = await anna.checkout_form()
    page = await anna.place("bank_transfer", form, email="anna@", city="")
    summary = re.search(r'<div class="message error error-summary"[^>]*>(.*?)</div>', page.text, re.S)
    assert summary and "autofocus" in summary.group(0)  # focused, so scrolled to, with or without JavaScript
    links = re.findall(r'<a href="#([\w-]+)">([^<]+)</a>', summary.group(1))
    assert [anchor for anchor, _ in links] == ["f-email", "f-city"]
    assert "Enter the city." in links[1][1]


async def test_order_pages_say_what_each_method_means(anna, shop):
    await anna.add(shop["tee"])
    placed = await anna.place("cod")
    page = await anna.open(placed.headers["location"])
    assert "Confirmed — you pay on delivery" in page.text and "Waiting for payment" not in page.text
    assert "You pay €43.90 in cash to the courier." in page.text  # 35.00 + 4.90 shipping + 4.00 fee


async def test_the_tracking_number_and_its_link_are_apart(anna, shop):
    await anna.add(shop["tee"])
    placed = await anna.place("bank_transfer")
    order = await Order.get()
    await Order.filter(id=order.id).update(
        carrier="BRT", tracking_number="BRT87014IT", tracking_url="https://brt.example/t/{number}"
    )
    page = await anna.open(placed.headers["location"])
    assert "tracking number: BRT87014IT <a href" in page.text


async def test_a_replaced_or_expired_order_gives_back_the_once_only_code_it_counted(anna, shop):
    """Anna's declined card order had counted her WELCOME10: paying another way must still get it."""
    await Promotion.create(
        name="Welcome 10% off",
        code="WELCOME10",
        kind=PromotionKind.ORDER_PERCENT,
        percent=10,
        per_customer_limit=1,
        usage_limit=100,
    )
    await anna.add(shop["scarf"])
    await anna.post("/cart/codes", code="WELCOME10")
    placed = await anna.place("card")
    await anna.pay(placed.headers["location"], DECLINED)
    await anna.place("bank_transfer")
    old, new = await Order.all().order_by("id")
    assert old.discount_total == new.discount_total == 200
    assert (await Promotion.get(code="WELCOME10")).used_count == 1  # the new order's use, once

    await anna.add(shop["scarf"])
    placed = await anna.place("card", email="bruno@example.com")
    await lifecycle.expire_unpaid(now=datetime.now(UTC) + timedelta(hours=1))
    assert (await Order.all().order_by("-id").first()).status == OrderStatus.CANCELLED
    assert (await Promotion.get(code="WELCOME10")).used_count == 1  # Bruno's expired order gave his back


async def test_anothers_attempt_posted_from_this_session_reveals_nothing(anna, shop, settings, db):
    """The attempt in Anna's form is no bearer token: posted by Bruno it leads to no order page of hers."""
    import httpx2 as httpx

    from storefront.app import create_app

    await anna.add(shop["tee"])
    form = await anna.checkout_form("bank_transfer")
    await anna.place("bank_transfer", form)
    app = create_app(settings, manage_db=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://shop.test") as other:
        bruno = Shopper(other)
        await bruno.add(shop["scarf"])
        posted = await bruno.place(
            "bank_transfer",
            {**await bruno.checkout_form("bank_transfer"), "attempt": form["attempt"]},
            email="bruno@example.com",
        )
        assert posted.status_code == 422 and "This checkout form has expired" in posted.text
        assert "location" not in posted.headers  # not sent on to Anna's order page
        assert "Sciarpa" in (await bruno.open("/cart")).text
    assert await Order.all().count() == 1
