"""VAT by destination, through the checkout and into the order: totals computed by hand for Italy, Germany
under both regimes, France under the One-Stop-Shop, and exports to Switzerland, the US and Japan.

The cart in every case: two shirts at €35.00 (standard class, 22% in Italy) and a book at €15.00 (4% in
Italy), with WELCOME10 (10% off the goods): €85.00 − €8.50 = €76.50 of goods at shelf prices.
The demo's standard courier costs €4.90 in Italy, €12.90 in the EU and €24.90 elsewhere.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from storefront.domain import checkout, shop, vat
from storefront.domain.basket import cart
from storefront.domain.models import (
    Order,
    OrderLine,
    Product,
    Promotion,
    PromotionKind,
    Staff,
    StaffRole,
    TaxClass,
    Variant,
    VatRegime,
)
from tests.unit import factories as f

NOW = datetime(2026, 12, 2, 9, tzinfo=UTC)


@pytest.fixture
async def basket(db):
    clothing = await f.category("Clothing")
    shirt = await f.product("Camicia", clothing, [{"price": 3500, "stock": 10}])
    book = await f.product("Libro", clothing, [{"price": 1500, "stock": 10}])
    await Product.filter(id=book.id).update(tax_class=TaxClass.SUPER_REDUCED)
    await Promotion.create(name="Welcome 10% off", code="WELCOME10", kind=PromotionKind.ORDER_PERCENT, percent=10)
    token, _ = await cart.add(None, (await Variant.get(product_id=shirt.id)).id, 2)
    await cart.add(token, (await Variant.get(product_id=book.id)).id, 1)
    await cart.apply_code(token, "WELCOME10", NOW)
    return token


async def owner() -> Staff:
    return await Staff.create(email="owner@example.com", password_hash="x", role=StaffRole.OWNER)


ADDRESSES = {
    "IT": dict(postal_code="50122", city="Firenze", province="FI"),
    "DE": dict(postal_code="10115", city="Berlin", province=""),
    "FR": dict(postal_code="75001", city="Paris", province=""),
    "CH": dict(postal_code="8001", city="Zürich", province=""),
    "US": dict(postal_code="10001", city="New York", province="NY"),
    "JP": dict(postal_code="100-0001", city="Chiyoda-ku", province="Tokyo"),
}


def shopper_in(country: str, payment_method: str = "bank_transfer") -> checkout.Details:
    return dataclasses.replace(f.ANNA, country=country, payment_method=payment_method, **ADDRESSES[country])


async def place(token: str, country: str, payment_method: str = "bank_transfer") -> Order:
    d = shopper_in(country, payment_method)
    shown = (await checkout.summary(token, d, NOW)).totals.total
    return await checkout.place_order(token, d, f"attempt-{country}-{payment_method}", now=NOW, shown_total=shown)


async def lines_of(order: Order) -> dict[str, tuple[int, int, int]]:
    """name -> (unit price, quantity, VAT rate) as the order recorded them."""
    return {
        line.name: (line.unit_price, line.quantity, line.vat_rate) for line in await OrderLine.filter(order_id=order.id)
    }


async def test_italy_pays_italian_vat_on_goods_and_on_shipping_in_proportion(basket):
    order = await place(basket, "IT")
    # Shipping 490 follows the goods after discount, 6300 at 22% and 1350 at 4%: 403.53 → 404 and 86.47 → 86.
    # VAT: (6300 + 404) × 22/122 = 1208.9 → 1209; (1350 + 86) × 4/104 = 55.2 → 55.
    assert (order.subtotal, order.discount_total, order.shipping_cost, order.total) == (8500, 850, 490, 8140)
    assert order.vat == {"2200": 1209, "400": 55} and order.vat_regime == VatRegime.DOMESTIC
    assert await lines_of(order) == {"Camicia": (3500, 2, 2200), "Libro": (1500, 1, 400)}


async def test_cash_on_delivery_in_italy_adds_its_fee_which_carries_the_goods_vat(basket):
    order = await place(basket, "IT", "cod")
    # Shipping and the €4.00 fee, 890, split 6300:1350 → 732.94 → 733 and 157.06 → 157.
    # VAT: (6300 + 733) × 22/122 = 1268.2 → 1268; (1350 + 157) × 4/104 = 57.96 → 58.
    assert (order.surcharge, order.total) == (400, 8540)
    assert order.vat == {"2200": 1268, "400": 58}


async def test_germany_under_the_threshold_pays_italian_vat(basket):
    order = await place(basket, "DE")
    # Shipping 1290 split 6300:1350 → 1062.35 → 1062 and 227.65 → 228 (the larger remainder takes the cent).
    # VAT: (6300 + 1062) × 22/122 = 1327.6 → 1328; (1350 + 228) × 4/104 = 60.7 → 61.
    assert (order.shipping_cost, order.total) == (1290, 8940)
    assert order.vat == {"2200": 1328, "400": 61} and order.vat_regime == VatRegime.DOMESTIC
    assert await lines_of(order) == {"Camicia": (3500, 2, 2200), "Libro": (1500, 1, 400)}


async def test_germany_under_the_one_stop_shop_pays_the_same_price_with_german_vat_in_it(basket):
    await shop.set_vat_oss(await owner(), True)
    order = await place(basket, "DE")
    # The same gross amounts as without the OSS; the VAT in them is Germany's: 19% and, for the book, 7%.
    # (6300 + 1062) × 19/119 = 1175.4 → 1175; (1350 + 228) × 7/107 = 103.2 → 103.
    assert order.total == 8940
    assert order.vat == {"1900": 1175, "700": 103} and order.vat_regime == VatRegime.OSS
    assert await lines_of(order) == {"Camicia": (3500, 2, 1900), "Libro": (1500, 1, 700)}


async def test_france_under_the_one_stop_shop_pays_french_vat(basket):
    await shop.set_vat_oss(await owner(), True)
    order = await place(basket, "FR")
    # (6300 + 1062) × 20/120 = 1227; (1350 + 228) × 5.5/105.5 = 82.3 → 82.
    assert order.total == 8940 and order.vat == {"2000": 1227, "550": 82}


@pytest.mark.parametrize("country", ["CH", "US", "JP"])
async def test_an_export_pays_net_prices_and_no_vat(basket, country):
    await shop.set_vat_oss(await owner(), True)  # the OSS is for EU consumers only: it changes nothing here
    order = await place(basket, country)
    # Each unit less its Italian VAT: 3500 − 3500 × 22/122 (631.1 → 631) = 2869; 1500 − 1500 × 4/104 (57.7 → 58)
    # = 1442. Goods 2 × 2869 + 1442 = 7180, 10% off = 718, the world's €24.90 courier: 7180 − 718 + 2490 = 8952.
    assert (order.subtotal, order.discount_total, order.shipping_cost, order.total) == (7180, 718, 2490, 8952)
    assert order.vat == {} and order.vat_regime == VatRegime.EXPORT
    assert await lines_of(order) == {"Camicia": (2869, 2, 0), "Libro": (1442, 1, 0)}


async def test_the_cart_is_priced_for_the_country_the_shopper_chose(basket):
    italy = await cart.view(basket, NOW)
    await cart.ship_to(basket, "CH")
    switzerland = await cart.view(basket, NOW)
    assert (italy.country, italy.totals.total, italy.totals.vat) == ("IT", 8140, {2200: 1209, 400: 55})
    assert (switzerland.country, switzerland.totals.total, switzerland.totals.vat) == ("CH", 8952, {})
    assert [line.unit_price for line in switzerland.lines] == [2869, 1442]  # the lines show what is charged
    assert await cart.ship_country(basket) == "CH"


def test_every_member_state_has_dated_rates_and_a_change_applies_from_its_day():
    assert set(vat.MEMBER_RATES) == vat.EU_MEMBERS and len(vat.EU_MEMBERS) == 27
    assert vat.rates_of("EE", datetime(2025, 6, 30).date()).standard == 2200
    assert vat.rates_of("EE", datetime(2025, 7, 1).date()).standard == 2400
    assert vat.rates_of("DE", NOW.date()) == vat.Rates(1900, 700, 700)
    for country in vat.EU_MEMBERS:
        rates = vat.rates_of(country, NOW.date())
        assert 1500 <= rates.standard <= 2700 and rates.super_reduced <= rates.reduced <= rates.standard


@pytest.mark.parametrize(
    ("country", "oss", "regime", "standard"),
    [
        ("IT", True, VatRegime.DOMESTIC, 2200),
        ("SM", True, VatRegime.DOMESTIC, 2200),  # San Marino's consumers pay Italian VAT
        ("DE", False, VatRegime.DOMESTIC, 2200),
        ("DE", True, VatRegime.OSS, 1900),
        ("HU", True, VatRegime.OSS, 2700),
        ("CH", True, VatRegime.EXPORT, 0),
        ("GB", False, VatRegime.EXPORT, 0),  # out of the EU since 2021
        ("NO", False, VatRegime.EXPORT, 0),
    ],
)
def test_the_destination_decides_the_regime(country, oss, regime, standard):
    tax = vat.for_destination(country, oss=oss, day=NOW.date())
    assert tax.regime is regime and tax.rate(TaxClass.STANDARD) == standard
