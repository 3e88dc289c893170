"""The only place stock changes: a conditional UPDATE plus a ledger row, in one transaction.

On-hand (Variant.stock) always equals the sum of the variant's StockMovement deltas.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from tortoise.expressions import F, RawSQL
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from storefront.domain import as_typed
from storefront.domain.errors import OutOfStock, ShortLine
from storefront.domain.forms import FieldErrors, Reader
from storefront.domain.models import StockMovement, Variant
from storefront.domain.staff import accounts


class Reason:
    RECEIVED = "received"
    SOLD = "sold"
    RETURNED = "returned"
    DAMAGED = "damaged"
    CORRECTION = "correction"
    INITIAL = "initial"


NONE_LEFT = 0  # units on hand at or below which a variant is sold out


@dataclass(frozen=True)
class Availability:
    """What a shopper is told about a variant, with the reason rather than a bare bool."""

    state: str  # "in_stock" | "low" | "sold_out"
    quantity: int  # what can be bought: none when sold out

    @property
    def can_buy(self) -> bool:
        return self.state != "sold_out"


def availability(stock: int, low_stock_threshold: int) -> Availability:
    """Sold out at NONE_LEFT or below, low at the variant's threshold or below, else in stock."""
    if stock <= NONE_LEFT:
        return Availability("sold_out", 0)
    if stock <= low_stock_threshold:
        return Availability("low", stock)
    return Availability("in_stock", stock)


# The same rule for SQL (listings, the stock reports, the catalogue's triggers), over the columns or
# expressions given; test_rules holds it to availability().


def availability_sql(stock: str, low_stock_threshold: str) -> str:
    """availability()'s state: 'sold_out', 'low' or 'in_stock'."""
    return (
        f"CASE WHEN {stock} <= {NONE_LEFT} THEN 'sold_out'"
        f" WHEN {stock} <= {low_stock_threshold} THEN 'low' ELSE 'in_stock' END"
    )


def can_buy_sql(stock: str) -> str:
    """Availability.can_buy."""
    return f"{stock} > {NONE_LEFT}"


# Sellable: shoppers see and buy a variant while it and its product are both listed (active).


def sellable(variant: Variant) -> bool:
    """For a variant read with its product."""
    return variant.active and variant.product.active


def sellable_sql(variant: str | None = None, product: str | None = None) -> str:
    """sellable() over a variant's and its product's table aliases. A query that checks the product in one
    place and its variants in another (a listing, each with its index) asks for one part at a time."""
    return " AND ".join(f"{alias}.active" for alias in (variant, product) if alias)


def _only_sellable(variants: QuerySet[Variant]) -> QuerySet[Variant]:
    """sellable_sql in the statement itself, the product by a correlated EXISTS: a filter through the
    relation would make an UPDATE `id IN (SELECT ... JOIN product)`, whose stock condition PostgreSQL
    checks on the row as it was before a concurrent order changed it."""
    target = '"variant"'  # the table as Tortoise names it in the UPDATE
    check = RawSQL(
        f"EXISTS (SELECT 1 FROM product p WHERE p.id = {target}.product_id"
        f" AND {sellable_sql(variant=target, product='p')})"
    )
    return variants.annotate(sellable=check).filter(sellable=True)


async def adjust(variant_id: int, delta: int, reason: str, reference: str = "", conn=None) -> None:
    """Add (or, for corrections, remove) units; never below zero. Inside the caller's transaction
    when given one (`conn`), else in its own."""
    if conn is None:
        async with in_transaction() as conn:
            return await adjust(variant_id, delta, reason, reference, conn)
    query = Variant.filter(id=variant_id)
    if delta < 0:
        query = query.filter(stock__gte=-delta)
    if not await query.using_db(conn).update(stock=F("stock") + delta):
        variant = await Variant.get(id=variant_id, using_db=conn)
        raise OutOfStock([ShortLine(variant.id, variant.sku, -delta, variant.stock)])
    await StockMovement.create(variant_id=variant_id, delta=delta, reason=reason, reference=reference, using_db=conn)


# What staff may record by hand (sales and returns come from orders), and how much at once.
STAFF_REASONS = (Reason.RECEIVED, Reason.DAMAGED, Reason.CORRECTION)
MAX_UNITS = 100_000
NOTE_MAX = 120  # StockMovement.reference


@dataclass(frozen=True)
class Adjustment:
    mode: str  # "change": add or remove units | "set": the count on the shelf
    units: int
    reason: str
    note: str


def read_adjustment(typed: Mapping[str, object]) -> Adjustment:
    """Staff's adjust form as an Adjustment, or FieldErrors with every wrong field."""
    r = Reader(typed)
    mode = "set" if r.raw("mode") == "set" else "change"
    units = as_typed.whole(r.raw("units"), signed=True)
    if units is None:
        r.refuse("units", "whole_number")
    elif abs(units) > MAX_UNITS:
        r.refuse("units", "too_many", MAX_UNITS)
    elif mode == "set" and units < 0:
        r.refuse("units", "negative_count")
    elif mode == "change" and units == 0:
        r.refuse("units", "zero")
    reason = r.choice("reason", STAFF_REASONS)
    note = r.text("note", NOTE_MAX)
    r.done()
    return Adjustment(mode, units, reason, note)  # type: ignore[arg-type]


def _refused(field: str, code: str, n: int | None = None) -> FieldErrors:
    return FieldErrors({field: code}, {field: n} if n is not None else None)


async def count(staff, variant_id: int, seen: int, mode: str, units: int, reason: str, note: str) -> tuple[int, int]:
    """Staff change a variant's stock, by `units` ("change") or to `units` ("set", the count on the shelf,
    given the `seen` figure it was corrected from). One ledger movement and one audit entry, together.
    Returns (before, after)."""
    delta = units if mode == "change" else units - seen
    if delta == 0:
        raise _refused("units", "unchanged", seen)
    # Received goods only add and damaged goods only remove; a count correction goes either way.
    if reason == Reason.RECEIVED and delta < 0:
        raise _refused("reason", "received_adds")
    if reason == Reason.DAMAGED and delta > 0:
        raise _refused("reason", "damaged_removes")
    try:
        async with in_transaction() as conn:
            # The conditional UPDATE comes first (SQLite with several processes needs that) and refuses
            # to go below zero; the count read after it is exact, as this transaction now holds the row.
            await adjust(variant_id, delta, reason, note, conn=conn)
            after = (await Variant.get(id=variant_id, using_db=conn)).stock
            if mode == "set" and after != units:
                # A sale (or a colleague) changed the stock since the form was sent: the count no longer
                # means what the staff member saw. Roll back and show the current figure.
                raise _refused("units", "changed_meanwhile", after - delta)
            done = {"stock": after, "reason": reason, **({"note": note} if note else {})}
            await accounts.audit(
                staff, "stock.adjust", f"variant:{variant_id}", before={"stock": after - delta}, after=done, conn=conn
            )
    except OutOfStock as short:
        raise _refused("units", "below_zero", short.lines[0].available) from None
    return after - delta, after


async def take(lines: dict[int, int], reference: str, conn) -> None:
    """Take quantities of sellable variants for every line or none, inside the caller's transaction.

    Lines are updated in variant id order so concurrent orders lock rows in the same order.
    The conditional UPDATE is the first statement, which SQLite needs with several processes.
    """
    short: list[ShortLine] = []
    for variant_id in sorted(lines):
        qty = lines[variant_id]
        updated = (
            await _only_sellable(Variant.filter(id=variant_id, stock__gte=qty))
            .using_db(conn)
            .update(stock=F("stock") - qty)
        )
        if not updated:
            variant = await Variant.get(id=variant_id, using_db=conn)
            short.append(ShortLine(variant.id, variant.sku, qty, variant.stock))
    if short:
        raise OutOfStock(short)  # the caller's transaction rolls back every line taken
    await StockMovement.bulk_create(
        [StockMovement(variant_id=v, delta=-q, reason=Reason.SOLD, reference=reference) for v, q in lines.items()],
        using_db=conn,
    )
