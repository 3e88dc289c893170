"""What the back office reads about stock: the variants with their counts, and one variant's ledger."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from storefront.domain.catalogue import browse
from storefront.domain.db import Sql, literal
from storefront.domain.inventory.stock import Availability, availability, availability_sql, sellable_sql
from storefront.domain.reports import as_utc

# --- stock --------------------------------------------------------------------------------------

STOCK_SHOWS = ("all", "low", "sold_out")


@dataclass(frozen=True)
class StockQuery:
    text: str = ""  # part of a product name or SKU
    show: str = "all"  # "all" | "low" | "sold_out"
    page: int = 1
    per_page: int = 25


@dataclass(frozen=True)
class StockRow:
    id: int
    sku: str
    name: str
    slug: str
    options: str  # "Nero, XS"
    stock: int
    low_stock_threshold: int
    sellable: bool  # stock.sellable: variant and product both listed

    @property
    def availability(self) -> Availability:
        return availability(self.stock, self.low_stock_threshold)


@dataclass(frozen=True)
class StockList:
    query: StockQuery
    rows: list[StockRow]
    total: int

    @property
    def has_more(self) -> bool:
        return self.query.page * self.query.per_page < self.total


def _like(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def _stock_rows(sql: Sql, where: str, tail: str = "") -> tuple[list[StockRow], int]:
    rows = await sql.rows(
        "SELECT v.id, v.sku, p.name, p.slug, v.stock, v.low_stock_threshold,"
        f" CASE WHEN {sellable_sql('v', 'p')} THEN 1 ELSE 0 END AS sellable, COUNT(*) OVER () AS total"
        f" FROM variant v JOIN product p ON p.id = v.product_id WHERE {where}"
        f" ORDER BY p.name, p.id, v.position, v.id {tail}"
    )
    options = await _options([r["id"] for r in rows])
    stock_rows = [
        StockRow(
            r["id"],
            r["sku"],
            r["name"],
            r["slug"],
            options.get(r["id"], ""),
            r["stock"],
            r["low_stock_threshold"],
            bool(r["sellable"]),
        )
        for r in rows
    ]
    return stock_rows, int(rows[0]["total"]) if rows else 0


async def _options(variant_ids: list[int]) -> dict[int, str]:
    """ "Nero, XS" for each variant, in the options' order, in one query."""
    if not variant_ids:
        return {}
    names: dict[int, list[str]] = defaultdict(list)
    for link in await browse.variant_options(variant_ids):  # already in the options' order
        names[link["variant_id"]].append(link["name"])
    return {variant_id: ", ".join(found) for variant_id, found in names.items()}


async def stock_list(q: StockQuery) -> StockList:
    sql = Sql()
    where = ["1 = 1"]
    if q.text.strip():
        pattern = sql.param(_like(q.text.strip()))
        where.append(f"(LOWER(p.name) LIKE {pattern} ESCAPE '\\' OR LOWER(v.sku) LIKE {pattern} ESCAPE '\\')")
    # The same rule as the dashboard's alerts: only what is sellable can run low or sell out.
    if q.show in ("low", "sold_out"):
        where.append(
            f"{sellable_sql('v', 'p')} AND {availability_sql('v.stock', 'v.low_stock_threshold')} = {literal(q.show)}"
        )
    rows, total = await _stock_rows(sql, " AND ".join(where), f"LIMIT {q.per_page} OFFSET {(q.page - 1) * q.per_page}")
    return StockList(q, rows, total)


async def stock_row(variant_id: int) -> StockRow | None:
    sql = Sql()
    rows, _ = await _stock_rows(sql, f"v.id = {sql.param(variant_id)}")
    return rows[0] if rows else None


@dataclass(frozen=True)
class Movement:
    id: int
    delta: int
    reason: str
    reference: str
    created_at: datetime
    balance: int  # on hand right after this movement


@dataclass(frozen=True)
class Ledger:
    """A variant's movements, newest first, a page at a time, with the running total."""

    variant: StockRow
    movements: list[Movement]
    total: int  # movements in all
    balance: int  # what the whole ledger adds up to
    page: int
    per_page: int

    @property
    def reconciles(self) -> bool:
        return self.balance == self.variant.stock

    @property
    def has_more(self) -> bool:
        return self.page * self.per_page < self.total


async def ledger(variant: StockRow, page: int = 1, per_page: int = 50) -> Ledger:
    sql = Sql()
    v = sql.param(variant.id)
    # The running total is taken over every movement in the order they were written, before paging; the
    # totals row is there even past the last page.
    rows = await sql.rows(
        "SELECT t.ledger, t.total, m.* FROM (SELECT COALESCE(SUM(delta), 0) AS ledger, COUNT(*) AS total"
        f" FROM stock_movement WHERE variant_id = {v}) t LEFT JOIN (SELECT * FROM (SELECT id, delta, reason,"
        " reference, created_at, SUM(delta) OVER (ORDER BY id ROWS UNBOUNDED PRECEDING) AS balance"
        f" FROM stock_movement WHERE variant_id = {v}) w ORDER BY id DESC LIMIT {per_page}"
        f" OFFSET {(page - 1) * per_page}) m ON 1 = 1 ORDER BY m.id DESC"
    )
    movements = [
        Movement(r["id"], r["delta"], r["reason"], r["reference"], as_utc(r["created_at"]), int(r["balance"]))
        for r in rows
        if r["id"] is not None
    ]
    return Ledger(variant, movements, int(rows[0]["total"]), int(rows[0]["ledger"]), page, per_page)
