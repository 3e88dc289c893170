"""The dashboard's figures (the stock list is in inventory/levels.py, the audit log in staff/audit_log.py).

Every figure comes from an aggregate query over its whole table, so the dashboard costs the same five queries
whatever the number of orders, carts or products. Periods are calendar days in the shop's time zone: "today"
starts at midnight in Rome, not in UTC. The SQL is written once for SQLite and PostgreSQL ("order" is quoted:
a reserved word); moments are compared as UTC, which is how the application stores them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from storefront.domain import shop_time
from storefront.domain.db import Sql, literal
from storefront.domain.inventory.stock import availability_sql, sellable_sql
from storefront.domain.models import OrderStatus
from storefront.domain.orders import lifecycle

PERIODS = (("today", 1), ("7_days", 7), ("30_days", 30))
ALERTS_SHOWN = 8  # low-stock and sold-out variants listed on the dashboard; the stock page has them all
MISMATCHES_SHOWN = 50


def as_utc(value) -> datetime:
    """A moment from a raw row: SQLite returns ISO text, PostgreSQL a datetime."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def period_starts(now: datetime) -> dict[str, datetime]:
    today = shop_time.today(now)
    return {key: shop_time.day_start(today - timedelta(days=days - 1)) for key, days in PERIODS}


def rate(part: int, whole: int) -> int | None:
    """part / whole in basis points (the `percent` filter's unit); None when there is nothing to divide."""
    return round(part * 10_000 / whole) if whole else None


# --- dashboard ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Shortlist:
    """The first few of something (the longest waiting, the emptiest...), and how many there are in all."""

    items: list
    total: int

    def __bool__(self) -> bool:
        return self.total > 0


@dataclass(frozen=True)
class Sales:
    period: str
    revenue: int  # cents: totals less refunds, cancelled orders left out
    orders: int  # orders that count towards the revenue


@dataclass(frozen=True)
class Funnel:
    period: str
    carts: int  # carts created
    checkouts: int  # carts that reached the checkout
    orders: int  # orders placed, whatever became of them

    @property
    def checkout_rate(self) -> int | None:
        return rate(self.checkouts, self.carts)

    @property
    def order_rate(self) -> int | None:
        return rate(self.orders, self.checkouts)

    @property
    def conversion(self) -> int | None:
        return rate(self.orders, self.carts)


@dataclass(frozen=True)
class AwaitedTransfer:
    number: str
    full_name: str
    total: int
    placed_at: datetime
    waited: timedelta

    @property
    def waited_days(self) -> int:
        return self.waited.days

    @property
    def waited_hours(self) -> int:
        return int(self.waited.total_seconds() // 3600)


@dataclass(frozen=True)
class StockAlert:
    variant_id: int
    sku: str
    name: str
    stock: int
    low_stock_threshold: int


@dataclass(frozen=True)
class BestSeller:
    product_id: int
    name: str
    slug: str
    units: int
    sales: int  # cents, after line discounts


@dataclass(frozen=True)
class Mismatch:
    """A variant whose on-hand figure is not what its ledger adds up to."""

    variant_id: int
    sku: str
    name: str
    stock: int
    ledger: int


@dataclass(frozen=True)
class Dashboard:
    sales: list[Sales]
    funnel: list[Funnel]
    to_pack: int  # paid, or cash on delivery (packed before payment)
    to_ship: int  # packed
    transfers: Shortlist  # of AwaitedTransfer, the longest-waiting first
    low_stock: Shortlist  # of StockAlert, the emptiest first
    sold_out: Shortlist  # of StockAlert
    best_sellers: list[BestSeller]
    mismatches: Shortlist  # of Mismatch


async def dashboard(now: datetime | None = None) -> Dashboard:
    now = now or datetime.now(UTC)
    starts = period_starts(now)
    sales, funnel, to_pack, to_ship = await _orders_and_carts(starts)
    transfers = await _awaited_transfers(now)
    alerts = await _stock_alerts()
    return Dashboard(
        sales,
        funnel,
        to_pack,
        to_ship,
        transfers,
        alerts["low"],
        alerts["sold_out"],
        await best_sellers(starts["30_days"]),
        await reconciliation(),
    )


async def _orders_and_carts(starts: dict[str, datetime]) -> tuple[list[Sales], list[Funnel], int, int]:
    """Sales, the funnel and the fulfilment queue in one statement: one aggregate over orders, one over carts."""
    sql = Sql()
    since = {key: sql.param(moment) for key, moment in starts.items()}
    counted = "o.status <> 'cancelled'"
    order_sums, cart_sums = [], []
    for key, p in since.items():
        order_sums += [
            f"COALESCE(SUM(CASE WHEN o.created_at >= {p} AND {counted} THEN o.total - o.refunded_total END), 0)"
            f" AS revenue_{key}",
            f"COALESCE(SUM(CASE WHEN o.created_at >= {p} AND {counted} THEN 1 END), 0) AS counted_{key}",
            f"COALESCE(SUM(CASE WHEN o.created_at >= {p} THEN 1 END), 0) AS placed_{key}",
        ]
        cart_sums += [
            f"COALESCE(SUM(CASE WHEN c.created_at >= {p} THEN 1 END), 0) AS carts_{key}",
            f"COALESCE(SUM(CASE WHEN c.checkout_started_at >= {p} THEN 1 END), 0) AS checkouts_{key}",
        ]
    order_sums += [
        f"COALESCE(SUM(CASE WHEN {lifecycle.to_pack_sql('o.status', 'o.payment_method')} THEN 1 END), 0) AS to_pack",
        f"COALESCE(SUM(CASE WHEN o.status = {literal(OrderStatus.PACKED.value)} THEN 1 END), 0) AS to_ship",
    ]
    # Orders older than the periods count only in the queues: read those that can be in one.
    queued = ", ".join(literal(status.value) for status in [*lifecycle.TO_PACK, OrderStatus.PACKED])
    oldest = since["30_days"]
    [row] = await sql.rows(
        f'SELECT * FROM (SELECT {", ".join(order_sums)} FROM "order" o'
        f" WHERE o.created_at >= {oldest} OR o.status IN ({queued})) orders"
        f" CROSS JOIN (SELECT {', '.join(cart_sums)} FROM cart c"
        f" WHERE c.created_at >= {oldest} OR c.checkout_started_at >= {oldest}) carts"
    )
    n = {k: int(v) for k, v in row.items()}
    sales = [Sales(key, n[f"revenue_{key}"], n[f"counted_{key}"]) for key in since]
    funnel = [Funnel(key, n[f"carts_{key}"], n[f"checkouts_{key}"], n[f"placed_{key}"]) for key in since]
    return sales, funnel, n["to_pack"], n["to_ship"]


async def _awaited_transfers(now: datetime, shown: int = 10) -> Shortlist:
    sql = Sql()
    rows = await sql.rows(
        'SELECT o.number, o.full_name, o.total, o.created_at, COUNT(*) OVER () AS n FROM "order" o'
        " WHERE o.status = 'pending_payment' AND o.payment_method = 'bank_transfer'"
        f" ORDER BY o.created_at, o.id LIMIT {shown}"
    )
    transfers = [
        AwaitedTransfer(
            r["number"],
            r["full_name"],
            r["total"],
            as_utc(r["created_at"]),
            max(now - as_utc(r["created_at"]), timedelta()),
        )
        for r in rows
    ]
    return Shortlist(transfers, int(rows[0]["n"]) if rows else 0)


async def _stock_alerts() -> dict[str, Shortlist]:
    """The emptiest low-stock and sold-out variants of what is sellable, and how many there are of each."""
    sql = Sql()
    state = availability_sql("v.stock", "v.low_stock_threshold")
    rows = await sql.rows(
        "SELECT * FROM (SELECT v.id, v.sku, p.name, v.stock, v.low_stock_threshold, "
        f"{state} AS state, ROW_NUMBER() OVER (PARTITION BY {state} ORDER BY v.stock, p.name, v.id) AS n,"
        f" COUNT(*) OVER (PARTITION BY {state}) AS total"
        " FROM variant v JOIN product p ON p.id = v.product_id"
        f" WHERE {sellable_sql('v', 'p')} AND {state} <> 'in_stock') alerts"
        f" WHERE n <= {ALERTS_SHOWN} ORDER BY state, n"
    )
    return {
        state: Shortlist(
            [
                StockAlert(r["id"], r["sku"], r["name"], r["stock"], r["low_stock_threshold"])
                for r in rows
                if r["state"] == state
            ],
            next((int(r["total"]) for r in rows if r["state"] == state), 0),
        )
        for state in ("low", "sold_out")
    }


async def best_sellers(since: datetime, limit: int = 5) -> list[BestSeller]:
    """Products by units sold since a moment; cancelled and fully refunded orders sold nothing."""
    sql = Sql()
    rows = await sql.rows(
        "SELECT p.id, p.name, p.slug, SUM(l.quantity) AS units, SUM(l.unit_price * l.quantity - l.discount) AS sales"
        ' FROM order_line l JOIN "order" o ON o.id = l.order_id'
        " JOIN variant v ON v.id = l.variant_id JOIN product p ON p.id = v.product_id"
        f" WHERE o.created_at >= {sql.param(since)} AND o.status NOT IN ('cancelled', 'refunded')"
        f" GROUP BY p.id, p.name, p.slug ORDER BY units DESC, sales DESC, p.name LIMIT {limit}"
    )
    return [BestSeller(r["id"], r["name"], r["slug"], int(r["units"]), int(r["sales"])) for r in rows]


async def reconciliation() -> Shortlist:
    """Variants whose stock differs from the sum of their ledger movements (none, unless something
    changed stock behind inventory/stock.py's back), and how many."""
    sql = Sql()
    rows = await sql.rows(
        "SELECT v.id, v.sku, p.name, v.stock, COALESCE(m.ledger, 0) AS ledger, COUNT(*) OVER () AS n"
        " FROM variant v JOIN product p ON p.id = v.product_id"
        " LEFT JOIN (SELECT variant_id, SUM(delta) AS ledger FROM stock_movement GROUP BY variant_id) m"
        " ON m.variant_id = v.id"
        f" WHERE v.stock <> COALESCE(m.ledger, 0) ORDER BY v.id LIMIT {MISMATCHES_SHOWN}"
    )
    mismatches = [Mismatch(r["id"], r["sku"], r["name"], r["stock"], int(r["ledger"])) for r in rows]
    return Shortlist(mismatches, int(rows[0]["n"]) if rows else 0)
