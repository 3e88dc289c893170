"""The owner imports a CSV with one bad row: the dry run shows it and nothing is written; they fix it,
apply it, and the new product appears in the shop's search."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import _shopper, create_staff, log_in

OWNER, PASSWORD = "importer@bottega.example", "imports every season"
HEADER = (
    "sku,product_slug,product_name,category_slug,description,tax_class,active,price,compare_at_price,"
    "weight_grams,low_stock_threshold,options"
)
GOOD = "E2E-VAS-1,vaso-di-prova-e2e,Vaso di prova,ceramics,Un vaso,standard,yes,24.50,,900,3,"


@pytest.fixture(scope="module")
def owner(server_env) -> tuple[str, str]:
    return create_staff(server_env, OWNER, PASSWORD)


def upload(page: Page, text: str) -> None:
    page.get_by_label("CSV file").set_input_files(
        files=[{"name": "products.csv", "mimeType": "text/csv", "buffer": text.encode()}]
    )
    page.get_by_role("button", name="Check the file (nothing is saved)").click()


def test_owner_fixes_a_bad_row_and_applies_the_import(browser: Browser, playwright, base_url, owner):
    context, page = _shopper("desktop", browser, playwright, base_url)
    page.goto("/admin/products/import")
    log_in(page, owner)
    expect(page.get_by_role("heading", level=1, name="Import products")).to_be_visible()

    bad = "E2E-VAS-2,vaso-grande-e2e,Vaso grande,nowhere,,standard,yes,31.00,,1500,3,"
    upload(page, "\n".join([HEADER, GOOD, bad]) + "\n")
    errors = page.locator("table.import-errors tbody tr")
    expect(errors).to_have_count(1)
    expect(errors.first).to_contain_text("3")
    expect(errors.first).to_contain_text("category_slug")
    expect(errors.first).to_contain_text("Unknown: “nowhere”")
    expect(page.get_by_role("button", name="Apply the import")).to_have_count(0)

    shop, shopper = _shopper("desktop", browser, playwright, base_url)
    shopper.goto("/search?q=vaso+di+prova")
    expect(shopper.get_by_role("link", name="Vaso di prova")).to_have_count(0)  # nothing was written

    upload(page, "\n".join([HEADER, GOOD, bad.replace("nowhere", "ceramics")]) + "\n")
    expect(page.get_by_text("Would create 2 products and 2 variants")).to_be_visible()
    page.get_by_role("button", name="Apply the import").click()
    expect(page.get_by_text("Import applied: 2 new products, 2 new variants, 0 changes.")).to_be_visible()

    shopper.goto("/search?q=vaso+di+prova")
    expect(shopper.get_by_role("link", name="Vaso di prova").first).to_be_visible()
    shop.close()
    context.close()
