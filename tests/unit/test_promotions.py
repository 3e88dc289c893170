"""Promotions as pure rules: what applies, how much, and why the rest did not. One DB test for offers_for."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from storefront.domain.models import Promotion, PromotionKind, TaxClass
from storefront.domain.money import Line
from storefront.domain.offers.promotions import (
    DiscountClass,
    Explanation,
    Offer,
    State,
    apply,
    normalise_code,
    offers_for,
    preview,
    state,
)


def _evaluate(lines, offers, **kwargs):
    """The discounts and explanations of promotions.apply, which is what pricing.price calls."""
    outcome = apply(lines, offers, **kwargs)
    return outcome.discounts, outcome.explanations


NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
SOCKS, SHIRTS = 7, 8


def line(
    variant_id: int, unit_price: int, quantity: int = 1, *, category: int = SHIRTS, compare_at: int | None = None
) -> Line:
    return Line(
        variant_id=variant_id,
        product_id=variant_id * 10,
        category_ids=frozenset({category, 1}),
        name=f"Item {variant_id}",
        unit_price=unit_price,
        compare_at_price=compare_at,
        quantity=quantity,
        tax_class=TaxClass.STANDARD,
    )


def offer(id: int = 1, kind: PromotionKind = PromotionKind.ORDER_PERCENT, **fields) -> Offer:
    return Offer(id=id, name=fields.pop("name", f"Offer {id}"), kind=kind, **fields)


def run(lines, offers, codes=(), shipping=590, now=NOW, uses=None):
    discounts, explanations = _evaluate(lines, offers, shipping=shipping, now=now, codes=codes, customer_uses=uses)
    return [(d.offer_id, d.discount_class, d.amount) for d in discounts], [(e.offer_id, e.reason) for e in explanations]


CART = [line(1, 3000, 2), line(2, 1500, category=SOCKS)]  # €75.00


# --- kinds -----------------------------------------------------------------------------------------


def test_each_kind_takes_off_what_it_says():
    assert run(CART, [offer(kind=PromotionKind.ORDER_PERCENT, percent=10)])[0] == [(1, "order", 750)]
    assert run(CART, [offer(kind=PromotionKind.ORDER_FIXED, amount=500)])[0] == [(1, "order", 500)]
    assert run(CART, [offer(kind=PromotionKind.ITEMS_PERCENT, percent=20, category_ids=frozenset({SOCKS}))])[0] == [
        (1, "product", 300)
    ]
    assert run(CART, [offer(kind=PromotionKind.FREE_SHIPPING)])[0] == [(1, "shipping", 590)]


def test_fixed_off_each_item_is_capped_at_the_item_price():
    cart = [line(1, 300, 2), line(2, 1000)]
    assert run(cart, [offer(kind=PromotionKind.ITEMS_FIXED, amount=500)])[0] == [(1, "product", 600 + 500)]


def test_buy_x_get_y_discounts_the_cheapest_units_by_the_get_percent():
    half_off_third = offer(kind=PromotionKind.BUY_X_GET_Y, buy_quantity=2, get_quantity=1, percent=50)
    cart = [line(1, 1000, 2), line(2, 401)]
    assert run(cart, [half_off_third])[0] == [(1, "product", 201)]  # 50% of 401 = 200.5 -> 201
    two_deals = [line(1, 1000, 5), line(2, 401)]  # 6 units, two deals: the 401 and one 1000 at half price
    assert run(two_deals, [half_off_third])[0] == [(1, "product", 701)]  # 700.5 -> 701


def test_buy_x_get_y_needs_a_full_deal_and_says_how_many_items_are_missing():
    three_for_two = offer(
        kind=PromotionKind.BUY_X_GET_Y, buy_quantity=2, get_quantity=1, category_ids=frozenset({SOCKS})
    )
    discounts, (why,) = _evaluate(CART, [three_for_two], shipping=0, now=NOW)
    assert discounts == [] and (why.reason, why.quantity) == ("add_items", 2)  # one sock in the cart
    more_socks = [*CART, line(3, 900, category=SOCKS), line(4, 1200, category=SOCKS)]
    assert run(more_socks, [three_for_two]) == ([(1, "product", 900)], [])  # no percent set: free


def test_a_code_can_take_money_off_and_ship_free():
    welcome = offer(kind=PromotionKind.ORDER_PERCENT, percent=10, code="WELCOME10", free_shipping=True)
    assert run(CART, [welcome], codes=["WELCOME10"])[0] == [(1, "order", 750), (1, "shipping", 590)]


def test_sale_items_can_be_left_out():
    cart = [line(1, 2000, compare_at=2500), line(2, 1000)]
    no_sale = offer(kind=PromotionKind.ITEMS_PERCENT, percent=10, exclude_sale_items=True, code="FULLPRICE")
    assert run(cart, [no_sale], codes=["FULLPRICE"])[0] == [(1, "product", 100)]
    assert run(cart[:1], [no_sale], codes=["FULLPRICE"]) == ([], [(1, "sale_items_excluded")])


# --- conditions, dates, limits ---------------------------------------------------------------------


def test_thresholds_measure_the_eligible_items_and_say_what_is_missing():
    socks_over_20 = offer(
        kind=PromotionKind.ORDER_FIXED, amount=300, category_ids=frozenset({SOCKS}), min_subtotal=2000
    )
    _, why = run(CART, [socks_over_20])
    assert why == [(1, "spend_more")]
    _, (explanation,) = _evaluate(CART, [socks_over_20], shipping=0, now=NOW, codes=())
    assert explanation.amount == 500  # €15.00 of socks, €20.00 needed: the shirts do not count
    at_least_four = offer(kind=PromotionKind.ORDER_PERCENT, percent=5, min_quantity=4)
    _, (explanation,) = _evaluate(CART, [at_least_four], shipping=0, now=NOW, codes=())
    assert (explanation.reason, explanation.quantity) == ("add_items", 1)


def test_the_date_window_includes_its_start_and_excludes_its_end():
    code = offer(code="XMAS", percent=10, starts_at=NOW, ends_at=NOW + timedelta(days=1))
    assert run(CART, [code], codes=["xmas"])[0] == [(1, "order", 750)]
    late = NOW + timedelta(days=1)
    assert run(CART, [code], codes=["xmas"], now=late)[1] == [(1, "expired")]
    early = NOW - timedelta(seconds=1)
    _, (explanation,) = _evaluate(CART, [code], shipping=0, now=early, codes=["XMAS"])
    assert explanation == Explanation(1, "Offer 1", "XMAS", "not_started", when=NOW)


def test_out_of_date_automatic_promotions_stay_quiet():
    expired = offer(percent=10, ends_at=NOW)
    assert run(CART, [expired]) == ([], [])


def test_usage_limits():
    limited = offer(code="FIRST100", percent=10, usage_limit=100, used_count=99, per_customer_limit=1)
    assert run(CART, [limited], codes=["FIRST100"])[0] == [(1, "order", 750)]
    assert run(CART, [replace(limited, used_count=100)], codes=["FIRST100"])[1] == [(1, "used_up")]
    assert run(CART, [limited], codes=["FIRST100"], uses={1: 1})[1] == [(1, "customer_limit")]


def test_a_promotions_state_is_off_then_its_window_then_its_usage():
    window = offer(starts_at=NOW, ends_at=NOW + timedelta(days=1), usage_limit=5, used_count=4)
    assert state(window, NOW) is State.RUNNING
    assert state(window, NOW - timedelta(seconds=1)) is State.SCHEDULED
    assert state(window, NOW + timedelta(days=1)) is State.ENDED
    assert state(replace(window, used_count=5), NOW) is State.USED_UP
    assert state(replace(window, used_count=5, active=False), NOW) is State.OFF
    assert state(offer(), NOW) is State.RUNNING  # no window, no limit


def test_the_preview_says_what_an_empty_cart_is_told_at_every_edge():
    bundle = offer(
        kind=PromotionKind.BUY_X_GET_Y,
        buy_quantity=2,
        get_quantity=1,
        min_quantity=2,
        min_subtotal=5000,
        starts_at=NOW + timedelta(days=1),
        ends_at=NOW + timedelta(days=8),
        usage_limit=10,
        combines_with_order=False,
    )
    told = preview(bundle, NOW)
    assert [(e.reason, e.quantity, e.amount) for e in told] == [
        ("add_items", 3, None),  # a whole deal, more than the minimum quantity
        ("spend_more", None, 5000),
        ("not_started", None, None),
        ("expired", None, None),
        ("used_up", None, None),
        ("not_combinable", None, None),
    ]
    assert told[2].when == (NOW + timedelta(days=1)).date()  # shop days: noon UTC is the same day in Rome
    assert told[3].when == (NOW + timedelta(days=7)).date()  # the last day of the window, not the day after it
    assert [e.reason for e in preview(bundle, NOW + timedelta(days=2))][2] == "expired"  # started already
    assert preview(offer(), NOW) == []


def test_codes_are_matched_case_insensitively_and_others_ignored():
    welcome = offer(code="WELCOME10", percent=10)
    assert run(CART, [welcome], codes=["  welcome10 "])[0] == [(1, "order", 750)]
    assert run(CART, [welcome], codes=["OTHER"]) == ([], [])
    assert normalise_code("  summer   sale 10\t") == "SUMMER SALE 10"


def test_automatic_promotions_only_speak_when_it_helps():
    out_of_scope = offer(1, percent=10, category_ids=frozenset({99}), min_subtotal=10_000)
    over_100 = offer(2, percent=10, min_subtotal=10_000)
    assert run(CART, [out_of_scope, over_100])[1] == [(2, "spend_more")]
    assert run([], [out_of_scope, over_100])[1] == []


def test_an_inactive_offer_passed_in_is_explained_only_for_its_code():
    assert run(CART, [offer(percent=10, active=False, code="OLD")], codes=["OLD"])[1] == [(1, "inactive")]
    assert run(CART, [offer(percent=10, active=False)]) == ([], [])


# --- stacking --------------------------------------------------------------------------------------

FREE_SHIPPING = offer(1, PromotionKind.FREE_SHIPPING, name="Free shipping", priority=10, combines_with_order=False)
WELCOME = offer(2, PromotionKind.ORDER_PERCENT, percent=10, code="WELCOME10", priority=100)


def test_classes_combine_only_if_both_allow_it():
    assert run(CART, [FREE_SHIPPING, WELCOME], codes=["WELCOME10"]) == ([(1, "shipping", 590)], [(2, "not_combinable")])
    both_allow = replace(FREE_SHIPPING, combines_with_order=True)
    assert run(CART, [both_allow, WELCOME], codes=["WELCOME10"])[0] == [(2, "order", 750), (1, "shipping", 590)]
    welcome_refuses = replace(WELCOME, combines_with_shipping=False)
    assert run(CART, [both_allow, welcome_refuses], codes=["WELCOME10"])[1] == [(2, "not_combinable")]


def test_same_class_needs_the_class_allowed_too():
    first = offer(1, percent=10, priority=1)
    second = offer(2, PromotionKind.ORDER_FIXED, amount=500, priority=2, combines_with_order=False, code="FIVE")
    assert run(CART, [first, second], codes=["FIVE"]) == ([(1, "order", 750)], [(2, "not_combinable")])


def test_an_exclusive_promotion_stops_the_later_ones_but_not_the_earlier():
    black_friday = offer(3, PromotionKind.ITEMS_PERCENT, percent=30, priority=50, exclusive=True)
    discounts, why = run(
        CART, [replace(FREE_SHIPPING, combines_with_order=True), black_friday, WELCOME], codes=["WELCOME10"]
    )
    assert discounts == [(3, "product", 2250), (1, "shipping", 590)]
    assert why == [(2, "exclusive_applied")]


def test_an_exclusive_promotion_first_stands_alone():
    black_friday = offer(3, PromotionKind.ITEMS_PERCENT, percent=30, priority=1, exclusive=True)
    spend_more_shipping = offer(4, PromotionKind.FREE_SHIPPING, min_subtotal=100_000)
    discounts, why = run(CART, [FREE_SHIPPING, black_friday, WELCOME, spend_more_shipping], codes=["WELCOME10"])
    assert discounts == [(3, "product", 2250)]
    # The automatic free shipping would have applied, so it says why not; the unreachable one stays quiet.
    assert why == [(1, "exclusive_applied"), (2, "exclusive_applied")]


def test_discount_classes_follow_the_kind():
    assert offer(kind=PromotionKind.BUY_X_GET_Y).classes == {DiscountClass.PRODUCT}
    assert offer(kind=PromotionKind.ORDER_FIXED, free_shipping=True).classes == {
        DiscountClass.ORDER,
        DiscountClass.SHIPPING,
    }


# --- loading from the database ---------------------------------------------------------------------


@pytest.mark.usefixtures("db")
async def test_offers_for_loads_active_automatic_and_matching_code_promotions_by_priority():
    later = await Promotion.create(name="Free shipping over €50", kind=PromotionKind.FREE_SHIPPING, min_subtotal=5000)
    welcome = await Promotion.create(
        name="Welcome",
        code="WELCOME10",
        kind=PromotionKind.ORDER_PERCENT,
        percent=10,
        priority=10,
        product_ids=[3, 4],
        category_ids=[7],
    )
    await Promotion.create(name="Other code", code="OTHER", kind=PromotionKind.ORDER_FIXED, amount=500)
    await Promotion.create(name="Switched off", kind=PromotionKind.ORDER_PERCENT, percent=50, active=False)
    await Promotion.create(name="Old code", code="OLD", kind=PromotionKind.ORDER_PERCENT, percent=50, active=False)

    loaded = await offers_for([" welcome10 ", "old", ""])
    assert [o.id for o in loaded] == [welcome.id, later.id]
    assert (loaded[0].product_ids, loaded[0].category_ids) == ({3, 4}, {7})
    assert loaded[0].kind is PromotionKind.ORDER_PERCENT and loaded[0].code == "WELCOME10"
    assert [o.id for o in await offers_for([])] == [later.id]
