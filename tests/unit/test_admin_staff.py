"""Staff accounts over HTTP: owners only (staff get 403, anonymous visitors the login); accounts are created
with a typed or generated first password (shown once), switched off and on, given another role; nobody
changes their own account, the last active owner stays; every change is audited."""

from __future__ import annotations

import re

import httpx2 as httpx
import pytest

from storefront.app import create_app
from storefront.domain.models import AuditEntry, Staff, StaffRole
from storefront.domain.staff import accounts
from storefront.pages.admin import staff as staff_pages
from tests.unit.test_admin_stock import PASSWORD, csrf, log_in


@pytest.fixture
async def client(db, settings):
    app = create_app(settings, manage_db=False)
    app.router.routes.extend(staff_pages.routes)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://shop.test") as client:
        yield client


async def test_only_owners_reach_staff_accounts(client, db):
    response = await client.get("/admin/staff")
    assert response.status_code == 303 and response.headers["location"].startswith("/admin/login")
    token = await log_in(client, "staff@bottega.example", StaffRole.STAFF)
    assert (await client.get("/admin/staff")).status_code == 403
    response = await client.post(
        "/admin/staff",
        data={"csrf_token": token, "email": "new@bottega.example", "role": "owner", "password": PASSWORD},
    )
    assert response.status_code == 403 and not await Staff.exists(email="new@bottega.example")
    me = await Staff.get(email="staff@bottega.example")
    assert (await client.post(f"/admin/staff/{me.id}", data={"csrf_token": token, "role": "owner"})).status_code == 403
    assert (await Staff.get(id=me.id)).role == StaffRole.STAFF


async def test_an_owner_creates_an_account_with_a_generated_password_shown_once(client, db):
    token = await log_in(client)
    response = await client.post(
        "/admin/staff", data={"csrf_token": token, "email": " Nuovo@Bottega.example ", "role": "staff", "password": ""}
    )
    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    password = re.search(r'<code class="mono" id="new-password">([^<]+)</code>', response.text).group(1)
    account = await Staff.get(email="nuovo@bottega.example")
    assert len(password) >= 10 and accounts.check_password(password, account.password_hash)
    entry = await AuditEntry.get(action="staff.create")
    assert entry.after == {"email": "nuovo@bottega.example", "role": "staff", "active": True}
    assert password not in str(entry.after)
    assert password not in (await client.get("/admin/staff")).text  # once only


async def test_a_typed_password_must_be_long_enough_and_emails_unique(client, db):
    token = await log_in(client)
    short = await client.post(
        "/admin/staff", data={"csrf_token": token, "email": "a@bottega.example", "role": "staff", "password": "short"}
    )
    assert short.status_code == 422 and "Use at least 10 characters" in short.text
    assert 'value="a@bottega.example"' in short.text and 'value="short"' not in short.text
    taken = await client.post(
        "/admin/staff",
        data={"csrf_token": token, "email": "owner@bottega.example", "role": "staff", "password": PASSWORD},
    )
    assert taken.status_code == 422 and "There is already an account with this email." in taken.text
    assert await Staff.all().count() == 1 and await AuditEntry.all().count() == 0


async def test_a_password_the_login_form_could_not_take_back_is_refused_and_the_longest_it_takes_works(client, db):
    token = await log_in(client)
    too_long = await client.post(
        "/admin/staff",
        data={"csrf_token": token, "email": "a@bottega.example", "role": "staff", "password": "x" * 1025},
    )
    assert too_long.status_code == 422 and "Keep it to 1024 characters at most." in too_long.text
    longest = "p" * 1024
    made = await client.post(
        "/admin/staff", data={"csrf_token": token, "email": "b@bottega.example", "role": "staff", "password": longest}
    )
    assert made.status_code in (200, 303) and await Staff.exists(email="b@bottega.example")
    assert await accounts.authenticate("b@bottega.example", longest) is not None
    await client.post("/admin/logout", data={"csrf_token": token})
    login = await client.post(
        "/admin/login",
        data={"csrf_token": await csrf(client), "email": "b@bottega.example", "password": longest, "next": "/admin"},
    )
    assert login.status_code == 303


async def test_switching_off_and_changing_roles_is_audited_but_never_yourself_or_the_last_owner(client, db):
    token = await log_in(client)
    me = await Staff.get(email="owner@bottega.example")
    other = await accounts.create("second@bottega.example", PASSWORD, StaffRole.OWNER)
    refused = await client.post(f"/admin/staff/{me.id}", data={"csrf_token": token, "active": "0"})
    assert refused.status_code == 422 and "you can't change your own account here" in refused.text.replace("&#39;", "'")
    assert (await Staff.get(id=me.id)).active

    assert (
        await client.post(f"/admin/staff/{other.id}", data={"csrf_token": token, "role": "staff"})
    ).status_code == 303
    assert (await Staff.get(id=other.id)).role == StaffRole.STAFF
    assert (await client.post(f"/admin/staff/{other.id}", data={"csrf_token": token, "active": "0"})).status_code == 303
    assert not (await Staff.get(id=other.id)).active
    entries = [(e.before, e.after) for e in await AuditEntry.filter(action="staff.update").order_by("id")]
    assert entries == [({"role": "owner"}, {"role": "staff"}), ({"active": True}, {"active": False})]
    assert "second@bottega.example is switched off" in (await client.get("/admin/staff")).text


async def test_the_last_active_owner_cannot_be_demoted_or_switched_off(client, db):
    token = await log_in(client)
    me = await Staff.get(email="owner@bottega.example")
    # Another owner who is switched off does not count.
    other = await accounts.create("old@bottega.example", PASSWORD, StaffRole.OWNER)
    await Staff.filter(id=other.id).update(active=False)
    # A second, active owner; we try to leave the shop with none but ourselves, then with none at all.
    second = await accounts.create("second@bottega.example", PASSWORD, StaffRole.OWNER)
    await Staff.filter(id=me.id).update(role=StaffRole.OWNER)
    assert (
        await client.post(f"/admin/staff/{second.id}", data={"csrf_token": token, "active": "0"})
    ).status_code == 303
    # Now `me` is the last active owner; demoting `me` is refused as "yourself", and from another owner's view:
    from storefront.domain.staff.accounts import AccountRefused, change_account

    with pytest.raises(AccountRefused) as refused:
        await change_account(await Staff.get(id=second.id), me.id, role=StaffRole.STAFF)
    assert refused.value.code == "last_owner"
    assert (await Staff.get(id=me.id)).role == StaffRole.OWNER


async def test_changes_need_the_csrf_token(client, db):
    await log_in(client)
    response = await client.post(
        "/admin/staff",
        data={"csrf_token": "forged", "email": "x@bottega.example", "role": "staff", "password": PASSWORD},
    )
    assert response.status_code == 403 and not await Staff.exists(email="x@bottega.example")
    assert (
        await client.post("/admin/staff/999", data={"csrf_token": await csrf(client, "/admin/staff"), "active": "0"})
    ).status_code == 404


async def test_the_command_line_audits_the_account_it_creates(db, settings, monkeypatch):
    from storefront import cli
    from storefront.domain import db as db_module

    async def already_open(*_args, **_kwargs) -> None:  # the test's database is open already
        return None

    monkeypatch.setattr(db_module, "init", already_open)
    monkeypatch.setattr(db_module, "close", already_open)
    said = await cli.create_staff(settings, "Cli@Bottega.example", "owner", PASSWORD)
    assert said == "Created owner cli@bottega.example."
    entry = await AuditEntry.get(action="staff.create")
    account = await Staff.get(email="cli@bottega.example")
    assert (entry.staff_id, entry.actor, entry.subject) == (None, accounts.COMMAND_LINE, f"staff:{account.id}")
    assert entry.after == {"email": "cli@bottega.example", "role": "owner", "active": True}


async def test_an_account_and_its_audit_entry_are_written_together_or_not_at_all(db, monkeypatch):
    owner = await accounts.create("owner@bottega.example", PASSWORD, StaffRole.OWNER)

    async def audit_fails(**_kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(AuditEntry, "create", audit_fails)
    with pytest.raises(RuntimeError):
        await accounts.create("new@bottega.example", PASSWORD, by=owner)
    assert not await Staff.exists(email="new@bottega.example")


async def test_a_name_longer_than_an_account_keeps_is_refused_beside_its_field(client, db):
    token = await log_in(client)
    typed = {"csrf_token": token, "email": "long@bottega.example", "role": "staff", "password": "", "name": "n" * 121}
    response = await client.post("/admin/staff", data=typed)
    assert response.status_code == 422 and 'id="s-name-error"' in response.text
    assert "Keep it to 120 characters at most." in response.text
    assert not await Staff.exists(email="long@bottega.example")
