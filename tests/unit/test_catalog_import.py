"""CSV export and import: the dry run lists every error by row and field and what would change, writing
nothing; applying is all-or-nothing with one audit entry; export -> import changes nothing."""

from __future__ import annotations

import csv
import io

import pytest

from storefront.domain.catalogue import spreadsheet
from storefront.domain.models import AuditEntry, Product, StaffRole, Variant
from storefront.domain.staff import accounts
from tests.unit import factories as f
from tests.unit.test_admin_stock import log_in

HEADER = ",".join(spreadsheet.COLUMNS)


@pytest.fixture
async def shop(db):
    clothing = await f.category("Clothing")
    await f.option_value("size", "M")
    await f.option_value("colour", "Blu")
    spec = {
        "price": 3900,
        "compare_at_price": 4500,
        "stock": 5,
        "sku": "MAG-NER-M",
        "options": {"colour": "Nero", "size": "M"},
    }
    tee = await f.product("Maglietta", clothing, [spec], description="=cotone +100% @home")
    owner = await accounts.create("owner@bottega.example", "correct horse battery", StaffRole.OWNER)
    return tee, owner


def csv_of(*rows: str) -> str:
    return "\r\n".join([HEADER, *rows]) + "\r\n"


async def snapshot() -> list[tuple]:
    return [
        (v.sku, v.price, v.compare_at_price, v.weight_grams, v.stock, v.product.name, v.product.active)
        for v in await Variant.all().order_by("id").select_related("product")
    ] + [(p.slug, p.name, p.description) for p in await Product.all().order_by("id")]


async def test_export_has_one_row_per_variant_with_euros_and_neutralised_formulas(shop):
    tee, _ = shop
    rows = list(csv.DictReader(io.StringIO(await spreadsheet.export_csv())))
    assert rows == [
        {
            "sku": "MAG-NER-M",
            "product_slug": tee.slug,
            "product_name": "Maglietta",
            "category_slug": "clothing",
            "description": "'=cotone +100% @home",
            "tax_class": "standard",
            "active": "yes",
            "price": "39.00",
            "compare_at_price": "45.00",
            "weight_grams": "0",
            "low_stock_threshold": "3",
            "options": "size=M;colour=Nero",
        }
    ]


async def test_round_trip_changes_nothing(shop):
    before = await snapshot()
    text = await spreadsheet.export_csv()
    plan = await spreadsheet.plan_import(text)
    assert plan.errors == [] and plan.nothing_to_do, plan.changes
    await spreadsheet.apply_import(shop[1], text)
    assert await snapshot() == before


async def test_the_dry_run_lists_every_error_by_row_and_writes_nothing(shop):
    tee, _ = shop
    before = await snapshot()
    text = csv_of(
        "NEW-1,tazza,Tazza,kitchen,,standard,yes,9.00,,300,3,",  # unknown category
        "NEW-2,tazza2,Tazza,clothing,,standard,yes,nove,,300,3,",  # bad price
        "NEW-3,tazza3,Tazza,clothing,,standard,yes,9.00,,300,3,size=XXL",  # unknown option value
        "NEW-3,tazza3,Tazza,clothing,,standard,yes,9.00,,300,3,",  # duplicate SKU in the file
        f"MAG-NER-M,{tee.slug},Maglietta,clothing,,standard,maybe,39.00,,0,3,",  # not yes/no
        "NEW-4,tazza4,Tazza,clothing,,standard,yes,9.00,8.00,300,3,",  # a "was" price below the price
    )
    plan = await spreadsheet.plan_import(text)
    assert [(e.row, e.field, e.code) for e in plan.errors] == [
        (2, "category_slug", "unknown"),
        (3, "price", "amount"),
        (4, "options", "unknown"),
        (5, "sku", "duplicate"),
        (6, "active", "yes_no"),
        (7, "compare_at_price", "not_above_price"),  # as the variant form refuses it
    ]
    with pytest.raises(spreadsheet.ImportRefused):
        await spreadsheet.apply_import(shop[1], text)
    assert await snapshot() == before and await AuditEntry.all().count() == 0


async def test_the_dry_run_says_what_would_change(shop):
    tee, _ = shop
    text = csv_of(
        f"MAG-NER-M,{tee.slug},Maglietta,clothing,,standard,yes,35.50,45.00,0,3,colour=Nero;size=M",
        f"MAG-BLU-M,{tee.slug},Maglietta,clothing,,standard,yes,35.50,,0,3,colour=Blu;size=M",
        "TAZ-1,tazza-grande,Tazza grande,clothing,Grande,reduced,yes,9.00,,300,3,",
    )
    plan = await spreadsheet.plan_import(text)
    assert plan.errors == []
    assert plan.new_products == ["tazza-grande"] and plan.new_variants == ["MAG-BLU-M", "TAZ-1"]
    assert {(c.subject, c.field, c.before, c.after) for c in plan.changes} == {
        (tee.slug, "description", "=cotone +100% @home", ""),
        ("MAG-NER-M", "price", 3900, 3550),
    }
    assert not await Variant.exists(sku="TAZ-1")  # a dry run writes nothing


async def test_apply_writes_everything_with_one_audit_entry_and_reindexes(shop):
    tee, owner = shop
    text = csv_of(
        f"MAG-NER-M,{tee.slug},Maglietta,clothing,cotone,standard,yes,35.50,45.00,0,3,colour=Nero;size=M",
        'TAZ-1,tazza-grande,Tazza grande,clothing,Grande,reduced,yes,"9,00",,300,3,size=M',
    )
    await spreadsheet.apply_import(owner, text, "abc")
    assert (await Variant.get(sku="MAG-NER-M")).price == 3550
    new = await Variant.get(sku="TAZ-1").select_related("product").prefetch_related("option_values")
    assert (new.price, new.stock, new.product.tax_class, [v.name for v in new.option_values]) == (
        900,
        0,
        "reduced",
        ["M"],
    )
    entry = await AuditEntry.get(action="catalog.import")
    assert entry.after["new_variants"] == ["TAZ-1"] and entry.after["file_sha256"] == "abc"
    from storefront.domain.catalogue.browse import ListingQuery, listing

    assert [c.name for c in (await listing(ListingQuery(text="tazza"), with_facets=False)).cards] == ["Tazza grande"]


async def test_apply_is_all_or_nothing(shop, monkeypatch):
    tee, owner = shop
    before = await snapshot()
    text = csv_of(
        f"MAG-NER-M,{tee.slug},Maglietta,clothing,,standard,yes,1.00,,0,3,colour=Nero;size=M",
        "TAZ-1,tazza-grande,Tazza grande,clothing,Grande,reduced,yes,9.00,,300,3,",
    )

    async def broken_audit(*args, **kwargs):
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr(accounts, "audit", broken_audit)  # fails after every row was written
    with pytest.raises(RuntimeError):
        await spreadsheet.apply_import(owner, text)
    assert await snapshot() == before


async def test_the_import_page_dry_runs_then_applies_the_same_file(client, shop):  # noqa: F811
    token = await log_in(client, "manager@bottega.example")
    text = csv_of("TAZ-1,tazza-grande,Tazza grande,clothing,,standard,yes,9.00,,300,3,")
    files = {"file": ("products.csv", text.encode(), "text/csv")}
    dry = await client.post("/admin/products/import", data={"csrf_token": token, "action": "dry_run"}, files=files)
    assert dry.status_code == 200 and "Would create 1 products and 1 variants" in dry.text
    assert not await Variant.exists(sku="TAZ-1")
    content = dry.text.split('name="content" value="')[1].split('"')[0]
    import html

    applied = await client.post(
        "/admin/products/import", data={"csrf_token": token, "action": "apply", "content": html.unescape(content)}
    )
    assert applied.status_code == 303 and await Variant.exists(sku="TAZ-1")
    assert "Import applied: 1 new products" in (await client.get("/admin/products/import")).text
    bad = await client.post(
        "/admin/products/import",
        data={"csrf_token": token, "action": "dry_run"},
        files={"file": ("p.csv", csv_of("X-1,x,X,nowhere,,standard,yes,1,,0,3,").encode())},
    )
    assert bad.status_code == 422 and "Unknown: “nowhere”" in bad.text
    export = await client.get("/admin/products/export.csv")
    assert export.headers["content-type"].startswith("text/csv") and "TAZ-1" in export.text
