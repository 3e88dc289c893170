"""The asyncio load generator: shoppers that keep a session cookie and send the CSRF token, for the
flows wrk cannot drive (add to cart, cart page, checkout), and for plain GETs when wrk is missing.

    python -m bench.load URL FLOW PARAMS_JSON --duration 10 --connections 16 [--max-requests N]

CONNECTIONS shoppers run at once over one pool of CONNECTIONS keep-alive connections, each waiting for
its answer before the next request (a closed loop, like wrk). Each shopper first gets its session (and,
for the cart page, fills its cart): that set-up is not timed, and the clock starts when every shopper is
ready. The run stops --duration seconds later or after --max-requests, whichever comes first; requests in
flight then finish. Prints one JSON object.

The session cookie is kept by hand: without DEBUG the shop marks it Secure, and an HTTP client honouring
that would not send it back over plain-HTTP loopback. The server stays in its production settings.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import time
from collections import Counter

import httpx2 as httpx

from bench.prepare import ATTEMPT, CHECKOUT_FORM, TOKEN, form_value

COOKIE = re.compile(r"^(sf_session=[^;]*)")


class Stop(Exception):
    pass


class Recorder:
    """Latencies and outcomes per step, under one request budget and deadline."""

    def __init__(self, shoppers: int, duration: float, max_requests: int) -> None:
        self.shoppers, self.duration = shoppers, duration
        self.arrived = 0
        self.go = asyncio.Event()
        self.started = self.deadline = float("inf")  # until every shopper is set up
        self.budget = max_requests
        self.sent = 0
        self.steps: dict[str, list[float]] = {}
        self.errors: Counter[str] = Counter()
        self.error_samples: list[str] = []
        self.statuses: Counter[int] = Counter()
        self.counts: Counter[str] = Counter()

    async def ready(self) -> None:
        """A shopper is set up; the clock starts when the last one is."""
        self.arrived += 1
        if self.arrived == self.shoppers:
            self.started = time.monotonic()
            self.deadline = self.started + self.duration
            self.go.set()
        await self.go.wait()

    def error(self, step: str, detail: str) -> None:
        self.errors[step] += 1
        if len(self.error_samples) < 10:
            self.error_samples.append(f"{step}: {detail}")


class Shopper:
    """One browser: a session cookie, sent back whatever its Secure flag says."""

    def __init__(self, client: httpx.AsyncClient, rec: Recorder) -> None:
        self.client = client
        self.rec = rec
        self.cookie: str | None = None

    async def request(self, step: str, method: str, path: str, ok: tuple[int, ...], record: bool = True, **kw):
        rec = self.rec
        if time.monotonic() >= rec.deadline or rec.sent >= rec.budget:
            raise Stop
        rec.sent += 1
        headers = dict(kw.pop("headers", {}))
        if self.cookie:
            headers["Cookie"] = self.cookie
        start = time.perf_counter()
        try:
            response = await self.client.request(method, path, headers=headers, **kw)
        except httpx.HTTPError as exc:
            rec.error(step, f"{type(exc).__name__}: {exc}")
            return None
        elapsed = time.perf_counter() - start
        for header in response.headers.get_list("set-cookie"):
            if match := COOKIE.match(header):
                self.cookie = match.group(1)
        rec.statuses[response.status_code] += 1
        if response.status_code not in ok:
            rec.error(step, f"{method} {path} -> {response.status_code}")
            return None
        if record:
            rec.steps.setdefault(step, []).append(elapsed)
        return response


async def get(shopper: Shopper, p: dict, rng: random.Random) -> None:
    """Plain GETs of the given paths, in turn (the fallback when wrk is missing)."""
    paths = p["paths"]
    if p.get("cookie", True):
        await shopper.request("setup", "GET", paths[0], (200,), record=False)
    await shopper.rec.ready()
    i = rng.randrange(len(paths))
    while True:
        await shopper.request("get", "GET", paths[i % len(paths)], (200, 301, 302, 303, 304, 307, 308))
        i += 1


def _add_form(token: str, variant_id: int) -> dict:
    return {"csrf_token": token, "variant_id": variant_id, "quantity": 1}


_HTMX_ADD = {"HX-Request": "true", "HX-Target": "add-to-cart"}


async def add(shopper: Shopper, p: dict, rng: random.Random) -> None:
    """From a product page, three different variants into a new cart (htmx), again and again.
    Each round starts from the first page's session: a new cart, so carts stay shopper-sized."""
    first = await shopper.request("setup", "GET", f"/p/{p['pool'][0]['slug']}", (200,), record=False)
    await shopper.rec.ready()
    if first is None:
        return
    token, fresh = form_value(TOKEN, first.text), shopper.cookie
    while True:
        shopper.cookie = fresh
        for v in rng.sample(p["pool"], 3):
            added = await shopper.request(
                "add to cart",
                "POST",
                "/cart/items",
                (200,),
                data=_add_form(token, v["variant_id"]),
                headers={**_HTMX_ADD, "X-CSRF-Token": token},
            )
            if added is not None and "In your cart" not in added.text:
                shopper.rec.error("add to cart", "no confirmation in the answer")


async def cart(shopper: Shopper, p: dict, rng: random.Random) -> None:
    """The cart page of a cart with three lines (filled before the timed requests, not recorded)."""
    first = await shopper.request("setup", "GET", f"/p/{p['pool'][0]['slug']}", (200,), record=False)
    if first is not None:
        token = form_value(TOKEN, first.text)
        for v in rng.sample(p["pool"], 3):
            await shopper.request(
                "setup",
                "POST",
                "/cart/items",
                (200,),
                record=False,
                data=_add_form(token, v["variant_id"]),
                headers={**_HTMX_ADD, "X-CSRF-Token": token},
            )
    await shopper.rec.ready()
    if first is None:
        return
    while True:
        page = await shopper.request("cart page", "GET", "/cart", (200,))
        if page is not None and "3 items" not in page.text:
            shopper.rec.error("cart page", "the cart does not hold its 3 items")


async def _checkout(shopper: Shopper, p: dict, rng: random.Random, pick) -> None:
    """One order after another: add one unit (no JS: 303), open the checkout, place the order (303 to it)."""
    first = await shopper.request("setup", "GET", f"/p/{p['hot']['slug']}", (200,), record=False)
    await shopper.rec.ready()
    if first is None:
        return
    token, fresh = form_value(TOKEN, first.text), shopper.cookie
    while True:
        shopper.cookie = fresh  # a new cart per order
        start = time.perf_counter()
        if await shopper.request("add", "POST", "/cart/items", (303,), data=_add_form(token, pick(rng))) is None:
            continue
        page = await shopper.request("checkout page", "GET", "/checkout", (200,))
        if page is None:
            continue
        placed = await shopper.request(
            "place order",
            "POST",
            "/checkout",
            (303,),
            data={"csrf_token": token, "attempt": form_value(ATTEMPT, page.text), **CHECKOUT_FORM},
        )
        if placed is None:
            continue
        if "/orders/" not in placed.headers.get("location", ""):
            shopper.rec.error("place order", f"sent to {placed.headers.get('location')}")
            continue
        shopper.rec.counts["orders"] += 1
        shopper.rec.steps.setdefault("order (3 requests)", []).append(time.perf_counter() - start)


async def checkout_hot(shopper: Shopper, p: dict, rng: random.Random) -> None:
    await _checkout(shopper, p, rng, lambda r: p["hot"]["variant_id"])


async def checkout_spread(shopper: Shopper, p: dict, rng: random.Random) -> None:
    await _checkout(shopper, p, rng, lambda r: r.choice(p["pool"])["variant_id"])


FLOWS = {"get": get, "add": add, "cart": cart, "checkout-hot": checkout_hot, "checkout-spread": checkout_spread}


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))]


async def run(url: str, flow: str, params: dict, duration: float, connections: int, max_requests: int) -> dict:
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    cpu = time.process_time()
    rec = Recorder(connections, duration, max_requests)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=30, follow_redirects=False) as client:

        async def shopper(n: int) -> None:
            try:
                await FLOWS[flow](Shopper(client, rec), params, random.Random(n))
            except Stop:
                pass
            finally:
                if not rec.go.is_set():  # a shopper that ends before it was ready must not hold the others
                    await rec.ready()

        await asyncio.gather(*(shopper(n) for n in range(connections)))
    elapsed = time.monotonic() - rec.started
    steps = {
        step: {
            "requests": len(v),
            "per_second": len(v) / elapsed,
            "p50_ms": percentile(v, 50) * 1000,
            "p99_ms": percentile(v, 99) * 1000,
            "max_ms": max(v) * 1000,
        }
        for step, v in rec.steps.items()
        if v
    }
    return {
        "flow": flow,
        "elapsed_s": elapsed,
        "requests": rec.sent,
        "timed_requests": sum(len(v) for step, v in rec.steps.items() if step != "order (3 requests)"),
        "steps": steps,
        "errors": sum(rec.errors.values()),
        "errors_by_step": dict(rec.errors),
        "error_samples": rec.error_samples,
        "statuses": {str(k): v for k, v in sorted(rec.statuses.items())},
        "counts": dict(rec.counts),
        "client_cpu_s": time.process_time() - cpu,
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.load")
    parser.add_argument("url")
    parser.add_argument("flow", choices=sorted(FLOWS))
    parser.add_argument("params", help="JSON: the scenario parameters from bench.prepare")
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--max-requests", type=int, default=1_000_000)
    args = parser.parse_args()
    result = asyncio.run(
        run(args.url, args.flow, json.loads(args.params), args.duration, args.connections, args.max_requests)
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
