"""VAT: which country's VAT a sale carries (or none), the rate of each tax class, and the VAT share of an amount.

The shop is established in Italy and its shelf prices include Italian VAT. Where the parcel goes decides
the regime (`for_destination`):

- Italy (and San Marino and the Vatican, whose consumers are charged Italian VAT by an Italian seller), and
  EU consumers while the shop stays under the EU's €10,000 distance-selling threshold: Italian VAT.
- EU consumers when the shop has joined the One-Stop-Shop (a shop setting): the destination member
  state's VAT. The shelf price stays the same gross amount everywhere in the EU — one price per product,
  on every page and in every cache, as EU price rules want the final price shown — and the VAT it contains
  is the destination's; the shop's net takes the difference.
- Everywhere else: an export, VAT not charged ("non imponibile art. 8 DPR 633/72"). The shopper pays the
  net price: each unit's shelf price less the Italian VAT it contains. Import duties and taxes may be due
  on delivery, which the cart and checkout say.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from storefront.domain.models import TaxClass
from storefront.domain.models import VatRegime as Regime
from storefront.domain.money import round_cents
from storefront.domain.shop_time import today

# Where the shop is established for VAT: its prices include this country's VAT, and carts are estimated
# for it until the shopper says where they live.
SHOP_COUNTRY = "IT"

# The EU's 27 member states (ISO 3166-1 alpha-2): one VAT area, where goods travel without customs.
EU_MEMBERS = frozenset("AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK".split())
# Outside the EU but charged Italian VAT when a consumer there buys from an Italian shop (DM 21 June 2021
# for San Marino; the Vatican likewise).
ITALIAN_VAT_ABROAD = frozenset({"SM", "VA"})


@dataclass(frozen=True)
class Rates:
    """One country's rates, in basis points (1% = 100), for the shop's three tax classes."""

    standard: int
    reduced: int  # what the country charges on the goods Italy taxes at 10% (most food, some services)
    super_reduced: int  # ...and on those Italy taxes at 4% (books, basic food)

    def of(self, tax_class: TaxClass) -> int:
        return {
            TaxClass.STANDARD: self.standard,
            TaxClass.REDUCED: self.reduced,
            TaxClass.SUPER_REDUCED: self.super_reduced,
        }[tax_class]


# Each member state's rates, from the day they apply, oldest first; add a dated entry when a country changes
# a rate, and the old orders' rates stay as they were (each order line records the rate it was charged).
# From the European Commission's "VAT rates applied in the Member States of the European Union". A class
# maps to the rate the country applies to the goods Italy puts in that class; a shop selling goods a
# country treats otherwise (Ireland's zero-rated books, say) must check this table against its range.
BEFORE = date(2000, 1, 1)
MEMBER_RATES: dict[str, list[tuple[date, Rates]]] = {
    "AT": [(BEFORE, Rates(2000, 1000, 1000))],
    "BE": [(BEFORE, Rates(2100, 1200, 600))],
    "BG": [(BEFORE, Rates(2000, 900, 900))],
    "CY": [(BEFORE, Rates(1900, 900, 500))],
    "CZ": [(BEFORE, Rates(2100, 1200, 1200))],
    "DE": [(BEFORE, Rates(1900, 700, 700))],
    "DK": [(BEFORE, Rates(2500, 2500, 2500))],  # no reduced rates
    "EE": [(BEFORE, Rates(2200, 900, 900)), (date(2025, 7, 1), Rates(2400, 900, 900))],
    "ES": [(BEFORE, Rates(2100, 1000, 400))],
    "FI": [(BEFORE, Rates(2400, 1400, 1000)), (date(2024, 9, 1), Rates(2550, 1400, 1000))],
    "FR": [(BEFORE, Rates(2000, 1000, 550))],
    "GR": [(BEFORE, Rates(2400, 1300, 600))],
    "HR": [(BEFORE, Rates(2500, 1300, 500))],
    "HU": [(BEFORE, Rates(2700, 1800, 500))],
    "IE": [(BEFORE, Rates(2300, 1350, 900))],
    "IT": [(BEFORE, Rates(2200, 1000, 400))],
    "LT": [(BEFORE, Rates(2100, 900, 500))],
    "LU": [(BEFORE, Rates(1700, 800, 300))],
    "LV": [(BEFORE, Rates(2100, 1200, 500))],
    "MT": [(BEFORE, Rates(1800, 700, 500))],
    "NL": [(BEFORE, Rates(2100, 900, 900))],
    "PL": [(BEFORE, Rates(2300, 800, 500))],
    "PT": [(BEFORE, Rates(2300, 1300, 600))],  # the mainland; Madeira and the Azores have their own
    "RO": [(BEFORE, Rates(1900, 900, 500)), (date(2025, 8, 1), Rates(2100, 1100, 1100))],
    "SE": [(BEFORE, Rates(2500, 1200, 600))],
    "SI": [(BEFORE, Rates(2200, 950, 500))],
    "SK": [(BEFORE, Rates(2000, 1000, 1000)), (date(2025, 1, 1), Rates(2300, 1900, 500))],
}
assert set(MEMBER_RATES) == EU_MEMBERS, "every member state has its rates, and nothing else does"


def rates_of(country: str, day: date) -> Rates:
    """The member state's rates in force on the day."""
    return [rates for since, rates in MEMBER_RATES[country] if since <= day][-1]


def rate(tax_class: TaxClass | str, day: date | None = None) -> int:
    """The Italian rate of a tax class: what a shelf price contains."""
    return rates_of(SHOP_COUNTRY, day or today()).of(TaxClass(tax_class))


@dataclass(frozen=True)
class Tax:
    """The VAT a sale to one destination carries, on one day."""

    regime: Regime
    country: str  # whose VAT: Italy's when DOMESTIC, the destination's when OSS; the destination if EXPORT
    day: date

    def rate(self, tax_class: TaxClass | str) -> int:
        """The rate charged on the class: 0 on an export."""
        if self.regime is Regime.EXPORT:
            return 0
        return rates_of(self.country, self.day).of(TaxClass(tax_class))

    @property
    def shipping_fallback(self) -> int:
        # Shipping charged with the goods follows their VAT (art. 12 DPR 633/72): in a mixed cart it is split
        # across the rates in proportion to the goods; with no goods to follow, the standard rate applies.
        return self.rate(TaxClass.STANDARD)


def for_destination(country: str, *, oss: bool, day: date) -> Tax:
    """The regime of a consumer sale shipped to `country` (see the module's docstring)."""
    country = country.upper()
    if country == SHOP_COUNTRY or country in ITALIAN_VAT_ABROAD:
        return Tax(Regime.DOMESTIC, SHOP_COUNTRY, day)
    if country in EU_MEMBERS:
        return Tax(Regime.OSS, country, day) if oss else Tax(Regime.DOMESTIC, SHOP_COUNTRY, day)
    return Tax(Regime.EXPORT, country, day)


def included(gross_cents: int, rate_bp: int) -> int:
    """The VAT share contained in a VAT-inclusive amount."""
    return round_cents(Decimal(gross_cents) * rate_bp / (10_000 + rate_bp))


def without(gross_cents: int, rate_bp: int) -> int:
    """A VAT-inclusive amount less the VAT it contains: what an export pays for it."""
    return gross_cents - included(gross_cents, rate_bp)
