"""Money as the shop counts it: integer cents of one currency, VAT included (EU consumer prices).

The one rounding rule, the one way to split an amount over lines, the cart line that pricing and
promotions both read, and money as people type and read it: `parse_money` for what is typed, `display`
for a price on a page, `form_value` for an amount put back in an input box. VAT is in `vat`.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from functools import lru_cache
from typing import TypeVar

from babel.numbers import NumberFormatError, format_currency, parse_decimal

from storefront.domain.models import TaxClass

K = TypeVar("K", bound=Hashable)
MAX_WHOLE_DIGITS = 7  # €9,999,999.99: more is a typo, and the cents still fit a 32-bit integer column
_NOT_THE_NUMBER = re.compile(r"\s|€|EUR", re.IGNORECASE)  # spaces of every kind, the currency
_DIGITS_AND_MARKS = re.compile(r"[0-9][0-9.,]*")


def round_cents(value: Decimal) -> int:
    """The one rounding rule: half-up to whole cents."""
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def allocate(amount: int, weights: Mapping[K, int | Fraction]) -> dict[K, int]:
    """Split `amount` cents in proportion to `weights`, in whole cents that add up to exactly `amount`.

    Largest remainder: everyone gets the floor of their exact share, and the cents left over go to the
    largest fractions (ties to the smallest key, so the input order never matters). With
    amount <= sum(weights), nobody gets more than the ceiling of their weight.
    """
    whole = sum(weights.values(), Fraction(0))
    if amount == 0 or whole == 0:
        return {key: 0 for key in weights}
    exact = {key: Fraction(amount) * weight / whole for key, weight in weights.items()}
    shares = {key: int(share) for key, share in exact.items()}  # floor: shares are never negative
    left = amount - sum(shares.values())
    by_remainder = sorted(weights, key=lambda key: (-(exact[key] - shares[key]), key))
    for key in by_remainder[:left]:
        shares[key] += 1
    return shares


@dataclass(frozen=True)
class Line:
    """One cart line as pricing and promotions see it: plain values, copied from the catalogue."""

    variant_id: int
    product_id: int
    category_ids: frozenset[int]  # the product's category and all its ancestors
    name: str
    unit_price: int  # cents, VAT included
    compare_at_price: int | None  # set (> unit_price) when the item is on sale
    quantity: int
    tax_class: TaxClass  # its VAT rate depends on where the parcel goes: pricing asks vat

    @property
    def total(self) -> int:
        return self.unit_price * self.quantity

    @property
    def on_sale(self) -> bool:
        return on_sale(self.unit_price, self.compare_at_price)


# --- on sale: a compare-at ("was") price above the price ------------------------------------------
# The catalogue's cards and product page, the listing's filter (in SQL), the cart, promotions that leave
# sale items out and the back office's check of a compare-at price all ask here. (A product shoppers can
# see is "listed", never "on sale".)


def on_sale(price: int, compare_at_price: int | None) -> bool:
    return compare_at_price is not None and compare_at_price > price


def on_sale_sql(price: str, compare_at_price: str) -> str:
    """on_sale over these columns: a NULL compare-at price is not on sale, as in Python."""
    return f"{compare_at_price} > {price}"


# --- money as people type and read it -----------------------------------------------------------


class InvalidMoney(ValueError):
    """Typed text that is not an amount of money: each caller phrases it with its own field's message."""


def parse_money(text: str) -> int | None:
    """Euros as people type them -> cents; None when nothing was typed; InvalidMoney otherwise.

    "12", "12.5", "12,50", "€ 12,50", "1.234,50" and "1,234.50" are all read, in every locale: staff
    and shoppers type either mark whatever the page's language, and a phone's keypad gives what it has.
    So the last mark is the decimal mark, with one or two digits after it; thousands marks are the other
    mark, and only beside decimals ("1.234" and "12,505" could each mean two amounts a thousand times
    apart, so they are refused, like negatives and more than two decimals). Babel reads the number
    spelt with one locale's marks, and refuses misplaced thousands marks ("12,34.50").
    """
    typed = _NOT_THE_NUMBER.sub("", text or "")
    if not typed:
        return None
    if not _DIGITS_AND_MARKS.fullmatch(typed):
        raise InvalidMoney(text)  # signs, exponents, letters, digits of other scripts
    whole, mark, decimals = typed, "", ""
    if marks := [c for c in typed if c in ".,"]:
        whole, mark, decimals = typed.rpartition(marks[-1])
        if mark in whole or not 1 <= len(decimals) <= 2:
            raise InvalidMoney(text)
    # Spelt the English way (thousands ",", decimals "."), for babel to read and check.
    spelt = whole.replace(".", ",") + (f".{decimals}" if mark else "")
    try:
        euros = parse_decimal(spelt, "en", strict=True)
    except NumberFormatError:
        raise InvalidMoney(text) from None
    if euros >= 10**MAX_WHOLE_DIGITS:
        raise InvalidMoney(text)
    return int(euros * 100)


@lru_cache(maxsize=8192)
def display(cents: int, currency: str, locale: str) -> str:
    """A price as a page shows it, per locale: 1250 -> "€12.50" (en), "12,50 €" (it)."""
    # Babel parses the locale and the pattern on every call, a listing shows dozens of prices, and a
    # shop's prices repeat: each is formatted once per worker.
    return format_currency(Decimal(cents) / 100, currency, locale=locale)


def form_value(cents: int | None, decimal_mark: str = ",") -> str:
    """An amount as an input box shows it again, for `parse_money` to read back: 1250 -> "12,50", the way
    the admin's hints ask for amounts in every language; no currency, no thousands marks; None -> "".
    Records take decimal_mark="." ("12.50"): CSV cells, which spreadsheets import in every language, and
    the notes of order events."""
    return "" if cents is None else f"{cents // 100}{decimal_mark}{cents % 100:02d}"
