"""Checkouts keep coming while the server is killed (SIGKILL) at random moments and restarted, again and
again: no half-written order, no stock lost or created, no payment without its order, and every shopper
told "placed" has an order.

Each kill comes after a random pause, at a random instant while a "Place order" (or, every other
cycle, a "Pay") is being processed: that is where a kill can cut a transaction in two. Placing the
order and taking its stock in two transactions is caught this way in every run tried (5 of 5,
1 to 4 orders without their stock per run).

A crash is the whole server dying at once, as in a power cut or an OOM kill of the container: most
cycles kill uvicorn's process group (master, workers, resource tracker) and start `storefront serve`
again; every third cycle kills one worker only, which uvicorn's master replaces. On SQLite the killed
processes leave their write-ahead log behind, so each restart runs SQLite's WAL recovery.

Shoppers resubmit "Place order" and "Pay" when the connection dies, as a browser reload does; the other
steps they start over. Runs on TEST_SERVER_DATABASE_URL's PostgreSQL in `make test-postgres`.
"""

from __future__ import annotations

import asyncio
import ctypes
import os
import random
import re
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx2 as httpx
import pytest

from tests.integration.shop import (
    free_port,
    serve,
    served_shop_env,
    shop_command,
    wait_until_up,
    workers,
)

PLENTY = ["CAF-MOKA", "MAG-LINO-S-NER", "MAG-COTO-S-BIA", "POL-PIQU-S-BIA", "CAM-LINO-S-BIA"]
PLENTY_UNITS = 5000
SCARCE, SCARCE_UNITS = "T-SHIR-AMAL-M", 12  # sells out mid-run: refusals and rollbacks get killed too
SHOPPERS = 8
WORKERS = 2
CYCLES = int(os.environ.get("KILL_CYCLES", "12"))
SEED = int(os.environ.get("KILL_SEED", str(time.time_ns() % 100_000)))
CARDS = ["4242424242424242"] * 5 + ["4000000000000002", None]  # mostly paid; a decline; an abandoned page
CSRF = re.compile(r'"X-CSRF-Token": "([^"]+)"')
ATTEMPT = re.compile(r'name="attempt" value="([^"]+)"')
PR_SET_CHILD_SUBREAPER = 36


class Run:
    """What the shoppers and the killer saw, for the assertions and the figures."""

    def __init__(self, variants: dict[str, int]) -> None:
        self.variants = variants
        self.requests = self.cut = self.refused = self.timeouts = self.in_flight = 0
        self.in_flight_at_kill: list[int] = []
        self.resubmitted: Counter = Counter()
        self.outcomes: Counter = Counter()
        self.placed: dict[str, dict[int, int]] = {}  # attempt -> what the shopper put in the cart
        self.paid: set[str] = set()
        self.group_kills = self.worker_kills = self.wal_recoveries = 0
        self.downtime = 0.0
        self.submitting: Counter = Counter()  # "place order" and "pay" submits on their way
        self.stopping = False


async def send(run: Run, client: httpx.AsyncClient, method: str, path: str, **kwargs) -> httpx.Response:
    run.requests += 1
    run.in_flight += 1
    try:
        return await client.request(method, path, **kwargs)
    except httpx.TimeoutException:
        run.timeouts += 1  # never a kill's doing: a killed server resets its connections
        raise
    except httpx.ConnectError:
        run.refused += 1  # the shop is down or restarting
        raise
    except httpx.TransportError:
        run.cut += 1  # the connection died under the request
        raise
    finally:
        run.in_flight -= 1


async def resubmit(run: Run, client: httpx.AsyncClient, path: str, data: dict, what: str) -> httpx.Response:
    """Post a form until the shop answers, as a shopper reloading after an error page would."""
    while True:
        run.submitting[what] += 1
        try:
            return await send(run, client, "POST", path, data=data)
        except httpx.TimeoutException:
            raise
        except httpx.TransportError:
            run.resubmitted[what] += 1
            await asyncio.sleep(0.2)
        finally:
            run.submitting[what] -= 1


async def checkout(run: Run, url: str, n: int, rng: random.Random) -> str:
    """One guest: a few products in the cart, the checkout form, "Place order", and for a card the
    sandbox's "Pay". Returns how it ended."""
    async with httpx.AsyncClient(base_url=url, timeout=15) as client:
        cart = await send(run, client, "GET", "/cart")
        if cart.status_code != 200 or not (token := CSRF.search(cart.text)):
            return f"unexpected {cart.status_code} for the cart page"
        token = token[1]
        wanted: dict[int, int] = {}
        for sku in rng.sample(PLENTY, rng.randint(1, 3)) + ([SCARCE] if rng.random() < 0.3 else []):
            quantity = 1 if sku == SCARCE else rng.randint(1, 2)
            added = await send(
                run,
                client,
                "POST",
                "/cart/items",
                data={"csrf_token": token, "variant_id": run.variants[sku], "quantity": quantity},
            )
            if added.status_code != 303:
                return f"unexpected {added.status_code} adding to the cart"
            wanted[run.variants[sku]] = quantity
        page = await send(run, client, "GET", "/checkout")
        if page.status_code != 200 or not (attempt := ATTEMPT.search(page.text)):
            return f"unexpected {page.status_code} for the checkout page"
        attempt = attempt[1]
        method = rng.choice(["card", "card", "bank_transfer", "cod"])
        placed = await resubmit(
            run,
            client,
            "/checkout",
            {
                "csrf_token": token,
                "attempt": attempt,
                "email": f"shopper{n}@example.com",
                "full_name": "Kill Test",
                "address": "Via Roma 1",
                "postal_code": "00100",
                "city": "Roma",
                "province": "RM",
                "country": "IT",
                "shipping_method": "standard",
                "payment_method": method,
            },
            "place order",
        )
        where = placed.headers.get("location", "")
        if placed.status_code == 303 and where == "/cart":
            return "told the cart changed"
        if placed.status_code == 422 and "sold out" in placed.text:
            return "told it sold out"
        if placed.status_code != 303 or not (where.startswith("/sandbox/pay/") or "placed=1" in where):
            return f"unexpected {placed.status_code} placing the order"
        run.placed[attempt] = wanted
        card = rng.choice(CARDS) if method == "card" else None
        if card is None:
            return "ordered" if method != "card" else "ordered, payment page left"
        query = parse_qs(urlsplit(where).query)
        paid = await resubmit(
            run,
            client,
            urlsplit(where).path,
            {
                "csrf_token": token,
                "return": query["return"][0],
                "sig": query["sig"][0],
                "number": card,
                "expiry": "12/30",
                "cvc": "123",
                "name": "Kill Test",
            },
            "pay",
        )
        if paid.status_code != 303:
            return f"unexpected {paid.status_code} paying"
        if card != CARDS[0]:
            return "ordered, card declined"
        run.paid.add(attempt)
        return "ordered and paid"


async def shopper(run: Run, url: str, n: int, rng: random.Random) -> None:
    while not run.stopping:
        try:
            run.outcomes[await checkout(run, url, n, rng)] += 1
        except httpx.TimeoutException:
            run.outcomes["unexpected: no answer in 15 s"] += 1
        except httpx.TransportError:
            run.outcomes["cut short before placing, started over"] += 1
            await asyncio.sleep(0.2)  # the shop may be restarting


def group_members(pgid: int) -> list[int]:
    members = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and int((entry / "stat").read_text().rsplit(")", 1)[1].split()[2]) == pgid:
                members.append(int(entry.name))
        except (OSError, IndexError):
            continue
    return members


def kill_group(server) -> None:
    """SIGKILL to uvicorn's whole process group, then reap every member (this process is their
    subreaper), so nothing of the old server is left when the new one starts."""
    members = group_members(server.pid)
    os.killpg(server.pid, signal.SIGKILL)
    server.wait()
    for pid in members:
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass  # reaped already, or not ours to reap (no subreaper support)


async def killer(run: Run, box: dict, env: dict, url: str, var: Path, log, rng: random.Random) -> None:
    wal = var / "shop.db-wal"
    for cycle in range(CYCLES):
        await asyncio.sleep(rng.uniform(0.2, 1.0))
        # Aim at a submit, "Place order" and "Pay" in turn: a kill there may cut a transaction in two.
        aim = time.monotonic() + 2
        while not run.submitting[("place order", "pay")[cycle % 2]] and time.monotonic() < aim:
            await asyncio.sleep(0.002)
        await asyncio.sleep(rng.uniform(0, 0.15))  # somewhere in its ~0.1 s of work
        run.in_flight_at_kill.append(run.in_flight)
        server, down = box["server"], time.monotonic()
        if cycle % 3 == 2:
            victim = rng.choice(workers(server.pid))
            os.kill(victim, signal.SIGKILL)
            run.worker_kills += 1
            while victim in (alive := workers(server.pid)) or len(alive) < WORKERS:
                assert time.monotonic() - down < 15, "uvicorn did not replace its killed worker"
                await asyncio.sleep(0.05)  # its master notices within 0.5 s and starts another
        else:
            kill_group(server)
            run.group_kills += 1
            if wal.exists() and wal.stat().st_size > 0:
                run.wal_recoveries += 1  # the next process to open the database recovers it from this log
            box["server"] = serve(env, log)
        await asyncio.to_thread(wait_until_up, url, box["server"])
        run.downtime += time.monotonic() - down


async def traffic(run: Run, box: dict, env: dict, url: str, var: Path, log) -> None:
    rng = random.Random(SEED)
    shoppers = [asyncio.create_task(shopper(run, url, n, random.Random(SEED + n))) for n in range(SHOPPERS)]
    try:
        await killer(run, box, env, url, var, log, rng)
        await asyncio.sleep(1)  # the last restart serves checkouts too
    finally:
        run.stopping = True
    await asyncio.wait_for(asyncio.gather(*shoppers), timeout=30)


@pytest.fixture
def subreaper():
    """Orphaned workers of a killed server become this process's children (not init's zombies)."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    yield
    libc.prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0)


def test_killed_servers_leave_no_half_order_no_lost_stock_and_no_orphan_payment(tmp_path, subreaper):
    started = time.monotonic()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with served_shop_env(tmp_path, "kill", port, WORKERS) as env:
        variants = shop_command(env, "stock", str(PLENTY_UNITS), *PLENTY)
        variants |= shop_command(env, "stock", str(SCARCE_UNITS), SCARCE)
        before = shop_command(env, "audit")
        run = Run(variants)
        with open(tmp_path / "server.log", "a") as log:
            box = {"server": serve(env, log)}
            try:
                wait_until_up(url, box["server"])
                asyncio.run(traffic(run, box, env, url, tmp_path, log))
            finally:
                box["server"].terminate()
                try:
                    box["server"].wait(timeout=15)
                except subprocess.TimeoutExpired:
                    kill_group(box["server"])
        after = shop_command(env, "audit")
    server_log = (tmp_path / "server.log").read_text()

    new_orders = {key: o for key, o in after.pop("orders").items() if key not in before["orders"]}
    sold = Counter()
    for order in new_orders.values():
        sold.update({int(v): q for v, q in order["lines"].items()})
    units = {variants[sku]: PLENTY_UNITS for sku in PLENTY} | {variants[SCARCE]: SCARCE_UNITS}
    figures = (
        f"seed {SEED}: {run.group_kills + run.worker_kills} kills in {CYCLES} cycles ({run.group_kills} of the "
        f"whole server, {run.worker_kills} of one of its {WORKERS} workers), {run.wal_recoveries} restarts with a "
        f"WAL to recover, {run.downtime:.1f} s down in all; {SHOPPERS} shoppers sent {run.requests} requests "
        f"({sum(run.in_flight_at_kill)} in flight at the kills, {run.cut} cut by them, {run.refused} refused while "
        f"down), resubmitted {dict(run.resubmitted)}; "
        f"{len(new_orders)} orders, {len(run.placed)} confirmed to shoppers, {len(run.paid)} paid by card; "
        f"outcomes {dict(run.outcomes)}; {time.monotonic() - started:.1f} s"
    )
    print("\n" + figures)

    assert not [o for o in run.outcomes if o.startswith("unexpected")], figures
    assert run.timeouts == 0, figures
    problems = {k: v for k, v in after.items() if k not in ("stock", "sqlite_integrity") and v}
    assert problems == {}, figures
    assert after["sqlite_integrity"] in (None, "ok"), after["sqlite_integrity"]
    # Every shopper told "placed" has that order, holding only what was in their cart.
    missing = [a for a in run.placed if a not in new_orders]
    assert missing == [], figures
    foreign = [
        a
        for a, wanted in run.placed.items()
        if any(wanted.get(int(v), 0) < q for v, q in new_orders[a]["lines"].items())
    ]
    assert foreign == [], figures
    assert [a for a in run.paid if new_orders[a]["status"] != "paid"] == [], figures
    # No stock lost or created: what is left is what was there less what the orders hold.
    assert {v: after["stock"][str(v)] for v in units} == {v: n - sold[v] for v, n in units.items()}, figures
    # The run did what it claims: checkouts completed between kills and some kills cut requests.
    assert len(run.placed) >= CYCLES and run.cut > 0, figures
    if env["DATABASE_URL"].startswith("sqlite"):
        assert run.wal_recoveries > 0, figures
    assert "Traceback" not in server_log, server_log[-5000:]
