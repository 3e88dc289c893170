"""Shipping: which methods serve a country, what they cost for a parcel, and when it arrives.

Methods, zones and rates are data (ShippingMethod, ShippingZone, ShippingRate) the admin edits. A rate is
one method in one zone, up to a weight: its price and, when the zone's couriers take longer or less long
than the method says, its own transit.

A delivery window is counted the way a parcel travels: it leaves on the shop's next business day (before
the method's cut-off hour, the same day), then spends its transit in business days at the destination —
Germany's Unity Day or America's Thanksgiving hold it up there, Italy's Easter Monday when it stays here.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import holidays

from storefront.domain.models import ShippingMethod, ShippingRate, ShippingZone
from storefront.domain.shop_time import SHOP_TZ
from storefront.domain.translations import word
from storefront.domain.vat import SHOP_COUNTRY


@functools.cache
def _calendar(country: str) -> holidays.HolidayBase | None:
    """A country's public holidays and weekend, from the maintained `holidays` package (movable feasts such
    as Easter Monday, and new days such as Italy's San Francesco from 2026, for any year asked). None for a
    country it does not know: then only Saturdays and Sundays are days off."""
    try:
        return holidays.country_holidays(country)
    except NotImplementedError:
        return None


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


def is_business_day(day: date, country: str = SHOP_COUNTRY) -> bool:
    calendar = _calendar(country)
    return calendar.is_working_day(day) if calendar is not None else day.weekday() < 5


def add_business_days(start: date, days: int, country: str = SHOP_COUNTRY) -> date:
    day = start
    while days > 0:
        day += timedelta(days=1)
        if is_business_day(day, country):
            days -= 1
    return day


def dispatch_day(now: datetime, cutoff: time = time(13, 0)) -> date:
    """Orders placed before the cut-off on a business day leave that day; later ones the next business day."""
    local = now.astimezone(SHOP_TZ)
    if is_business_day(local.date()) and local.time() < cutoff:
        return local.date()
    return add_business_days(local.date(), 1)


def delivery_window(
    now: datetime, min_days: int = 2, max_days: int = 4, cutoff: time = time(13, 0), country: str = SHOP_COUNTRY
) -> DeliveryWindow:
    """From the shop's dispatch day, the transit counted in the destination's business days."""
    shipped = dispatch_day(now, cutoff)
    return DeliveryWindow(add_business_days(shipped, min_days, country), add_business_days(shipped, max_days, country))


def transit(rate: ShippingRate, method: ShippingMethod) -> tuple[int, int]:
    """Business days in transit: the zone's own, where the rate says, else the method's."""
    if rate.min_days is not None and rate.max_days is not None:
        return rate.min_days, rate.max_days
    return method.min_days, method.max_days


def _zone_for(zones: list[ShippingZone], country: str) -> ShippingZone | None:
    exact = next((z for z in zones if country in z.countries), None)
    return exact or next((z for z in zones if "*" in z.countries), None)


def _rate_for(rates: list[ShippingRate], weight_grams: int) -> ShippingRate | None:
    """The lightest weight band the parcel fits in."""
    fitting = [r for r in rates if r.max_weight_grams is None or weight_grams <= r.max_weight_grams]
    return min(fitting, key=lambda r: (r.max_weight_grams is None, r.max_weight_grams or 0), default=None)


@dataclass(frozen=True)
class Tables:
    """The shipping rows quotes are made from: every zone, and the active methods' rates with their method.
    A few dozen rows; the catalogue cache keeps them per version for product pages (version.WATCHED)."""

    zones: list[ShippingZone]
    rates: list[ShippingRate]
    language: str | None = None  # the methods' names are read in it


async def tables(language: str | None = None) -> Tables:
    rates = await ShippingRate.filter(method__active=True).select_related("method")
    return Tables(await ShippingZone.all(), rates, language)


async def quotes(
    country: str,
    weight_grams: int,
    goods: int,
    now: datetime,
    kept: Tables | None = None,
    language: str | None = None,
) -> list[Quote]:
    """Every active method that serves the country, in the shop's order (the first is the default), named
    in `language` (None: the shop's). `kept`: the tables as already read (in their language), else they
    are read now."""
    found = kept or await tables(language)
    country = country.upper()
    zone = _zone_for(found.zones, country)
    if zone is None:
        return []
    by_method: dict[int, list[ShippingRate]] = {}
    for each in found.rates:
        if each.zone_id == zone.id:
            by_method.setdefault(each.method_id, []).append(each)
    offered = []
    for method_rates in by_method.values():
        rate = _rate_for(method_rates, weight_grams)
        if rate is None:
            continue
        method: ShippingMethod = rate.method
        price = 0 if rate.free_above is not None and goods >= rate.free_above else rate.price
        window = delivery_window(now, *transit(rate, method), time(method.cutoff_hour), country)
        offered.append(
            (
                method.position,
                Quote(
                    method.code,
                    word(method, "name", found.language),
                    word(method, "description", found.language),
                    method.carrier,
                    price,
                    window,
                    method.pickup,
                ),
            )
        )
    return [quote for _, quote in sorted(offered, key=lambda pq: pq[0])]


async def is_pickup(code: str) -> bool:
    """Whether an order's shipping method (by code) is collected in the shop: its `pickup` flag, whatever
    the shop named the method."""
    return await ShippingMethod.filter(code=code, pickup=True).exists()


async def estimate(
    weight_grams: int,
    goods: int,
    now: datetime,
    country: str = SHOP_COUNTRY,
    kept: Tables | None = None,
    language: str | None = None,
) -> Quote | None:
    """For the cart and product pages: the cheapest delivery (not pickup) to the country (the shop's own
    until the shopper says where they live)."""
    deliveries = [q for q in await quotes(country, weight_grams, goods, now, kept, language) if not q.pickup]
    return min(deliveries, key=lambda q: q.price, default=None)
