"""Set-up and inspection of a served shop's database, run in a subprocess (its own Tortoise context):
`python -m tests.integration.shop prepare|report VARIANT_SKU [UNITS]`, `... stock UNITS SKU...`, `... audit`.

In the test process: `served_shop_env` gives a test a migrated demo shop in a database of its own, and
`serve` / `wait_until_up` start `storefront serve` on it.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from tortoise.functions import Sum

from storefront.domain import db
from storefront.domain.inventory import stock
from storefront.domain.models import (
    Order,
    OrderEvent,
    OrderLine,
    OrderStatus,
    OutboxEmail,
    Payment,
    PaymentStatus,
    StockMovement,
    Variant,
)
from storefront.domain.payments.service import paid_online
from storefront.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
PAID_OR_LATER = {
    OrderStatus.PAID,
    OrderStatus.PACKED,
    OrderStatus.SHIPPED,
    OrderStatus.DELIVERED,
    OrderStatus.REFUNDED,
    OrderStatus.PARTIALLY_REFUNDED,
}


async def prepare(sku: str, units: int) -> dict:
    """Leave exactly `units` of a variant, through the ledger."""
    variant = await Variant.get(sku=sku)
    if variant.stock != units:
        await stock.adjust(variant.id, units - variant.stock, stock.Reason.CORRECTION, "race test")
    return {"variant_id": variant.id}


async def report(sku: str) -> dict:
    variant = await Variant.get(sku=sku)
    sold = await OrderLine.filter(variant_id=variant.id).annotate(n=Sum("quantity")).first().values_list("n", flat=True)
    sums = dict(await StockMovement.annotate(t=Sum("delta")).group_by("variant_id").values_list("variant_id", "t"))
    mismatched = [v for v, s in await Variant.all().values_list("id", "stock") if sums.get(v, 0) != s]
    return {"stock": variant.stock, "sold": sold or 0, "ledger_mismatches": mismatched}


async def stock_up(units: int, skus: list[str]) -> dict:
    """Leave exactly `units` of each variant, through the ledger: {sku: variant id}."""
    return {sku: (await prepare(sku, units))["variant_id"] for sku in skus}


async def audit() -> dict:
    """Every invariant an order, its stock and its payments must hold, as lists of what breaks them
    (empty when all is well), plus each order by its checkout attempt and the stock of every variant."""
    orders = {
        o["id"]: o
        for o in await Order.all().values(
            "id", "number", "idempotency_key", "status", "payment_method", "subtotal", "total"
        )
    }
    by_number = {o["number"]: o for o in orders.values()}
    lines: dict[int, Counter] = defaultdict(Counter)
    line_sum: Counter = Counter()
    for line in await OrderLine.all().values("order_id", "variant_id", "quantity", "unit_price"):
        lines[line["order_id"]][line["variant_id"]] += line["quantity"]
        line_sum[line["order_id"]] += line["unit_price"] * line["quantity"]
    taken: dict[str, Counter] = defaultdict(Counter)  # order number -> units taken per variant
    for m in await StockMovement.filter(reason=stock.Reason.SOLD).values("variant_id", "delta", "reference"):
        taken[m["reference"]][m["variant_id"]] -= m["delta"]
    events = Counter(map(tuple, await OrderEvent.all().values_list("order_id", "kind")))
    emails = Counter(map(tuple, await OutboxEmail.all().values_list("order_id", "kind")))
    payments = await Payment.all().values("order_id", "status", "amount", "failure")
    captured = Counter(p["order_id"] for p in payments if p["status"] == PaymentStatus.CAPTURED)
    ledger = dict(await StockMovement.annotate(t=Sum("delta")).group_by("variant_id").values_list("variant_id", "t"))
    on_hand = dict(await Variant.all().values_list("id", "stock"))
    paid = [o for o in orders.values() if o["status"] in PAID_OR_LATER]
    integrity = None
    if db.dialect() == "sqlite":
        integrity = (await db.connection().execute_query_dict("PRAGMA integrity_check"))[0]["integrity_check"]
    return {
        "orders_without_lines": [o["number"] for i, o in orders.items() if not lines[i]],
        "orders_not_adding_up": [o["number"] for i, o in orders.items() if line_sum[i] != o["subtotal"]],
        "orders_without_one_placed_event": [o["number"] for i, o in orders.items() if events[i, "placed"] != 1],
        # Confirmed once it goes ahead: at once when paid offline, once paid when paid online (a card).
        "orders_without_one_confirmation": [
            o["number"]
            for i, o in orders.items()
            if emails[i, "order_confirmation"]
            != (1 if events[i, "paid"] or not paid_online(o["payment_method"]) else 0)
        ],
        "orders_whose_stock_was_not_taken": [
            o["number"] for i, o in orders.items() if taken.get(o["number"]) != lines[i]
        ],
        "stock_taken_without_order": sorted(set(taken) - set(by_number)),
        "ledger_mismatches": [v for v, s in on_hand.items() if ledger.get(v, 0) != s],
        "negative_stock": [v for v, s in on_hand.items() if s < 0],
        "payments_without_order": [p for p in payments if p["order_id"] not in orders],
        "payments_not_for_the_total": [
            p for p in payments if p["order_id"] in orders and p["amount"] != orders[p["order_id"]]["total"]
        ],
        "captured_but_order_unpaid": [
            orders[i]["number"] for i in captured if i in orders and orders[i]["status"] not in PAID_OR_LATER
        ],
        "paid_by_card_without_one_capture": [
            o["number"] for o in paid if o["payment_method"] == "card" and captured[o["id"]] != 1
        ],
        # Paid online, the confirmation is the news; paid offline later, "payment received" is.
        "paid_without_one_paid_event_and_email": [
            o["number"]
            for o in paid
            if events[o["id"], "paid"] != 1
            or emails[o["id"], "payment_received"] != (0 if paid_online(o["payment_method"]) else 1)
        ],
        "sqlite_integrity": integrity,
        "orders": {
            o["idempotency_key"]: {
                "number": o["number"],
                "status": o["status"],
                "lines": {str(v): q for v, q in lines[i].items()},
            }
            for i, o in orders.items()
        },
        "stock": {str(v): s for v, s in on_hand.items()},
    }


async def main(command: str, args: list[str]) -> None:
    await db.init(Settings.from_env().database_url)
    try:
        if command == "prepare":
            result = await prepare(args[0], int(args[1]))
        elif command == "report":
            result = await report(args[0])
        elif command == "stock":
            result = await stock_up(int(args[0]), args[1:])
        elif command == "audit":
            result = await audit()
        else:
            raise SystemExit(f"unknown command {command}")
    finally:
        await db.close()
    print(json.dumps(result))


# --- in the test process ------------------------------------------------------------------------


def run(env: dict, *args: str, stdin: str | None = None) -> str:
    return subprocess.run(
        [sys.executable, *args], env=env, cwd=ROOT, check=True, capture_output=True, text=True, input=stdin
    ).stdout


def shop_command(env: dict, *args: str) -> dict:
    return json.loads(run(env, "-m", "tests.integration.shop", *args))


@contextmanager
def served_shop_env(var: Path, name: str, port: int, workers: int) -> Iterator[dict]:
    """The environment of a demo shop migrated and seeded into a database of its own: a SQLite file
    under `var` (with the production default PRAGMAs), or, when TEST_SERVER_DATABASE_URL names a
    PostgreSQL database (`make test-postgres`), a new database beside it, dropped afterwards. Tests that
    seed the demo cannot share one database: the demo needs an empty shop."""
    server_url = os.environ.get("TEST_SERVER_DATABASE_URL", "")
    if server_url.startswith("asyncpg"):
        parts = urlsplit(server_url)
        database = f"{parts.path.strip('/')}_{name}"
        asyncio.run(_postgres(server_url, f'DROP DATABASE IF EXISTS "{database}"'))  # left by an interrupted run
        asyncio.run(_postgres(server_url, f'CREATE DATABASE "{database}"'))
        database_url = urlunsplit(parts._replace(path=f"/{database}"))
    else:
        database, database_url = None, f"sqlite:///{var / 'shop.db'}?busy_timeout=15000&synchronous=NORMAL"
    # DEBUG: served over plain HTTP, so the session cookie must not be Secure (as in `make run`).
    env = {
        **os.environ,
        "STOREFRONT_VAR": str(var),
        "DATABASE_URL": database_url,
        "SECRET_KEY": name,
        "PORT": str(port),
        "WORKERS": str(workers),
        "DEBUG": "1",
        "BASE_URL": f"http://127.0.0.1:{port}",
        "SHOP_LANGUAGE": "en",  # as the unit tests: English at the root
        # A crowd of scripted shoppers from 127.0.0.1, each leaving many orders unpaid: no cap here.
        "UNPAID_ORDERS_PER_EMAIL": "100000",
        "UNPAID_ORDERS_PER_ADDRESS": "100000",
    }
    env.pop("SMTP_URL", None)  # emails stay in the outbox
    try:
        run(env, "-m", "storefront.cli", "migrate")
        run(env, "-m", "storefront.cli", "seed", "--demo")
        yield env
    finally:
        if database:
            asyncio.run(_postgres(server_url, f'DROP DATABASE IF EXISTS "{database}"', retries=50))


async def _postgres(url: str, statement: str, retries: int = 1) -> None:
    import asyncpg

    parts = urlsplit(url)
    conn = await asyncpg.connect(
        host=parts.hostname,
        port=parts.port,
        user=parts.username,
        password=parts.password,
        database=parts.path.strip("/"),
    )
    try:
        for attempt in range(retries):
            try:
                await conn.execute(statement)
                return
            except asyncpg.ObjectInUseError:  # a killed server's backends take a moment to go
                if attempt == retries - 1:
                    raise
                await asyncio.sleep(0.1)
    finally:
        await conn.close()


def serve(env: dict, log) -> subprocess.Popen:
    """`storefront serve` in a process group of its own (uvicorn's master, its workers and helpers), so
    the whole server can be signalled at once, like a machine losing it."""
    return subprocess.Popen(
        [sys.executable, "-m", "storefront.cli", "serve"],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, server: subprocess.Popen, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url + "/healthz", timeout=1)
            return
        except OSError:
            if server.poll() is not None:
                raise RuntimeError(f"the server exited with {server.returncode}") from None
            time.sleep(0.05)
    raise RuntimeError(f"the server did not answer within {timeout} s")


def workers(master_pid: int) -> list[int]:
    """uvicorn's worker processes: the master's children started by multiprocessing's spawn (not its
    resource tracker)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue  # gone meanwhile
        ppid = int(status.split("PPid:")[1].split()[0])
        if ppid == master_pid and b"spawn_main" in cmdline and "\nState:\tZ" not in status:
            found.append(int(entry.name))
    return sorted(found)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2:]))
