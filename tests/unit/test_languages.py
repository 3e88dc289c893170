"""The shop in two languages as shoppers and staff meet it: the language in the URL, a first visit sent to
the browser's language once, the switch that keeps the page and the cart, orders and their emails in the
language they were placed in, the back office in the language each member of staff picks.

The test shop has English at the root (conftest), so Italian is under /it/; the demo is the other way round,
and the code is the same."""

from __future__ import annotations

import re

import pytest

from storefront import languages, mailer
from storefront.domain.models import Order, OutboxEmail, Product, Staff, Variant
from tests.unit import factories as f
from tests.unit.test_admin_stock import log_in

FORM = f.checkout_form()


def csrf_of(html: str) -> str:
    return re.search(r'"X-CSRF-Token": "([^"]+)"', html).group(1)


@pytest.fixture
async def tee(db) -> Variant:
    product = await f.product("Maglietta", await f.category("Clothing"), [{"price": 3500, "stock": 5}])
    return await Variant.get(product_id=product.id)


@pytest.mark.parametrize(
    ("header", "wanted"),
    [
        ("it-IT,it;q=0.9,en;q=0.8", "it"),
        ("en-GB,en;q=0.9", "en"),
        ("de-DE,de;q=0.9,it;q=0.5,en;q=0.4", "it"),  # German first, which the shop does not speak
        ("en;q=0.2,it;q=0.8", "it"),
        ("it;q=0,en", "en"),
        ("*", None),
        ("", None),
        (None, None),
        ("it;q=bad,en", "en"),
    ],
)
def test_the_language_a_browser_asks_for(header, wanted):
    assert languages.preferred(header) == wanted


@pytest.mark.parametrize(("tag", "code"), [("it_IT", "it"), ("it-IT", "it"), ("IT", "it"), ("en", "en"), ("fr", None)])
def test_language_tags_as_people_write_them(tag, code):
    assert languages.normalise(tag) == code


async def test_a_first_visit_goes_once_to_the_browsers_language_and_then_the_url_decides(client, tee):
    italian = {"Accept-Language": "it-IT,it;q=0.9,en;q=0.8"}
    first = await client.get("/c/clothing?sort=price", headers=italian)
    assert first.status_code == 302 and first.headers["location"] == "/it/c/clothing?sort=price"
    assert "Accept-Language" in first.headers["vary"]
    page = await client.get(first.headers["location"], headers=italian)
    assert page.status_code == 200 and '<html lang="it">' in page.text
    # Chosen once: an English link followed later stays English, whatever the browser says.
    again = await client.get("/c/clothing", headers=italian)
    assert again.status_code == 200 and '<html lang="en">' in again.text


async def test_no_redirect_without_a_preference_nor_for_what_has_no_language(client, tee):
    assert (await client.get("/")).status_code == 200  # a crawler: no Accept-Language
    client.cookies.clear()
    italian = {"Accept-Language": "it"}
    for path in ("/admin/login", "/healthz", "/static/site.css"):
        assert (await client.get(path, headers=italian)).status_code == 200, path
        client.cookies.clear()
    assert (await client.get("/cart", headers={**italian, "HX-Request": "true"})).status_code == 200


async def test_every_page_names_its_twins_and_offers_the_switch(client, tee, settings):
    slug, base = (await Product.get()).slug, settings.base_url
    page = (await client.get(f"/p/{slug}?colour=x")).text
    assert f'<link rel="alternate" hreflang="en" href="{base}/p/{slug}?colour=x">' in page
    assert f'<link rel="alternate" hreflang="it" href="{base}/it/p/{slug}?colour=x">' in page
    assert f'<link rel="alternate" hreflang="x-default" href="{base}/p/{slug}?colour=x">' in page
    assert f'<a href="/it/p/{slug}?colour=x" hreflang="it" lang="it" hx-boost="false">Italiano</a>' in page
    italian = (await client.get(f"/it/p/{slug}")).text
    assert f'<a href="/p/{slug}" hreflang="en" lang="en" hx-boost="false">English</a>' in italian
    assert 'href="/it/cart"' in italian and 'action="/it/search"' in italian  # links stay in the language


async def test_the_italian_home_is_at_its_slash_and_unknown_italian_urls_are_an_italian_404(client, tee):
    bare = await client.get("/it")
    assert bare.status_code == 308 and bare.headers["location"] == "/it/"
    missing = await client.get("/it/nowhere")
    assert missing.status_code == 404 and '<html lang="it">' in missing.text
    assert "hreflang" not in missing.text.split("</head>")[0]  # an error page is no page to index


async def test_switching_keeps_the_cart_and_prices_follow_the_language(client, tee):
    token = csrf_of((await client.get("/cart")).text)
    await client.post("/cart/items", data={"csrf_token": token, "variant_id": tee.id, "quantity": "2"})
    english = (await client.get("/cart")).text
    assert "€70.00" in english
    italian = (await client.get("/it/cart")).text
    assert "70,00\xa0€" in italian and "Maglietta" in italian
    # The cart's actions stay in Italian: a change without JavaScript comes back to the Italian cart.
    changed = await client.post(f"/it/cart/lines/{tee.id}", data={"csrf_token": token, "quantity": "1"})
    assert changed.status_code == 303 and changed.headers["location"] == "/it/cart"


async def test_an_order_keeps_the_language_it_was_placed_in(client, tee, settings):
    token = csrf_of((await client.get("/it/cart")).text)
    await client.post("/it/cart/items", data={"csrf_token": token, "variant_id": tee.id, "quantity": "1"})
    checkout = (await client.get("/it/checkout")).text
    attempt = re.search(r'name="attempt" value="([^"]+)"', checkout).group(1)
    placed = await client.post(
        "/it/checkout", data={**FORM, "csrf_token": token, "attempt": attempt, "payment_method": "bank_transfer"}
    )
    assert placed.status_code == 303 and placed.headers["location"].startswith("/it/orders/")
    order = await Order.get()
    assert order.language == "it"
    assert '<html lang="it">' in (await client.get(placed.headers["location"])).text
    subject, text, html = await mailer.render(await OutboxEmail.get(order_id=order.id), settings)
    assert f"{settings.base_url}/it/orders/{order.number}?key=" in text
    assert "39,90\xa0€" in text  # €35.00 and €4.90 shipping, written as Italians write it


async def test_staff_pick_the_back_offices_language(client, db):
    token = await log_in(client)
    assert '<html lang="en">' in (await client.get("/admin")).text
    switched = await client.post(
        "/admin/language", data={"csrf_token": token, "language": "it", "next": "/admin/orders"}
    )
    assert switched.status_code == 303 and switched.headers["location"] == "/admin/orders"
    assert (await Staff.get()).language == "it"
    assert '<html lang="it">' in (await client.get("/admin/orders")).text
    refused = await client.post("/admin/language", data={"csrf_token": token, "language": "xx"})
    assert refused.status_code == 400 and (await Staff.get()).language == "it"
