"""HTML, JavaScript and template syntax typed into any field that is shown again come back as text:
escaped on every shopper page, order page, back-office page, packing slip and HTML email.

One shop is filled through its own forms (back office, CSV import, checkout), each field with its own
tagged payload, so a page that shows a field unescaped says which field and where. Then every form and
query that echoes what was typed (search, filters, codes, lookups, refused back-office forms) is tried."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from urllib.parse import quote

import httpx2 as httpx
import pytest
from markupsafe import escape

from storefront import mailer
from storefront.app import create_app
from storefront.domain import checkout
from storefront.domain.basket import cart
from storefront.domain.catalogue import spreadsheet
from storefront.domain.models import Order, OutboxEmail, Product, ShippingMethod, ShippingZone, StaffRole, Variant
from storefront.domain.orders import fulfilment
from storefront.domain.staff import accounts
from tests.unit import factories as f

PASSWORD = "correct horse battery"
# Markup that runs script if a browser ever parses it as HTML (breaking out of an attribute first), and
# template syntax that would read 49 if a value were ever rendered as a template. No spaces, so it also
# fits an email address's local part; short enough for the 60-character fields.
ATTACK = '{{7*7}}"><script>alert(1)</script>'
# What only an unescaped value puts in a page (the pages' own scripts are <script src=...>).
RAW = ('"><script>', "<script>alert(1)", "<img src=x", "<svg onload")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def poison(tag: str) -> str:
    """A field's value: its own tag (to tell where it shows), then the attack."""
    return f"{tag}{ATTACK}"


def shown(tag: str) -> str:
    """The value as an escaping page shows it: template syntax as typed, markup as text."""
    return str(escape(poison(tag)))


def unescaped(page: str) -> list[str]:
    lowered = page.lower()
    found = [raw for raw in RAW if raw in lowered]
    found += re.findall(r'(?:href|src|action|hx-get|hx-post)="\s*javascript:[^"]*"', lowered)
    return found


async def csrf(client, url: str = "/admin/login") -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', (await client.get(url)).text).group(1)


async def log_in(client, email: str) -> str:
    response = await client.post(
        "/admin/login", data={"csrf_token": await csrf(client), "email": email, "password": PASSWORD, "next": "/admin"}
    )
    assert response.status_code == 303, response.text[:500]
    return await csrf(client, "/admin")


def expect(response, status: int = 303):
    assert response.status_code == status, (response.status_code, response.text[:2000])
    return response


def import_file(*rows: list[str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerows([spreadsheet.COLUMNS, *rows])
    return out.getvalue()


CLERK = f"clerk{ATTACK}@bottega.example"  # a staff member's email: shown in the back office's header
BUYER = f"buyer{ATTACK}@example.com"  # a shopper's email: the local part may hold almost anything


async def build_shop(owner, clerk, shopper, settings) -> dict:
    """Fill every shown field through the forms staff and shoppers use; collect the pages on the way."""
    pages: dict[str, str] = {}
    clothing = await f.category("Clothing")
    await accounts.create("owner@bottega.example", PASSWORD, StaffRole.OWNER)
    token = await log_in(owner, "owner@bottega.example")

    def post(url, **data):
        return owner.post(url, data={"csrf_token": token, **data})

    # The back office: a staff account, a product with a variant and an image, a promotion, shipping, stock.
    expect(await post("/admin/staff", email=CLERK, name=poison("StaffName"), role="staff", password=PASSWORD), 200)
    saved = expect(
        await post(
            "/admin/products/new",
            name=poison("ProdName"),
            slug="tee",
            description=poison("ProdDesc"),
            category_id=str(clothing.id),
            tax_class="standard",
            active="on",
        )
    )
    product = await Product.get(slug="tee")
    pages["admin product, saved notice"] = (await owner.get(saved.headers["location"])).text
    expect(await post(f"/admin/products/{product.id}/variants", sku="TEE-1", price="10", opening_stock="20"))
    expect(
        await owner.post(
            f"/admin/products/{product.id}/images",
            data={"csrf_token": token, "alt": poison("ImgAlt")},
            files={"image": ("photo.png", PNG, "image/png")},
        )
    )
    variant = await Variant.get(sku="TEE-1")
    expect(
        await post(
            "/admin/promotions",
            name=poison("PromoName"),
            code="",
            kind="order_percent",
            percent="10",
            priority="100",
            active="on",
            combines_with_order="on",
            combines_with_product="on",
            combines_with_shipping="on",
        )
    )
    expect(await post("/admin/shipping/zones", name=poison("ZoneName"), countries="JP", position="9"))
    expect(
        await post(
            "/admin/shipping/methods",
            name=poison("ShipName"),
            code="bike",
            description=poison("ShipDesc"),
            carrier=poison("Carrier"),
            tracking_url="https://carrier.example/t?n={number}&" + poison("Url"),
            min_days="1",
            max_days="2",
            cutoff_hour="12",
            position="0",
            active="on",
        )
    )
    method = await ShippingMethod.get(code="bike")
    europe = next(z for z in await ShippingZone.all() if "FR" in z.countries)
    expect(
        await post(
            f"/admin/shipping/methods/{method.id}/rates",
            zone_id=str(europe.id),
            max_weight_grams="",
            price="5",
            free_above="",
        )
    )
    adjusted = expect(
        await post(
            f"/admin/stock/{variant.id}/adjust",
            mode="change",
            units="1",
            reason="received",
            note=poison("StockNote"),
            next=f"/admin/stock/{variant.id}",
        )
    )

    # The CSV import: a second product whose texts come from the file; then dry runs that show a change and
    # an error, each quoting what the file says.
    csv_row = [
        "CSV-1",
        "from-csv",
        poison("CsvName"),
        "clothing",
        poison("CsvDesc"),
        "standard",
        "yes",
        "12.00",
        "",
        "100",
        "3",
        "",
    ]
    expect(await post("/admin/products/import", action="apply", content=import_file(csv_row)))
    changed = import_file([*csv_row[:2], poison("CsvChange"), *csv_row[3:]])
    pages["admin import, dry run"] = expect(
        await post("/admin/products/import", action="dry_run", content=changed), 200
    ).text
    wrong = import_file(["CSV-2", "other", "Other", poison("CsvCategory"), "", "standard", "yes", "1", "", "", "", ""])
    pages["admin import, refused"] = expect(
        await post("/admin/products/import", action="dry_run", content=wrong), 422
    ).text

    # A shopper buys, every address field carrying the attack.
    shop_token = await csrf(shopper, f"/p/{product.slug}")
    expect(
        await shopper.post("/cart/items", data={"csrf_token": shop_token, "variant_id": variant.id, "quantity": "2"})
    )
    pages["cart"] = (await shopper.get("/cart")).text
    attempt = re.search(r'name="attempt" value="([^"]+)"', (await shopper.get("/checkout")).text).group(1)
    details = {
        "csrf_token": shop_token,
        "attempt": attempt,
        "email": BUYER,
        "full_name": poison("FullName"),
        "phone": "",
        "address": poison("Address"),
        "postal_code": "75001",
        "city": poison("City"),
        "province": "",  # a region is one of the country's own (addresses.format_for): nothing typed freely
        "country": "FR",
        "shipping_method": "bike",
        "payment_method": "bank_transfer",
    }
    pages["checkout"] = expect(await shopper.post("/checkout/options", data=details), 200).text
    placed = expect(await shopper.post("/checkout", data=details))
    order = await Order.get()
    pages["order, placed"] = (await shopper.get(placed.headers["location"])).text

    # A staff member ships it with the method's carrier, so the order gets the tracking link.
    clerk_token = await log_in(clerk, CLERK)
    for action, fields in (
        ("mark-paid", {}),
        ("pack", {}),
        ("ship", {"carrier": poison("Carrier"), "tracking_number": "TRK123"}),
    ):
        seen = (await Order.get(id=order.id)).status.value
        expect(
            await clerk.post(
                f"/admin/orders/{order.number}/{action}", data={"csrf_token": clerk_token, "seen": seen, **fields}
            )
        )
    pages["admin order, seen by the clerk"] = expect(await clerk.get(f"/admin/orders/{order.number}"), 200).text
    pages["order, shipped"] = (await shopper.get(placed.headers["location"])).text

    for name, url in [
        ("home", "/"),
        ("category", "/c/clothing"),
        ("search", "/search?q=prodname"),
        ("product", f"/p/{product.slug}"),
        ("product from the CSV", "/p/from-csv"),
    ]:
        pages[name] = expect(await shopper.get(url), 200).text
    for name, url in [
        ("admin dashboard", "/admin"),
        ("admin orders", "/admin/orders"),
        ("admin order", f"/admin/orders/{order.number}"),
        ("packing slip", f"/admin/orders/{order.number}/packing-slip"),
        ("admin products", "/admin/products"),
        ("admin product", f"/admin/products/{product.id}"),
        ("admin stock", "/admin/stock"),
        ("admin variant stock", adjusted.headers["location"]),
        ("admin promotions", "/admin/promotions"),
        ("admin shipping", "/admin/shipping"),
        ("admin staff", "/admin/staff"),
        ("admin audit", "/admin/audit"),
    ]:
        pages[name] = expect(await owner.get(url), 200).text
    emails = {e.kind: await mailer.render(e, settings) for e in await OutboxEmail.filter(order_id=order.id)}
    return {"pages": pages, "emails": emails}


@pytest.fixture
async def app(db, settings):
    return create_app(settings, manage_db=False)


def new_client(app) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://shop.test")


@pytest.fixture
async def shop(app, settings):
    async with new_client(app) as owner, new_client(app) as clerk, new_client(app) as shopper:
        yield await build_shop(owner, clerk, shopper, settings)


# Which fields each page shows (so each check below can fail): the tags of poison() above.
ORDER = ["ProdName", "PromoName", "ShipName", "buyer", "FullName", "Address", "City"]
SHOWN_ON = {
    "cart": ["ProdName", "PromoName"],
    "checkout": ["ProdName", "PromoName", "ShipName", "ShipDesc", "buyer", "FullName", "Address", "City"],
    "order, placed": ORDER,
    "order, shipped": [*ORDER, "Carrier", "Url"],
    "home": ["ProdName", "CsvName"],
    "category": ["ProdName", "CsvName"],
    "search": ["ProdName"],
    "product": ["ProdName", "ProdDesc", "ImgAlt"],
    "product from the CSV": ["CsvName", "CsvDesc"],
    "admin dashboard": ["ProdName", "CsvName"],
    "admin orders": ["ShipName", "buyer", "FullName"],
    "admin order": [*ORDER, "Carrier", "Url"],
    "admin order, seen by the clerk": ["clerk", "FullName"],
    "packing slip": ["ProdName", "ShipName", "FullName", "Address", "City"],
    "admin products": ["ProdName", "CsvName"],
    "admin product": ["ProdName", "ProdDesc", "ImgAlt"],
    "admin product, saved notice": ["ProdName", "ProdDesc"],
    "admin stock": ["ProdName", "CsvName"],
    "admin variant stock": ["ProdName", "StockNote"],
    "admin promotions": ["PromoName"],
    "admin shipping": ["ZoneName", "ShipName", "ShipDesc", "Carrier", "Url"],
    "admin staff": ["StaffName", "clerk"],
    "admin audit": [
        "clerk",
        "ProdName",
        "ProdDesc",
        "ImgAlt",
        "PromoName",
        "ZoneName",
        "ShipName",
        "ShipDesc",
        "Carrier",
        "StockNote",
    ],
    "admin import, dry run": ["CsvName", "CsvChange"],
    "admin import, refused": ["CsvCategory"],
}
EMAIL_SHOWS = {
    "order_confirmation": ["ProdName", "PromoName", "ShipName", "FullName", "Address", "City"],
    "payment_received": ["FullName", "Address", "City"],
    "shipped": ["ProdName", "PromoName", "ShipName", "Carrier", "FullName", "Address", "City", "Url"],
}


# Every field build_shop fills with poison(), by its tag (the two emails by their local part).
FIELDS = {
    "StaffName",
    "clerk",
    "ProdName",
    "ProdDesc",
    "ImgAlt",
    "PromoName",
    "ZoneName",
    "ShipName",
    "ShipDesc",
    "Carrier",
    "Url",
    "StockNote",
    "CsvName",
    "CsvDesc",
    "CsvChange",
    "CsvCategory",
    "buyer",
    "FullName",
    "Address",
    "City",
}


def test_every_field_is_looked_for_on_a_page_that_shows_it():
    assert set().union(*SHOWN_ON.values()) == FIELDS
    assert set(re.findall(r'poison\("(\w+)"\)', Path(__file__).read_text())) <= FIELDS


async def test_stored_fields_are_escaped_on_every_page(shop, subtests):
    assert set(shop["pages"]) == set(SHOWN_ON)
    for name, page in shop["pages"].items():
        with subtests.test(page=name):
            assert unescaped(page) == []
            assert [tag for tag in SHOWN_ON[name] if shown(tag) not in page] == []


async def test_emails_escape_their_html_part_and_keep_the_text_as_typed(shop, subtests):
    assert set(shop["emails"]) == set(EMAIL_SHOWS)
    for kind, (subject, text, html) in shop["emails"].items():
        with subtests.test(email=kind):
            assert unescaped(html) == []
            assert [tag for tag in EMAIL_SHOWS[kind] if shown(tag) not in html] == []
            # A text part is not HTML: what was typed reads as typed (escaping would show "&lt;").
            assert [tag for tag in EMAIL_SHOWS[kind] if poison(tag) not in text] == []
            assert "&lt;" not in text and "\n" not in subject


# --- what was typed, shown back at once ---------------------------------------------------------------

PAYLOADS = [ATTACK, '"><img src=x onerror=alert(1)>', "'><svg onload=alert(1)>", "javascript:alert(1)"]


@pytest.fixture
async def echo(app):
    """A shopper with a cart, a staff member logged in, and a packed order to ship."""
    tee = await f.product("Tee", await f.category("Clothing"), [{"price": 1000, "stock": 9, "sku": "TEE-1"}])
    variant = await Variant.get(product_id=tee.id)
    owner = await accounts.create("owner@bottega.example", PASSWORD, StaffRole.OWNER)
    async with new_client(app) as staff, new_client(app) as shopper:
        staff_token = await log_in(staff, "owner@bottega.example")
        shop_token = await csrf(shopper, f"/p/{tee.slug}")
        await shopper.post("/cart/items", data={"csrf_token": shop_token, "variant_id": variant.id, "quantity": "1"})
        token, _ = await cart.add(None, variant.id, 1)
        order = await checkout.place_order(
            token,
            checkout.Details(
                email="anna@example.com",
                full_name="Anna",
                address="Via Roma 1",
                postal_code="50122",
                city="Firenze",
                province="FI",
                shipping_method="standard",
                payment_method="bank_transfer",
            ),
            "attempt-1",
        )
        await fulfilment.mark_paid(order.id, owner)
        await fulfilment.pack(order.id, owner)
        yield {
            "staff": (staff, staff_token),
            "shopper": (shopper, shop_token),
            "tee": tee,
            "variant": variant,
            "order": await Order.get(id=order.id),
        }


# (who, method, url, form fields, whether the page shows the value again); "{p}" is the payload.
ECHOES = [
    ("shopper", "GET", "/search?q={p}", {}, True),
    ("shopper", "GET", "/search?q=tee&min={p}&max={p}&sort={p}&page={p}&stock={p}&size={p}", {}, True),
    ("shopper", "GET", "/c/clothing?min={p}&size={p}&sort={p}", {}, True),
    ("shopper", "GET", "/p/{slug}?size={p}&v={p}", {}, False),
    ("shopper", "POST", "/cart/codes", {"code": "{p}"}, True),
    ("shopper", "POST", "/cart/items", {"variant_id": "{variant}", "quantity": "{p}"}, True),
    (
        "shopper",
        "POST",
        "/checkout",
        {
            "email": "{p}",
            "phone": "{p}",
            "postal_code": "{p}",
            "full_name": "Anna",
            "address": "x",
            "city": "x",
            "province": "FI",
            "country": "IT",
        },
        True,
    ),
    ("shopper", "POST", "/orders/lookup", {"number": "BT-1", "email": "{p}"}, True),
    ("shopper", "GET", "/admin/login?next={p}", {}, True),
    ("shopper", "POST", "/admin/login", {"email": "{p}", "password": "wrong password"}, True),
    ("staff", "GET", "/admin/products?q={p}&state={p}&category={p}&page={p}", {}, True),
    ("staff", "GET", "/admin/orders?q={p}&status={p}&payment={p}&from={p}&page={p}", {}, True),
    ("staff", "GET", "/admin/stock?q={p}&show={p}&page={p}", {}, True),
    ("staff", "GET", "/admin/audit?action={p}&actor={p}&since={p}", {}, True),
    (
        "staff",
        "POST",
        "/admin/products/new",
        {"name": "Mug", "slug": "{p}", "category_id": "x", "tax_class": "standard"},
        True,
    ),
    ("staff", "POST", "/admin/products/{product}/variants", {"sku": "{p}", "price": "{p}"}, True),
    (
        "staff",
        "POST",
        "/admin/promotions",
        {"name": "Promo", "code": "{p}", "kind": "order_percent", "percent": "{p}"},
        True,
    ),
    (
        "staff",
        "POST",
        "/admin/shipping/methods",
        {"name": "Bike", "tracking_url": "{p}", "min_days": "1", "max_days": "{p}", "cutoff_hour": "1"},
        True,
    ),
    ("staff", "POST", "/admin/staff", {"email": "{p}", "name": "x", "role": "{p}", "password": "long enough pw"}, True),
    (
        "staff",
        "POST",
        "/admin/stock/{variant}/adjust",
        {"mode": "change", "units": "{p}", "reason": "received", "note": "{p}"},
        True,
    ),
    (
        "staff",
        "POST",
        "/admin/orders/{order}/ship",
        {"seen": "packed", "carrier": "{p}", "tracking_number": "{p}"},
        True,
    ),
]


async def test_what_was_typed_is_shown_back_escaped(echo, subtests):
    for who, method, url, fields, echoed in ECHOES:
        client, token = echo[who]
        for payload in PAYLOADS:
            ids = {
                "slug": echo["tee"].slug,
                "variant": echo["variant"].id,
                "product": echo["tee"].id,
                "order": echo["order"].number,
            }
            target = url.format(p=quote(payload, safe=""), **ids)
            data = {k: v.format(p=payload, **ids) for k, v in fields.items()}
            with subtests.test(url=url, payload=payload):
                if method == "GET":
                    response = await client.get(target)
                else:
                    response = await client.post(target, data={"csrf_token": token, **data})
                assert response.status_code in (200, 422), response.status_code
                assert unescaped(response.text) == []
                if echoed:  # compared in lower case: codes and postal codes are shown upper-cased
                    assert str(escape(payload)).lower() in response.text.lower()


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)//{number}",
        "JaVaScRiPt:alert(1)//{number}",
        " javascript:alert(1)//{number}",
        "data:text/html,<script>alert(1)</script>{number}",
        "vbscript:msgbox(1)//{number}",
        "//evil.example/{number}",
    ],
)
async def test_the_one_link_staff_type_must_be_a_web_address(echo, url):
    """A shipping method's tracking address becomes a link on order pages and emails: http(s) only."""
    client, token = echo["staff"]
    response = await client.post(
        "/admin/shipping/methods",
        data={
            "csrf_token": token,
            "name": "Bike",
            "tracking_url": url,
            "min_days": "1",
            "max_days": "2",
            "cutoff_hour": "12",
        },
    )
    assert response.status_code == 422 and "Enter a web address starting with https://." in response.text
    assert unescaped(response.text) == [] and not await ShippingMethod.exists(name="Bike")
