"""Pure rules, no database: VAT, delivery dates, search text, price input."""

from __future__ import annotations

import itertools
import sqlite3
from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest

from storefront.domain import money, vat
from storefront.domain.catalogue import search
from storefront.domain.inventory import stock
from storefront.domain.inventory.stock import availability
from storefront.domain.shipping import rates
from storefront.pages.catalog import parse_price


@pytest.mark.parametrize(
    ("gross", "rate", "share"),
    [(12200, 2200, 2200), (1000, 2200, 180), (1100, 1000, 100), (104, 400, 4), (1, 2200, 0), (3, 2200, 1)],
)
def test_vat_contained_in_a_gross_price(gross, rate, share):
    assert vat.included(gross, rate) == share


def test_rounding_is_half_up_once():
    from decimal import Decimal

    assert money.round_cents(Decimal("2.5")) == 3
    assert money.round_cents(Decimal("2.4999")) == 2


def test_stock_messages():
    assert availability(0, 3).state == "sold_out" and not availability(0, 3).can_buy
    assert availability(3, 3).state == "low" and availability(3, 3).quantity == 3
    assert availability(4, 3).state == "in_stock"


def test_the_sql_of_availability_says_what_availability_says():
    """The SQL that listings, reports and the catalogue's triggers use is generated from the rule."""
    db = sqlite3.connect(":memory:")
    for on_hand, threshold in itertools.product(range(-2, 8), range(0, 5)):
        state, can_buy = db.execute(
            f"SELECT {stock.availability_sql('?1', '?2')}, {stock.can_buy_sql('?1')}", (on_hand, threshold)
        ).fetchone()
        shown = availability(on_hand, threshold)
        assert (state, bool(can_buy)) == (shown.state, shown.can_buy), (on_hand, threshold)


@pytest.mark.parametrize(("variant_active", "product_active"), list(itertools.product([True, False], repeat=2)))
def test_sellable_means_the_variant_and_its_product_are_both_listed_in_python_and_sql(variant_active, product_active):
    variant = SimpleNamespace(active=variant_active, product=SimpleNamespace(active=product_active))
    [(in_sql,)] = (
        sqlite3.connect(":memory:")
        .execute(
            f"SELECT {stock.sellable_sql('v', 'p')} FROM (SELECT ?1 AS active) v, (SELECT ?2 AS active) p",
            (variant_active, product_active),
        )
        .fetchall()
    )
    assert stock.sellable(variant) == bool(in_sql) == (variant_active and product_active)


def test_on_sale_is_a_compare_at_price_above_the_price_in_python_and_sql():
    db = sqlite3.connect(":memory:")
    for price, compare_at in [(1000, None), (1000, 900), (1000, 1000), (1000, 1001), (1000, 1500)]:
        [(in_sql,)] = db.execute(f"SELECT {money.on_sale_sql('?1', '?2')} IS TRUE", (price, compare_at))
        assert money.on_sale(price, compare_at) == bool(in_sql) == (compare_at is not None and compare_at > price)


ROME_NOON_FRIDAY = datetime(2026, 12, 4, 11, 0, tzinfo=UTC)  # 12:00 in Rome


def test_orders_before_the_cutoff_leave_the_same_day():
    assert rates.dispatch_day(ROME_NOON_FRIDAY) == date(2026, 12, 4)
    window = rates.delivery_window(ROME_NOON_FRIDAY)
    # Leaves Friday 4; two business days are Mon 7 and (Tue 8 is the Immacolata holiday) Wed 9;
    # four are Thu 10 and Fri 11.
    assert (window.earliest, window.latest) == (date(2026, 12, 9), date(2026, 12, 11))


def test_orders_after_the_cutoff_or_at_weekends_leave_next_business_day():
    friday_evening = datetime(2026, 12, 4, 17, 0, tzinfo=UTC)
    assert rates.dispatch_day(friday_evening) == date(2026, 12, 7)
    sunday = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)
    assert rates.dispatch_day(sunday) == date(2026, 11, 30)


def test_movable_and_new_italian_holidays_are_no_business_days():
    easter_monday_2027, san_francesco = date(2027, 3, 29), date(2027, 10, 4)  # a Monday both
    assert not rates.is_business_day(easter_monday_2027) and not rates.is_business_day(san_francesco)
    assert rates.is_business_day(date(2027, 3, 30)) and not rates.is_business_day(date(2026, 12, 8))
    thursday_before_easter = datetime(2027, 3, 25, 17, 0, tzinfo=UTC)  # after the cut-off
    assert rates.dispatch_day(thursday_before_easter) == date(2027, 3, 26)
    assert rates.add_business_days(date(2027, 3, 26), 1) == date(2027, 3, 30)  # Friday + 1: not Easter Monday


def test_transit_abroad_counts_the_destinations_business_days():
    # Leaves Florence on Wednesday 25 November 2026 (before the cut-off); Thursday 26 is Thanksgiving.
    wednesday_morning = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
    assert rates.delivery_window(wednesday_morning, 1, 1).earliest == date(2026, 11, 26)  # in Italy, Thursday
    assert rates.delivery_window(wednesday_morning, 1, 1, country="US").earliest == date(2026, 11, 27)
    # Germany's Unity Day, Saturday 3 October 2026, changes nothing; Japan's Culture Day, Tuesday 3 November, does.
    monday = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
    assert rates.delivery_window(monday, 1, 2, country="DE") == rates.DeliveryWindow(
        date(2026, 11, 3), date(2026, 11, 4)
    )
    assert rates.delivery_window(monday, 1, 2, country="JP") == rates.DeliveryWindow(
        date(2026, 11, 4), date(2026, 11, 5)
    )


def test_the_parcel_leaves_on_italys_days_whatever_its_destination():
    # Easter Monday, 29 March 2027, is an Italian holiday and an American working day.
    thursday_evening = datetime(2027, 3, 25, 17, 0, tzinfo=UTC)  # after the cut-off: leaves Friday 26
    assert rates.delivery_window(thursday_evening, 1, 1, country="US").earliest == date(2027, 3, 29)  # it arrives
    easter_sunday = datetime(2027, 3, 28, 9, tzinfo=UTC)  # it leaves Tuesday 30: nobody ships on Easter Monday
    assert rates.delivery_window(easter_sunday, 1, 1, country="US").earliest == date(2027, 3, 31)


def test_a_country_without_a_calendar_counts_weekdays():
    assert rates.is_business_day(date(2026, 12, 25), "XX") and not rates.is_business_day(date(2026, 12, 26), "XX")


def test_search_text_is_folded_and_split_into_words():
    assert search.fold("Caffè ÀRABICA") == "caffe arabica"
    assert search.terms("  Maglietta-lino 100%  ") == ["maglietta", "lino", "100"]
    assert search.terms("' OR 1=1 --") == ["or", "1", "1"]
    assert len(search.terms("a " * 50)) == search.MAX_TERMS


@pytest.mark.parametrize(
    ("typed", "cents", "ok"),
    [
        ("12", 1200, True),
        ("12.5", 1250, True),
        ("12,50", 1250, True),
        (" 7 ", 700, True),
        ("", None, True),
        ("abc", None, False),
        ("-4", None, False),
        ("1e9", None, False),
        ("12.345", None, False),
    ],
)
def test_price_filter_input(typed, cents, ok):
    assert parse_price(typed) == (cents, ok)
