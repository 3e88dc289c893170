"""Money as the shop counts it: integer cents of one currency, VAT included (EU consumer prices).

The one rounding rule, the one way to split an amount over lines, and the cart line that pricing and
promotions both read. VAT rates and the VAT share of a price are in `vat`.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import TypeVar

K = TypeVar("K", bound=Hashable)


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
    vat_rate: int  # basis points, 2200 = 22%

    @property
    def total(self) -> int:
        return self.unit_price * self.quantity

    @property
    def on_sale(self) -> bool:
        return self.compare_at_price is not None and self.compare_at_price > self.unit_price
