"""The owner imports a CSV with one bad row: the dry run shows it and nothing is written; they fix it,
apply it, and the new product appears in the shop's search."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import ROOT, _free_port, _shopper

OWNER, PASSWORD = "importer@bottega.example", "imports every season"
HEADER = ("sku,product_slug,product_name,category_slug,description,tax_class,active,price,compare_at_price,"
          "weight_grams,low_stock_threshold,options")
GOOD = "E2E-VAS-1,vaso-di-prova-e2e,Vaso di prova,ceramics,Un vaso,standard,yes,24.50,,900,3,"

# Serves the shop with the products pages added, as pages/admin/__init__.py will list them.
_WITH_PRODUCT_PAGES = """
import uvicorn
from storefront.app import create_app
from storefront.pages.admin import products
from storefront.settings import Settings
settings = Settings.from_env()
app = create_app(settings)
app.router.routes.extend(products.routes)
uvicorn.run(app, host="127.0.0.1", port=settings.port, log_level="warning")
"""


@pytest.fixture(scope="module")
def back_office(server, server_env):
    try:
        urllib.request.urlopen(server + "/admin/products/import", timeout=5)
        yield server
        return
    except urllib.error.HTTPError as exc:
        if exc.code != 404:
            raise
    port = _free_port()
    process = subprocess.Popen([sys.executable, "-c", _WITH_PRODUCT_PAGES], env={**server_env, "PORT": str(port)},
                               cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(url + "/healthz", timeout=1)
                break
            except OSError:
                if process.poll() is not None:
                    raise RuntimeError(process.stdout.read()) from None
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=10)
        assert "Traceback" not in output, output


@pytest.fixture(scope="module")
def owner(server_env) -> tuple[str, str]:
    subprocess.run([sys.executable, "-m", "storefront.cli", "create-staff", OWNER, "--role", "owner"],
                   input=PASSWORD + "\n", text=True, env=server_env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return OWNER, PASSWORD


def upload(page: Page, text: str) -> None:
    page.get_by_label("CSV file").set_input_files(
        files=[{"name": "products.csv", "mimeType": "text/csv", "buffer": text.encode()}])
    page.get_by_role("button", name="Check the file (nothing is saved)").click()


def test_owner_fixes_a_bad_row_and_applies_the_import(browser: Browser, playwright, back_office, base_url, owner):
    context, page = _shopper("desktop", browser, playwright, back_office)
    page.goto("/admin/products/import")
    page.get_by_label("Email").fill(owner[0])
    page.get_by_label("Password").fill(owner[1])
    page.get_by_role("button", name="Log in").click()
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
