"""The audit log page: every entry with who, what, when and before -> after; filters by action, staff email
and shop day; owners and staff may read it, nobody may change it."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from storefront.domain.models import AuditEntry, Staff, StaffRole
from storefront.domain.staff import accounts
from storefront.pages.admin import audit as audit_pages
from tests.unit.test_admin_stock import log_in


@pytest.fixture
async def entries(db):
    anna = await accounts.create("anna@bottega.example", "a long password", StaffRole.STAFF)
    marco = await accounts.create("marco@bottega.example", "a long password", StaffRole.OWNER)
    await accounts.audit(anna, "stock.adjust", "variant:7", {"stock": 5}, {"stock": 0, "reason": "correction"})
    await accounts.audit(marco, "order.ship", "order:BT-ABC234", {"status": "packed"}, {"status": "shipped"})
    await accounts.audit(marco, "stock.adjust", "variant:8", {"stock": 1}, {"stock": 13, "reason": "received"})
    # Shop days: 23:30 UTC on 9 November is already the 10th in Rome.
    moments = [
        datetime(2026, 11, 9, 22, 30, tzinfo=UTC),
        datetime(2026, 11, 9, 23, 30, tzinfo=UTC),
        datetime(2026, 11, 12, 9, 0, tzinfo=UTC),
    ]
    for entry, moment in zip(await AuditEntry.all().order_by("id"), moments, strict=True):
        await AuditEntry.filter(id=entry.id).update(created_at=moment)
    return {"anna": anna, "marco": marco}


def subjects(page: str) -> list[str]:
    return re.findall(r'<td data-label="Subject">(?:<a [^>]+>)?([^<]+)', page)


async def test_every_entry_is_listed_newest_first_with_before_and_after(client, entries):
    await log_in(client, "staff@bottega.example", StaffRole.STAFF)  # staff, not only owners
    page = (await client.get("/admin/audit")).text
    assert subjects(page) == ["variant:8", "order:BT-ABC234", "variant:7"]
    assert "3 entries" in page and "marco@bottega.example" in page
    assert '<span class="field-name">stock:</span> <del>5</del> → <ins>0</ins>' in page
    assert '<span class="field-name">reason:</span> <ins>correction</ins>' in page
    assert 'href="/admin/stock/7"' in page
    assert re.findall(r'<option value="([^"]+)"', page) == ["order.ship", "stock.adjust"]  # for the filter


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("action=stock.adjust", ["variant:8", "variant:7"]),
        ("actor=ANNA", ["variant:7"]),
        ("actor=marco%40bottega.example&action=order.ship", ["order:BT-ABC234"]),
        ("since=2026-11-10", ["variant:8", "order:BT-ABC234"]),
        ("until=2026-11-09", ["variant:7"]),
        ("since=2026-11-10&until=2026-11-10", ["order:BT-ABC234"]),
        ("since=not-a-date", ["variant:8", "order:BT-ABC234", "variant:7"]),
        ("action=nothing.such", []),
    ],
)
async def test_filters(client, entries, query, expected):
    await log_in(client)
    page = (await client.get(f"/admin/audit?{query}")).text
    assert subjects(page) == expected
    if not expected:
        assert "No entries match." in page


async def test_the_log_is_paged(client, entries):
    await log_in(client)
    for n in range(60):
        await accounts.audit(entries["anna"], "stock.adjust", f"variant:{100 + n}")
    first = (await client.get("/admin/audit?action=stock.adjust")).text
    assert len(subjects(first)) == 50 and "Older entries" in first
    second = (await client.get("/admin/audit?action=stock.adjust&page=2")).text
    assert len(subjects(second)) == 12 and "Newer entries" in second and "Older entries" not in second


async def test_the_log_is_read_only(client, entries):
    token = await log_in(client)
    for method in ("POST", "PUT", "DELETE", "PATCH"):
        response = await client.request(
            method, "/admin/audit", data={"csrf_token": token}, headers={"X-CSRF-Token": token}
        )
        assert response.status_code == 405
    assert {m for route in audit_pages.routes for m in route.methods} <= {"GET", "HEAD"}
    assert await AuditEntry.all().count() == 3


async def test_entries_outlive_the_account_that_made_them(client, entries):
    await log_in(client)
    await AuditEntry.filter(staff_id=entries["anna"].id).update(staff_id=None)
    await Staff.filter(id=entries["anna"].id).delete()
    page = (await client.get("/admin/audit?actor=anna")).text
    assert subjects(page) == ["variant:7"]
