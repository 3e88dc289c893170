"""The back office's door: staff only, logins limited, a fresh session, never cached or indexed."""

from __future__ import annotations

import asyncio
import base64
import html
import json
import re
import subprocess
import sys
import threading
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from storefront.domain.forms import FieldErrors
from storefront.domain.models import StaffRole, Variant
from storefront.domain.staff import accounts
from tests.unit import factories as f

PASSWORD = "correct horse battery"


@pytest.fixture
async def owner(db):
    return await accounts.create("Owner@Bottega.example", PASSWORD, StaffRole.OWNER)


async def csrf(client, url="/admin/login") -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', (await client.get(url)).text).group(1)


async def log_in(client, email="owner@bottega.example", password=PASSWORD):
    return await client.post(
        "/admin/login", data={"csrf_token": await csrf(client), "email": email, "password": password, "next": "/admin"}
    )


def test_passwords_are_hashed_with_scrypt_and_salted():
    first, second = accounts.hash_password("secret-123"), accounts.hash_password("secret-123")
    assert first.startswith("scrypt$") and first != second and "secret-123" not in first
    assert accounts.check_password("secret-123", first) and not accounts.check_password("secret-124", first)
    assert not accounts.check_password("x", "garbage")


async def test_hashing_and_checking_passwords_leave_the_event_loop_free(db, monkeypatch):
    """scrypt takes ~50 ms: on the event loop, the worker would answer nobody else meanwhile. Each hash here
    finishes only once another coroutine has had a turn on the loop while it ran, which a hash computed on
    the loop itself can never see (it times out instead)."""
    hashing, loop_turned = threading.Event(), threading.Event()

    def needing_a_loop_turn(real):
        def hash_or_check(*args):
            hashing.set()
            assert loop_turned.wait(timeout=3), "the event loop stood still while scrypt ran"
            return real(*args)

        return hash_or_check

    async def other_request():
        while not hashing.is_set():
            await asyncio.sleep(0.001)
        loop_turned.set()

    monkeypatch.setattr(accounts, "hash_password", needing_a_loop_turn(accounts.hash_password))
    monkeypatch.setattr(accounts, "check_password", needing_a_loop_turn(accounts.check_password))
    for work in (
        lambda: accounts.create("anna@bottega.example", PASSWORD),
        lambda: accounts.authenticate("anna@bottega.example", PASSWORD),
        lambda: accounts.authenticate("anna@bottega.example", "wrong password"),
        lambda: accounts.authenticate("nobody@bottega.example", PASSWORD),
    ):
        hashing.clear(), loop_turned.clear()
        other = asyncio.create_task(other_request())
        await work()
        await other
    assert await accounts.authenticate("anna@bottega.example", PASSWORD) is not None


def test_importing_the_staff_module_runs_no_scrypt():
    """Every worker imports it at start; the unknown-email stand-in hash must cost nothing to make."""
    script = (
        "import hashlib\n"
        "def refuse(*a, **k): raise SystemExit('scrypt ran at import')\n"
        "hashlib.scrypt = refuse\n"
        "from storefront.domain.staff import accounts as staff\n"
        "assert staff._DUMMY_HASH.startswith(f'scrypt${staff.SCRYPT_N}${staff.SCRYPT_R}${staff.SCRYPT_P}$')\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


async def test_weak_or_duplicate_accounts_are_refused(owner):
    with pytest.raises(FieldErrors) as refused:
        await accounts.create("owner@bottega.example", "short", "owner")
    assert refused.value.errors == {"email": "taken", "password": "too_short"}


async def test_anonymous_and_shoppers_are_sent_to_the_login(client, owner):
    response = await client.get("/admin")
    assert response.status_code == 303 and response.headers["location"] == "/admin/login?next=/admin"
    assert response.headers["cache-control"] == "no-store"


async def test_the_login_returns_to_the_asked_path_with_its_whole_query(client, owner):
    """A query holding & and # (typed into a search box) stays the one `next` value, not extra parameters."""
    asked = "/admin/stock?q=" + quote("tee & mug #2", safe="") + "&show=low"
    response = await client.get(asked)
    location = response.headers["location"]
    assert response.status_code == 303 and location.startswith("/admin/login?next=")
    assert parse_qs(urlsplit(location).query) == {"next": [asked]}
    login = await client.get(location)
    token = re.search(r'name="csrf_token" value="([^"]+)"', login.text).group(1)
    typed_next = html.unescape(re.search(r'name="next" value="([^"]*)"', login.text).group(1))
    assert typed_next == asked
    data = {"csrf_token": token, "email": "owner@bottega.example", "password": PASSWORD, "next": typed_next}
    logged_in = await client.post("/admin/login", data=data)
    assert logged_in.status_code == 303 and logged_in.headers["location"] == asked


def session_keys(client) -> set[str]:
    """What the signed session cookie holds (its payload is base64 JSON before the signature)."""
    payload = client.cookies.get("sf_session").split(".")[0]
    return set(json.loads(base64.b64decode(payload + "=" * (-len(payload) % 4))))


async def test_login_renews_the_session_and_opens_the_back_office(client, owner):
    # A shopper session first, with a cart in it.
    tee = await f.product("Maglietta", await f.category("Clothing"), [{"price": 3500, "stock": 5}])
    before = await csrf(client)
    await client.post(
        "/cart/items",
        data={"csrf_token": before, "variant_id": (await Variant.get(product_id=tee.id)).id, "quantity": "1"},
    )
    assert "cart" in session_keys(client)
    response = await log_in(client)
    assert response.status_code == 303 and response.headers["location"] == "/admin"
    page = await client.get("/admin")
    assert page.status_code == 200 and "Dashboard" in page.text and "owner@bottega.example" in page.text
    assert page.headers["cache-control"] == "no-store" and "noindex" in page.headers["x-robots-tag"]
    # Nothing from the shopper session carries over: not its state, not its CSRF token.
    assert session_keys(client) == {"staff_session", "csrf"}
    assert (await client.post("/admin/logout", data={"csrf_token": before})).status_code == 403
    await client.post("/admin/logout", data={"csrf_token": await csrf(client, "/admin")})
    assert (await client.get("/admin")).status_code == 303


async def test_wrong_passwords_are_refused_and_then_limited(client, owner):
    for _ in range(5):
        response = await log_in(client, password="wrong password")
        assert response.status_code == 422 and "don't match" in response.text
    blocked = await log_in(client)  # even the right password waits now
    assert blocked.status_code == 429 and "Too many failed attempts" in blocked.text
    unknown = await log_in(client, email="nobody@bottega.example", password="whatever it is")
    assert unknown.status_code == 422  # same answer as a wrong password


async def test_login_needs_the_csrf_token(client, owner):
    response = await client.post("/admin/login", data={"email": "owner@bottega.example", "password": PASSWORD})
    assert response.status_code == 403


async def test_a_copied_staff_cookie_opens_nothing_after_logout(client, owner, settings):
    await log_in(client)
    copied = client.cookies.get("sf_session")
    await client.post("/admin/logout", data={"csrf_token": await csrf(client, "/admin")})
    client.cookies.set("sf_session", copied)  # the cookie as it was before logging out
    assert (await client.get("/admin")).status_code == 303


async def test_log_out_everywhere_and_switching_an_account_off_end_every_session(client, owner, settings):
    import httpx2 as httpx

    from storefront.app import create_app

    clerk = await accounts.create("clerk@bottega.example", PASSWORD, StaffRole.STAFF)

    async def browser():
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=create_app(settings, manage_db=False)), base_url="https://shop.test"
        )

    async with await browser() as phone, await browser() as clerks:
        await log_in(client)
        await log_in(phone)
        await log_in(clerks, "clerk@bottega.example")
        assert (await phone.get("/admin")).status_code == 200
        await client.post("/admin/logout", data={"csrf_token": await csrf(client, "/admin"), "everywhere": "1"})
        assert (await phone.get("/admin")).status_code == 303  # the phone was logged out too
        assert (await clerks.get("/admin")).status_code == 200  # another account is not
        await accounts.change_account(owner, clerk.id, active=False)
        assert (await clerks.get("/admin")).status_code == 303
        await accounts.change_account(owner, clerk.id, active=True)  # back on: a new login, not the old cookie
        assert (await clerks.get("/admin")).status_code == 303


async def test_an_unknown_email_costs_one_scrypt_like_a_wrong_password(owner, monkeypatch):
    """Otherwise the answer's speed would tell which emails have an account."""
    import hashlib

    runs = []
    real = hashlib.scrypt
    monkeypatch.setattr(hashlib, "scrypt", lambda *a, **k: runs.append(1) or real(*a, **k))
    assert await accounts.authenticate("nobody@bottega.example", PASSWORD) is None
    assert await accounts.authenticate("owner@bottega.example", "a wrong password") is None
    assert len(runs) == 2
