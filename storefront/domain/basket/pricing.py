"""Every price computation lives here. Money is integer cents, VAT included (EU consumer prices).

`price` is the one function that turns cart lines, promotions and a shipping cost into totals; the cart
page, the checkout and place_order all call it, so what the shopper sees is what the order records.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from storefront.domain import vat
from storefront.domain.money import Line, allocate
from storefront.domain.offers import promotions


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
) -> Totals:
    """Price a cart: apply the promotions, then work out what is charged and the VAT it contains.

    `offers` come from promotions.offers_for(codes); `customer_uses` counts the shopper's earlier uses
    per promotion id (empty until checkout knows who they are). `country` is where the parcel goes (the
    shop's own until the shopper says).
    """
    _check(lines, shipping)
    if surcharge < 0:
        raise ValueError(f"negative surcharge {surcharge}")
    outcome = promotions.apply(
        lines, offers, shipping=shipping, now=now, codes=codes, customer_uses=customer_uses or {}
    )
    goods = [d for d in outcome.discounts if d.discount_class is not promotions.DiscountClass.SHIPPING]
    free_shipping = [d for d in outcome.discounts if d.discount_class is promotions.DiscountClass.SHIPPING]
    shipping_discount = min(shipping, sum(d.amount for d in free_shipping))
    subtotal = sum(line.total for line in lines)
    total = subtotal - sum(d.amount for d in goods) + shipping - shipping_discount + surcharge

    # VAT once per rate, on what is actually paid at that rate: each line after its share of the discounts,
    # plus that rate's share of the charged shipping. The per-rate gross amounts add up to `total`.
    gross: dict[int, int] = defaultdict(int)
    for line in lines:
        gross[line.vat_rate] += line.total - outcome.line_discounts[line.variant_id]
    goods_by_rate = {rate: amount for rate, amount in gross.items() if amount > 0}
    # A payment surcharge is an accessory cost like shipping, and follows the goods the same way.
    accessory = shipping - shipping_discount + surcharge
    shipping_by_rate = allocate(accessory, goods_by_rate or {vat.SHIPPING_FALLBACK_RATE: 1})
    for rate, amount in shipping_by_rate.items():
        gross[rate] += amount
    vat_by_rate = {rate: vat.included(gross[rate], rate) for rate in sorted(gross, reverse=True) if gross[rate] > 0}

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
    )


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
