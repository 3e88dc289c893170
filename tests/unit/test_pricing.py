"""pricing.price: hand-computed totals, then the invariants that must hold for any cart and any promotions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from storefront.domain import vat
from storefront.domain.basket.pricing import price
from storefront.domain.models import PromotionKind, TaxClass, VatRegime
from storefront.domain.money import Line, allocate
from storefront.domain.offers.promotions import DiscountClass, Offer
from storefront.domain.vat import included as vat_included

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
# Italy's rates, written out here so the tests do not take them from the code they test.
ITALIAN_RATE = {TaxClass.STANDARD: 2200, TaxClass.REDUCED: 1000, TaxClass.SUPER_REDUCED: 400}
CLASS_AT = {rate: tax_class for tax_class, rate in ITALIAN_RATE.items()}


def line(
    variant_id: int,
    unit_price: int,
    quantity: int = 1,
    vat_rate: int = 2200,
    *,
    product_id: int | None = None,
    categories: set[int] = frozenset(),
    compare_at: int | None = None,
) -> Line:
    return Line(
        variant_id=variant_id,
        product_id=product_id or variant_id * 10,
        category_ids=frozenset(categories),
        name=f"Item {variant_id}",
        unit_price=unit_price,
        compare_at_price=compare_at,
        quantity=quantity,
        tax_class=CLASS_AT[vat_rate],
    )


SHIRTS = line(1, 3000, 2, 2200)  # €60.00 of shirts at 22%
BOOK = line(2, 1500, 1, 400)  # a €15.00 book at 4%
WELCOME10 = Offer(id=1, name="Welcome 10% off", code="WELCOME10", kind=PromotionKind.ORDER_PERCENT, percent=10)
FREE_OVER_50 = Offer(id=2, name="Free shipping over €50", kind=PromotionKind.FREE_SHIPPING, min_subtotal=5000)


# --- examples --------------------------------------------------------------------------------------


def test_no_promotions_is_lines_plus_shipping_with_vat_per_rate():
    totals = price([SHIRTS, BOOK], [], shipping=590, now=NOW)
    assert (totals.subtotal, totals.discounts, totals.shipping_discount, totals.total) == (7500, [], 0, 8090)
    # Shipping follows the goods: 590 split 6000 : 1500 -> 472 at 22%, 118 at 4%.
    # 22%: (6000 + 472) * 22/122 = 1167.08 -> 1167;  4%: (1500 + 118) * 4/104 = 62.23 -> 62
    assert totals.vat == {2200: 1167, 400: 62}
    assert totals.line_discounts == {1: 0, 2: 0}


def test_code_and_free_shipping_threshold_on_two_vat_rates():
    totals = price([SHIRTS, BOOK], [WELCOME10, FREE_OVER_50], shipping=590, now=NOW, codes=["welcome10"])
    assert [(d.name, d.amount) for d in totals.discounts] == [("Welcome 10% off", 750)]
    assert (totals.shipping, totals.shipping_discount, totals.shipping_charged) == (590, 590, 0)
    assert [d.offer_id for d in totals.shipping_discounts] == [2]
    assert totals.total == 6750  # 7500 - 750, shipping free
    assert totals.line_discounts == {1: 600, 2: 150}  # 750 split 6000 : 1500
    # 22%: 5400 * 22/122 = 973.77 -> 974;  4%: 1350 * 4/104 = 51.92 -> 52
    assert totals.vat == {2200: 974, 400: 52}
    assert totals.not_applied == []


def test_the_cash_on_delivery_fee_carries_vat_like_shipping():
    totals = price([SHIRTS, BOOK], [], shipping=590, surcharge=400, now=NOW)
    assert (totals.surcharge, totals.total) == (400, 8490)
    # Shipping + fee, 990, split 6000 : 1500 -> 792 at 22%, 198 at 4%.
    # 22%: 6792 * 22/122 = 1224.79 -> 1225;  4%: 1698 * 4/104 = 65.31 -> 65
    assert totals.vat == {2200: 1225, 400: 65}


def test_below_the_threshold_says_how_much_more_to_spend():
    totals = price([line(1, 3000, 1), BOOK], [FREE_OVER_50], shipping=590, now=NOW)
    assert totals.shipping_discount == 0 and totals.total == 5090
    assert [(e.reason, e.amount) for e in totals.not_applied] == [("spend_more", 500)]
    # Shipping 590 split 3000 : 1500 -> 393.33 / 196.67 -> 393 at 22%, 197 at 4% (largest remainder).
    # 22%: 3393 * 22/122 = 611.85 -> 612;  4%: 1697 * 4/104 = 65.27 -> 65
    assert totals.vat == {2200: 612, 400: 65}


def test_three_for_two_on_a_category_frees_the_cheapest_units():
    socks = {7}
    three_for_two = Offer(
        id=3,
        name="3 for 2 on socks",
        kind=PromotionKind.BUY_X_GET_Y,
        buy_quantity=2,
        get_quantity=1,
        percent=100,
        category_ids=frozenset(socks),
    )
    cart = [
        line(1, 800, 2, categories=socks),
        line(2, 1200, 3, categories=socks),
        line(3, 500, 1, categories=socks),
        line(4, 2500, 1, categories={8}),
    ]
    totals = price(cart, [three_for_two], shipping=0, now=NOW)
    # Six socks: two deals, the two cheapest units (500 and one 800) free; the shirt is out of scope.
    assert totals.discount_total == 1300
    assert totals.line_discounts == {1: 800, 2: 0, 3: 500, 4: 0}
    assert totals.total == 1600 + 3600 + 500 + 2500 - 1300


def test_percent_is_rounded_once_half_up_and_split_to_the_cent():
    ten_percent = Offer(id=1, name="10%", kind=PromotionKind.ORDER_PERCENT, percent=10)
    totals = price([line(3, 335), line(1, 335), line(2, 335)], [ten_percent], shipping=0, now=NOW)
    assert totals.discount_total == 101  # 100.5 -> 101, not 3 x 33.5 rounded per line
    assert totals.line_discounts == {1: 34, 2: 34, 3: 33}  # the leftover cents go to the lowest ids


def test_a_fixed_discount_larger_than_the_cart_leaves_only_shipping():
    twenty_off = Offer(id=1, name="€20 off", code="GIFT", kind=PromotionKind.ORDER_FIXED, amount=2000)
    totals = price([BOOK], [twenty_off], shipping=590, now=NOW, codes=["GIFT"])
    assert totals.discount_total == 1500 and totals.total == 590
    assert totals.vat == {2200: vat_included(590, 2200)}  # nothing left at 4%


def test_order_discounts_apply_to_what_product_discounts_left():
    order_first = Offer(id=1, name="10% off", kind=PromotionKind.ORDER_PERCENT, percent=10, priority=1)
    sale = Offer(id=2, name="20% off shirts", kind=PromotionKind.ITEMS_PERCENT, percent=20, product_ids=frozenset({10}))
    totals = price([line(1, 1000)], [order_first, sale], shipping=0, now=NOW)
    # Product discounts go first whatever the priorities: 20% of 1000, then 10% of the 800 left.
    assert [(d.name, d.amount) for d in totals.discounts] == [("20% off shirts", 200), ("10% off", 80)]
    assert totals.total == 720


def test_an_empty_cart_costs_nothing():
    totals = price([], [WELCOME10, FREE_OVER_50], shipping=0, now=NOW, codes=["WELCOME10"])
    assert (totals.subtotal, totals.total, totals.vat) == (0, 0, {})
    assert [e.reason for e in totals.not_applied] == ["no_eligible_items"]  # the typed code; nothing automatic


def test_allocation_sums_exactly_and_never_exceeds_a_weight():
    assert allocate(100, {"a": 1, "b": 1, "c": 1}) == {"a": 34, "b": 33, "c": 33}
    assert allocate(0, {"a": 5}) == {"a": 0}
    assert allocate(7, {"a": 7, "b": 0}) == {"a": 7, "b": 0}


# --- invariants --------------------------------------------------------------------------------------

CODES = ["WELCOME10", "SUMMER", "FREESHIP", "SOCKS3X2"]
MOMENTS = [None, NOW - timedelta(days=1), NOW, NOW + timedelta(days=1)]


@st.composite
def carts(draw) -> list[Line]:
    ids = draw(st.lists(st.integers(1, 40), unique=True, max_size=6))
    lines = []
    for variant_id in ids:
        unit_price = draw(st.integers(0, 20_000))
        lines.append(
            Line(
                variant_id=variant_id,
                product_id=draw(st.integers(1, 6)),
                category_ids=frozenset(draw(st.sets(st.integers(1, 4), max_size=3))),
                name=f"v{variant_id}",
                unit_price=unit_price,
                compare_at_price=draw(st.none() | st.integers(unit_price, unit_price + 5000)),
                quantity=draw(st.integers(1, 12)),
                tax_class=draw(st.sampled_from(list(TaxClass))),
            )
        )
    return lines


@st.composite
def offers(draw, offer_id: int, code: str | None) -> Offer:
    """Mostly offers that can apply (active, in date, within limits), so stacking and amounts get exercised."""

    def rarely(strategy, usual=None):  # a quarter of the time something other than the usual value
        return usual if draw(st.integers(0, 3)) else draw(strategy)

    return Offer(
        id=offer_id,
        name=f"Offer {offer_id}",
        code=code,
        kind=draw(st.sampled_from(PromotionKind)),
        percent=draw(st.none() | st.integers(0, 100)),
        amount=draw(st.none() | st.integers(0, 5000)),
        buy_quantity=draw(st.integers(1, 3)),
        get_quantity=draw(st.integers(1, 2)),
        free_shipping=draw(st.booleans()),
        product_ids=rarely(st.frozensets(st.integers(1, 6), max_size=2), frozenset()),
        category_ids=rarely(st.frozensets(st.integers(1, 4), max_size=2), frozenset()),
        exclude_sale_items=draw(st.booleans()),
        min_subtotal=rarely(st.integers(0, 30_000)),
        min_quantity=rarely(st.integers(1, 8)),
        starts_at=rarely(st.sampled_from(MOMENTS)),
        ends_at=rarely(st.sampled_from(MOMENTS)),
        usage_limit=rarely(st.integers(0, 3)),
        per_customer_limit=rarely(st.integers(0, 2)),
        used_count=draw(st.integers(0, 3)),
        priority=draw(st.integers(0, 3)),
        exclusive=rarely(st.booleans(), False),
        combines_with_order=rarely(st.booleans(), True),
        combines_with_product=rarely(st.booleans(), True),
        combines_with_shipping=rarely(st.booleans(), True),
        active=rarely(st.booleans(), True),
    )


@st.composite
def situations(draw):
    """A cart, some promotions (a few behind codes), the codes entered and the shopper's past uses."""
    count = draw(st.integers(0, 5))
    codes = [draw(st.none() | st.sampled_from(CODES)) for _ in range(count)]
    promotions = [draw(offers(i + 1, code if code not in codes[:i] else None)) for i, code in enumerate(codes)]
    typed = draw(st.lists(st.sampled_from(CODES), unique=True, max_size=3))
    entered = [draw(st.sampled_from([code, code.lower(), f" {code} "])) for code in typed]  # as shoppers type
    uses = draw(st.dictionaries(st.integers(1, 5), st.integers(0, 2)))
    return draw(carts()), promotions, draw(st.integers(0, 2000)), entered, uses


def priced(situation, lines=None, extra=()):
    cart, promotions, shipping, codes, uses = situation
    return price(
        lines if lines is not None else cart,
        [*promotions, *extra],
        shipping=shipping,
        now=NOW,
        codes=codes,
        customer_uses=uses,
    )


@settings(max_examples=300)
@given(situations())
def test_totals_add_up_and_never_go_negative(situation):
    totals = priced(situation)
    assert totals.total >= 0
    assert totals.total == totals.subtotal - totals.discount_total + totals.shipping - totals.shipping_discount
    assert 0 <= totals.shipping_discount <= totals.shipping
    assert all(d.amount >= 0 for d in totals.discounts + totals.shipping_discounts)
    assert all(d.discount_class is not DiscountClass.SHIPPING for d in totals.discounts)


@settings(max_examples=300)
@given(situations())
def test_line_allocations_cover_the_discounts_and_stay_within_each_line(situation):
    cart = situation[0]
    totals = priced(situation)
    assert set(totals.line_discounts) == {item.variant_id for item in cart}
    for item in cart:
        assert 0 <= totals.line_discounts[item.variant_id] <= item.total
    assert sum(totals.line_discounts.values()) == totals.discount_total


@settings(max_examples=300)
@given(situations())
def test_vat_is_the_share_of_what_is_paid_at_each_rate(situation):
    cart = situation[0]
    totals = priced(situation)
    gross: dict[int, int] = {}
    for item in cart:
        gross[ITALIAN_RATE[item.tax_class]] = (
            gross.get(ITALIAN_RATE[item.tax_class], 0) + item.total - totals.line_discounts[item.variant_id]
        )
    # Shipping follows the goods' rates in proportion (22% when there are no goods to pay for).
    goods = {rate: g for rate, g in gross.items() if g > 0} or {2200: 1}
    for rate, share in allocate(totals.shipping_charged, goods).items():
        gross[rate] = gross.get(rate, 0) + share
    assert sum(gross.values()) == totals.total
    assert totals.vat == {rate: vat_included(g, rate) for rate, g in gross.items() if g > 0}
    assert sum(totals.vat.values()) <= totals.total


@settings(max_examples=200)
@given(situations(), st.randoms(use_true_random=False))
def test_the_order_of_lines_changes_nothing(situation, rnd):
    shuffled = list(situation[0])
    rnd.shuffle(shuffled)
    assert priced(situation, lines=shuffled) == priced(situation)


@settings(max_examples=200)
@given(situations(), st.integers(0, 4), st.sampled_from(["out_of_scope", "expired", "not_started", "inactive"]))
def test_an_automatic_promotion_that_does_not_apply_changes_nothing(situation, priority, why):
    unrelated = Offer(
        id=99,
        name="Unrelated",
        kind=PromotionKind.ORDER_PERCENT,
        percent=50,
        priority=priority,
        exclusive=True,
        combines_with_order=False,
        combines_with_product=False,
        combines_with_shipping=False,
        product_ids=frozenset({999}) if why == "out_of_scope" else frozenset(),
        ends_at=NOW if why == "expired" else None,
        starts_at=NOW + timedelta(seconds=1) if why == "not_started" else None,
        active=why != "inactive",
    )
    assert priced(situation, extra=[unrelated]) == priced(situation)


@settings(max_examples=300)
@given(situations())
def test_every_entered_code_is_either_applied_or_explained(situation):
    _, promotions, _, codes, _ = situation
    totals = priced(situation)
    applied = {d.offer_id for d in totals.discounts + totals.shipping_discounts}
    explained = [e.offer_id for e in totals.not_applied]
    assert applied.isdisjoint(explained) and len(explained) == len(set(explained))
    entered = {c.strip().upper() for c in codes}
    for offer in promotions:
        if offer.code in entered:
            assert offer.id in applied or offer.id in explained


# Every country the checkout offers, and a few it does not, under both VAT settings.
DESTINATIONS = st.sampled_from(["IT", "SM", "DE", "FR", "HU", "DK", "LU", "CH", "GB", "NO", "US", "CA", "AU", "JP"])


@settings(max_examples=400)
@given(situations(), DESTINATIONS, st.booleans(), st.integers(0, 1000))
def test_every_destination_adds_up_with_the_vat_its_regime_wants(situation, country, oss, fee):
    cart, promotions, shipping, codes, uses = situation
    totals = price(
        cart,
        promotions,
        shipping=shipping,
        now=NOW,
        codes=codes,
        customer_uses=uses,
        surcharge=fee,
        country=country,
        oss=oss,
    )
    goods = sum(line.total for line in totals.charged.values())
    assert totals.subtotal == goods
    assert totals.total == goods - totals.discount_total + totals.shipping_charged + totals.surcharge >= 0
    assert sum(totals.vat.values()) <= totals.total and all(amount >= 0 for amount in totals.vat.values())
    regime = vat.for_destination(country, oss=oss, day=NOW.date()).regime
    if regime is VatRegime.EXPORT:
        # Net prices: each unit its shelf price less the Italian VAT in it, and no VAT at all.
        assert totals.vat == {} and set(totals.line_rates.values()) <= {0}
        for item in cart:
            net = totals.charged[item.variant_id].unit_price
            assert net == item.unit_price - vat_included(item.unit_price, ITALIAN_RATE[item.tax_class])
    else:
        # The shelf price is paid; the VAT in it is at the rates of the country whose VAT applies.
        rates = vat.rates_of("IT" if regime is VatRegime.DOMESTIC else country, NOW.date())
        assert [line.unit_price for line in totals.charged.values()] == [item.unit_price for item in cart]
        assert totals.line_rates == {item.variant_id: rates.of(item.tax_class) for item in cart}
        assert set(totals.vat) <= {*totals.line_rates.values(), rates.standard}
