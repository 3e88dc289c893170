"""Property-based fuzzing of every form endpoint: whatever is posted to a form's route (its own fields with
hostile values, fields left out, doubled or added, as a plain browser or as htmx), the shop never answers
with a server error; a refused request (4xx) writes nothing at all, and an accepted one leaves the books
straight (the stock ledger sums to on-hand, no stock below zero, every order has lines and adds up).

The forms are found, not listed: the pages of a small shop are rendered and every form (and every
element that posts with htmx) is read for its address and field names. Every unsafe route in the routes
table must be reached by one of them, so a route added later is fuzzed too, or this file says which page
to add. The webhook endpoint is no form (a signed body from the provider's servers) and is left out.

Checks that hold on SQLite hold for PostgreSQL too: nothing PostgreSQL would refuse (a NUL in text, a number
past a 32-bit integer column) may reach the database, and a form holding a NUL is refused with 400.

FUZZ_EXAMPLES (default 50, about 25 s for the file) sets the posts per form route, for longer runs:
    FUZZ_EXAMPLES=500 .venv/bin/python -m pytest tests/unit/test_form_fuzz.py
"""

from __future__ import annotations

import asyncio
import csv
import io
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

import httpx2 as httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.routing import Route

from storefront import links
from storefront.app import create_app, routes
from storefront.domain import checkout
from storefront.domain.basket import cart
from storefront.domain.checkout import Details
from storefront.domain.db import connection
from storefront.domain.inventory import stock
from storefront.domain.models import Cart, Promotion, PromotionKind, StaffRole, Variant
from storefront.domain.orders import fulfilment
from storefront.domain.payments import service as payments
from storefront.domain.staff import accounts
from storefront.security import SAFE_METHODS
from storefront.settings import Settings
from tests.unit import factories as f

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "50"))
NOT_FORMS = ("/payments/webhook/",)  # signed JSON from the payment provider, not a form
PASSWORD = "correct horse battery"
ANNA = f.ANNA
# A plausible value for fields a page leaves empty, so that fuzzed forms are sometimes accepted too.
PLAUSIBLE = {
    "email": "anna@example.com",
    "full_name": "Anna Rossi",
    "address": "Via dei Servi 12",
    "postal_code": "50122",
    "city": "Firenze",
    "province": "FI",
    "phone": "+39 055 123456",
    "name": "Fuzz",
    "slug": "fuzz",
    "sku": "FUZZ-1",
    "price": "12,50",
    "code": "NEW10",
    "kind": "order_percent",
    "percent": "10",
    "amount": "1,00",
    "quantity": "1",
    "units": "3",
    "reason": "received",
    "number": "4242 4242 4242 4242",
    "expiry": "12/99",
    "cvc": "123",
    "carrier": "BRT",
    "tracking_number": "BRT 123",
    "countries": "IT",
    "min_days": "1",
    "max_days": "3",
    "password": "a long enough password",
    "description": "Fuzzed",
    "confirm": "yes",
}


# --- finding the forms ------------------------------------------------------------------------------


@dataclass
class Field:
    name: str
    kind: str  # input type, "select" or "textarea"
    sent: str | None = None  # what a browser sends for it untouched (None: nothing, like an unticked box)
    choices: list[str] = field(default_factory=list)  # options, radio values, a box's or buttons' values


@dataclass
class Form:
    url: str  # as the page has it, query included
    fields: dict[str, Field]
    target: str = ""  # hx-target, sent as HX-Target by htmx
    page: str = ""  # where it was found, to read it afresh ("" for the answer to a post)


class _FormParser(HTMLParser):
    """Forms (action, fields) and elements that post with htmx (hx-post, the fields they include)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[tuple[dict, dict[str, Field]]] = []
        self.by_id: dict[str, dict[str, Field]] = {}
        self.hx_posts: list[tuple[dict, dict[str, Field] | None]] = []  # (attrs, enclosing form's fields)
        self._form: dict[str, Field] | None = None
        self._select: Field | None = None
        self._textarea: Field | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = {}
            if a.get("method", "get").lower() == "post" or a.get("hx-post"):
                self.forms.append((a, self._form))
            if a.get("id"):
                self.by_id[a["id"]] = self._form
            return
        if a.get("hx-post"):
            self.hx_posts.append((a, self._form))
        if tag == "option" and self._select is not None:
            self._select.choices.append(a.get("value", ""))
            if "selected" in a or self._select.sent is None:
                self._select.sent = a.get("value", "")
        if self._form is None or not a.get("name"):
            return
        name = a["name"]
        if tag == "select":
            self._select = self._form.setdefault(name, Field(name, "select"))
        elif tag == "textarea":
            self._textarea = self._form.setdefault(name, Field(name, "textarea", ""))
        elif tag in ("input", "button"):
            kind = a.get("type", "text" if tag == "input" else "submit").lower()
            known = self._form.setdefault(name, Field(name, kind))
            value = a.get("value", "on" if kind in ("radio", "checkbox") else "")
            if kind in ("radio", "checkbox", "submit"):
                known.choices.append(value)
                if "checked" in a:
                    known.sent = value
            elif kind != "file":
                known.sent = value

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.sent = (self._textarea.sent or "") + data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def forms_on(html: str, page: str = "") -> list[Form]:
    parser = _FormParser()
    parser.feed(html)
    found = []
    for attrs, fields in parser.forms:
        for url in {attrs.get("action", ""), attrs.get("hx-post", "")} - {""}:
            found.append(Form(url, fields, attrs.get("hx-target", "").lstrip("#"), page))
    for attrs, enclosing in parser.hx_posts:
        included = parser.by_id.get(attrs.get("hx-include", "").lstrip("#"))
        fields = {**(enclosing or {}), **(included or {})}
        found.append(Form(attrs["hx-post"], fields, attrs.get("hx-target", "").lstrip("#"), page))
    return found


def form_routes() -> list[Route]:
    """Every unsafe route of the shop that a browser posts a form to."""
    return [
        r
        for r in routes(Settings(secret_key="x"))
        if isinstance(r, Route) and (r.methods or set()) - SAFE_METHODS and not r.path.startswith(NOT_FORMS)
    ]


def route_of(url: str, candidates: list[Route]) -> Route | None:
    path = urlsplit(url).path
    return next((r for r in candidates if r.path_regex.match(path)), None)


# --- a small shop with something in every state -----------------------------------------------------


@dataclass
class World:
    # "shopper" posts the shop's forms, "owner" (logged in) the back office's, "visitor" the login and
    # logout forms (it logs in only if the fuzzer created the staff account it tries).
    clients: dict[str, httpx.AsyncClient]
    tokens: dict[str, str]  # each client's session CSRF token
    forms: dict[str, list[Form]]  # route path -> the forms that post to it
    plausible: dict[str, dict[str, str]]  # route -> what differs from PLAUSIBLE there (an order to look up...)
    cart_token: str  # the shopper's cart
    variant_ids: list[int]
    csv: str  # the catalogue as exported, for the import forms


async def _csrf(client: httpx.AsyncClient, url: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"|"X-CSRF-Token": "([^"]+)"', (await client.get(url)).text)
    return found.group(1) or found.group(2)


async def _order(variant_ids: list[int], n: int, **details):
    token = None
    for variant_id in variant_ids:
        token, _ = await cart.add(token, variant_id, 1)
    return await checkout.place_order(token, Details(**{**ANNA.__dict__, **details}), f"fuzz-setup-{n}")


async def _card_order(variant_ids: list[int], n: int, card: str | None):
    order = await _order(variant_ids, n, payment_method="card")
    started = await payments.begin(order.id, "card", return_url=f"/orders/{order.number}")
    if card:
        await payments.sandbox_pay(
            started.reference, payments.CardEntry(number=card, expiry="12/99", cvc="123", name="Anna Rossi")
        )
    return order, started.redirect_url


async def build_world(app, settings: Settings) -> World:
    clients = {
        who: httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://shop.test")
        for who in ("shopper", "owner", "visitor")
    }
    shopper, owner = clients["shopper"], clients["owner"]
    clothing = await f.category("Clothing")
    tee = await f.product(
        "Maglietta",
        clothing,
        [
            {"price": 3500, "stock": 60, "options": {"size": "M"}, "sku": "TEE-M"},
            {"price": 3900, "stock": 60, "options": {"size": "L"}, "sku": "TEE-L", "compare_at_price": 4500},
        ],
    )
    withdrawn = await f.product("Vecchia", clothing, [{"price": 1000, "stock": 3}])
    withdrawn.active = False
    await withdrawn.save(update_fields=["active"])
    variant_ids = list(await Variant.filter(product_id=tee.id).order_by("id").values_list("id", flat=True))
    for code in ("FUZZ10", PLAUSIBLE["code"]):
        await Promotion.create(name=f"{code} off", code=code, kind=PromotionKind.ORDER_PERCENT, percent=10)

    owner_account = await accounts.create("owner@bottega.example", PASSWORD, StaffRole.OWNER)
    await accounts.create("clerk@bottega.example", PASSWORD, StaffRole.STAFF)  # whom the staff forms change
    # Orders in every state an action form shows for: to pay, to pack, to ship, shipped, paid by card.
    # Each moved on as it is placed: at most 3 may await payment for one email (checkout.UnpaidCap).
    staff_orders = []
    for steps, n in enumerate(range(1, 5)):
        order = await _order(variant_ids, n)
        staff_orders.append(order)
        if steps >= 1:
            await fulfilment.mark_paid(order.id, owner_account)
        if steps >= 2:
            await fulfilment.pack(order.id, owner_account)
        if steps >= 3:
            await fulfilment.ship(order.id, owner_account, "BRT", "BRT 1")
    paid_by_card, _ = await _card_order(variant_ids, 5, "4242 4242 4242 4242")
    declined, _ = await _card_order(variant_ids, 6, "4000 0000 0000 0002")
    _, hosted_page = await _card_order(variant_ids, 7, None)

    # The shopper: something in the cart, then the pages that hold the shop's forms.
    tokens = {"shopper": await _csrf(shopper, "/cart"), "visitor": await _csrf(clients["visitor"], "/admin/login")}
    await shopper.post(
        "/cart/items", data={"csrf_token": tokens["shopper"], "variant_id": variant_ids[0], "quantity": "1"}
    )
    await shopper.post("/cart/codes", data={"csrf_token": tokens["shopper"], "code": "FUZZ10"})
    login = await owner.post(
        "/admin/login",
        data={"csrf_token": await _csrf(owner, "/admin/login"), "email": owner_account.email, "password": PASSWORD},
    )
    assert login.status_code == 303
    tokens["owner"] = await _csrf(owner, "/admin")
    shop_pages = [
        "/",
        "/c/clothing",
        f"/p/{tee.slug}",
        "/cart",
        "/checkout",
        "/orders/lookup",
        hosted_page,
        links.order_path(settings, declined.number, "en"),
    ]
    admin_pages = [
        "/admin",
        "/admin/products",
        "/admin/products/new",
        f"/admin/products/{tee.id}",
        "/admin/products/import",
        f"/admin/categories/{clothing.id}",
        "/admin/stock",
        f"/admin/stock/{variant_ids[0]}",
        "/admin/promotions",
        "/admin/promotions/new",
        "/admin/shipping",
        "/admin/settings",
        "/admin/staff",
        *[f"/admin/orders/{o.number}" for o in (*staff_orders, paid_by_card)],
    ]
    promotion = await Promotion.get(code="FUZZ10")
    admin_pages.append(f"/admin/promotions/{promotion.id}")
    forms: dict[str, list[Form]] = {}
    candidates = form_routes()
    for who, pages in (("shopper", shop_pages), ("owner", admin_pages), ("visitor", ["/admin/login"])):
        for page in pages:
            response = await clients[who].get(page)
            assert response.status_code == 200, page
            for form in forms_on(response.text, page):
                _keep(forms, form, candidates)
    # The import's second step (apply what the dry run showed) is a form on the dry run's answer.
    exported = (await owner.get("/admin/products/export.csv")).text
    dry_run = await owner.post(
        "/admin/products/import",
        data={"csrf_token": tokens["owner"]},
        files={"file": ("products.csv", exported.encode(), "text/csv")},
    )
    for form in forms_on(dry_run.text):
        _keep(forms, form, candidates)
    shopper_cart = await Cart.all().order_by("-id").first()  # the shopper's, made last
    plausible = {
        "/orders/lookup": {"number": staff_orders[0].number},
        "/admin/promotions": {"code": "NEW20"},
    }  # the cart's code is taken; a new one can be created
    return World(clients, tokens, forms, plausible, shopper_cart.token, variant_ids, exported)


def _keep(forms: dict[str, list[Form]], form: Form, candidates: list[Route]) -> None:
    route = route_of(form.url, candidates)
    if route is None:
        return
    known = forms.setdefault(route.path, [])
    if (urlsplit(form.url).path, sorted(form.fields)) not in [(urlsplit(x.url).path, sorted(x.fields)) for x in known]:
        known.append(form)


@pytest.fixture
async def world(db, settings):
    app = create_app(settings, manage_db=False)
    built = await build_world(app, settings)
    yield built
    for client in built.clients.values():
        await client.aclose()


# --- what is posted ---------------------------------------------------------------------------------

ODD_DIGITS = "²³¹١٢٣߁𝟙①⁴"  # digits to str.isdigit() (some of them), not always to int()
TEMPTING = [
    "price",
    "unit_price",
    "total",
    "subtotal",
    "discount",
    "discount_total",
    "shipping_cost",
    "surcharge",
    "variant_id",
    "product_id",
    "order_id",
    "status",
    "role",
    "active",
    "stock",
    "used_count",
    "id",
    "refunded_total",
    "staff_id",
    "next",
]
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"

texts = st.one_of(
    st.text(max_size=30),  # any code point but surrogates: control characters, RTL marks, emoji...
    st.sampled_from(
        [
            "",
            " ",
            "\r\n",
            "\x00",
            "null",
            "None",
            '\'; DROP TABLE "order"; --',
            "%' OR 1=1 --",
            "<script>alert(1)</script>",
            "../../etc/passwd",
            "{{ 7*7 }}",
            "\u202e",
            "ｆｕｌｌ",
        ]
    ),
    st.builds(
        lambda c, n: c * n, st.sampled_from(["x", "é", "9", "\x00", "<"]), st.sampled_from([255, 4_400, 60_000])
    ),  # past column sizes, int()'s 4,300 digits, a page
)
numbers = st.one_of(
    st.integers(-(10**31), 10**31).map(str),
    st.floats().map(str),  # nan, inf, -0.0, 1e+308
    st.sampled_from(["0", "-0", "00", "+1", "1e3", "0x10", "1_000", "1,5", "2.5", " 7 ", "−3", "9" * 30, "9" * 5000]),
    st.text(alphabet="0123456789" + ODD_DIGITS, min_size=1, max_size=4),  # twice: what broke most forms
    st.text(alphabet="0123456789" + ODD_DIGITS, min_size=1, max_size=4),
    st.text(alphabet="0123456789-+.,eE_ \u00a0€" + ODD_DIGITS, max_size=12),
)


def values_for(f: Field, world: World, plausible: dict[str, str]) -> st.SearchStrategy[str]:
    real = f.sent or plausible.get(f.name, "")
    choices = [str(v) for v in world.variant_ids] if f.name == "variant_id" else []
    known = st.sampled_from([real, *f.choices, *choices])
    spliced = st.tuples(st.integers(0, len(real)), texts).map(lambda p: real[: p[0]] + p[1] + real[p[0] :])
    numeric = bool(re.fullmatch(r"[\d.,]+", real))  # a number field: mostly numbers, then anything
    hostile = st.one_of(
        known, texts, spliced, *[numbers] * (4 if numeric else 1), *[csv_edits(world)] * (f.name == "content")
    )
    return st.one_of(known, hostile)


def edited_csv(text: str, column: str | int, value: str, row: int = 1, whole_product: bool = False) -> str:
    """A catalogue CSV with one cell set (or that column in every row of the row's product, which must agree)."""
    rows = list(csv.reader(io.StringIO(text)))
    at, slug = column if isinstance(column, int) else rows[0].index(column), rows[0].index("product_slug")
    for n, cells in enumerate(rows[1:], start=1):
        if n == row or whole_product and cells[slug] == rows[row][slug]:
            cells[at] = value
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue()


def csv_edits(world: World) -> st.SearchStrategy[str]:
    """The exported catalogue with one cell changed: what an import is most likely to be sent."""
    rows = list(csv.reader(io.StringIO(world.csv)))
    cells = st.tuples(st.integers(0, len(rows[0]) - 1), st.one_of(texts, numbers), st.integers(1, len(rows) - 1))
    return cells.map(lambda cell: edited_csv(world.csv, *cell))


def uploads(world: World) -> st.SearchStrategy:
    contents = st.one_of(
        st.binary(max_size=64),
        st.just(PNG),
        st.binary(max_size=64).map(lambda b: PNG + b),
        st.just(b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>"),
        st.just(world.csv.encode()),
        csv_edits(world).map(str.encode),
        csv_edits(world).map(str.encode),
        st.just("é".encode("latin-1")),
    )
    names = st.sampled_from(["a.png", "../../../etc/passwd", "products.csv", "", "ü.svg", "a.png\x00.txt"])
    return st.tuples(names, contents, st.sampled_from(["image/png", "text/csv", "application/octet-stream"]))


@dataclass
class Post:
    url: str
    data: dict[str, str | list[str]]
    files: dict[str, tuple] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)


def as_sent(f: Field, data: st.DataObject, plausible: dict[str, str]) -> str | None:
    """What a browser sends for the field once filled in: a button pressed sends its own value."""
    if f.kind == "submit" and f.choices:
        return data.draw(st.sampled_from([None, *f.choices]))
    if f.kind == "select" and not f.sent and any(f.choices):  # "Choose one" still showing: choose one
        return data.draw(st.sampled_from([c for c in f.choices if c]))
    return f.sent or plausible.get(f.name, f.sent)  # what the shopper or staff would have typed or ticked


def draw_post(data: st.DataObject, world: World, route: str, form: Form) -> Post:
    """The form as a browser would send it, then (mostly) made worse: one field off, or every field at
    the fuzzer's mercy (left out, doubled, hostile), with price-like fields added; by htmx or not."""
    post, token = Post(form.url, {}), world.tokens[_client_of(route)]
    plausible = {**PLAUSIBLE, **world.plausible.get(route, {})}
    mode = data.draw(st.sampled_from(["as_sent", "one_off", "wild", "wild"]))
    off = data.draw(st.sampled_from(sorted(form.fields))) if mode == "one_off" else None
    for spec in form.fields.values():
        if spec.name == "csrf_token":
            continue
        how = (
            "keep"
            if mode == "as_sent" or (mode == "one_off" and spec.name != off)
            else data.draw(st.sampled_from(["keep", "fuzz", "fuzz", "omit", "twice"]))
        )
        if how == "omit":
            continue
        if spec.kind == "file" and how != "fuzz":
            post.files[spec.name] = data.draw(uploads(world))
            continue
        value = as_sent(spec, data, plausible) if how == "keep" else data.draw(values_for(spec, world, plausible))
        if value is not None:
            post.data[spec.name] = [value, data.draw(values_for(spec, world, plausible))] if how == "twice" else value
    if mode == "wild":
        for name, value in data.draw(st.lists(st.tuples(st.sampled_from(TEMPTING), numbers), max_size=2)):
            post.data.setdefault(name, value)
    post.data["csrf_token"] = token
    if data.draw(st.booleans()):
        post.headers = {
            "HX-Request": "true",
            "X-CSRF-Token": token,
            "HX-Target": data.draw(
                st.sampled_from([form.target or "x", form.target or "x", "add-to-cart", "variant-stock", "<bad>"])
            ),
            "HX-Trigger-Name": data.draw(st.sampled_from([*form.fields, "", "nope"])),
        }
        if data.draw(st.booleans()):
            post.headers["HX-Boosted"] = "true"
    return post


# --- what must hold -----------------------------------------------------------------------------------


def tables(db) -> list[str]:
    names = set()
    for models in db.apps.values():
        for model in models.values():
            names.add(model._meta.db_table)
            names.update(model._meta.fields_map[m2m].through for m2m in model._meta.m2m_fields)
    return sorted(names)


def postgres_refuses(value) -> bool:
    """What SQLite stores but PostgreSQL refuses: a NUL in text, a number past its 32-bit integer columns."""
    if isinstance(value, str):
        return "\x00" in value
    return isinstance(value, int) and not isinstance(value, bool) and not -(2**31) <= value < 2**31


async def snapshot(names: list[str]) -> tuple[dict[str, list[str]], list[str]]:
    """Every row of every table (a refused request must leave all of it as it was), and the tables holding
    a value PostgreSQL would have refused (the suite runs on both: on SQLite that must not get stored either)."""
    conn = connection()
    rows = {name: await conn.execute_query_dict(f'SELECT * FROM "{name}"') for name in names}
    refused = [name for name, found in rows.items() if any(postgres_refuses(v) for row in found for v in row.values())]
    return {name: sorted(map(repr, found)) for name, found in rows.items()}, refused


# A refused guess (an unknown code, a wrong password) is counted against its rate limit: that row is the
# point of the refusal, not a half write.
COUNTED_WHEN_REFUSED = {"rate_limit_count"}


def changed(before: dict, after: dict) -> dict[str, list[str]]:
    return {
        t: sorted(set(after[t]) ^ set(before[t]))[:4]
        for t in before
        if before[t] != after[t] and t not in COUNTED_WHEN_REFUSED
    }


async def books_are_straight() -> None:
    """After an accepted request: the ledger sums to on-hand, no stock below zero, every order has lines
    that add up to its subtotal, and its total is what its parts say."""
    rows = await connection().execute_query_dict(
        'SELECT v.id, v.stock, COALESCE((SELECT SUM(m.delta) FROM "stock_movement" m WHERE m.variant_id = v.id), 0)'
        ' AS ledger FROM "variant" v'
    )
    assert [r for r in rows if r["stock"] != r["ledger"] or r["stock"] < 0] == []
    orders = await connection().execute_query_dict(
        "SELECT o.number, o.status, o.payment_method,"
        " o.subtotal, o.discount_total, o.shipping_cost, o.surcharge, o.total,"
        ' (SELECT COUNT(*) FROM "order_line" l WHERE l.order_id = o.id) AS lines,'
        ' (SELECT SUM(l.unit_price * l.quantity) FROM "order_line" l WHERE l.order_id = o.id) AS goods,'
        ' (SELECT COUNT(*) FROM "order_event" e WHERE e.order_id = o.id) AS events,'
        ' (SELECT COUNT(*) FROM "outbox_email" m WHERE m.order_id = o.id) AS emails'
        ' FROM "order" o'
    )
    for o in orders:
        assert o["lines"] > 0 and o["goods"] == o["subtotal"] and o["events"] > 0, o
        # An order is confirmed by email once it goes ahead; a card order only once it is paid.
        unpaid_card = o["payment_method"] == "card" and o["status"] in ("pending_payment", "cancelled")
        assert o["emails"] > 0 or unpaid_card, o
        assert o["total"] == o["subtotal"] - o["discount_total"] + o["shipping_cost"] + o["surcharge"], o


async def ready_to_shop(world: World) -> None:
    """Between requests, so that checkout and cart forms have something to work on: a line in the
    shopper's cart and stock to sell (through the ledger, as the shop itself would)."""
    for variant_id in await Variant.filter(id__in=world.variant_ids, stock__lt=5).values_list("id", flat=True):
        await stock.adjust(variant_id, 20, stock.Reason.RECEIVED, "fuzz restock")
    if not await Cart.filter(token=world.cart_token, lines__id__isnull=False).exists():
        await cart.add(world.cart_token, world.variant_ids[0], 1)


async def post_and_check(world: World, names: list[str], route: str, post: Post) -> httpx.Response:
    client = world.clients[_client_of(route)]
    before, _ = await snapshot(names)
    sent = _short(post)
    try:
        response = await client.post(post.url, data=post.data, files=post.files or None, headers=post.headers)
    except Exception as exc:  # the app raised: a 500 for a real client
        raise AssertionError(f"{route} raised {repr(exc)[:300]} for {sent}") from exc
    assert response.status_code < 500, f"{route} answered {response.status_code} to {sent}"
    # Every post carries its session's token and the owner may do everything: a 403 would mean the fuzzer
    # lost its session and tested nothing past the CSRF check.
    assert response.status_code != 403, f"{route} answered 403 to {sent}"
    after, not_for_postgres = await snapshot(names)
    if any("\x00" in text for text in _texts(post)):
        assert response.status_code == 400, f"{route} let a NUL through ({response.status_code}): {sent}"
    assert not_for_postgres == [], f"{route} stored in {not_for_postgres} what PostgreSQL refuses: {sent}"
    if 400 <= response.status_code < 500:
        assert changed(before, after) == {}, f"{route} refused ({response.status_code}) yet wrote, for {sent}"
    else:
        try:
            await books_are_straight()
        except AssertionError as wrong:
            raise AssertionError(f"{route} accepted ({response.status_code}) {sent}, and then: {wrong}") from wrong
    return response


def _texts(post: Post) -> list[str]:
    return [t for name, value in post.data.items() for t in (name, *(value if isinstance(value, list) else [value]))]


def _short(post: Post) -> str:
    """What was posted, with long values cut, for the failure message."""
    cut = lambda v: f"{v[:40]!r}...({len(v)} chars)" if len(v) > 60 else repr(v)  # noqa: E731
    data = {
        k: [cut(x) for x in v] if isinstance(v, list) else cut(v) for k, v in post.data.items() if k != "csrf_token"
    }
    files = {k: (name, f"{len(content)} bytes {content[:20]!r}") for k, (name, content, _) in post.files.items()}
    return f"POST {post.url} data={data} files={files} headers={post.headers}"


def _client_of(route: str) -> str:
    if route in ("/admin/login", "/admin/logout"):
        return "visitor"
    return "owner" if route.startswith("/admin") else "shopper"


# --- running the fuzzer ----------------------------------------------------------------------------------

# The examples share one shop whose state they change (building a shop with a logged-in owner per example
# would cost seconds), so hypothesis must not replay or shrink a failing example: it would meet another
# shop. Hypothesis draws what to post, in a thread of its own; the posts run on the test's event loop; a
# failure is kept with the route and what was posted (the first per route), and the test fails at the end.
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


async def _run(world: World, names: list[str], plan: list[tuple[str, Post]], outcomes: Counter) -> dict[str, str]:
    failures = {}
    for route, post in plan:
        if not route.startswith("/admin"):
            await ready_to_shop(world)
        if _client_of(route) == "visitor":  # a logout ends the session, and its token with it
            post.data["csrf_token"] = await _csrf(world.clients["visitor"], "/admin/login")
            post.headers = {**post.headers, **({"X-CSRF-Token": post.data["csrf_token"]} if post.headers else {})}
        try:
            answer = await post_and_check(world, names, route, post)
            outcomes["refused" if 400 <= answer.status_code < 500 else "accepted"] += 1
        except AssertionError as failure:
            failures[route] = str(failure)
    return failures


ENDINGS = ("/cancel", "/refund", "/delete", "/logout")


async def afresh(world: World, route: str, forms: list[Form]) -> list[Form]:
    """The forms as their pages show them now (the order's status, the cart, a new checkout attempt)."""
    fresh = []
    for form in forms:
        page = await world.clients[_client_of(route)].get(form.page) if form.page else None
        now = (
            [
                f
                for f in forms_on(page.text, form.page)
                if urlsplit(f.url).path == urlsplit(form.url).path and sorted(f.fields) == sorted(form.fields)
            ]
            if page is not None and page.status_code == 200
            else []
        )
        fresh.append(now[0] if now else form)  # gone from its page (an order moved on): post it as it was
    return fresh


async def fuzz(world: World, names: list[str], admin: bool) -> Counter:
    """EXAMPLES posts to every form of the shop (or of the back office); fails with every route that
    answered 5xx or wrote half. Counts the posts accepted and refused."""
    loop = asyncio.get_running_loop()
    failures: dict[str, str] = {}
    outcomes: Counter = Counter()
    routes_here = [(route, forms) for route, forms in world.forms.items() if route.startswith("/admin") == admin]

    def fuzz_one(route: str, forms: list[Form]) -> None:
        @FUZZ
        @given(data=st.data())
        def example(data):
            post = draw_post(data, world, route, data.draw(st.sampled_from(forms)))
            found = asyncio.run_coroutine_threadsafe(_run(world, names, [(route, post)], outcomes), loop).result()
            for route_, failure in found.items():
                failures.setdefault(route_, failure)

        example()

    # Route by route (hypothesis varies one form's posts far more than a long plan of posts to them all),
    # each form as its page shows it now, and what ends things (cancel, refund, delete, log out) last.
    for route, forms in sorted(routes_here, key=lambda r: r[0].endswith(ENDINGS)):
        await asyncio.to_thread(fuzz_one, route, await afresh(world, route, forms))
    assert not failures, "\n".join(failures.values())
    assert sum(outcomes.values()) == EXAMPLES * len(routes_here)
    return outcomes


@pytest.fixture
async def names(db) -> list[str]:
    return tables(db)


# --- the tests ------------------------------------------------------------------------------------------


def test_there_are_forms_to_fuzz():
    assert len(form_routes()) > 30


async def test_every_form_route_is_found_on_a_page(world):
    missing = [r.path for r in form_routes() if r.path not in world.forms]
    assert not missing, f"no page posts a form to {missing}: add the page that holds it to build_world"


async def test_shop_forms_never_fail_and_never_half_write(world, names):
    outcomes = await fuzz(world, names, admin=False)
    assert outcomes["accepted"] and outcomes["refused"]  # the fuzzing reached both sides of the forms


async def test_back_office_forms_never_fail_and_never_half_write(world, names):
    outcomes = await fuzz(world, names, admin=True)
    assert outcomes["accepted"] and outcomes["refused"]


# What the fuzzer found (each a server error before its fix), posted again as it was found: the route, the
# fields that broke it (the others as the page has them) and the answer expected now. "csv:column=value" is
# the exported catalogue with that cell of its first row changed.
LONG = "<" * 255
FOUND = [
    ("/checkout/validate", {}, {}, 400),  # no HX-Trigger-Name: the field partial had no field to show
    ("/cart/items", {"quantity": "¹"}, {}, 422),  # "¹".isdigit() but int("¹") raises
    ("/cart/items", {"variant_id": "¹", "quantity": "1"}, {}, 303),
    ("/cart/items", {"variant_id": str(10**30), "quantity": "1"}, {}, 303),  # overflowed the id column
    ("/cart/lines/{variant_id:id}", {"quantity": "9" * 5000}, {}, 422),  # past int()'s 4,300 digits
    ("/cart/codes", {"code": "x" * 60}, {}, 422),  # longer than any code: the ORM refused to look it up
    ("/checkout/options", {"email": "anna@exampl" + LONG + ".it"}, {"HX-Request": "true"}, 200),  # past 254
    ("/admin/promotions", {"products": LONG}, {}, 422),  # a SKU longer than the column
    ("/admin/promotions/{promotion_id:id}", {"category_ids": "²"}, {}, 422),
    ("/admin/products/new", {"category_id": "²"}, {}, 422),
    ("/admin/products/{product_id:id}/variants", {"weight_grams": "①"}, {}, 422),
    ("/admin/products/{product_id:id}/variants/{variant_id:id}", {"option-size": "²"}, {}, 303),
    ("/admin/products/import", {"action": "apply", "content": "csv:sku=" + LONG}, {}, 422),
    ("/admin/products/import", {"action": "apply", "content": "csv:weight_grams=²"}, {}, 422),
]


async def test_what_the_fuzzer_found_stays_fixed(world, names):
    wrong = []
    for route, fields, headers, status in FOUND:
        form, who = world.forms[route][0], _client_of(route)
        data = {f.name: f.sent or PLAUSIBLE.get(f.name, "") for f in form.fields.values() if f.kind != "file"}
        for name, value in fields.items():
            data[name] = edited_csv(world.csv, *value[4:].split("=", 1)) if value.startswith("csv:") else value
        post = Post(
            form.url,
            {**data, "csrf_token": world.tokens[who]},
            headers={**headers, **({"X-CSRF-Token": world.tokens[who]} if headers else {})},
        )
        await ready_to_shop(world)
        try:
            answer = (await post_and_check(world, names, route, post)).status_code
        except AssertionError as failure:
            answer = str(failure)[:200]
        if answer != status:
            wrong.append(f"{route} {sorted(fields)}: {answer}, not {status}")
    assert not wrong, "\n".join(wrong)


# Cells an import stored (or crashed on) that the product forms refuse: a NUL (a file is no form, whose text
# the CSRF middleware checks for NULs), a "was" price past an integer column, a name past its column.
@pytest.mark.parametrize(
    "column, value",
    [("product_name", "Maglietta\x00"), ("compare_at_price", "99999999.99"), ("product_name", "N" * 161)],
)
async def test_an_import_is_refused_what_the_forms_refuse(world, names, column, value):
    content = edited_csv(world.csv, column, value, whole_product=True)
    post = Post(
        "/admin/products/import",
        {"action": "apply", "csrf_token": world.tokens["owner"]},
        files={"file": ("products.csv", content.encode(), "text/csv")},
    )
    assert (await post_and_check(world, names, "/admin/products/import", post)).status_code == 422
