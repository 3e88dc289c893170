"""Shipping in the back office over HTTP: methods, zones and rates edited by owners (shipping is a shop setting:
other staff are refused), mistakes refused with 422
beside their field, every change audited, and the shop's quotes follow at once."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest

from storefront.domain.models import (
    AuditEntry,
    ShippingMethod,
    ShippingRate,
    ShippingZone,
    StaffRole,
)
from storefront.domain.shipping import rates
from storefront.seed.shipping import ensure_shipping
from tests.unit.test_admin_stock import log_in

NOW = datetime(2026, 11, 2, 9, tzinfo=UTC)


@pytest.fixture
async def client(client):
    """The shop's client, with the default shipping methods in place."""
    await ensure_shipping("en")
    return client


def method_form(token: str, **fields) -> dict:
    return {
        "csrf_token": token,
        "name": "Same day bike",
        "code": "",
        "description": "Next day",
        "carrier": "BRT",
        "tracking_url": "https://brt.example/t?n={number}",
        "min_days": "1",
        "max_days": "1",
        "cutoff_hour": "12",
        "position": "5",
        "active": "on",
        **fields,
    }


async def test_anonymous_visitors_log_in_staff_are_refused_and_owners_edit_shipping(client):
    response = await client.get("/admin/shipping")
    assert response.status_code == 303 and response.headers["location"].startswith("/admin/login")
    token = await log_in(client, "staff@bottega.example", StaffRole.STAFF)
    refused = await client.get("/admin/shipping")
    assert refused.status_code == 403 and "You can't open this page" in refused.text
    tried = await client.post("/admin/shipping/methods", data=method_form(token))
    assert tried.status_code == 403 and not await ShippingMethod.exists(code="same-day-bike")
    await client.post("/admin/logout", data={"csrf_token": token})
    await log_in(client)
    page = await client.get("/admin/shipping")
    assert page.status_code == 200 and "Methods" in page.text and "Zones" in page.text


async def test_a_new_method_and_rate_are_offered_to_shoppers_and_audited(client):
    token = await log_in(client)
    response = await client.post("/admin/shipping/methods", data=method_form(token))
    assert response.status_code == 303
    method = await ShippingMethod.get(code="same-day-bike")
    assert response.headers["location"] == f"/admin/shipping#method-{method.id}"
    italy = next(z for z in await ShippingZone.all() if "IT" in z.countries)
    response = await client.post(
        f"/admin/shipping/methods/{method.id}/rates",
        data={
            "csrf_token": token,
            "zone_id": str(italy.id),
            "max_weight_grams": "",
            "price": "9,90",
            "free_above": "150",
        },
    )
    assert response.status_code == 303
    offered = {q.code: q for q in await rates.quotes("IT", 500, 2000, NOW)}
    assert offered["same-day-bike"].price == 990 and offered["same-day-bike"].carrier == "BRT"
    offered = {q.code: q for q in await rates.quotes("IT", 500, 15000, NOW)}
    assert offered["same-day-bike"].price == 0
    actions = [e.action for e in await AuditEntry.all().order_by("id")]
    assert actions == ["shipping.method.create", "shipping.rate.create"]
    rate = await ShippingRate.get(method_id=method.id)
    assert (await AuditEntry.get(action="shipping.rate.create")).after["price"] == 990
    page = (await client.get("/admin/shipping")).text
    assert "“Same day bike” saved." in page or "Rates saved." in page
    assert 'value="9,90"' in page and 'value="150,00"' in page

    response = await client.post(f"/admin/shipping/rates/{rate.id}/delete", data={"csrf_token": token})
    assert response.status_code == 303 and not await ShippingRate.exists(id=rate.id)
    assert (await AuditEntry.get(action="shipping.rate.delete")).before["price"] == 990


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"name": ""}, "name", "Fill this in."),
        ({"tracking_url": "https://brt.example/t"}, "tracking_url", "Put {number} where the tracking number goes"),
        ({"tracking_url": "brt dot com {number}"}, "tracking_url", "Enter a web address starting with https://."),
        ({"min_days": "5", "max_days": "2"}, "max_days", "The latest day can't be before the earliest day."),
        ({"cutoff_hour": "25"}, "cutoff_hour", "Enter a number from 0 to 23."),
        ({"code": "standard"}, "code", "That already exists"),
    ],
)
async def test_method_mistakes_are_refused_with_422(client, fields, field, message):
    token = await log_in(client)
    count = await ShippingMethod.all().count()
    response = await client.post("/admin/shipping/methods", data=method_form(token, **fields))
    assert response.status_code == 422
    assert f'id="method-new-{field}-error">{message}' in response.text.replace("&#39;", "'")
    assert await ShippingMethod.all().count() == count and await AuditEntry.all().count() == 0


async def test_a_zone_can_have_its_own_transit_and_the_checkout_promises_it(client):
    token = await log_in(client)
    standard = await ShippingMethod.get(code="standard")
    eu = next(z for z in await ShippingZone.all() if "DE" in z.countries)
    rate = await ShippingRate.filter(method_id=standard.id, zone_id=eu.id).order_by("id").first()
    fields = {
        "csrf_token": token,
        "zone_id": str(eu.id),
        "max_weight_grams": str(rate.max_weight_grams),
        "price": "12,90",
    }
    half = await client.post(f"/admin/shipping/rates/{rate.id}", data={**fields, "min_days": "4", "max_days": ""})
    assert half.status_code == 422 and f'id="rate-{rate.id}-max_days-error">Fill this in.' in half.text
    assert re.search(rf'id="rate-{rate.id}-min_days" name="min_days"[^>]* value="4"', half.text)
    backwards = await client.post(f"/admin/shipping/rates/{rate.id}", data={**fields, "min_days": "6", "max_days": "3"})
    assert (
        backwards.status_code == 422
        and "The latest day can't be before the earliest day." in backwards.text.replace("&#39;", "'")
    )
    saved = await client.post(f"/admin/shipping/rates/{rate.id}", data={**fields, "min_days": "4", "max_days": "8"})
    assert saved.status_code == 303
    entry = await AuditEntry.get(action="shipping.rate.update")
    assert entry.after == {"min_days": 4, "max_days": 8}
    # Monday 2 November 2026, 10:00 in Rome: leaves that day; Germany's business days from there.
    germany = {q.code: q.window for q in await rates.quotes("DE", 500, 2000, NOW)}
    assert germany["standard"] == rates.DeliveryWindow(date(2026, 11, 6), date(2026, 11, 12))
    italy = {q.code: q.window for q in await rates.quotes("IT", 500, 2000, NOW)}  # the method's 2–4 days
    assert italy["standard"] == rates.DeliveryWindow(date(2026, 11, 4), date(2026, 11, 6))
    cleared = await client.post(f"/admin/shipping/rates/{rate.id}", data={**fields, "min_days": "", "max_days": ""})
    assert cleared.status_code == 303 and (await ShippingRate.get(id=rate.id)).min_days is None


async def test_editing_a_zone_audits_before_and_after_and_refuses_bad_countries(client):
    token = await log_in(client)
    zone = next(z for z in await ShippingZone.all() if "IT" in z.countries)
    bad = await client.post(
        f"/admin/shipping/zones/{zone.id}", data={"csrf_token": token, "name": zone.name, "countries": "IT, Italia"}
    )
    assert bad.status_code == 422 and "Not a code: ITALIA." in bad.text and 'value="IT, Italia"' in bad.text
    ok = await client.post(
        f"/admin/shipping/zones/{zone.id}",
        data={"csrf_token": token, "name": zone.name, "countries": "it sm sm", "position": "0"},
    )
    assert ok.status_code == 303
    assert (await ShippingZone.get(id=zone.id)).countries == ["IT", "SM"]
    entry = await AuditEntry.get(action="shipping.zone.update")
    assert entry.after == {"countries": ["IT", "SM"]} and entry.before["countries"] != entry.after["countries"]


async def test_a_rate_needs_a_zone_and_a_price_and_changes_need_the_csrf_token(client):
    token = await log_in(client)
    method = await ShippingMethod.first()
    response = await client.post(
        f"/admin/shipping/methods/{method.id}/rates", data={"csrf_token": token, "zone_id": "", "price": "abc"}
    )
    assert response.status_code == 422
    assert f'id="rate-new-{method.id}-zone_id-error">Choose one.' in response.text
    assert f'id="rate-new-{method.id}-price-error">Enter an amount in euros' in response.text
    forged = await client.post("/admin/shipping/methods", data=method_form("forged"))
    assert forged.status_code == 403 and not await ShippingMethod.exists(code="same-day-bike")
    assert (
        await client.post("/admin/shipping/rates/9999", data={"csrf_token": token, "price": "1", "zone_id": "1"})
    ).status_code == 404
