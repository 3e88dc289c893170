"""Every `next` a form or link carries (found in the routes' own code, so a new one is covered) sends
the visitor only to a path on this shop: absolute, scheme-relative, backslash and script addresses are
replaced by the route's own default, while a genuine local path still works."""

from __future__ import annotations

import inspect
import re

import httpx2 as httpx
import pytest
from starlette.routing import Route

from storefront.app import create_app, routes
from storefront.domain.models import Promotion, PromotionKind, StaffRole, Variant
from storefront.domain.staff import accounts
from storefront.security import local_path
from storefront.settings import Settings
from tests.unit import factories as f

PASSWORD = "correct horse battery"
# Each would take a browser to another site (browsers read "\" as "/" and drop tabs and new lines).
EVIL = [
    "https://evil.example/",
    "http:evil.example",
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "\\/evil.example",
    "/\t/evil.example",
    "/\r\n/evil.example",
    " //evil.example",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "evil.example",
    "%2F%2Fevil.example",
    "https:/evil.example",
]

# (method, route path) -> how to call it: the URL, the form, where it goes by default, a good local target.
REDIRECTING = {
    ("POST", "/admin/login"): (
        "/admin/login",
        {"email": "owner@bottega.example", "password": PASSWORD},
        "/admin",
        "/admin/orders?status=to_ship",
    ),
    ("POST", "/admin/language"): ("/admin/language", {"language": "it"}, "/admin", "/admin/orders?status=to_ship"),
    ("POST", "/cart/items"): ("/cart/items", {"variant_id": "{variant}", "quantity": "1"}, "/cart", "/p/tee"),
    ("POST", "/admin/products/{product_id:id}/active"): (
        "/admin/products/{product}/active",
        {"active": "0"},
        "/admin/products",
        "/admin/products?q=tee",
    ),
    ("POST", "/admin/promotions/{promotion_id:id}/active"): (
        "/admin/promotions/{promotion}/active",
        {"active": "0"},
        "/admin/promotions",
        "/admin/promotions?x=1",
    ),
    ("POST", "/admin/stock/{variant_id:id}/adjust"): (
        "/admin/stock/{variant}/adjust",
        {"mode": "change", "units": "1", "reason": "received"},
        "/admin/stock/{variant}",
        "/admin/stock?q=tee",
    ),
}
# Reads `next` only to put it in the login form, whose POST above checks it.
SHOWS_ONLY = {("GET", "/admin/login")}


def test_every_route_that_reads_a_next_address_is_checked_here():
    reading = set()
    for route in routes(Settings(secret_key="x")):
        if isinstance(route, Route) and re.search(r'"next"|local_path', inspect.getsource(route.endpoint)):
            reading |= {(method, route.path) for method in route.methods or ()} - {("HEAD", route.path)}
    assert reading and reading == set(REDIRECTING) | SHOWS_ONLY


@pytest.mark.parametrize("target", EVIL)
def test_local_path_refuses_anything_but_a_path_on_this_site(target):
    assert local_path(target, "/fallback") == "/fallback"


@pytest.mark.parametrize("target", ["/cart", "/p/tee?v=3", "/admin/orders?status=to_ship#list", "/%2F/x"])
def test_local_path_keeps_a_path_on_this_site(target):
    assert local_path(target, "/fallback") == target


@pytest.fixture
async def setup(db, settings):
    tee = await f.product("Tee", await f.category("Clothing"), [{"price": 1000, "stock": 99, "sku": "TEE-1"}])
    await Variant.filter(product_id=tee.id).update(stock=99)
    await accounts.create("owner@bottega.example", PASSWORD, StaffRole.OWNER)
    promotion = await Promotion.create(name="Free shipping", kind=PromotionKind.FREE_SHIPPING)
    ids = {"variant": (await Variant.get(product_id=tee.id)).id, "product": tee.id, "promotion": promotion.id}
    app = create_app(settings, manage_db=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://shop.test") as client:
        yield client, ids


async def post(client, url: str, form: dict, log_in: bool) -> httpx.Response:
    """Posts with a fresh session's token; logs the owner in first where the route is the back office's."""
    client.cookies.clear()
    if log_in:
        token = await csrf(client)
        await client.post(
            "/admin/login", data={"csrf_token": token, "email": "owner@bottega.example", "password": PASSWORD}
        )
    return await client.post(url, data={"csrf_token": await csrf(client), **form})


async def csrf(client) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', (await client.get("/admin/login")).text).group(1)


@pytest.mark.parametrize("route", list(REDIRECTING), ids=[path for _, path in REDIRECTING])
async def test_next_never_leaves_the_shop(setup, route):
    client, ids = setup
    url, form, default, local = REDIRECTING[route]
    url, default = url.format(**ids), default.format(**ids)
    form = {k: v.format(**ids) for k, v in form.items()}
    log_in = url.startswith("/admin/") and url != "/admin/login"
    went = {}
    for target in [*EVIL, local]:
        response = await post(client, url, {**form, "next": target}, log_in)
        assert response.status_code == 303, (target, response.status_code)
        went[target] = response.headers["location"]
    assert went == {**{target: default for target in EVIL}, local: local}


async def test_htmx_rows_carry_only_a_local_next_back_into_the_page(setup):
    """The back office's htmx answers put `next` back into the row's form: only a local one."""
    client, ids = setup
    await csrf(client)
    await post(client, "/admin/login", {"email": "owner@bottega.example", "password": PASSWORD}, False)
    token = await csrf(client)
    for url in (f"/admin/products/{ids['product']}/active", f"/admin/stock/{ids['variant']}/adjust"):
        response = await client.post(
            url,
            headers={"HX-Request": "true"},
            data={
                "csrf_token": token,
                "active": "1",
                "mode": "change",
                "units": "1",
                "reason": "received",
                "next": "//evil.example",
            },
        )
        assert response.status_code == 200, url
        assert "evil.example" not in response.text
        assert re.search(r'name="next" value="/admin/(products|stock/\d+)"', response.text), url
