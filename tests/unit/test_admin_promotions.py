"""Promotions in the back office over HTTP: staff and owners may manage them, anonymous visitors log in first;
every field is checked at once (422, messages by their fields, nothing typed lost); codes are stored
normalised and unique; every change is audited; a code made here works in the shopper's cart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from storefront.domain.basket import cart
from storefront.domain.models import (
    AuditEntry,
    Promotion,
    PromotionKind,
    StaffRole,
    Variant,
)
from tests.unit import factories as f
from tests.unit.test_admin_stock import csrf, log_in

HTMX_BOOST = {"HX-Request": "true", "HX-Boosted": "true"}


def form(token: str, **fields) -> dict:
    return {
        "csrf_token": token,
        "name": "Autumn 15% off",
        "code": "autunno15",
        "kind": "order_percent",
        "percent": "15",
        "priority": "100",
        "active": "on",
        "combines_with_order": "on",
        "combines_with_product": "on",
        "combines_with_shipping": "on",
        **fields,
    }


@pytest.fixture
async def tee(db) -> Variant:
    product = await f.product("Maglietta", await f.category("Clothing"), [{"price": 4000, "stock": 9, "sku": "MAG-M"}])
    return await Variant.get(product_id=product.id)


async def test_anonymous_visitors_are_sent_to_the_login(client, db):
    promotion = await Promotion.create(name="Old", kind=PromotionKind.FREE_SHIPPING)
    for url in ("/admin/promotions", "/admin/promotions/new", f"/admin/promotions/{promotion.id}"):
        response = await client.get(url)
        assert response.status_code == 303 and response.headers["location"].startswith("/admin/login?next=")
    token = await csrf(client)
    response = await client.post("/admin/promotions", data=form(token))
    assert response.status_code == 303 and response.headers["location"].startswith("/admin/login")
    assert await Promotion.all().count() == 1


async def test_staff_create_a_code_stored_normalised_and_audited(client, tee):
    token = await log_in(client, "staff@bottega.example", StaffRole.STAFF)  # not only owners
    response = await client.post(
        "/admin/promotions",
        data=form(
            token,
            code="  autunno   15 ",
            min_subtotal="50,00",
            starts_on="2026-10-01",
            ends_on="2026-10-31",
            usage_limit="100",
            per_customer_limit="1",
            products="MAG-M",
        ),
    )
    assert response.status_code == 303
    promotion = await Promotion.get()
    assert response.headers["location"] == f"/admin/promotions/{promotion.id}"
    assert (promotion.code, promotion.percent, promotion.min_subtotal) == ("AUTUNNO 15", 15, 5000)
    assert promotion.product_ids == [tee.product_id] and promotion.amount is None
    # The dates mean whole days in Rome: from midnight of the first to the midnight after the last.
    assert promotion.starts_at == datetime(2026, 9, 30, 22, 0, tzinfo=UTC)
    assert promotion.ends_at == datetime(2026, 10, 31, 23, 0, tzinfo=UTC)
    entry = await AuditEntry.get(action="promotion.create")
    assert (entry.actor, entry.subject, entry.before) == ("staff@bottega.example", f"promotion:{promotion.id}", None)
    assert entry.after["code"] == "AUTUNNO 15" and entry.after["starts_at"] == "2026-09-30T22:00:00+00:00"

    page = (await client.get(response.headers["location"])).text
    assert "Promotion “Autumn 15% off” created." in page
    assert 'value="2026-10-31"' in page and 'value="50,00"' in page and "MAG-M" in page  # as typed
    assert "Autumn 15% off: spend €50.00 more to get it." in page  # the cart's own words
    listing = (await client.get("/admin/promotions")).text
    assert "AUTUNNO 15" in listing and "0 / 100" in listing


async def test_codes_are_unique_whatever_their_case(client, tee):
    token = await log_in(client)
    assert (await client.post("/admin/promotions", data=form(token))).status_code == 303
    response = await client.post("/admin/promotions", data=form(token, code="Autunno15", name="Copy"))
    assert response.status_code == 422
    assert "The code AUTUNNO15 is already used by another promotion" in response.text
    assert 'value="Copy"' in response.text  # nothing typed is lost
    assert await Promotion.all().count() == 1


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"name": ""}, "name", "Fill this in."),
        ({"kind": "bogus"}, "kind", "Choose one."),
        ({"percent": "150"}, "percent", "Enter a number from 1 to 100."),
        ({"percent": ""}, "percent", "Fill this in."),
        ({"kind": "order_fixed", "amount": "cinque"}, "amount", "Enter an amount in euros, like 5,00."),
        ({"kind": "order_fixed", "amount": "0"}, "amount", "Enter more than 0,00."),
        ({"kind": "buy_x_get_y", "buy_quantity": "2"}, "get_quantity", "Fill this in."),
        ({"code": "TEN%OFF"}, "code", "Use letters, digits, dashes and spaces only."),
        ({"products": "NOPE-1"}, "products", "No product has these SKUs: NOPE-1."),
        ({"starts_on": "2026-10-10", "ends_on": "2026-10-01"}, "ends_on", "The last day can't be before"),
        ({"starts_on": "10/10/2026"}, "starts_on", "Enter a date like 2026-10-31."),
        ({"usage_limit": "0"}, "usage_limit", "Enter a number from 1 to"),
        ({"min_subtotal": "-5"}, "min_subtotal", "Enter an amount in euros"),
        ({"countries": "it, XX"}, "countries", "The shop does not deliver to: XX."),
    ],
)
async def test_mistakes_are_refused_with_422_beside_their_field(client, tee, fields, field, message):
    token = await log_in(client)
    response = await client.post("/admin/promotions", data=form(token, **fields))
    assert response.status_code == 422
    text = response.text.replace("&#39;", "'")
    assert f'id="f-{field}-error">{message}' in text
    assert "Not saved: please correct the highlighted fields." in text
    assert await Promotion.all().count() == 0 and await AuditEntry.all().count() == 0


async def test_every_error_is_shown_at_once_and_htmx_gets_the_page_with_422(client, tee):
    token = await log_in(client)
    response = await client.post(
        "/admin/promotions", headers=HTMX_BOOST, data=form(token, name="", percent="x", min_quantity="many")
    )
    assert response.status_code == 422 and response.text.count('class="error"') == 3


async def test_editing_audits_only_what_changed_and_clears_values_the_kind_does_not_use(client, tee):
    token = await log_in(client)
    await client.post("/admin/promotions", data=form(token))
    promotion = await Promotion.get()
    response = await client.post(
        f"/admin/promotions/{promotion.id}", data=form(token, kind="order_fixed", amount="5,00", percent="15")
    )
    assert response.status_code == 303
    promotion = await Promotion.get()
    assert (promotion.kind, promotion.amount, promotion.percent) == (PromotionKind.ORDER_FIXED, 500, None)
    entry = await AuditEntry.get(action="promotion.update")
    assert entry.before == {"kind": "order_percent", "percent": 15, "amount": None}
    assert entry.after == {"kind": "order_fixed", "percent": None, "amount": 500}
    # Saving again without a change writes nothing.
    await client.post(f"/admin/promotions/{promotion.id}", data=form(token, kind="order_fixed", amount="5"))
    assert await AuditEntry.filter(action="promotion.update").count() == 1
    # Its own code is not "taken" by itself.
    assert "Nothing changed" in (await client.get(f"/admin/promotions/{promotion.id}")).text


async def test_switching_off_stops_the_code_and_is_audited(client, tee):
    token = await log_in(client)
    await client.post("/admin/promotions", data=form(token))
    promotion = await Promotion.get()
    response = await client.post(
        f"/admin/promotions/{promotion.id}/active",
        data={"csrf_token": token, "active": "0", "next": "https://evil.example/"},
    )
    assert response.status_code == 303 and response.headers["location"] == "/admin/promotions"
    assert not (await Promotion.get()).active
    entry = await AuditEntry.get(action="promotion.deactivate")
    assert (entry.before, entry.after) == ({"active": True}, {"active": False})
    with pytest.raises(cart.UnknownCode):
        await cart.apply_code(None, "autunno15")
    assert "is switched off" in (await client.get("/admin/promotions")).text


async def test_changes_need_the_csrf_token(client, tee):
    await log_in(client)
    assert (await client.post("/admin/promotions", data=form("forged"))).status_code == 403
    assert await Promotion.all().count() == 0


async def test_unknown_promotions_are_404(client, tee):
    token = await log_in(client)
    assert (await client.get("/admin/promotions/999")).status_code == 404
    assert (await client.post("/admin/promotions/999", data=form(token))).status_code == 404
    assert (await client.post("/admin/promotions/999/active", data={"csrf_token": token})).status_code == 404


async def test_a_code_created_here_works_in_the_cart(client, tee):
    token = await log_in(client)
    await client.post("/admin/promotions", data=form(token))
    cart_token, _ = await cart.add(None, tee.id, 2)  # €80.00 of goods
    cart_token, code = await cart.apply_code(cart_token, " Autunno15 ")
    assert code == "AUTUNNO15"
    totals = (await cart.view(cart_token)).totals
    assert [(d.code, d.amount) for d in totals.discounts] == [("AUTUNNO15", 1200)]


async def test_the_list_shows_each_promotions_state_and_the_edit_page_what_shoppers_are_told(client, tee):
    await log_in(client)
    now = datetime.now(UTC)
    rows = {
        "Off": dict(active=False),
        "Ended": dict(ends_at=now - timedelta(days=1)),
        "Scheduled": dict(starts_at=now + timedelta(days=3)),
        "Used up": dict(usage_limit=2, used_count=2),
        "Active": dict(),
    }
    made = {
        label: await Promotion.create(name=f"{label} promo", kind=PromotionKind.FREE_SHIPPING, **fields)
        for label, fields in rows.items()
    }
    page = (await client.get("/admin/promotions")).text
    for label, promotion in made.items():
        row = page[page.index(f'id="promotion-{promotion.id}"') :]
        row = row[: row.index("</tr>")]
        assert f">{label}</span>" in row
    assert 'class="off"' in page[page.index(f'id="promotion-{made["Off"].id}"') - 5 :][:80]
    bundle = await Promotion.create(
        name="Three for two", kind=PromotionKind.BUY_X_GET_Y, buy_quantity=2, get_quantity=1, usage_limit=9
    )
    edit = (await client.get(f"/admin/promotions/{bundle.id}")).text
    assert "Three for two: add 3 more eligible items to get it." in edit
    assert "Three for two has been used up." in edit
