"""Every price computation lives here. Money is integer cents; shelf prices include Italian VAT.

`price` is the one function that turns cart lines, promotions, a shipping cost and the destination's VAT
(`vat.Tax`) into totals; the cart page, the checkout and place_order all call it, so what the shopper sees
is what the order records. An export pays each unit's shelf price less its Italian VAT (`charged`); in the
EU the shelf price is paid and contains the regime's VAT.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime

from storefront.domain import shop_time, vat
from storefront.domain.money import Line, allocate
from storefront.domain.offers import promotions
from storefront.domain.vat import Tax


@dataclass(frozen=True)
class Totals:
    subtotal: int  # sum of line totals before discounts
    discounts: list[promotions.Discount]  # order and product discounts, in the order they were applied
    shipping: int  # shipping cost before shipping discounts
    shipping_discount: int  # from free-shipping promotions; shipping - shipping_discount is charged
    total: int  # what the shopper pays
    vat: dict[int, int]  # VAT contained in `total` per rate (basis points), highest rate first
    not_applied: list[promotions.Explanation]  # promotions considered that did not apply, and why
    line_discounts: dict[int, int]  # variant_id -> its product discounts + its share of order discounts
    tax: Tax  # whose VAT the total contains, or none (an export)
    charged: dict[int, Line]  # variant_id -> its line at the prices charged (net of VAT on an export)
    line_rates: dict[int, int]  # variant_id -> the VAT rate charged on it (0 on an export)
    shipping_discounts: list[promotions.Discount] = field(default_factory=list)  # which promotions made shipping free
    surcharge: int = 0  # a payment method's fee, e.g. cash on delivery

    @property
    def discount_total(self) -> int:
        return sum(d.amount for d in self.discounts)

    @property
    def items(self) -> int:
        """What the goods cost after discounts."""
        return self.subtotal - self.discount_total

    @property
    def shipping_charged(self) -> int:
        return self.shipping - self.shipping_discount


def price(
    lines: list[Line],
    offers: list[promotions.Offer],
    *,
    shipping: int,
    now: datetime,
    codes: Collection[str] = (),
    customer_uses: Mapping[int, int] | None = None,
    surcharge: int = 0,
    country: str = vat.SHOP_COUNTRY,
    oss: bool = False,
) -> Totals:
    """Price a cart: apply the promotions, then work out what is charged and the VAT it contains.

    `offers` come from promotions.offers_for(codes); `customer_uses` counts the shopper's earlier uses
    per promotion id (empty until checkout knows who they are). `country` is where the parcel goes (the
    shop's own until the shopper says), and with `oss` (the shop is in the One-Stop-Shop) they decide
    the VAT (`vat.for_destination`). Shipping and a payment fee are charged as set: they contain the
    goods' VAT in the EU, none on an export.
    """
    _check(lines, shipping)
    tax = vat.for_destination(country, oss=oss, day=shop_time.today(now))
    lines = charged(lines, tax)
    if surcharge < 0:
        raise ValueError(f"negative surcharge {surcharge}")
    outcome = promotions.apply(
        lines, offers, shipping=shipping, now=now, codes=codes, customer_uses=customer_uses or {}, country=country
    )
    goods = [d for d in outcome.discounts if d.discount_class is not promotions.DiscountClass.SHIPPING]
    free_shipping = [d for d in outcome.discounts if d.discount_class is promotions.DiscountClass.SHIPPING]
    shipping_discount = min(shipping, sum(d.amount for d in free_shipping))
    subtotal = sum(line.total for line in lines)
    total = subtotal - sum(d.amount for d in goods) + shipping - shipping_discount + surcharge

    # VAT once per rate, on what is actually paid at that rate: each line after its share of the discounts,
    # plus that rate's share of the charged shipping. The per-rate gross amounts add up to `total`.
    # An export carries no VAT at all: `vat` stays empty.
    line_rates = {line.variant_id: tax.rate(line.tax_class) for line in lines}
    gross: dict[int, int] = defaultdict(int)
    for line in lines:
        gross[line_rates[line.variant_id]] += line.total - outcome.line_discounts[line.variant_id]
    goods_by_rate = {rate: amount for rate, amount in gross.items() if amount > 0}
    # A payment surcharge is an accessory cost like shipping, and follows the goods the same way.
    accessory = shipping - shipping_discount + surcharge
    shipping_by_rate = allocate(accessory, goods_by_rate or {tax.shipping_fallback: 1})
    for rate, amount in shipping_by_rate.items():
        gross[rate] += amount
    vat_by_rate = {
        rate: vat.included(gross[rate], rate)
        for rate in sorted(gross, reverse=True)
        if gross[rate] > 0 and tax.regime is not vat.Regime.EXPORT
    }

    return Totals(
        subtotal=subtotal,
        discounts=goods,
        shipping=shipping,
        shipping_discount=shipping_discount,
        total=total,
        vat=vat_by_rate,
        not_applied=outcome.explanations,
        line_discounts=outcome.line_discounts,
        shipping_discounts=free_shipping,
        surcharge=surcharge,
        tax=tax,
        charged={line.variant_id: line for line in lines},
        line_rates=line_rates,
    )


def charged(lines: list[Line], tax: Tax) -> list[Line]:
    """The lines at the prices this destination pays. Shelf prices include Italian VAT: an EU shopper pays
    them as they are, an export each unit's price less the Italian VAT in it (per unit, so a line is
    quantity times a price the shopper saw, and its compare-at price goes the same way)."""
    if tax.regime is not vat.Regime.EXPORT:
        return lines
    return [
        replace(
            line,
            unit_price=vat.without(line.unit_price, vat.rate(line.tax_class, tax.day)),
            compare_at_price=(
                None
                if line.compare_at_price is None
                else vat.without(line.compare_at_price, vat.rate(line.tax_class, tax.day))
            ),
        )
        for line in lines
    ]


def goods_value(lines: list[Line], *, country: str, oss: bool, now: datetime) -> int:
    """What the goods cost before discounts at the destination: what shipping's free-over thresholds read."""
    tax = vat.for_destination(country, oss=oss, day=shop_time.today(now))
    return sum(line.total for line in charged(lines, tax))


def _check(lines: list[Line], shipping: int) -> None:
    """Refuse impossible input loudly: a wrong total is worse than an error."""
    if shipping < 0:
        raise ValueError(f"negative shipping {shipping}")
    seen: set[int] = set()
    for line in lines:
        if line.quantity < 0 or line.unit_price < 0:
            raise ValueError(f"negative quantity or price on variant {line.variant_id}")
        if line.variant_id in seen:
            raise ValueError(f"variant {line.variant_id} on two lines; a cart has one line per variant")
        seen.add(line.variant_id)
