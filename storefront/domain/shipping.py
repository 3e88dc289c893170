"""Shipping: when a parcel arrives. Methods, zones and rates follow with checkout."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

SHOP_TZ = ZoneInfo("Europe/Rome")

# Fixed-date Italian public holidays (month, day); couriers do not deliver on them.
HOLIDAYS = {(1, 1), (1, 6), (4, 25), (5, 1), (6, 2), (8, 15), (11, 1), (12, 8), (12, 25), (12, 26)}


@dataclass(frozen=True)
class DeliveryWindow:
    earliest: date
    latest: date


def is_business_day(day: date) -> bool:
    return day.weekday() < 5 and (day.month, day.day) not in HOLIDAYS


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


# Until checkout knows the address (and shipping methods become data the admin edits), carts show
# the standard courier's rate for the shop's own country.
STANDARD_RATE_ITALY = 490


def estimate() -> int:
    return STANDARD_RATE_ITALY
