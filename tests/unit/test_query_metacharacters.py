"""SQL metacharacters, NUL bytes, very long strings and odd unicode in the search and in every filter,
sort and page parameter of the listing pages (the shop's and the back office's) never cause a server
error, and searches for them find what a person would expect: the literal text, never everything."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

import httpx2 as httpx
import pytest

import storefront
from storefront import links
from storefront.app import create_app
from storefront.domain import checkout
from storefront.domain.basket import cart
from storefront.domain.models import StaffRole
from storefront.domain.payments import service as payments
from storefront.domain.staff import accounts
from tests.unit import factories as f

PASSWORD = "correct horse battery"
HOSTILE = [
    "'",
    '"',
    "';--",
    "' OR '1'='1",
    "%",
    "_",
    "\\",
    "\x00",
    "x" * 5000,
    "1" * 5000,
    "9" * 30,
    "-1",
    "²",
    "①",
    "١٢",
    "Caffè ☕ 𝄞",
    "*",
    "NEAR(",
    ":",
]
# Every query parameter each listing reads; "size" stands for an option filter (any other key is one).
LISTINGS = [
    ("/search?q={v}", None),
    ("/search?q=tee&{k}={v}", ["sort", "page", "min", "max", "stock", "size", "v"]),
    ("/c/clothing?{k}={v}", ["sort", "page", "min", "max", "stock", "size"]),
    ("/p/{slug}?{k}={v}", ["v", "size"]),
    ("/admin/products?{k}={v}", ["q", "state", "category", "page"]),
    ("/admin/orders?{k}={v}", ["q", "status", "payment", "from", "to", "page"]),
    ("/admin/stock?{k}={v}", ["q", "show", "page"]),
    ("/admin/audit?{k}={v}", ["action", "actor", "since", "until", "page"]),
    # Not listings, but they read query parameters too.
    ("/admin/stock/{variant}?{k}={v}", ["page"]),
    ("/orders/{order}?{k}={v}", ["key"]),
    ("/orders/{order}?key={key}&{k}={v}", ["placed"]),
    ("/admin/login?{k}={v}", ["next"]),
    ("/sandbox/pay/{payment}?{k}={v}", ["return", "sig"]),
]
SLOTS = [(url, k) for url, keys in LISTINGS for k in (keys or [None])]


@pytest.fixture
async def shop(db, settings):
    """Products whose texts hold the characters searched for, two orders, audit entries, staff logged in."""
    clothing = await f.category("Clothing")
    tee = await f.product("Tee", clothing, [{"price": 1000, "stock": 9, "sku": "TEE-1", "options": {"size": "M"}}])
    await f.product("Sconto 100% cotone", clothing, [{"price": 2000, "stock": 3, "sku": "SCO-1"}])
    await f.product("Maglietta O'Neill", clothing, [{"price": 3000, "stock": 3, "sku": "MAG_1"}])
    await f.product("Caffè espresso", await f.category("Pantry"), [{"price": 890, "stock": 5, "sku": "CAF-1"}])
    owner = await accounts.create("owner@bottega.example", PASSWORD, StaffRole.OWNER)
    await accounts.create("o_neill@bottega.example", PASSWORD, StaffRole.STAFF)
    await accounts.audit(owner, "stock.adjust", "variant:1", {"stock": 1}, {"stock": 2})
    for n, name in enumerate(["Anna Rossi", "Marco_Bianchi 100%"]):
        token, _ = await cart.add(None, (await tee.variants.all())[0].id, 1)
        order = await checkout.place_order(
            token,
            checkout.Details(
                email=f"buyer{n}@example.com",
                full_name=name,
                address="Via Roma 1",
                postal_code="50122",
                city="Firenze",
                province="FI",
                shipping_method="standard",
                payment_method="card",
            ),
            f"attempt-{n}",
        )
    payments.configure(settings.secret_key)
    started = await payments.begin(order.id, "card", return_url=links.order_path(settings, order.number, "en"))
    ids = {
        "slug": tee.slug,
        "variant": (await tee.variants.all())[0].id,
        "order": order.number,
        "key": links.order_token(settings, order.number),
        "payment": started.reference,
    }
    app = create_app(settings, manage_db=False)
    # Server errors come back as the 500 page they would be, not as an exception in the test.
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="https://shop.test") as client:
        login = await client.get("/admin/login")
        token = login.text.split('name="csrf_token" value="')[1].split('"')[0]
        response = await client.post(
            "/admin/login",
            data={"csrf_token": token, "email": "owner@bottega.example", "password": PASSWORD, "next": "/admin"},
        )
        assert response.status_code == 303
        client.ids = ids
        yield client


def test_every_query_parameter_the_app_reads_is_tried():
    """Read from the source, so a parameter added later must be added above."""
    source = "\n".join(p.read_text() for p in Path(storefront.__file__).parent.rglob("*.py"))
    read = set(re.findall(r'(?<!path_)params(?:\.get|\.getlist)?[\[(]"(\w+)"', source))
    assert len(read) > 20 and read - {k for _, k in SLOTS} == set()


async def test_hostile_values_never_cause_a_server_error(shop, subtests):
    for url, key in SLOTS:
        with subtests.test(url=url, key=key):
            failures = []
            for value in HOSTILE:
                response = await shop.get(url.format(k=key, v=quote(value, safe=""), **shop.ids))
                # A product page for a wrong choice may be 404, a listing page past its end too, a payment
                # page with a changed return address 400. Never a server error.
                if response.status_code not in (200, 400, 404):
                    failures.append((value[:20], response.status_code))
            assert failures == []


async def listed(client, url: str) -> set[str]:
    page = (await client.get(url)).text
    names = ["Tee", "Sconto 100% cotone", "Maglietta O&#39;Neill", "Caffè espresso"]
    return {n.replace("&#39;", "'") for n in names if f">{n}<" in page or f"{n}</" in page}


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("o'neill", {"Maglietta O'Neill"}),  # a quote is part of the text, not of the SQL
        ("caffe ☕", {"Caffè espresso"}),
        ("100%", {"Sconto 100% cotone"}),
        ("%", set()),
        ("_", set()),
        ("\\", set()),
        ("'", set()),
        ("';--", set()),
        ("\x00", set()),
        ("' OR '1'='1", set()),
        ("*", set()),
        ("x" * 5000, set()),
    ],
)
async def test_search_finds_the_literal_text_never_everything(shop, query, found):
    response = await shop.get(f"/search?q={quote(query, safe='')}")
    assert response.status_code == 200
    assert await listed(shop, f"/search?q={quote(query, safe='')}") == found


@pytest.mark.parametrize(
    ("url", "found"),
    [
        ("/admin/products?q=%25", {"Sconto 100% cotone"}),  # "%" is a percent sign, not LIKE's wildcard
        ("/admin/products?q=_", {"Maglietta O'Neill"}),  # "_" is in one SKU only
        ("/admin/products?q=o%27neill", {"Maglietta O'Neill"}),
        ("/admin/products?q=%5C", set()),
        ("/admin/stock?q=_", {"Maglietta O'Neill"}),
        ("/admin/stock?q=%25", {"Sconto 100% cotone"}),
    ],
)
async def test_back_office_product_searches_take_wildcards_literally(shop, url, found):
    assert await listed(shop, url) == found


async def test_back_office_order_and_audit_searches_take_wildcards_literally(shop):
    orders = (await shop.get("/admin/orders?q=_")).text
    assert "Marco_Bianchi" in orders and "Anna Rossi" not in orders
    assert "Anna Rossi" not in (await shop.get("/admin/orders?q=%25%25")).text
    everyone = (await shop.get("/admin/orders?q=%27%20OR%20%271%27%3D%271")).text
    assert "Anna Rossi" not in everyone and "Marco_Bianchi" not in everyone
    entries = ">variant:1</a>"
    assert entries in (await shop.get("/admin/audit?actor=owner")).text
    assert entries not in (await shop.get("/admin/audit?actor=%25")).text  # no actor has a "%" in their email
    assert entries not in (await shop.get("/admin/audit?actor=_")).text
