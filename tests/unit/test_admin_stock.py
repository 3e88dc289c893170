"""Stock in the back office over HTTP: every adjustment is a ledger movement and an audit entry, or neither;
stock never goes below zero; htmx gets the row back, a browser without JavaScript a 303."""

from __future__ import annotations

import re

import pytest

from storefront.domain.db import count_queries
from storefront.domain.inventory import stock
from storefront.domain.models import AuditEntry, StaffRole, StockMovement, Variant
from storefront.domain.staff import accounts
from tests.unit import factories as f

PASSWORD = "correct horse battery"
HTMX = {"HX-Request": "true"}


async def csrf(client, url: str = "/admin/login") -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', (await client.get(url)).text).group(1)


async def log_in(client, email: str = "owner@bottega.example", role: StaffRole = StaffRole.OWNER) -> str:
    """Logs a new staff member in; the session's CSRF token."""
    await accounts.create(email, PASSWORD, role)
    response = await client.post(
        "/admin/login", data={"csrf_token": await csrf(client), "email": email, "password": PASSWORD, "next": "/admin"}
    )
    assert response.status_code == 303
    return await csrf(client, "/admin/stock")


@pytest.fixture
async def tee(db) -> Variant:
    spec = {"price": 3900, "stock": 5, "sku": "MAG-NER-M", "options": {"colour": "Nero", "size": "M"}}
    product = await f.product("Maglietta", await f.category("Clothing"), [spec])
    return await Variant.get(product_id=product.id)


def adjustment(token: str, **fields) -> dict:
    return {
        "csrf_token": token,
        "mode": "change",
        "units": "",
        "reason": "",
        "note": "",
        "next": "/admin/stock",
        **fields,
    }


async def stock_of(variant: Variant) -> int:
    return (await Variant.get(id=variant.id)).stock


async def test_anonymous_visitors_are_sent_to_the_login(client, tee):
    for url in ("/admin/stock", f"/admin/stock/{tee.id}", "/admin", "/admin/audit"):
        response = await client.get(url)
        assert response.status_code == 303 and response.headers["location"].startswith("/admin/login?next=")
    token = await csrf(client)
    response = await client.post(f"/admin/stock/{tee.id}/adjust", data=adjustment(token, units="3", reason="received"))
    assert response.status_code == 303 and response.headers["location"].startswith("/admin/login")
    assert await stock_of(tee) == 5


async def test_receiving_stock_writes_the_ledger_and_the_audit_log_then_returns_303(client, tee):
    token = await log_in(client)
    response = await client.post(
        f"/admin/stock/{tee.id}/adjust",
        data=adjustment(token, units="12", reason="received", note="Delivery  DDT 481", next="/admin/stock?q=mag"),
    )
    assert response.status_code == 303 and response.headers["location"] == "/admin/stock?q=mag"
    assert await stock_of(tee) == 17
    movement = await StockMovement.filter(variant_id=tee.id).order_by("-id").first()
    assert (movement.delta, movement.reason, movement.reference) == (12, "received", "Delivery DDT 481")
    entry = await AuditEntry.get(action="stock.adjust")
    assert (entry.actor, entry.subject) == ("owner@bottega.example", f"variant:{tee.id}")
    assert entry.before == {"stock": 5}
    assert entry.after == {"stock": 17, "reason": "received", "note": "Delivery DDT 481"}
    page = await client.get("/admin/stock?q=mag")
    assert "Stock of Maglietta (Nero, M): 5 → 17 (Received)." in page.text
    assert "Stock of Maglietta" not in (await client.get("/admin/stock?q=mag")).text  # shown once
    audit = (await client.get("/admin/audit")).text
    assert "stock.adjust" in audit and "MAG-NER-M" in audit and "<del>5</del> → <ins>17</ins>" in audit


async def test_htmx_gets_the_row_back_with_the_live_region(client, tee):
    token = await log_in(client, "staff@bottega.example", StaffRole.STAFF)  # staff may adjust too
    response = await client.post(
        f"/admin/stock/{tee.id}/adjust",
        headers={**HTMX, "HX-Target": f"variant-{tee.id}"},
        data=adjustment(token, mode="set", units="0", reason="correction"),
    )
    assert response.status_code == 200 and "<html" not in response.text
    assert response.text.lstrip().startswith(f'<li class="stock-row sold_out" id="variant-{tee.id}">')
    assert "Sold out" in response.text and '<div id="flash" hx-swap-oob="innerHTML">' in response.text
    assert "Stock of Maglietta (Nero, M): 5 → 0 (Count correction)." in response.text
    assert "Saved: 5 → 0" in response.text  # beside the row too: on a phone the live region may be off screen
    assert (await AuditEntry.get()).after == {"stock": 0, "reason": "correction"}  # no empty note
    assert await stock_of(tee) == 0


async def test_on_the_history_page_htmx_gets_counts_form_and_ledger_together(client, tee):
    token = await log_in(client)
    response = await client.post(
        f"/admin/stock/{tee.id}/adjust",
        headers={**HTMX, "HX-Target": "variant-stock"},
        data=adjustment(token, units="-2", reason="damaged", note="dropped"),
    )
    assert response.status_code == 200 and response.text.lstrip().startswith('<div id="variant-stock"')
    assert "dropped" in response.text and "Movements add up to 3" in response.text


async def test_stock_never_goes_below_zero_and_the_message_sits_by_the_field(client, tee):
    token = await log_in(client)
    data = adjustment(token, units="-6", reason="damaged")
    fragment = await client.post(
        f"/admin/stock/{tee.id}/adjust", headers={**HTMX, "HX-Target": f"variant-{tee.id}"}, data=data
    )
    assert fragment.status_code == 422
    assert re.search(r'aria-invalid="true"', fragment.text) and " open>" in fragment.text
    assert (
        f'id="adj-{tee.id}-units-error">Stock can\'t go below 0: only 5 in stock, so remove at most 5.'
        in fragment.text.replace("&#39;", "'")
    )
    assert "Stock not changed" in fragment.text
    page = await client.post(f"/admin/stock/{tee.id}/adjust", data=data)  # without JavaScript: the whole page
    assert page.status_code == 422 and "<html" in page.text and 'value="-6"' in page.text
    assert await stock_of(tee) == 5
    assert await AuditEntry.all().count() == 0 and await StockMovement.filter(variant_id=tee.id).count() == 1


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"units": "two", "reason": "received"}, "Enter a whole number, like 12 or -2."),
        ({"units": "0", "reason": "received"}, "Enter how many units to add or remove (not 0)."),
        ({"mode": "set", "units": "-1", "reason": "correction"}, "A count can't be below 0."),
        ({"mode": "set", "units": "5", "reason": "correction"}, "Stock is already 5: nothing to change."),
        ({"units": "3", "reason": "sold"}, "Choose a reason."),  # sales are the checkout's to record
        ({"units": "-1", "reason": "received"}, "Received stock adds units."),
        ({"mode": "set", "units": "9", "reason": "damaged"}, "Damaged stock removes units."),
        ({"units": "1", "reason": "received", "note": "x" * 121}, "Keep the note under 120 characters."),
        ({"units": "1000001", "reason": "received"}, "Enter at most 100000 units at a time."),
    ],
)
async def test_mistakes_are_refused_with_422(client, tee, fields, message):
    token = await log_in(client)
    response = await client.post(
        f"/admin/stock/{tee.id}/adjust",
        headers={**HTMX, "HX-Target": f"variant-{tee.id}"},
        data=adjustment(token, **fields),
    )
    assert response.status_code == 422 and message in response.text
    assert await stock_of(tee) == 5 and await AuditEntry.all().count() == 0


async def test_the_movement_and_the_audit_entry_stand_or_fall_together(client, tee, monkeypatch):
    token = await log_in(client)

    async def broken_audit(*args, **kwargs):
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr(accounts, "audit", broken_audit)
    with pytest.raises(RuntimeError):
        await client.post(f"/admin/stock/{tee.id}/adjust", data=adjustment(token, units="4", reason="received"))
    assert await stock_of(tee) == 5 and await StockMovement.filter(variant_id=tee.id).count() == 1


async def test_adjustments_need_the_csrf_token(client, tee):
    await log_in(client)
    response = await client.post(
        f"/admin/stock/{tee.id}/adjust", data=adjustment("forged", units="4", reason="received")
    )
    assert response.status_code == 403
    assert await stock_of(tee) == 5


async def test_unknown_variants_are_404(client, tee):
    token = await log_in(client)
    assert (await client.get("/admin/stock/9999")).status_code == 404
    response = await client.post("/admin/stock/9999/adjust", data=adjustment(token, units="1", reason="received"))
    assert response.status_code == 404


async def test_the_history_lists_movements_newest_first_with_a_running_total(client, tee):
    await stock.adjust(tee.id, 10, stock.Reason.RECEIVED, "DDT 77")
    await stock.adjust(tee.id, -1, stock.Reason.SOLD, "BT-ABC234")
    await log_in(client)
    page = (await client.get(f"/admin/stock/{tee.id}")).text
    rows = re.findall(
        r'<td data-label="Change"[^>]*>([^<]+)</td>\s*<td data-label="Reason">([^<]+)</td>\s*'
        r'<td data-label="Reference">([^<]+)</td>\s*<td data-label="On hand after">([^<]+)</td>',
        page,
    )
    assert rows == [
        ("−1", "Sold", "BT-ABC234", "14"),
        ("+10", "Received", "DDT 77", "15"),
        ("+5", "Opening stock", "—", "5"),
    ]
    assert "Movements add up to 14" in page and "MAG-NER-M" in page


async def test_the_list_searches_and_filters(client, tee):
    await f.product("Tazza", await f.category("Kitchen"), [{"price": 900, "stock": 0, "sku": "TAZ-BIA"}])
    await log_in(client)
    everything = (await client.get("/admin/stock")).text
    assert "2 variants" in everything and "MAG-NER-M" in everything and "TAZ-BIA" in everything
    sold_out = (await client.get("/admin/stock?show=sold_out")).text
    assert "1 variant" in sold_out and "TAZ-BIA" in sold_out and "MAG-NER-M" not in sold_out
    found = (await client.get("/admin/stock?q=taz")).text
    assert "TAZ-BIA" in found and "MAG-NER-M" not in found
    assert "No variants match." in (await client.get("/admin/stock?q=nothing-like-it&show=low")).text


async def test_the_dashboard_shows_figures_and_warns_when_the_ledger_is_off(client, tee):
    await log_in(client)
    with count_queries() as queries:
        page = (await client.get("/admin")).text
    assert len(queries) == 6, queries  # the staff member, then the five figures
    assert "Stock ledger reconciles" in page and "Last 30 days" in page and "Carts created" in page
    await Variant.filter(id=tee.id).update(stock=9)
    page = (await client.get("/admin")).text
    assert 'role="alert"' in page and "Stock ledger does not reconcile for 1 variant" in page
    assert "9 on hand, ledger says 5" in page and f'href="/admin/stock/{tee.id}"' in page
