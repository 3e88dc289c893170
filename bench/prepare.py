"""Before the load: pick each scenario's URL from the seeded catalogue, stock up the variants the cart
and checkout scenarios buy, and count the SQL queries of every scenario by running it in-process
against the same database (the logging counter of tests/unit/test_query_counts.py).

Catalogue pages are kept by each worker until the catalogue changes (domain/catalogue/cache.py, the version
in domain/catalogue/version.py), so the load measures pages seen again. Their first view after a change is
counted and timed here: the queries and the in-process time (whole app, median of 5) right after the
catalogue version is raised.

Run in its own process (one Tortoise context per process): `python -m bench.prepare`; prints JSON.
"""

from __future__ import annotations

import asyncio
import json
import math
import random
import re
import statistics
import time
from collections import Counter

import httpx2 as httpx

from storefront.app import create_app
from storefront.domain import db
from storefront.domain.catalogue import browse, search, version
from storefront.domain.db import count_queries
from storefront.domain.inventory import stock
from storefront.domain.models import Category, Product, Variant
from storefront.settings import Settings

PLENTY = 1_000_000  # units on every variant the cart and checkout scenarios buy: they never run out
POOL = 500  # variants the "spread" scenarios pick from
SPREAD = 200  # product pages the "product, spread" scenario rotates through
SEED = 6  # the benchmark's choices are the same on every run of the same catalogue

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
ATTEMPT = re.compile(r'name="attempt" value="([^"]+)"')


def form_value(pattern: re.Pattern[str], html: str) -> str:
    """The hidden field's value a page carries (TOKEN, ATTEMPT); a page without one is a broken run."""
    match = pattern.search(html)
    if match is None:
        raise ValueError(f"no {pattern.pattern!r} in the page")
    return match.group(1)


# What a shopper fills in at checkout (bank transfer: no payment page in the way).
CHECKOUT_FORM = {
    "email": "bench@example.com",
    "full_name": "Bench Shopper",
    "address": "Via Roma 1",
    "postal_code": "00100",
    "city": "Roma",
    "province": "RM",
    "country": "IT",
    "shipping_method": "standard",
    "payment_method": "bank_transfer",
}


async def discover() -> dict:
    """The URLs and variants of every scenario, chosen from what the seed made."""
    rng = random.Random(SEED)
    tree = await browse.category_tree()
    category_ids: list[int] = await Product.filter(active=True).values_list("category_id", flat=True)  # type: ignore[assignment]  # Tortoise types values_list(flat=True) as tuples
    sizes = Counter(category_ids)
    # The listing: Clothing (its subcategories included; size and colour filters apply), else the
    # top-level category with the most products.
    top = next((c for c in tree.top if c.slug == "clothing"), None) or max(
        tree.top, key=lambda c: sum(sizes[i] for i in tree.descendant_ids(c))
    )
    total = (await browse.listing(browse.ListingQuery(category_ids=tree.descendant_ids(top)), with_facets=False)).total
    last_page = max(1, math.ceil(total / browse.PER_PAGE))
    deep_page = min(20, last_page, browse.MAX_PAGE)

    # Generated names are "<noun> <adjective> <place>", places drawn Zipf-like: the most common place is a
    # common word, the least common one still in the catalogue a rare word.
    names: list[str] = await Product.filter(active=True).values_list("name", flat=True)  # type: ignore[assignment]  # Tortoise types values_list(flat=True) as tuples
    places = Counter(search.fold(name.split()[-1]) for name in names if name.split())
    common_word, _ = places.most_common(1)[0]
    rare_word = min(places, key=lambda p: (places[p], p))
    # The accent-less query: the commonest accented word of the names, typed without its accent ("caffe").
    accented = Counter(w for n in names for w in n.split() if search.fold(w) != w.casefold())
    accentless = search.fold(accented.most_common(1)[0][0]) if accented else common_word

    # A product of that listing with several variants (colour and size), from the middle of the catalogue.
    per_product = Counter(await Variant.filter(active=True, product__active=True).values_list("product_id", flat=True))
    listed = set(
        await Product.filter(active=True, category_id__in=tree.descendant_ids(top)).values_list("id", flat=True)
    )
    candidates = sorted(p for p, n in per_product.items() if n >= 3 and p in listed)
    product_id = candidates[len(candidates) // 2] if candidates else sorted(per_product)[len(per_product) // 2]
    product = await Product.get(id=product_id)
    spread_ids = rng.sample(sorted(per_product), min(SPREAD, len(per_product)))
    spread = [slug for _, slug in sorted(await Product.filter(id__in=spread_ids).values_list("id", "slug"))]

    # The hot product: a product sold in one version (every buyer wants the same row).
    single = sorted(p for p, n in per_product.items() if n == 1) or sorted(per_product)
    hot_product = single[len(single) // 2]
    hot = await Variant.filter(product_id=hot_product, active=True).order_by("id").first().values("id", "product__slug")
    variant_ids = sorted(await Variant.filter(active=True, product__active=True).values_list("id", flat=True))
    pool_ids = sorted(rng.sample(variant_ids, min(POOL, len(variant_ids))))
    pool = [
        {"variant_id": v, "slug": s}
        for v, s in await Variant.filter(id__in=pool_ids).order_by("id").values_list("id", "product__slug")
    ]
    return {
        "category": top.slug,
        "category_products": total,
        "deep_page": deep_page,
        "last_page": last_page,
        "common_word": common_word,
        "common_word_products": places[common_word],
        "rare_word": rare_word,
        "rare_word_products": places[rare_word],
        "accentless_word": accentless,
        "product": product.slug,
        "spread_products": spread,
        "hot": {"variant_id": hot["id"], "slug": hot["product__slug"]},
        "pool": pool,
    }


def get_scenarios(p: dict) -> list[dict]:
    """The single-URL scenarios (wrk drives them); `ceiling` marks the pages the ceiling app also serves."""
    c = p["category"]
    return [
        {"name": "home", "path": "/", "ceiling": True},
        {"name": "home, first visit (no cookie)", "path": "/", "cookie": False},
        {"name": "category, page 1", "path": f"/c/{c}", "ceiling": True, "headline": True},
        {
            "name": f"category, page {p['deep_page']} (load more)",
            "path": f"/c/{c}?page={p['deep_page']}",
            "ceiling": True,
        },
        {"name": "category, filtered", "path": f"/c/{c}?size=m&stock=1&min=20&sort=price_asc", "ceiling": True},
        {"name": f"search, common word ({p['common_word']})", "path": f"/search?q={p['common_word']}", "ceiling": True},
        {"name": f"search, rare word ({p['rare_word']})", "path": f"/search?q={p['rare_word']}", "ceiling": True},
        {
            "name": f"search, accent-less ({p['accentless_word']})",
            "path": f"/search?q={p['accentless_word']}",
            "ceiling": True,
        },
        {"name": "product", "path": f"/p/{p['product']}", "ceiling": True, "headline": True},
        {
            "name": f"product, spread over {len(p['spread_products'])}",
            "paths": [f"/p/{s}" for s in p["spread_products"]],
        },
    ]


async def stock_up(p: dict) -> None:
    """Through the stock ledger, as an operator would: the scenarios measure buying, not selling out."""
    ids = {p["hot"]["variant_id"], *(v["variant_id"] for v in p["pool"])}
    for variant_id, on_hand in await Variant.filter(id__in=ids).values_list("id", "stock"):
        if on_hand < PLENTY:
            await stock.adjust(variant_id, PLENTY - on_hand, stock.Reason.CORRECTION, "benchmark")


async def count(settings: Settings, p: dict) -> dict:
    """SQL statements per request of every scenario, as a returning shopper (a session with a CSRF token)."""
    app = create_app(settings, manage_db=False)
    counts: dict[str, object] = {}

    def client() -> httpx.AsyncClient:
        # https, so the Secure session cookie comes back as it would from a browser.
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://bench.local")

    async def measured(c: httpx.AsyncClient, method: str, path: str, ok: tuple[int, ...] = (200,), **kw):
        with count_queries() as statements:
            response = await c.request(method, path, **kw)
        if response.status_code not in ok:
            raise RuntimeError(f"{method} {path}: {response.status_code}")
        return response, len(statements)

    async def first_and_again(c: httpx.AsyncClient, path: str) -> dict:
        """A page's first view after a catalogue change (queries, median in-process ms), then again."""
        firsts, times = [], []
        for _ in range(5):
            await version.changed()
            started = time.perf_counter()
            firsts.append((await measured(c, "GET", path))[1])
            times.append((time.perf_counter() - started) * 1000)
        return {
            "first": max(firsts),
            "again": (await measured(c, "GET", path))[1],
            "first_ms": round(statistics.median(times), 2),
        }

    async with client() as c:
        for s in get_scenarios(p):
            if "paths" in s:
                found = [(await first_and_again(c, path)) for path in s["paths"][:10]]
                counts[s["name"]] = {key: max(f[key] for f in found) for key in ("first", "again", "first_ms")}
            elif s.get("cookie", True):
                counts[s["name"]] = await first_and_again(c, s["path"])
    async with client() as c:  # a first visit: no cookie yet
        counts["home, first visit (no cookie)"] = (await measured(c, "GET", "/"))[1]

    async with client() as c:  # add to cart (htmx, from the product page), three lines into a new cart
        token = form_value(TOKEN, (await c.get(f"/p/{p['pool'][0]['slug']}")).text)
        adds = []
        for v in p["pool"][:3]:
            adds.append(
                (
                    await measured(
                        c,
                        "POST",
                        "/cart/items",
                        data={"csrf_token": token, "variant_id": v["variant_id"], "quantity": 1},
                        headers={"HX-Request": "true", "HX-Target": "add-to-cart", "X-CSRF-Token": token},
                    )
                )[1]
            )
        counts["add to cart"] = {"per_add": adds, "mean": sum(adds) / len(adds)}
        counts["cart page (3 lines)"] = (await measured(c, "GET", "/cart"))[1]

    async with client() as c:  # one order: add (no JS, 303), checkout page, place the order (303)
        token = form_value(TOKEN, (await c.get(f"/p/{p['hot']['slug']}")).text)
        _, add = await measured(
            c,
            "POST",
            "/cart/items",
            ok=(303,),
            data={"csrf_token": token, "variant_id": p["hot"]["variant_id"], "quantity": 1},
        )
        page, show = await measured(c, "GET", "/checkout")
        attempt = form_value(ATTEMPT, page.text)
        placed, place = await measured(
            c, "POST", "/checkout", ok=(303,), data={"csrf_token": token, "attempt": attempt, **CHECKOUT_FORM}
        )
        if "/orders/" not in placed.headers["location"]:
            raise RuntimeError(f"checkout went to {placed.headers['location']}")
        counts["checkout"] = {"add": add, "checkout page": show, "place order": place, "per_order": add + show + place}
    return counts


async def main() -> None:
    settings = Settings.from_env()
    await db.init(settings.database_url)
    try:
        params = await discover()
        await stock_up(params)
        queries = await count(settings, params)
        categories = await Category.all().count()
    finally:
        await db.close()
    print(
        json.dumps({"params": params, "scenarios": get_scenarios(params), "queries": queries, "categories": categories})
    )


if __name__ == "__main__":
    asyncio.run(main())
