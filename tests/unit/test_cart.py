"""The cart against a real database: persistence, stock limits, flagged lines."""

from __future__ import annotations

import pytest

from storefront.domain.basket import cart
from storefront.domain.inventory import stock
from storefront.domain.models import Cart, Variant
from tests.unit import factories as f


@pytest.fixture
async def items(db):
    clothing = await f.category("Clothing")
    tee = await f.product(
        "Maglietta",
        clothing,
        [
            {"price": 3500, "stock": 3, "options": {"size": "M", "colour": "Blu"}},
            {"price": 3500, "stock": 10, "options": {"size": "L", "colour": "Blu"}},
        ],
    )
    mug = await f.product("Tazza", await f.category("Home"), [{"price": 1200, "stock": 0}])
    variants = await Variant.filter(product_id__in=[tee.id, mug.id]).order_by("id")
    return {"m": variants[0], "l": variants[1], "mug": variants[2]}


@pytest.mark.parametrize("raw", ["0", "-1", "1.5", "abc", "", None, "100", "1e3", " 2x"])
def test_quantities_must_be_whole_numbers_in_range(raw):
    with pytest.raises(cart.InvalidQuantity):
        cart.parse_quantity(raw)


def test_good_quantities():
    assert cart.parse_quantity(" 3 ") == 3 and cart.parse_quantity("99") == 99


async def test_adding_creates_a_cart_that_persists_and_merges_lines(items):
    token, change = await cart.add(None, items["l"].id, 2)
    assert change.quantity == 2 and change.added == 2 and change.limited_to is None
    assert change.options == "L, Blu"
    token2, change = await cart.add(token, items["l"].id, 1)
    assert token2 == token and change.quantity == 3
    view = await cart.view(token)
    assert [(line.name, line.quantity) for line in view.lines] == [("Maglietta", 3)]
    assert view.count == 3 and view.totals.subtotal == 3 * 3500
    assert await Cart.filter(token=token).count() == 1


async def test_asking_for_more_than_is_left_sets_what_is_left(items):
    token, change = await cart.add(None, items["m"].id, 5)
    assert change.quantity == 3 and change.limited_to == 3
    _, change = await cart.add(token, items["m"].id, 1)
    assert change.quantity == 3 and change.added == 0 and change.limited_to == 3
    change = await cart.set_quantity(token, items["m"].id, 7)
    assert change.quantity == 3 and change.limited_to == 3


async def test_sold_out_or_unknown_variants_cannot_be_added(items):
    with pytest.raises(cart.Unavailable) as sold_out:
        await cart.add(None, items["mug"].id, 1)
    assert sold_out.value.sold_out
    with pytest.raises(cart.Unavailable) as unknown:
        await cart.add(None, 999_999, 1)
    assert not unknown.value.sold_out


async def test_lines_that_sold_out_or_were_withdrawn_are_flagged_and_block_checkout(items):
    token, _ = await cart.add(None, items["m"].id, 2)
    await cart.add(token, items["l"].id, 1)
    assert (await cart.view(token)).can_check_out

    await stock.adjust(items["m"].id, -2, stock.Reason.DAMAGED)  # one left, two in the cart
    view = await cart.view(token)
    assert {line.variant_id: line.problem for line in view.lines} == {items["m"].id: "short", items["l"].id: None}
    assert not view.can_check_out

    await Variant.filter(id=items["l"].id).update(active=False)
    view = await cart.view(token)
    assert {line.variant_id: line.problem for line in view.lines}[items["l"].id] == "unavailable"
    # A withdrawn line is not priced.
    assert view.totals.subtotal == 2 * 3500


async def test_remove_and_empty(items):
    token, _ = await cart.add(None, items["m"].id, 1)
    await cart.add(token, items["l"].id, 1)
    change = await cart.remove(token, items["m"].id)
    assert change.action == "removed"
    assert [line.variant_id for line in (await cart.view(token)).lines] == [items["l"].id]
    await cart.empty(token)
    assert (await cart.view(token)).lines == []
    assert await cart.remove(token, items["m"].id) is None


async def test_an_unknown_token_is_an_empty_cart(items):
    view = await cart.view("no-such-token")
    assert view.lines == [] and view.totals.total == 0 and not view.can_check_out
