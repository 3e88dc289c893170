"""Bodies no browser sends (a multipart body without its boundary, more than 1,000 fields, a field past
1 MiB, a body past the size limit) get a 400 or 413 error page on every unsafe route, before any login or
CSRF token; every error page, the 500 too, carries the security headers; and a form is parsed once per
request, by the CSRF middleware, for the route to read."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import httpx2 as httpx
import pytest
from starlette.formparsers import FormParser, MultiPartParser
from starlette.routing import Route

from storefront.app import create_app, routes
from storefront.domain.models import Variant
from storefront.security import SAFE_METHODS, SECURITY_HEADERS
from storefront.settings import Settings
from tests.unit import factories as f

SAMPLE = {"id": "1", "str": "BT-AAAAAA", "slug": "x", "order_number": "BT-AAAAAA", "path": "x"}
EXEMPT = ("/payments/webhook/",)  # the provider's servers post a signed raw body there, not a form
BOUNDARY = "sf-boundary"
STOREFRONT = Path(__file__).resolve().parents[2] / "storefront"


def unsafe_routes():
    for route in routes(Settings(secret_key="x")):
        if isinstance(route, Route) and not route.path.startswith(EXEMPT):
            for method in sorted((route.methods or set()) - SAFE_METHODS):
                yield method, re.sub(r"{(\w+)(?::(\w+))?}", lambda m: SAMPLE[m.group(2) or "str"], route.path)


def multipart(fields: list[tuple[str, str]]) -> bytes:
    parts = [f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n' for k, v in fields]
    return ("".join(parts) + f"--{BOUNDARY}--\r\n").encode()


URLENCODED = {"Content-Type": "application/x-www-form-urlencoded"}
MULTIPART = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
MALFORMED = {
    "multipart without a boundary": ({"Content-Type": "multipart/form-data"}, b"x", 400),
    "1,001 fields": (URLENCODED, "&".join(f"f{i}=1" for i in range(1001)).encode(), 400),
    "1,001 multipart fields": (MULTIPART, multipart([(f"f{i}", "1") for i in range(1001)]), 400),
    "a field past 1 MiB": (URLENCODED, b"note=" + b"x" * (1024 * 1024 + 1), 400),
    "a multipart field past 1 MiB": (MULTIPART, multipart([("note", "x" * (1024 * 1024 + 1))]), 400),
    "a body past max_body_size": (URLENCODED, b"note=" + b"x" * (2 * 1024 * 1024), 413),
}


@pytest.fixture
async def app(db, settings):
    return create_app(settings, manage_db=False)


@pytest.fixture
async def client(app):
    # A server error must come back as the 500 page a browser would get, not as an exception here.
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="https://shop.test") as client:
        yield client


def assert_error_page(response: httpx.Response, status: int, where) -> None:
    assert response.status_code == status, (where, response.status_code, response.text[:200])
    for name, value in SECURITY_HEADERS.items():
        assert response.headers.get(name) == value, (where, name)


@pytest.mark.parametrize("what", MALFORMED)
async def test_a_body_no_browser_sends_gets_an_error_page_on_every_unsafe_route(client, what):
    headers, body, status = MALFORMED[what]
    for method, path in unsafe_routes():  # no session, no token, no login
        response = await client.request(method, path, content=body, headers=headers)
        assert_error_page(response, status, (what, method, path))
        if status == 400:  # a page of the shop; a declared size past the limit gets Starlette's own 413
            assert "<html" in response.text and "We could not read what was sent" in response.text, (method, path)


async def test_a_body_past_the_limit_found_while_reading_gets_the_413_page(client):
    """Without a Content-Length (chunked), the size shows only while the middleware reads the form."""

    async def chunks():  # fields under 1 MiB each, so that the body's size is what is refused
        for name in "abc":
            yield f"&{name}=".encode() + b"x" * (900 * 1024)

    response = await client.post("/orders/lookup", content=chunks(), headers=URLENCODED)
    assert_error_page(response, 413, "chunked")
    assert "That was too large to send" in response.text


async def test_the_500_page_carries_the_security_headers(app, client):
    async def broken(request):
        raise RuntimeError("a bug")

    app.router.routes.insert(0, Route("/broken", broken))
    response = await client.get("/broken")
    assert_error_page(response, 500, "/broken")
    assert "Something went wrong on our side" in response.text


async def test_a_nul_in_a_form_gets_the_400_page(client):
    page = await client.get("/orders/lookup")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    response = await client.post("/orders/lookup", data={"csrf_token": token, "number": "BT-\x00", "email": "a@b.it"})
    assert_error_page(response, 400, "NUL")
    assert "We could not read what was sent" in response.text


async def test_a_form_is_parsed_once_and_the_route_reads_that_one(client, monkeypatch):
    tee = await f.product("Tee", await f.category("Clothing"), [{"price": 1000, "stock": 9}])
    variant = await Variant.get(product_id=tee.id)
    page = await client.get("/cart")
    token = re.search(r'"X-CSRF-Token": "([^"]+)"', page.text).group(1)
    parsed = []
    for parser in (FormParser, MultiPartParser):
        monkeypatch.setattr(parser, "parse", counted(parser.parse, parsed))
    # A route parsing the body again would wait for a body already read: give up rather than hang.
    plain = await asyncio.wait_for(
        client.post("/cart/items", data={"csrf_token": token, "variant_id": variant.id, "quantity": "1"}), 10
    )
    assert plain.status_code == 303 and len(parsed) == 1
    with_file = await asyncio.wait_for(
        client.post(
            "/cart/items",
            data={"csrf_token": token, "variant_id": variant.id, "quantity": "2"},
            files={"ignored": ("a.txt", b"a file", "text/plain")},
        ),
        10,
    )
    assert with_file.status_code == 303 and len(parsed) == 2
    assert "3 items" in (await client.get("/cart")).text  # the route read both forms


def counted(parse, calls: list):
    async def parse_and_count(self):
        calls.append(type(self).__name__)
        return await parse(self)

    return parse_and_count


def test_routes_read_the_form_the_middleware_parsed():
    """Starlette's request.form() in a route would parse the body again (and find it already read)."""
    calls = [
        str(p.relative_to(STOREFRONT))
        for p in STOREFRONT.rglob("*.py")
        if "request.form(" in p.read_text() and p.name != "forms.py"
    ]
    assert calls == [], "read forms with storefront.forms.read(request)"
