"""The shop's clock: its time zone, its calendar days, and days as people type them.

Staff and shoppers mean days in Rome: "today" starts at midnight there, not in UTC, and a promotion
"until 31 October" runs to the midnight after it. Moments are stored, and compared, as UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import overload
from zoneinfo import ZoneInfo

SHOP_TZ = ZoneInfo("Europe/Rome")


@overload
def day_of(moment: datetime) -> date: ...
@overload
def day_of(moment: None) -> None: ...
def day_of(moment: datetime | None) -> date | None:
    """The shop day a moment falls on."""
    return None if moment is None else _day(moment)


def today(now: datetime | None = None) -> date:
    """The shop day it is `now` (by default, right now)."""
    return _day(now or datetime.now(UTC))


def day_start(day: date) -> datetime:
    """Midnight of a shop day, as UTC (23:00 or 22:00 the evening before, depending on summer time)."""
    return datetime.combine(day, time(), SHOP_TZ).astimezone(UTC)


def day_end(day: date) -> datetime:
    """Where a period that takes in the whole of `day` stops (excluded): the midnight after it, as UTC."""
    return day_start(day + timedelta(days=1))


@overload
def last_day(end: datetime) -> date: ...
@overload
def last_day(end: None) -> None: ...
def last_day(end: datetime | None) -> date | None:
    """The last shop day of a period that stops at `end` (excluded): the inverse of `day_end`."""
    return None if end is None else _day(end) - timedelta(days=1)


def _day(moment: datetime) -> date:
    return moment.astimezone(SHOP_TZ).date()


def parse_day(text: str | None) -> date | None:
    """A day as a date field sends it ("2026-10-31"); None when blank; ValueError when it is no date."""
    text = (text or "").strip()
    return date.fromisoformat(text) if text else None
