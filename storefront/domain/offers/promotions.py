"""Promotions: which apply to a cart, how much each takes off, and why the others did not.

Everything here is a pure function of plain values (cart lines, `Offer` copies of Promotion rows, the
time) except `offers_for`, which loads those copies. pricing.price is the caller; pages only phrase the
`Explanation`s.

The rules, in the order they are applied:
1. Offers are considered in (priority, id) order; automatic ones always, code ones only when entered.
2. An offer applies when it is active and within its date window [starts_at, ends_at), its usage limits
   are not reached, it stacks with what already applied (below), and the cart meets its conditions.
3. Stacking: an applied exclusive offer stops every later one. Otherwise an offer joins an applied one
   only if, for each pair of their discount classes (order / product / shipping), both allow the other's.
   An exclusive offer does not undo earlier ones: give it the first priority to make it stand alone.
4. Conditions are measured on the offer's eligible items (in scope, and not on sale when sale items are
   excluded) at their cart prices, before any promotion: so "spend €12.30 more" is exactly what to add,
   and whether an offer applies never depends on the amounts of the others.
5. Amounts: product discounts first (by priority, each on what earlier ones left of a line), then order
   discounts on what is left, then free shipping. Percentages are rounded once per discount and spread
   over the lines they came from, so no line and no total goes below zero.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from typing import Protocol

from tortoise.expressions import Q

from storefront.domain import shop_time
from storefront.domain.models import Promotion, PromotionKind, max_length
from storefront.domain.money import Line, allocate, round_cents
from storefront.domain.translations import word


class DiscountClass(StrEnum):
    ORDER = "order"  # off the order (its eligible subtotal)
    PRODUCT = "product"  # off particular items
    SHIPPING = "shipping"  # off the shipping cost


CLASS_OF_KIND = {
    PromotionKind.ORDER_PERCENT: DiscountClass.ORDER,
    PromotionKind.ORDER_FIXED: DiscountClass.ORDER,
    PromotionKind.ITEMS_PERCENT: DiscountClass.PRODUCT,
    PromotionKind.ITEMS_FIXED: DiscountClass.PRODUCT,
    PromotionKind.BUY_X_GET_Y: DiscountClass.PRODUCT,
    PromotionKind.FREE_SHIPPING: DiscountClass.SHIPPING,
}


class Reason(StrEnum):
    """Why an offer did not apply. Pages phrase these; the extra data is on the Explanation."""

    SPEND_MORE = "spend_more"  # amount: cents of eligible items still to add
    ADD_ITEMS = "add_items"  # quantity: eligible items still to add
    NOT_STARTED = "not_started"  # when: starts_at
    EXPIRED = "expired"  # when: ends_at
    USED_UP = "used_up"  # the promotion's usage_limit is reached
    CUSTOMER_LIMIT = "customer_limit"  # this shopper used it per_customer_limit times already
    NO_ELIGIBLE_ITEMS = "no_eligible_items"  # nothing in the cart is in its scope
    SALE_ITEMS_EXCLUDED = "sale_items_excluded"  # the only items in scope are on sale, which it excludes
    NOT_COMBINABLE = "not_combinable"  # an applied promotion of a class it does not combine with
    EXCLUSIVE_APPLIED = "exclusive_applied"  # an earlier exclusive promotion stopped it
    INACTIVE = "inactive"  # switched off by the shop
    DESTINATION = "destination"  # countries: where it applies, and the parcel goes elsewhere


class State(StrEnum):
    """Where a promotion stands for every shopper at once, before any cart is looked at."""

    OFF = "off"  # switched off by the shop
    SCHEDULED = "scheduled"  # its window has not started
    ENDED = "ended"  # its window is over
    USED_UP = "used_up"  # its usage_limit is reached
    RUNNING = "running"


class Window(Protocol):
    """What `state` reads: a Promotion row or an Offer copy."""

    @property
    def active(self) -> bool: ...
    @property
    def starts_at(self) -> datetime | None: ...
    @property
    def ends_at(self) -> datetime | None: ...
    @property
    def usage_limit(self) -> int | None: ...
    @property
    def used_count(self) -> int: ...


# The reason a cart is given for each state that stops an offer.
REASON_OF_STATE = {
    State.OFF: Reason.INACTIVE,
    State.SCHEDULED: Reason.NOT_STARTED,
    State.ENDED: Reason.EXPIRED,
    State.USED_UP: Reason.USED_UP,
}


def state(promotion: Window, now: datetime) -> State:
    """Switched off, then its window [starts_at, ends_at), then its usage limit."""
    if not promotion.active:
        return State.OFF
    if _not_started(promotion, now):
        return State.SCHEDULED
    if promotion.ends_at is not None and _aware(now) >= _aware(promotion.ends_at):
        return State.ENDED
    if promotion.usage_limit is not None and promotion.used_count >= promotion.usage_limit:
        return State.USED_UP
    return State.RUNNING


def _not_started(promotion: Window, now: datetime) -> bool:
    return promotion.starts_at is not None and _aware(now) < _aware(promotion.starts_at)


@dataclass(frozen=True, kw_only=True)
class Offer:
    """A plain copy of a Promotion row, so evaluation needs no database. Field meanings: see Promotion."""

    id: int
    name: str
    code: str | None = None
    kind: PromotionKind
    percent: int | None = None
    amount: int | None = None
    buy_quantity: int | None = None
    get_quantity: int | None = None
    free_shipping: bool = False
    product_ids: frozenset[int] = frozenset()
    category_ids: frozenset[int] = frozenset()
    exclude_sale_items: bool = False
    countries: frozenset[str] = frozenset()  # empty: every destination
    min_subtotal: int | None = None
    min_quantity: int | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    usage_limit: int | None = None
    per_customer_limit: int | None = None
    used_count: int = 0
    priority: int = 100
    exclusive: bool = False
    combines_with_order: bool = True
    combines_with_product: bool = True
    combines_with_shipping: bool = True
    active: bool = True

    @classmethod
    def from_model(cls, promotion: Promotion) -> Offer:
        p = promotion
        return cls(
            id=p.id,
            name=p.name,
            code=p.code,
            kind=PromotionKind(p.kind),
            percent=p.percent,
            amount=p.amount,
            buy_quantity=p.buy_quantity,
            get_quantity=p.get_quantity,
            free_shipping=p.free_shipping,
            product_ids=frozenset(int(i) for i in p.product_ids or ()),
            category_ids=frozenset(int(i) for i in p.category_ids or ()),
            exclude_sale_items=p.exclude_sale_items,
            countries=frozenset(p.countries or ()),
            min_subtotal=p.min_subtotal,
            min_quantity=p.min_quantity,
            starts_at=p.starts_at,
            ends_at=p.ends_at,
            usage_limit=p.usage_limit,
            per_customer_limit=p.per_customer_limit,
            used_count=p.used_count,
            priority=p.priority,
            exclusive=p.exclusive,
            combines_with_order=p.combines_with_order,
            combines_with_product=p.combines_with_product,
            combines_with_shipping=p.combines_with_shipping,
            active=p.active,
        )

    @property
    def discount_class(self) -> DiscountClass:
        return CLASS_OF_KIND[PromotionKind(self.kind)]

    @property
    def classes(self) -> frozenset[DiscountClass]:
        """Every class of discount it gives: a code may take money off and also ship free."""
        extra = {DiscountClass.SHIPPING} if self.free_shipping else set()
        return frozenset({self.discount_class, *extra})

    def combines_with(self, other: DiscountClass) -> bool:
        return {
            DiscountClass.ORDER: self.combines_with_order,
            DiscountClass.PRODUCT: self.combines_with_product,
            DiscountClass.SHIPPING: self.combines_with_shipping,
        }[other]


@dataclass(frozen=True)
class Discount:
    offer_id: int
    name: str
    code: str | None
    discount_class: DiscountClass
    amount: int  # cents, >= 0


@dataclass(frozen=True)
class Explanation:
    """Why an offer did not apply, as data; the page phrases it (see Reason for what each field means)."""

    offer_id: int
    name: str
    code: str | None
    reason: str  # a Reason
    amount: int | None = None
    quantity: int | None = None
    when: date | None = None  # a moment; the admin preview gives a shop day
    countries: tuple[str, ...] = ()  # where it applies, when the destination ruled it out


@dataclass(frozen=True)
class Outcome:
    """What evaluation decided, with the per-line split pricing needs for VAT and order lines."""

    discounts: list[Discount]  # in application order: product, order, then shipping
    explanations: list[Explanation]  # in priority order
    line_discounts: dict[int, int]  # variant_id -> product and order discounts on that line


def normalise_code(text: str) -> str:
    """How codes are stored and matched: case-insensitive, outer spaces dropped, inner runs made one."""
    return " ".join(text.split()).upper()


async def offers_for(codes: Collection[str], language: str | None = None) -> list[Offer]:
    """The active automatic promotions, and the active ones behind the given codes, by priority; named in
    `language` (None: the shop's), as shoppers read them."""
    # A code longer than the column holds is no promotion's (and the ORM refuses to look it up).
    longest = max_length(Promotion, "code")
    wanted = sorted({code for code in map(normalise_code, codes) if code and len(code) <= longest})
    matches = Q(code__isnull=True) | Q(code__in=wanted) if wanted else Q(code__isnull=True)
    rows = await Promotion.filter(matches, active=True).order_by("priority", "id")
    return [replace(Offer.from_model(row), name=word(row, "name", language)) for row in rows]


def apply(
    lines: list[Line],
    offers: list[Offer],
    *,
    shipping: int,
    now: datetime,
    codes: Collection[str] = (),
    customer_uses: Mapping[int, int] | None = None,
    country: str | None = None,
) -> Outcome:
    """Decide which offers apply, then work out their amounts line by line (see the module docstring).
    `country` is where the parcel goes (None: not known, and an offer limited to destinations is judged
    without that condition)."""
    entered = {normalise_code(code) for code in codes}
    uses = customer_uses or {}
    applied: list[Offer] = []
    explanations: list[Explanation] = []
    seen: set[int] = set()
    for offer in sorted(offers, key=lambda o: (o.priority, o.id)):
        if offer.id in seen or (offer.code is not None and normalise_code(offer.code) not in entered):
            continue
        seen.add(offer.id)
        applies, why = _decide(offer, lines, applied, now, uses, country)
        if applies:
            applied.append(offer)
        elif why is not None:
            explanations.append(why)

    left = {line.variant_id: line.total for line in lines}  # what each line still costs
    discounts: list[Discount] = []
    for phase in (DiscountClass.PRODUCT, DiscountClass.ORDER):
        for offer in applied:
            if offer.discount_class is phase:
                shares = RULES[PromotionKind(offer.kind)](offer, _eligible(offer, lines), left)
                for variant_id, share in shares.items():
                    left[variant_id] -= share
                discounts.append(_discount(offer, phase, sum(shares.values())))
    shipping_left = shipping
    for offer in applied:
        if DiscountClass.SHIPPING in offer.classes:
            discounts.append(_discount(offer, DiscountClass.SHIPPING, shipping_left))
            shipping_left = 0  # a second free-shipping offer has nothing left to take off
    line_discounts = {line.variant_id: line.total - left[line.variant_id] for line in lines}
    return Outcome(discounts, explanations, line_discounts)


# --- deciding ------------------------------------------------------------------------------------


def _decide(
    offer: Offer, lines: list[Line], applied: list[Offer], now: datetime, uses: Mapping[int, int], country: str | None
) -> tuple[bool, Explanation | None]:
    """Whether the offer applies and, if not, the explanation worth showing (None: say nothing).

    A code the shopper typed is always explained, by its most final obstacle first (expired before
    "spend more": no point spending more on an expired code). An automatic offer the shopper never asked
    for is only mentioned when it helps: what to add to get it, or that a stacking rule stopped it.
    """
    availability = why_unavailable(offer, now, uses)
    # An offer for other destinations is said whether asked for or not: the shopper abroad would expect it.
    # (One that is over anyway is explained as over, below.)
    if availability is None and (elsewhere := _destination(offer, country)) is not None:
        return False, elsewhere
    stacking = _stacking(offer, applied)
    conditions = _conditions(offer, lines)
    if offer.code is not None:
        why = availability or stacking or conditions
        return why is None, why
    if availability is not None:
        return False, None
    if conditions is not None:
        helpful = stacking is None and conditions.reason in (Reason.SPEND_MORE, Reason.ADD_ITEMS)
        return False, conditions if helpful else None
    return stacking is None, stacking


def why_unavailable(offer: Offer, now: datetime, uses: Mapping[int, int]) -> Explanation | None:
    """What stops the offer whatever the cart holds (switched off, not started, ended, used up), or None."""
    where = state(offer, now)
    if where is not State.RUNNING:
        when = {State.SCHEDULED: offer.starts_at, State.ENDED: offer.ends_at}.get(where)
        return _explain(offer, REASON_OF_STATE[where], when=when)
    if offer.per_customer_limit is not None and uses.get(offer.id, 0) >= offer.per_customer_limit:
        return _explain(offer, Reason.CUSTOMER_LIMIT)
    return None


def _destination(offer: Offer, country: str | None) -> Explanation | None:
    if country is None or not offer.countries or country in offer.countries:
        return None
    return _explain(offer, Reason.DESTINATION, countries=tuple(sorted(offer.countries)))


def _stacking(offer: Offer, applied: list[Offer]) -> Explanation | None:
    if any(earlier.exclusive for earlier in applied):
        return _explain(offer, Reason.EXCLUSIVE_APPLIED)
    for earlier in applied:
        for mine in offer.classes:
            for theirs in earlier.classes:
                if not (offer.combines_with(theirs) and earlier.combines_with(mine)):
                    return _explain(offer, Reason.NOT_COMBINABLE)
    return None


def _conditions(offer: Offer, lines: list[Line]) -> Explanation | None:
    in_scope = [line for line in lines if line.quantity > 0 and _in_scope(offer, line)]
    if not in_scope:
        return _explain(offer, Reason.NO_ELIGIBLE_ITEMS)
    eligible = _eligible(offer, lines)
    if not eligible:
        return _explain(offer, Reason.SALE_ITEMS_EXCLUDED)
    units = sum(line.quantity for line in eligible)
    needed = units_needed(offer)
    if units < needed:
        return _explain(offer, Reason.ADD_ITEMS, quantity=needed - units)
    subtotal = sum(line.total for line in eligible)
    if offer.min_subtotal is not None and subtotal < offer.min_subtotal:
        return _explain(offer, Reason.SPEND_MORE, amount=offer.min_subtotal - subtotal)
    return None


def units_needed(offer: Offer) -> int:
    """Eligible units the cart must hold: its minimum quantity, and a whole deal for buy X get Y."""
    return max(offer.min_quantity or 0, _deal_size(offer) if offer.kind == PromotionKind.BUY_X_GET_Y else 0)


def preview(offer: Offer, now: datetime) -> list[Explanation]:
    """What shoppers are told when it does not (yet) apply, in the cart's own words: with an empty cart
    for the conditions, and at the edges of its window and limits. Days are the shop's: the end is the
    last day of the window, not the midnight after it."""
    shown = []
    if units_needed(offer):
        shown.append(_explain(offer, Reason.ADD_ITEMS, quantity=units_needed(offer)))
    if offer.min_subtotal:
        shown.append(_explain(offer, Reason.SPEND_MORE, amount=offer.min_subtotal))
    if offer.exclude_sale_items:
        shown.append(_explain(offer, Reason.SALE_ITEMS_EXCLUDED))
    if _not_started(offer, now):
        shown.append(_explain(offer, Reason.NOT_STARTED, when=shop_time.day_of(offer.starts_at)))
    if offer.ends_at:
        shown.append(_explain(offer, Reason.EXPIRED, when=shop_time.last_day(offer.ends_at)))
    if offer.usage_limit:
        shown.append(_explain(offer, Reason.USED_UP))
    if offer.per_customer_limit:
        shown.append(_explain(offer, Reason.CUSTOMER_LIMIT))
    if not (offer.combines_with_order and offer.combines_with_product and offer.combines_with_shipping):
        shown.append(_explain(offer, Reason.NOT_COMBINABLE))
    return shown


def _in_scope(offer: Offer, line: Line) -> bool:
    """No products and no categories means everything; otherwise either may match."""
    if not offer.product_ids and not offer.category_ids:
        return True
    return line.product_id in offer.product_ids or not offer.category_ids.isdisjoint(line.category_ids)


def _eligible(offer: Offer, lines: list[Line]) -> list[Line]:
    return [
        line
        for line in lines
        if line.quantity > 0 and _in_scope(offer, line) and not (offer.exclude_sale_items and line.on_sale)
    ]


def _aware(moment: datetime) -> datetime:
    """Naive datetimes are taken as UTC, so a stray one cannot make comparisons raise."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _explain(offer: Offer, reason: Reason, **data) -> Explanation:
    return Explanation(offer.id, offer.name, offer.code, reason, **data)


def _discount(offer: Offer, discount_class: DiscountClass, amount: int) -> Discount:
    return Discount(offer.id, offer.name, offer.code, discount_class, amount)


# --- amounts: one plain function per kind --------------------------------------------------------
# Each gets the eligible lines and what is left of every line, and returns the cents it takes off
# each eligible line, never more than is left.

Shares = dict[int, int]


def _percent_of(value: int | Fraction, percent: int | None) -> int:
    exact = Fraction(value) * min(max(percent or 0, 0), 100) / 100
    return round_cents(Decimal(exact.numerator) / Decimal(exact.denominator))


def _percent_off(offer: Offer, eligible: list[Line], left: Mapping[int, int]) -> Shares:
    """ORDER_PERCENT and ITEMS_PERCENT: rounded once on the total, then spread over the lines."""
    weights = {line.variant_id: left[line.variant_id] for line in eligible}
    return allocate(_percent_of(sum(weights.values()), offer.percent), weights)


def _order_fixed(offer: Offer, eligible: list[Line], left: Mapping[int, int]) -> Shares:
    weights = {line.variant_id: left[line.variant_id] for line in eligible}
    return allocate(min(max(offer.amount or 0, 0), sum(weights.values())), weights)


def _items_fixed(offer: Offer, eligible: list[Line], left: Mapping[int, int]) -> Shares:
    """So much off each item, but never more than the item costs."""
    each = max(offer.amount or 0, 0)
    return {line.variant_id: min(each * line.quantity, left[line.variant_id]) for line in eligible}


def _deal_size(offer: Offer) -> int:
    return max(offer.buy_quantity or 0, 0) + max(offer.get_quantity or 0, 0)


def _buy_x_get_y(offer: Offer, eligible: list[Line], left: Mapping[int, int]) -> Shares:
    """For every X+Y eligible units, Y units get `percent` off (no percent = free): the cheapest Y per
    deal across the whole cart, so with six items on a 3-for-2 the two cheapest are free."""
    units = sum(line.quantity for line in eligible)
    size = _deal_size(offer)
    to_discount = units // size * max(offer.get_quantity or 0, 0) if size else 0

    def unit_value(line: Line) -> tuple[Fraction, int]:
        # What is left of its line, shared over the line's units. Ties go by variant id, so the order
        # of the cart's lines never changes which units are picked.
        return Fraction(left[line.variant_id], line.quantity), line.variant_id

    weights: dict[int, Fraction] = {}
    for line in sorted(eligible, key=unit_value):
        take = min(line.quantity, to_discount)
        if take:
            weights[line.variant_id] = Fraction(left[line.variant_id] * take, line.quantity)
        to_discount -= take
    percent = 100 if offer.percent is None else offer.percent
    shares = allocate(_percent_of(sum(weights.values(), Fraction(0)), percent), weights)
    return {line.variant_id: shares.get(line.variant_id, 0) for line in eligible}


RULES: dict[PromotionKind, Callable[[Offer, list[Line], Mapping[int, int]], Shares]] = {
    PromotionKind.ORDER_PERCENT: _percent_off,
    PromotionKind.ORDER_FIXED: _order_fixed,
    PromotionKind.ITEMS_PERCENT: _percent_off,
    PromotionKind.ITEMS_FIXED: _items_fixed,
    PromotionKind.BUY_X_GET_Y: _buy_x_get_y,
}  # FREE_SHIPPING takes nothing off the lines: apply() gives it the shipping cost
