"""Guessing limits kept in the database: they hold across worker processes (two app instances sharing one
database stand in for two workers), under concurrency, and whatever the shopper's cookie says."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta

import httpx2 as httpx
import pytest

from storefront.app import create_app
from storefront.domain import rate_limits
from storefront.domain.models import RateLimitCount, StaffRole, Variant
from storefront.domain.rate_limits import Limit
from storefront.domain.staff import accounts
from tests.unit import factories as f

T0 = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
THREE = Limit("test_three", 3, timedelta(minutes=10))
PASSWORD = "correct horse battery"


# --- the mechanism ------------------------------------------------------------------------------------


async def counted() -> int:
    return sum(await RateLimitCount.all().values_list("n", flat=True))


async def test_attempts_past_the_limit_are_refused_until_the_window_moves_on(db):
    for minute in range(3):
        await rate_limits.attempt((THREE, "a"), now=T0 + timedelta(minutes=minute))
    with pytest.raises(rate_limits.TooMany) as refused:
        await rate_limits.attempt((THREE, "a"), now=T0 + timedelta(minutes=5))
    assert await counted() == 3  # the refused attempt counted nothing
    await rate_limits.attempt((THREE, "b"), now=T0 + timedelta(minutes=5))  # another key is its own
    # The next window begins with two thirds of this one's three still counting: one more fits a third in.
    assert refused.value.retry_after == timedelta(minutes=8, seconds=20)
    with pytest.raises(rate_limits.TooMany):
        await rate_limits.attempt((THREE, "a"), now=T0 + timedelta(minutes=13))
    await rate_limits.attempt((THREE, "a"), now=T0 + timedelta(minutes=13, seconds=20))


async def test_twice_the_limit_never_passes_around_a_windows_edge(db):
    for second in range(3):
        await rate_limits.attempt((THREE, "edge"), now=T0 - timedelta(seconds=10 - second))
    with pytest.raises(rate_limits.TooMany):
        await rate_limits.attempt((THREE, "edge"), now=T0 + timedelta(seconds=1))


async def test_a_forgiven_attempt_does_not_count_and_old_windows_are_pruned(db):
    for _ in range(5):
        await rate_limits.forgive(await rate_limits.attempt((THREE, "a"), now=T0))
    await rate_limits.attempt((THREE, "a"), (THREE, None), now=T0)  # None: nothing to count by (no cart yet)
    assert await counted() == 1
    assert await rate_limits.prune(now=T0 + timedelta(hours=1)) == 0  # still the previous window of an hour's limit
    assert await rate_limits.prune(now=T0 + timedelta(hours=3)) == 1
    assert await RateLimitCount.all().count() == 0


async def test_concurrent_attempts_never_get_past_the_limit(db):
    """A count-then-write lets a burst through (every request counts before any writes); written
    first and counted after, exactly `most` pass."""

    async def one():
        try:
            await rate_limits.attempt((THREE, "burst"), now=T0)
            return True
        except rate_limits.TooMany:
            return False

    passed = await asyncio.gather(*(one() for _ in range(20)))
    assert sum(passed) == 3


async def test_one_limit_used_up_refuses_the_attempt_under_every_key(db):
    for _ in range(3):
        await rate_limits.attempt((THREE, "pair"), now=T0)
    with pytest.raises(rate_limits.TooMany):
        await rate_limits.attempt((THREE, "pair"), (rate_limits.LOGIN_ADDRESS, "10.0.0.1"), now=T0)
    assert await RateLimitCount.filter(key__startswith="login_address:", n__gt=0).count() == 0


# --- over HTTP, across workers ------------------------------------------------------------------------


@pytest.fixture
def apps(db, settings):
    """Two app instances on one database: two worker processes, each with its own memory."""
    return create_app(settings, manage_db=False), create_app(settings, manage_db=False)


def client_of(app, address: str = "203.0.113.7") -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=(address, 40000)), base_url="https://shop.test"
    )


async def csrf(client, url: str) -> str:
    page = (await client.get(url)).text
    found = re.search(r'name="csrf_token" value="([^"]+)"|"X-CSRF-Token": "([^"]+)"', page)
    return found.group(1) or found.group(2)


@pytest.fixture
async def owner(db):
    return await accounts.create("owner@bottega.example", PASSWORD, StaffRole.OWNER)


async def log_in(client, password: str, email: str = "owner@bottega.example"):
    return await client.post(
        "/admin/login",
        data={"csrf_token": await csrf(client, "/admin/login"), "email": email, "password": password, "next": "/admin"},
    )


async def test_wrong_passwords_are_limited_across_workers(apps, owner):
    one, two = client_of(apps[0]), client_of(apps[1])
    for n in range(5):  # alternating workers, as a load balancer would
        assert (await log_in((one, two)[n % 2], "wrong password")).status_code == 422
    for client in (one, two):
        blocked = await log_in(client, PASSWORD)
        assert blocked.status_code == 429 and "Too many failed attempts" in blocked.text


async def test_someone_guessing_elsewhere_does_not_lock_the_owner_out(apps, owner, monkeypatch):
    monkeypatch.setattr(rate_limits, "LOGIN_ACCOUNT", Limit("login_account", 8, timedelta(hours=1)))  # not 100
    attacker = client_of(apps[0], "198.51.100.66")
    for _ in range(5):
        assert (await log_in(attacker, "wrong password")).status_code == 422
    assert (await log_in(attacker, PASSWORD)).status_code == 429
    assert (await log_in(client_of(apps[1], "192.0.2.10"), PASSWORD)).status_code == 303  # the owner, at home
    # Guessed from many addresses, the account itself waits, at its slower limit: 8 failures in all.
    for n in range(3):
        assert (await log_in(client_of(apps[n % 2], f"198.51.100.{n}"), "wrong password")).status_code == 422
    blocked = await log_in(client_of(apps[0], "192.0.2.10"), PASSWORD)
    assert blocked.status_code == 429 and "Too many failed attempts" in blocked.text


async def test_one_address_guessing_many_accounts_waits(apps, owner):
    guesser = client_of(apps[0])
    for n in range(20):
        assert (await log_in(guesser, "whatever it is", email=f"staff{n}@bottega.example")).status_code == 422
    assert (await log_in(client_of(apps[1]), PASSWORD)).status_code == 429


async def test_order_lookups_are_limited_across_workers(apps):
    one, two = client_of(apps[0]), client_of(apps[1])
    for n in range(10):
        client = (one, two)[n % 2]
        wrong = await client.post(
            "/orders/lookup",
            data={"csrf_token": await csrf(client, "/orders/lookup"), "number": "BT-ZZZZZZ", "email": "x@y.it"},
        )
        assert wrong.status_code == 422
    for client in (one, two):
        blocked = await client.post(
            "/orders/lookup",
            data={"csrf_token": await csrf(client, "/orders/lookup"), "number": "BT-ZZZZZZ", "email": "x@y.it"},
        )
        assert blocked.status_code == 429 and "Too many attempts" in blocked.text


@pytest.fixture
async def variant(db):
    tee = await f.product("Maglietta", await f.category("Clothing"), [{"price": 3500, "stock": 50}])
    return await Variant.get(product_id=tee.id)


async def guess(client, code: str):
    return await client.post("/cart/codes", data={"csrf_token": await csrf(client, "/cart"), "code": code})


async def test_code_guessing_is_limited_whatever_the_cookie_says(apps, variant):
    shopper = client_of(apps[0])
    await shopper.post(
        "/cart/items", data={"csrf_token": await csrf(shopper, "/cart"), "variant_id": variant.id, "quantity": "1"}
    )
    before_guessing = dict(shopper.cookies)
    for n in range(10):
        assert (await guess(shopper, f"guess{n}")).status_code == 422
    # The cookie from before the first guess, replayed, on the other worker: the cart's limit still holds.
    replayed = client_of(apps[1])
    replayed.cookies.update(before_guessing)
    blocked = await guess(replayed, "guess10")
    assert blocked.status_code == 429 and "Too many codes tried" in blocked.text
    # No cookie at all, and so no cart: the address's limit (30 in 10 minutes) still holds.
    fresh = client_of(apps[1])
    for n in range(20):
        assert (await guess(fresh, f"more{n}")).status_code == 422
    assert (await guess(client_of(apps[0]), "more20")).status_code == 429
    # Another shopper elsewhere is not affected.
    assert (await guess(client_of(apps[0], "192.0.2.10"), "mine")).status_code == 422


async def test_a_real_code_does_not_count_as_a_guess(apps, variant, db):
    from storefront.domain.models import Promotion, PromotionKind

    await Promotion.create(name="Welcome", code="WELCOME10", kind=PromotionKind.ORDER_PERCENT, percent=10)
    shopper = client_of(apps[0])
    for _ in range(12):
        assert (await guess(shopper, "welcome10")).status_code in (200, 303)
    assert await counted() == 0
