"""Every price computation lives here. Money is integer cents, VAT included (EU consumer prices)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from storefront.domain.models import TaxClass

# Italian VAT rates in basis points (1% = 100).
VAT_RATES: dict[TaxClass, int] = {
    TaxClass.STANDARD: 2200,
    TaxClass.REDUCED: 1000,
    TaxClass.SUPER_REDUCED: 400,
}


def round_cents(value: Decimal) -> int:
    """The one rounding rule: half-up to whole cents."""
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def vat_rate(tax_class: TaxClass | str) -> int:
    return VAT_RATES[TaxClass(tax_class)]


def vat_included(gross_cents: int, rate_bp: int) -> int:
    """The VAT share contained in a VAT-inclusive amount."""
    return round_cents(Decimal(gross_cents) * rate_bp / (10_000 + rate_bp))
