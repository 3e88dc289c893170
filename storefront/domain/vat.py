"""VAT: the rate of each tax class, and the VAT share contained in a VAT-inclusive amount."""

from __future__ import annotations

from decimal import Decimal

from storefront.domain.models import TaxClass
from storefront.domain.money import round_cents

# Where the shop is established for VAT: its prices include this country's VAT, and carts are estimated
# for it until the shopper says where they live.
SHOP_COUNTRY = "IT"

# The EU's 27 member states (ISO 3166-1 alpha-2): one VAT area, where goods travel without customs.
EU_MEMBERS = frozenset("AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK".split())

# Italian VAT rates in basis points (1% = 100).
RATES: dict[TaxClass, int] = {
    TaxClass.STANDARD: 2200,
    TaxClass.REDUCED: 1000,
    TaxClass.SUPER_REDUCED: 400,
}
# Shipping charged with the goods follows their VAT (art. 12 DPR 633/72): in a mixed cart it is split
# across the rates in proportion to the goods; with no goods to follow, the standard rate applies.
SHIPPING_FALLBACK_RATE = RATES[TaxClass.STANDARD]


def rate(tax_class: TaxClass | str) -> int:
    return RATES[TaxClass(tax_class)]


def included(gross_cents: int, rate_bp: int) -> int:
    """The VAT share contained in a VAT-inclusive amount."""
    return round_cents(Decimal(gross_cents) * rate_bp / (10_000 + rate_bp))
