"""VAT by destination as shoppers and the owner see it: the cart's country, the checkout's note, the order's
page and email repeating what was charged, and the owner's One-Stop-Shop setting."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from babel.dates import format_date

from storefront import mailer
from storefront.domain.models import (
    AuditEntry,
    Order,
    OutboxEmail,
    Product,
    Promotion,
    PromotionKind,
    ShopSettings,
    StaffRole,
    Variant,
)
from storefront.domain.shipping import rates
from tests.unit import factories as f
from tests.unit.test_admin_stock import log_in

EXPORT_NOTE = "No VAT charged: goods exported outside the EU (non-taxable, art. 8 DPR 633/72)."


@pytest.fixture
async def filled(client, db):
    tee = await f.product("Maglietta", await f.category("Clothing"), [{"price": 3660, "stock": 5}])
    variant = await Variant.get(product_id=tee.id)
    page = await client.get("/cart")
    token = re.search(r'"X-CSRF-Token": "([^"]+)"', page.text).group(1)
    await client.post("/cart/items", data={"csrf_token": token, "variant_id": variant.id, "quantity": "1"})
    return token


async def test_the_cart_follows_the_country_chosen_with_or_without_javascript(client, filled):
    italy = (await client.get("/cart")).text
    assert "€41.50" in italy and "Includes €7.48 VAT at 22%" in italy  # €36.60 + €4.90, 22/122 of it
    assert '<option value="IT" selected>Italy</option>' in italy
    moved = await client.post("/cart/country", data={"csrf_token": filled, "country": "CH"})
    assert moved.status_code == 303 and moved.headers["location"] == "/cart"
    switzerland = (await client.get("/cart")).text
    # €36.60 less its 22% VAT (€6.60) is €30.00, and the world's courier €24.90.
    assert "€30.00" in switzerland and "€54.90" in switzerland and EXPORT_NOTE in switzerland
    assert "Import duties and taxes may be due on delivery to Switzerland." in switzerland
    fragment = await client.post(
        "/cart/country", data={"country": "DE"}, headers={"HX-Request": "true", "X-CSRF-Token": filled}
    )
    assert "<html" not in fragment.text and "Includes €8.93 Italian VAT at 22%" in fragment.text  # 49.50 × 22/122
    # The checkout starts where the cart said.
    assert '<option value="DE" selected>' in (await client.get("/checkout")).text


async def test_a_country_not_on_offer_changes_nothing(client, filled):
    await client.post("/cart/country", data={"csrf_token": filled, "country": "XX"})
    assert '<option value="IT" selected>' in (await client.get("/cart")).text


async def test_free_shipping_for_italy_is_not_given_abroad_and_says_so(client, filled):
    await Promotion.create(
        name="Free shipping over €30", kind=PromotionKind.FREE_SHIPPING, min_subtotal=3000, countries=["IT", "SM"]
    )
    italy = (await client.get("/cart")).text
    assert "€36.60" in italy and "€41.50" not in italy  # shipping free: the goods are the total
    await client.post("/cart/country", data={"csrf_token": filled, "country": "JP"})
    japan = (await client.get("/cart")).text
    assert "€54.90" in japan  # €30.00 net and the world's €24.90
    assert "Free shipping over €30 applies to deliveries in Italy, San Marino only." in japan


async def test_the_product_page_promises_the_dates_of_where_the_cart_goes(client, filled):
    slug = (await Product.get()).slug
    italy = (await client.get(f"/p/{slug}")).text
    assert "Order now, arrives " in italy and "arrives in" not in italy
    await client.post("/cart/country", data={"csrf_token": filled, "country": "DE"})
    germany = (await client.get(f"/p/{slug}")).text
    today = datetime.now(UTC)
    window = (await rates.estimate(0, 3660, today, "DE")).window
    assert window != (await rates.estimate(0, 3660, today, "IT")).window  # the EU zone's 3–6 days, counted in Germany
    dates = " – ".join(format_date(d, "EEE d MMM", locale="en") for d in (window.earliest, window.latest))
    assert f"Order now, arrives in Germany {dates}" in germany


async def test_staff_limit_a_promotion_to_destinations_audited(client, db):
    token = await log_in(client)
    fields = {"name": "Spedizione gratis", "kind": "free_shipping", "priority": "90", "active": "on"}
    saved = await client.post("/admin/promotions", data={"csrf_token": token, **fields, "countries": "it sm, va"})
    assert saved.status_code == 303
    promotion = await Promotion.get()
    assert promotion.countries == ["IT", "SM", "VA"]
    assert 'value="IT SM VA"' in (await client.get(f"/admin/promotions/{promotion.id}")).text
    entry = await AuditEntry.get(action="promotion.create")
    assert entry.after["countries"] == ["IT", "SM", "VA"]


async def test_an_export_order_repeats_the_net_price_and_the_note_on_its_page_and_email(client, filled, settings):
    checkout = (await client.get("/checkout")).text
    attempt = re.search(r'name="attempt" value="([^"]+)"', checkout).group(1)
    form = f.checkout_form(country="US", postal_code="10001", city="New York", province="NY")
    options = await client.post("/checkout/options", data={**form, "csrf_token": filled, "attempt": attempt})
    assert EXPORT_NOTE in options.text and "€54.90" in options.text  # the summary, before placing
    placed = await client.post(
        "/checkout", data={**form, "csrf_token": filled, "attempt": attempt, "shown_total": "5490"}
    )
    assert placed.status_code == 303
    order = await Order.get()
    assert (order.total, order.vat, order.vat_regime) == (5490, {}, "export")
    page = (await client.get(placed.headers["location"])).text
    assert "€54.90" in page and EXPORT_NOTE in page and "United States" in page
    _, text, html = await mailer.render(await OutboxEmail.get(order_id=order.id), settings)
    assert EXPORT_NOTE in text and EXPORT_NOTE in html and "€30.00" in text


async def test_the_owner_joins_the_one_stop_shop_audited_and_staff_may_not(client, db):
    staff_token = await log_in(client, "staff@bottega.example", StaffRole.STAFF)
    assert (await client.get("/admin/settings")).status_code == 403
    assert (await client.post("/admin/settings", data={"csrf_token": staff_token, "vat": "oss"})).status_code == 403
    await client.post("/admin/logout", data={"csrf_token": staff_token})
    token = await log_in(client)
    page = await client.get("/admin/settings")
    assert page.status_code == 200 and 'value="italian" checked' in page.text
    bad = await client.post("/admin/settings", data={"csrf_token": token, "vat": "both"})
    assert bad.status_code == 422 and "choose how VAT is charged" in bad.text
    saved = await client.post("/admin/settings", data={"csrf_token": token, "vat": "oss"})
    assert saved.status_code == 303
    assert (await ShopSettings.get()).vat_oss
    after = (await client.get("/admin/settings")).text
    assert "Settings saved." in after and 'value="oss" checked' in after
    entry = await AuditEntry.get(action="settings.vat_oss")
    assert (entry.actor, entry.before, entry.after) == ("owner@bottega.example", False, True)
