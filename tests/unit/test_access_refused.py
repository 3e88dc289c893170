"""Who may open what: an order page needs its own signed link; every back-office route (read from the
routes table, so new ones are covered) refuses anonymous visitors and shoppers the same way whether the
order, product or account asked for exists or not; every back-office route declares the permission it needs,
and staff who are not owners get the 403 page on the owner-only ones (staff accounts, shop settings such as
shipping) while owners are let in.
test_admin_access.py holds the login itself; this file holds the doors."""

from __future__ import annotations

import re

import httpx2 as httpx
import pytest
from starlette.routing import Route

from storefront import links
from storefront.app import create_app, routes
from storefront.domain import checkout
from storefront.domain.basket import cart
from storefront.domain.models import (
    AuditEntry,
    Order,
    Product,
    Promotion,
    PromotionKind,
    ShippingMethod,
    ShippingRate,
    ShippingZone,
    Staff,
    StaffRole,
    StockMovement,
    Variant,
)
from storefront.domain.staff import accounts
from storefront.pages.admin.access import AdminRoute
from storefront.security import SAFE_METHODS
from storefront.settings import Settings
from tests.unit import factories as f

PASSWORD = "correct horse battery"
DOOR = ("/admin/login", "/admin/logout")  # the way in and out, tested in test_admin_access.py
# Known by heart, not read from the table: a route that loses its permission must fail here.
STAFF_ROUTES = {("GET", "/admin/staff"), ("POST", "/admin/staff"), ("POST", "/admin/staff/{staff_id:id}")}
SETTINGS_ROUTES = {("GET", "/admin/shipping"), ("GET", "/admin/settings"), ("POST", "/admin/settings")} | {
    ("POST", f"/admin/shipping/{path}")
    for path in (
        "methods",
        "methods/{method_id:id}",
        "methods/{method_id:id}/rates",
        "rates/{rate_id:id}",
        "rates/{rate_id:id}/delete",
        "zones",
        "zones/{zone_id:id}",
    )
}
OWNER_ONLY = STAFF_ROUTES | SETTINGS_ROUTES
MISSING = {"int": "987654", "str": "BT-ZZZZZZ"}


def admin_routes() -> list[tuple[str, str]]:
    found = []
    for route in routes(Settings(secret_key="x")):
        if isinstance(route, Route) and route.path.startswith("/admin") and route.path not in DOOR:
            found += [(m, route.path) for m in sorted(route.methods or ()) if m != "HEAD"]
    return found


async def place(variant_id: int, email: str) -> Order:
    token, _ = await cart.add(None, variant_id, 1)
    return await checkout.place_order(
        token,
        checkout.Details(
            email=email,
            full_name="Anna Rossi",
            address="Via Roma 1",
            postal_code="50122",
            city="Firenze",
            province="FI",
            shipping_method="standard",
            payment_method="card",
        ),
        f"attempt-{email}",
    )


def fill(path: str, ids: dict[str, str]) -> str:
    """The route's path with real ids, or with ids nothing has, for {name} parameters."""
    return re.sub(r"{(\w+)(?::\w+)?}", lambda m: str(ids[m.group(1)]), path)


@pytest.fixture
async def shop(db, settings):
    tee = await f.product("Tee", await f.category("Clothing"), [{"price": 1000, "stock": 9, "sku": "TEE-1"}])
    variant = await Variant.get(product_id=tee.id)
    owner = await accounts.create("owner@bottega.example", PASSWORD, StaffRole.OWNER)
    await accounts.create("clerk@bottega.example", PASSWORD, StaffRole.STAFF)
    promotion = await Promotion.create(name="Free shipping", kind=PromotionKind.FREE_SHIPPING)
    order = await place(variant.id, "anna@example.com")
    existing = {
        "product_id": tee.id,
        "category_id": tee.category_id,
        "variant_id": variant.id,
        "promotion_id": promotion.id,
        "method_id": (await ShippingMethod.first()).id,
        "rate_id": (await ShippingRate.first()).id,
        "zone_id": (await ShippingZone.first()).id,
        "staff_id": owner.id,
        "number": order.number,
    }
    missing = {name: MISSING["str" if name == "number" else "int"] for name in existing}
    app = create_app(settings, manage_db=False)
    # A refusal must never be a server error: those come back as the 500 page, not as an exception.
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="https://shop.test") as client:
        yield {"client": client, "order": order, "existing": existing, "missing": missing, "settings": settings}


async def token_of(client, url: str = "/admin/login") -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', (await client.get(url)).text).group(1)


async def log_in(client, email: str) -> str:
    client.cookies.clear()
    response = await client.post(
        "/admin/login", data={"csrf_token": await token_of(client), "email": email, "password": PASSWORD}
    )
    assert response.status_code == 303
    return await token_of(client, "/admin")


async def snapshot() -> list[int]:
    return [
        await model.all().count()
        for model in (
            AuditEntry,
            Product,
            Variant,
            Promotion,
            ShippingMethod,
            ShippingRate,
            ShippingZone,
            Staff,
            StockMovement,
        )
    ] + [
        await Product.filter(active=True).count(),
        await Order.filter(status="pending_payment").count(),
        await Staff.filter(role=StaffRole.OWNER, active=True).count(),
    ]


def test_the_back_office_has_routes_to_check():
    paths = {path for _, path in admin_routes()}
    assert len(admin_routes()) > 30 and {path for _, path in OWNER_ONLY} <= paths
    assert all(
        set(re.findall(r"{(\w+)", path))
        <= {
            "product_id",
            "category_id",
            "variant_id",
            "promotion_id",
            "method_id",
            "rate_id",
            "zone_id",
            "staff_id",
            "number",
        }
        for path in paths
    )


def test_every_back_office_route_declares_the_permission_it_needs():
    declared = {}
    for route in routes(Settings(secret_key="x")):
        if route.path.startswith("/admin") and route.path not in DOOR:
            assert isinstance(route, AdminRoute), route.path  # its guard checks before the endpoint runs
            assert route.permission in accounts.PERMISSIONS, route.path
            declared.update({(m, route.path): route.permission for m in route.methods if m != "HEAD"})
    assert {key for key, permission in declared.items() if permission in accounts.OWNER_ONLY} == OWNER_ONLY
    assert {declared[key] for key in SETTINGS_ROUTES} == {"settings"}
    assert {declared[key] for key in STAFF_ROUTES} == {"staff"}


def refusal(response: httpx.Response, asked: str) -> tuple:
    """What a visitor learns from a refusal: status, where it sends them (the asked path said back to
    them is no news), and the body."""
    location = response.headers.get("location", "").replace(f"next={asked}", "next=<asked>")
    return response.status_code, location, response.headers.get("hx-redirect"), response.text


@pytest.mark.parametrize("visitor", ["anonymous", "shopper"])
async def test_every_back_office_route_sends_visitors_to_the_login_without_telling_what_exists(shop, visitor):
    client = shop["client"]
    if visitor == "shopper":  # a shopper's session: a cart and a CSRF token of their own
        await client.post(
            "/cart/items",
            data={"csrf_token": await token_of(client), "variant_id": shop["existing"]["variant_id"], "quantity": "1"},
        )
    token = await token_of(client)
    before = await snapshot()
    for method, path in admin_routes():
        for headers in ({}, {"HX-Request": "true"}):
            answers = []
            for ids in (shop["existing"], shop["missing"]):
                url = fill(path, ids)
                response = await client.request(
                    method,
                    url,
                    headers=headers,
                    data={
                        "csrf_token": token,
                        "active": "0",
                        "confirm": "yes",
                        "role": "owner",
                        "seen": "pending_payment",
                    }
                    if method not in SAFE_METHODS
                    else None,
                )
                answers.append(refusal(response, url))
            if headers:
                assert answers[0][:3] == (204, "", "/admin/login"), (method, path)
            else:
                assert answers[0][:2] == (303, "/admin/login?next=<asked>"), (method, path, answers[0][:2])
            assert answers[0] == answers[1], (method, path)  # an existing id answers like a missing one
    assert await snapshot() == before  # and nothing was changed by the attempts


async def test_staff_who_are_not_owners_get_403_on_owner_only_routes_and_nowhere_else(shop):
    client = shop["client"]
    refused, owner_refused = set(), set()
    for email, found in (("clerk@bottega.example", refused), ("owner@bottega.example", owner_refused)):
        token = await log_in(client, email)
        staff_before = [(s.email, s.role, s.active) for s in await Staff.all().order_by("id")]
        for method, path in admin_routes():
            response = await client.request(
                method, fill(path, shop["existing"]), data={"csrf_token": token} if method not in SAFE_METHODS else None
            )
            assert response.status_code < 500, (email, method, path, response.status_code)
            assert response.status_code != 303 or "/admin/login" not in response.headers["location"], (method, path)
            if response.status_code == 403:
                assert "You can't open this page" in response.text, (method, path)  # the 403 page
                found.add((method, path))
        if email.startswith("clerk"):
            assert [(s.email, s.role, s.active) for s in await Staff.all().order_by("id")] == staff_before
    assert refused == OWNER_ONLY and owner_refused == set()


async def test_an_order_page_needs_its_own_signed_link_and_says_nothing_of_other_orders(shop):
    client, order, settings = shop["client"], shop["order"], shop["settings"]
    other = await place(shop["existing"]["variant_id"], "marco@example.com")
    foreign = links.order_token(settings.override(secret_key="another shop's key"), order.number)
    own = links.order_token(settings, order.number)

    async def ask(method: str, number: str, suffix: str, key: str | None) -> tuple:
        url = f"/orders/{number}{suffix}" + (f"?key={key}" if key is not None else "")
        data = {"csrf_token": await token_of(client)} if method == "POST" else None
        response = await client.request(method, url, data=data)
        return response.status_code, re.sub(r'value="[^"]*"|"X-CSRF-Token": "[^"]*"', "", response.text)

    for method, suffix in (("GET", ""), ("POST", "/pay")):
        missing = await ask(method, "BT-ZZZZZZ", suffix, None)
        assert missing[0] == 404
        for key in (
            None,
            "",
            "forged",
            own[:-2] + "xx",
            foreign,
            links.order_token(settings, other.number),
            links.order_token(settings, "BT-ZZZZZZ"),
        ):
            answer = await ask(method, order.number, suffix, key)
            assert answer == missing, (suffix, key)  # the same page as for an order that does not exist
            assert order.email not in answer[1] and order.full_name not in answer[1]
        assert (await ask(method, order.number, suffix, own))[0] in (200, 303)  # its own link opens it


async def test_the_menu_offers_each_account_only_what_it_may_open(shop):
    client = shop["client"]
    for email, owner_only_links in (("clerk@bottega.example", False), ("owner@bottega.example", True)):
        await log_in(client, email)
        menu = (await client.get("/admin")).text
        assert 'href="/admin/orders"' in menu and 'href="/admin/audit"' in menu, email
        assert ('href="/admin/shipping"' in menu) is owner_only_links, email
        assert ('href="/admin/staff"' in menu) is owner_only_links, email
