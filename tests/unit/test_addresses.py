"""The address form follows the country: what is asked, what is required, how a postcode looks, which regions
exist; the list of countries by name; the form re-rendered for a new country with what was typed kept."""

from __future__ import annotations

import dataclasses
import re

import pytest

from storefront.domain import addresses, checkout
from storefront.domain.models import Variant
from tests.unit import factories as f


def details(country: str, **typed: str) -> checkout.Details:
    form = {**dataclasses.asdict(f.ANNA), "country": country, "postal_code": "", "province": "", **typed}
    return checkout.Details.from_form(form)


@pytest.mark.parametrize(
    ("country", "typed", "errors"),
    [
        ("IT", {}, {"postal_code": "required", "province": "required"}),
        ("IT", {"postal_code": "50122", "province": "fi"}, {}),
        ("IT", {"postal_code": "50122", "province": "Firenze"}, {}),  # by name: kept as FI
        ("IT", {"postal_code": "5012", "province": "ZZ"}, {"postal_code": "postal_code", "province": "province"}),
        ("DE", {"postal_code": "10115", "province": "FI"}, {}),  # no province asked: what was typed is dropped
        ("DE", {"postal_code": "1011"}, {"postal_code": "postal_code"}),
        ("US", {"postal_code": "10001"}, {"province": "required"}),
        ("US", {"postal_code": "10001-1234", "province": "ny"}, {}),
        ("JP", {"postal_code": "100-0001", "province": "tokyo"}, {}),
        ("CH", {"postal_code": "80011"}, {"postal_code": "postal_code"}),
        ("GB", {"postal_code": "EC1Y 8SY"}, {}),
        ("GB", {"postal_code": "12345"}, {"postal_code": "postal_code"}),
        ("IE", {}, {}),  # an Eircode is asked but not required
    ],
)
def test_each_country_asks_what_its_addresses_have(country, typed, errors):
    d = details(country, **typed)
    assert checkout.field_errors(d) == errors
    if country == "IT" and not errors:
        assert d.province == "FI"
    if country == "DE":
        assert d.province == ""


def test_the_region_field_is_named_as_the_country_names_it():
    kinds = {c: addresses.format_for(c).region_kind for c in ("IT", "US", "CA", "AU", "JP", "DE", "FR", "CH")}
    assert kinds == {
        "IT": "province", "US": "state", "CA": "province", "AU": "state", "JP": "prefecture",
        "DE": None, "FR": None, "CH": None,
    }  # fmt: skip
    assert addresses.format_for("JP").region("東京都") == "Tokyo"  # kept in Latin letters, as staff read it


@pytest.fixture
async def filled(client, db):
    tee = await f.product("Maglietta", await f.category("Clothing"), [{"price": 3500, "stock": 5}])
    page = await client.get("/cart")
    token = re.search(r'"X-CSRF-Token": "([^"]+)"', page.text).group(1)
    variant = await Variant.get(product_id=tee.id)
    await client.post("/cart/items", data={"csrf_token": token, "variant_id": variant.id, "quantity": "1"})
    attempt = re.search(r'name="attempt" value="([^"]+)"', (await client.get("/checkout")).text).group(1)
    return {"csrf_token": token, "attempt": attempt}


async def test_changing_the_country_re_renders_the_address_keeping_what_was_typed(client, filled):
    form = {**f.checkout_form(country="US", postal_code="10001", city="New York", province=""), **filled}
    htmx = await client.post(
        "/checkout/options", data=form, headers={"HX-Request": "true", "HX-Trigger-Name": "country"}
    )
    fragment = htmx.text
    assert 'id="address-local" hx-swap-oob="true"' in fragment and ">State</label>" in fragment
    assert 'value="10001"' in fragment and 'value="New York"' in fragment and ">ZIP code</label>" in fragment
    page = (await client.post("/checkout/options", data={**form, "country": "DE"})).text  # no JavaScript
    assert "<html" in page and ">State</label>" not in page and ">Province</label>" not in page
    assert 'value="10001"' in page and 'value="Via dei Servi 12"' in page


async def test_choosing_a_method_leaves_the_address_as_the_shopper_is_retyping_it(client, filled):
    """The update after a shipping or payment choice may land while the shopper edits the city: it must not
    put the old city back."""
    form = {**f.checkout_form(city="Firenze"), **filled}
    for field in ("shipping_method", "payment_method"):
        htmx = await client.post(
            "/checkout/options", data=form, headers={"HX-Request": "true", "HX-Trigger-Name": field}
        )
        assert htmx.status_code == 200 and 'id="options"' in htmx.text
        assert 'id="address-local"' not in htmx.text and 'value="Firenze"' not in htmx.text


async def test_a_state_not_of_the_country_is_refused_next_to_the_field(client, filled):
    form = {**f.checkout_form(country="US", postal_code="10001", city="New York", province="Texasss"), **filled}
    page = await client.post("/checkout", data=form)
    assert page.status_code == 422
    assert "We don't know that state: use its code or name, like AL." in page.text
    assert 'value="Texasss"' in page.text


async def test_countries_are_listed_by_name_the_shops_first(client, filled):
    page = (await client.get("/checkout")).text
    names = re.findall(r'<option value="[A-Z]{2}"(?: selected)?>([^<]+)</option>', page)
    assert names[0] == "Italy" and names[1:] == sorted(names[1:])
    assert names.index("Denmark") < names.index("Germany")
