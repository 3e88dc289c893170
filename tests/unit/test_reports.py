"""The dashboard's figures against a hand-built shop: periods are shop days (Rome), cancelled orders earn
nothing, refunds come off, the funnel counts carts, checkouts and orders, and the ledger check finds drift."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import count

import pytest

from storefront.domain import reports
from storefront.domain.db import count_queries
from storefront.domain.inventory import levels, stock
from storefront.domain.models import Cart, Category, Order, OrderLine, Product, Variant
from storefront.domain.staff import audit_log
from tests.unit import factories as f

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)  # 11:00 in Rome; the shop's day began at 23:00 UTC
_n = count(1)


async def order(
    status: str,
    total: int,
    at: datetime,
    *,
    payment: str = "card",
    refunded: int = 0,
    lines: list[tuple[Variant, int]] = (),
) -> Order:
    n = next(_n)
    placed = await Order.create(
        number=f"BT-T{n:05d}",
        idempotency_key=f"key-{n}",
        status=status,
        email="anna@example.com",
        full_name=f"Anna {n}",
        country="IT",
        shipping_method="standard",
        shipping_name="Standard",
        payment_method=payment,
        subtotal=total,
        total=total,
        refunded_total=refunded,
    )
    await Order.filter(id=placed.id).update(created_at=at)
    for variant, quantity in lines:
        await OrderLine.create(
            order=placed,
            variant=variant,
            sku=variant.sku,
            name="line",
            unit_price=variant.price,
            quantity=quantity,
            vat_rate=2200,
        )
    return placed


async def cart(created: datetime, checkout: datetime | None = None) -> None:
    made = await Cart.create(token=f"token-{next(_n)}")
    await Cart.filter(id=made.id).update(created_at=created, checkout_started_at=checkout)


async def variants(*specs) -> list[Variant]:
    clothing = await Category.get_or_none(slug="clothing") or await f.category("Clothing")
    found = []
    for i, spec in enumerate(specs):
        p = await f.product(f"Prodotto {i}", clothing, [spec])
        found.append(await Variant.get(product_id=p.id))
    return found


@pytest.fixture
async def shop(db):
    tee, mug, jar = await variants(
        {"price": 1000, "stock": 50}, {"price": 2000, "stock": 50}, {"price": 500, "stock": 50}
    )
    just_after_midnight = datetime(2026, 11, 19, 23, 30, tzinfo=UTC)  # 00:30 on the 20th in Rome
    just_before_midnight = datetime(2026, 11, 19, 22, 30, tzinfo=UTC)  # 23:30 on the 19th in Rome
    await order("paid", 10_000, just_after_midnight, lines=[(tee, 2)])
    await order("cancelled", 5_000, NOW - timedelta(hours=2), lines=[(mug, 100)])
    await order("delivered", 8_000, NOW - timedelta(days=3), refunded=3_000, lines=[(mug, 5)])
    await order("refunded", 6_000, NOW - timedelta(days=5), refunded=6_000, lines=[(tee, 50)])
    await order("packed", 2_000, NOW - timedelta(days=10), lines=[(jar, 1)])
    await order("pending_payment", 3_000, just_before_midnight, payment="cod")
    await order("pending_payment", 4_000, NOW - timedelta(days=40), payment="bank_transfer", lines=[(tee, 10)])

    await cart(NOW - timedelta(hours=1), NOW - timedelta(minutes=30))
    await cart(NOW - timedelta(hours=2))
    await cart(NOW - timedelta(days=3), NOW - timedelta(days=3))
    await cart(NOW - timedelta(days=20))
    await cart(NOW - timedelta(days=40), NOW - timedelta(minutes=5))  # an old cart that came back today
    return {"tee": tee, "mug": mug, "jar": jar}


def test_periods_start_at_midnight_in_rome_across_the_summer_time_change():
    starts = reports.period_starts(NOW)
    assert starts["today"] == datetime(2026, 11, 19, 23, 0, tzinfo=UTC)
    assert starts["7_days"] == datetime(2026, 11, 13, 23, 0, tzinfo=UTC)
    assert starts["30_days"] == datetime(2026, 10, 21, 22, 0, tzinfo=UTC)  # 22 October was still summer time


async def test_revenue_and_orders_leave_cancelled_orders_out_and_take_refunds_off(shop):
    d = await reports.dashboard(NOW)
    assert [(s.period, s.revenue, s.orders) for s in d.sales] == [
        ("today", 10_000, 1),  # the order of 23:30 the evening before belongs to yesterday
        ("7_days", 18_000, 4),  # + 8 000 less 3 000 refunded, + 3 000 cash on delivery, + 0 (refunded)
        ("30_days", 20_000, 5),  # + the packed order of ten days ago; the transfer of 40 days ago is older
    ]


async def test_the_fulfilment_queue_and_awaited_transfers(shop):
    d = await reports.dashboard(NOW)
    assert (d.to_pack, d.to_ship) == (2, 1)  # paid + cash on delivery; packed
    assert d.transfers.total == 1
    [transfer] = d.transfers.items
    assert transfer.total == 4_000 and transfer.waited_days == 40 and transfer.placed_at == NOW - timedelta(days=40)


async def test_the_funnel_counts_carts_checkouts_and_orders_per_period(shop):
    d = await reports.dashboard(NOW)
    assert [(x.period, x.carts, x.checkouts, x.orders) for x in d.funnel] == [
        ("today", 2, 2, 2),
        ("7_days", 3, 3, 5),
        ("30_days", 4, 3, 6),
    ]
    thirty = d.funnel[2]
    assert (thirty.checkout_rate, thirty.order_rate, thirty.conversion) == (7500, 20000, 15000)
    assert reports.Funnel("today", 0, 0, 0).conversion is None


async def test_best_sellers_count_units_of_orders_that_stand(shop):
    d = await reports.dashboard(NOW)
    names = {v.id: (await Product.get(id=v.product_id)).name for v in shop.values()}
    assert [(b.name, b.units, b.sales) for b in d.best_sellers] == [
        (names[shop["mug"].id], 5, 10_000),  # the cancelled 100 do not count
        (names[shop["tee"].id], 2, 2_000),  # nor the refunded 50, nor the 10 of 40 days ago
        (names[shop["jar"].id], 1, 500),
    ]


async def test_low_stock_and_sold_out_cover_what_is_sellable(db):
    low, gone, plenty, hidden, withdrawn = await variants(
        {"price": 100, "stock": 2},
        {"price": 100, "stock": 0},
        {"price": 100, "stock": 9},
        {"price": 100, "stock": 0},
        {"price": 100, "stock": 1},
    )
    await Variant.filter(id=hidden.id).update(active=False)
    await Product.filter(id=withdrawn.product_id).update(active=False)
    d = await reports.dashboard(NOW)
    assert [(a.variant_id, a.stock) for a in d.low_stock.items] == [(low.id, 2)] and d.low_stock.total == 1
    assert [a.variant_id for a in d.sold_out.items] == [gone.id] and d.sold_out.total == 1


async def test_the_ledger_reconciles_until_stock_changes_behind_its_back(db):
    tee, mug = await variants({"price": 100, "stock": 10}, {"price": 100, "stock": 4})
    await stock.adjust(tee.id, -3, stock.Reason.DAMAGED)
    assert await reports.reconciliation() == reports.Shortlist([], 0)
    assert not (await reports.dashboard(NOW)).mismatches
    await Variant.filter(id=mug.id).update(stock=7)  # what stock.py would never do
    mismatches = await reports.reconciliation()
    assert mismatches.total == 1 and [(m.variant_id, m.stock, m.ledger) for m in mismatches.items] == [(mug.id, 7, 4)]


async def test_an_empty_shop_has_zeros_everywhere(db):
    d = await reports.dashboard(NOW)
    assert [s.revenue for s in d.sales] == [0, 0, 0] and d.best_sellers == [] and d.transfers.items == []
    assert (d.to_pack, d.to_ship, d.low_stock.total, d.sold_out.total, d.mismatches.total) == (0, 0, 0, 0, 0)


async def test_the_dashboard_costs_five_queries_however_big_the_shop(shop):
    with count_queries() as small:
        await reports.dashboard(NOW)
    tee = shop["tee"]
    for day in range(25):
        await order("paid", 1_000, NOW - timedelta(days=day), lines=[(tee, 1)])
        await cart(NOW - timedelta(days=day), NOW - timedelta(days=day))
    await variants(*[{"price": 100, "stock": s % 3} for s in range(12)])
    with count_queries() as big:
        await reports.dashboard(NOW)
    assert len(small) == len(big) == 5, big


async def test_a_variants_ledger_runs_newest_first_with_a_running_total(db):
    [tee] = await variants({"price": 100, "stock": 10})
    await stock.adjust(tee.id, 5, stock.Reason.RECEIVED, "delivery 42")
    await stock.adjust(tee.id, -2, stock.Reason.DAMAGED)
    row = await levels.stock_row(tee.id)
    ledger = await levels.ledger(row)
    assert [(m.delta, m.reason, m.reference, m.balance) for m in ledger.movements] == [
        (-2, "damaged", "", 13),
        (5, "received", "delivery 42", 15),
        (10, "initial", "", 10),
    ]
    assert ledger.reconciles and ledger.total == 3
    second = await levels.ledger(row, page=2, per_page=2)
    assert [m.balance for m in second.movements] == [10] and not second.has_more
    past_the_end = await levels.ledger(row, page=9, per_page=2)
    assert past_the_end.movements == [] and past_the_end.balance == 13 and past_the_end.total == 3


async def test_the_stock_list_searches_names_and_skus_and_filters(db):
    clothing = await f.category("Clothing")
    await f.product(
        "Maglietta",
        clothing,
        [
            {"price": 100, "stock": 2, "sku": "MAG-NER-S", "options": {"size": "S"}},
            {"price": 100, "stock": 0, "sku": "MAG-NER-M", "options": {"size": "M"}},
        ],
    )
    await f.product("Tazza 100%_", clothing, [{"price": 100, "stock": 9, "sku": "TAZ-1"}])
    everything = await levels.stock_list(levels.StockQuery())
    assert everything.total == 3 and [r.options for r in everything.rows] == ["S", "M", ""]
    assert [r.sku for r in (await levels.stock_list(levels.StockQuery(text="mag-ner-m"))).rows] == ["MAG-NER-M"]
    assert (await levels.stock_list(levels.StockQuery(text="MAGLIETTA"))).total == 2
    assert (await levels.stock_list(levels.StockQuery(text="0%_"))).total == 1  # wildcards are literal
    assert (await levels.stock_list(levels.StockQuery(text="a%"))).total == 0  # unescaped, it would match every "a"
    assert [r.sku for r in (await levels.stock_list(levels.StockQuery(show="low"))).rows] == ["MAG-NER-S"]
    assert [r.sku for r in (await levels.stock_list(levels.StockQuery(show="sold_out"))).rows] == ["MAG-NER-M"]
    paged = await levels.stock_list(levels.StockQuery(page=2, per_page=2))
    assert [r.sku for r in paged.rows] == ["TAZ-1"] and paged.total == 3 and not paged.has_more


def test_audit_changes_are_read_field_by_field():
    changes = audit_log.changes({"stock": 5}, {"stock": 0, "reason": "correction"})
    assert [(c.field, c.before, c.after) for c in changes] == [("stock", 5, 0), ("reason", None, "correction")]
    assert [(c.field, c.after) for c in audit_log.changes(None, "shipped")] == [("", "shipped")]
    assert audit_log.changes({"a": 1}, {"a": 1}) == []
