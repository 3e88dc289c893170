"""Money as people type and read it: one reader of typed euros, one display, one form value."""

from __future__ import annotations

import pytest

from storefront.domain.money import InvalidMoney, display, form_value, parse_money


@pytest.mark.parametrize(
    ("typed", "cents"),
    [
        ("12", 1200),
        ("12.5", 1250),
        ("12,50", 1250),
        ("12,5", 1250),
        ("0,05", 5),
        (" 7 ", 700),
        ("€ 12", 1200),
        ("€ 12,50", 1250),
        ("12,50 €", 1250),
        ("€12.50", 1250),
        ("12.50 EUR", 1250),
        ("1.234,50", 123450),
        ("€ 1.234,50", 123450),
        ("1,234.50", 123450),
        ("1.234.567,89", 123456789),
        ("1\u202f234,50", 123450),  # a narrow no-break space, as French and Babel group digits
        ("0", 0),
        ("9999999,99", 999999999),
    ],
)
def test_euros_are_read_as_typed_in_italy_or_elsewhere(typed, cents):
    assert parse_money(typed) == cents


@pytest.mark.parametrize("typed", ["", "  ", "€"])
def test_nothing_typed_is_no_amount(typed):
    assert parse_money(typed) is None


@pytest.mark.parametrize(
    "typed",
    [
        "abc",
        "twelve",
        "cinque",
        "12,5O",
        "-4",
        "-5",
        "\u22125",
        "+5",
        "1e9",
        "12.345",  # three decimals, or twelve thousand: either way not what was meant
        "12,505",
        "5,001",
        "1.234",
        "12,50,1",
        "12,34.50",  # thousands marks in the wrong places
        "12.",
        ",50",
        "١٢",  # Arabic-Indic digits
        "10000000",
    ],
)
def test_what_is_not_an_amount_is_refused(typed):
    with pytest.raises(InvalidMoney):
        parse_money(typed)


def test_a_price_is_displayed_in_the_page_locale():
    assert display(1250, "EUR", "en") == "€12.50"
    assert display(123450, "EUR", "it") == "1.234,50\xa0€"


@pytest.mark.parametrize(("cents", "shown"), [(123450, "1234,50"), (500, "5,00"), (5, "0,05"), (0, "0,00")])
def test_a_form_shows_an_amount_the_way_it_reads_it_back(cents, shown):
    assert form_value(cents) == shown
    assert parse_money(shown) == cents
    assert form_value(cents, decimal_mark=".") == shown.replace(",", ".")  # a CSV cell
    assert parse_money(shown.replace(",", ".")) == cents
    assert form_value(None) == ""
