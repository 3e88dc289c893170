"""The shop's clock: days are Rome's, moments are UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from storefront.domain import shop_time


def test_a_shop_day_starts_at_midnight_in_rome_summer_or_winter():
    assert shop_time.day_start(date(2026, 7, 1)) == datetime(2026, 6, 30, 22, 0, tzinfo=UTC)
    assert shop_time.day_start(date(2026, 12, 1)) == datetime(2026, 11, 30, 23, 0, tzinfo=UTC)
    assert shop_time.day_end(date(2026, 10, 31)) == datetime(2026, 10, 31, 23, 0, tzinfo=UTC)


def test_a_moment_falls_on_the_shop_day_of_rome():
    late_evening_utc = datetime(2026, 6, 30, 22, 30, tzinfo=UTC)
    assert shop_time.day_of(late_evening_utc) == date(2026, 7, 1)
    assert shop_time.today(late_evening_utc) == date(2026, 7, 1)
    assert shop_time.day_of(None) is None
    assert isinstance(shop_time.today(), date)


@pytest.mark.parametrize("day", [date(2026, 10, 31), date(2026, 10, 25), date(2027, 3, 28), date(2027, 3, 27)])
def test_the_last_day_of_a_period_is_the_day_before_it_stops_across_summer_time(day):
    # 25 October 2026 and 28 March 2027 are 25 and 23 hours long in Rome.
    assert shop_time.last_day(shop_time.day_end(day)) == day
    assert shop_time.last_day(None) is None


def test_a_day_is_read_as_a_date_field_sends_it():
    assert shop_time.parse_day(" 2026-10-31 ") == date(2026, 10, 31)
    assert shop_time.parse_day("") is None and shop_time.parse_day(None) is None
    for bad in ("31/10/2026", "2026-02-30", "domani"):
        with pytest.raises(ValueError):
            shop_time.parse_day(bad)
