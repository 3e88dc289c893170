"""Shipping: which methods serve a country, what they cost for a parcel, and when it arrives.

Methods, zones and rates are data (ShippingMethod, ShippingZone, ShippingRate) the admin edits.
Delivery dates count business days from the dispatch day, which depends on an order cut-off hour.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import holidays

from storefront.domain.models import ShippingMethod, ShippingRate, ShippingZone
from storefront.domain.shop_time import SHOP_TZ
from storefront.domain.vat import SHOP_COUNTRY

# Italy's public holidays, from the maintained `holidays` package: the movable ones (Easter Monday) and new
# ones (San Francesco, 4 October, from 2026) included, for any year asked. Couriers do not deliver on them.
HOLIDAYS = holidays.country_holidays(SHOP_COUNTRY)


@dataclass(frozen=True)
class DeliveryWindow:
    earliest: date
    latest: date


@dataclass(frozen=True)
class Quote:
    """A method as offered for one parcel to one country."""

    code: str
    name: str
    description: str
    carrier: str
    price: int  # cents, VAT included
    window: DeliveryWindow
    pickup: bool


def is_business_day(day: date) -> bool:
    return day.weekday() < 5 and day not in HOLIDAYS


def add_business_days(start: date, days: int) -> date:
    day = start
    while days > 0:
        day += timedelta(days=1)
        if is_business_day(day):
            days -= 1
    return day


def dispatch_day(now: datetime, cutoff: time = time(13, 0)) -> date:
    """Orders placed before the cut-off on a business day leave that day; later ones the next business day."""
    local = now.astimezone(SHOP_TZ)
    if is_business_day(local.date()) and local.time() < cutoff:
        return local.date()
    return add_business_days(local.date(), 1)


def delivery_window(now: datetime, min_days: int = 2, max_days: int = 4, cutoff: time = time(13, 0)) -> DeliveryWindow:
    shipped = dispatch_day(now, cutoff)
    return DeliveryWindow(add_business_days(shipped, min_days), add_business_days(shipped, max_days))


def _zone_for(zones: list[ShippingZone], country: str) -> ShippingZone | None:
    exact = next((z for z in zones if country in z.countries), None)
    return exact or next((z for z in zones if "*" in z.countries), None)


def _rate_for(rates: list[ShippingRate], weight_grams: int) -> ShippingRate | None:
    """The lightest weight band the parcel fits in."""
    fitting = [r for r in rates if r.max_weight_grams is None or weight_grams <= r.max_weight_grams]
    return min(fitting, key=lambda r: (r.max_weight_grams is None, r.max_weight_grams or 0), default=None)


async def quotes(country: str, weight_grams: int, goods: int, now: datetime) -> list[Quote]:
    """Every active method that serves the country, in the shop's order (the first is the default)."""
    zone = _zone_for(await ShippingZone.all(), country.upper())
    if zone is None:
        return []
    rates = await ShippingRate.filter(zone_id=zone.id, method__active=True).select_related("method")
    by_method: dict[int, list[ShippingRate]] = {}
    for each in rates:
        by_method.setdefault(each.method_id, []).append(each)
    offered = []
    for method_rates in by_method.values():
        rate = _rate_for(method_rates, weight_grams)
        if rate is None:
            continue
        method: ShippingMethod = rate.method
        price = 0 if rate.free_above is not None and goods >= rate.free_above else rate.price
        window = delivery_window(now, method.min_days, method.max_days, time(method.cutoff_hour))
        offered.append(
            (
                method.position,
                Quote(method.code, method.name, method.description, method.carrier, price, window, method.pickup),
            )
        )
    return [quote for _, quote in sorted(offered, key=lambda pq: pq[0])]


async def is_pickup(code: str) -> bool:
    """Whether an order's shipping method (by code) is collected in the shop: its `pickup` flag, whatever
    the shop named the method."""
    return await ShippingMethod.filter(code=code, pickup=True).exists()


async def estimate(weight_grams: int, goods: int, now: datetime, country: str = SHOP_COUNTRY) -> Quote | None:
    """For the cart: the cheapest delivery (not pickup) to the country (the shop's own until the shopper
    says where they live)."""
    deliveries = [q for q in await quotes(country, weight_grams, goods, now) if not q.pickup]
    return min(deliveries, key=lambda q: q.price, default=None)
