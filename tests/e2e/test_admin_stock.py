"""The owner counts a shelf, sets a variant's stock to 0 from a desktop and from a phone, and the shop says
"Sold out" to the next shopper at once; the audit log has the change."""

from __future__ import annotations

import re
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import ROOT, _free_port, _shopper

OWNER, PASSWORD = "counter@bottega.example", "counted every shelf"
# Products no other browser test looks at: one per profile, as both share the served shop.
VARIANTS = {
    "desktop": ("TAC-CART", "taccuino-in-carta-di-amalfi", "Taccuino in carta di Amalfi"),
    "phone": ("INC-SEPP", "inchiostro-seppia", "Inchiostro seppia"),
}

# Serves the shop with the stock and audit pages added, as pages/admin/__init__.py will list them.
_WITH_STOCK_PAGES = """
import uvicorn
from storefront.app import create_app
from storefront.pages.admin import audit, stock
from storefront.settings import Settings
settings = Settings.from_env()
app = create_app(settings)
app.router.routes.extend([*stock.routes, *audit.routes])
uvicorn.run(app, host="127.0.0.1", port=settings.port, log_level="warning")
"""


@pytest.fixture(scope="module")
def back_office(server, server_env):
    """The served shop, once it has the stock pages; until then a second server on the same database."""
    try:
        urllib.request.urlopen(server + "/admin/stock", timeout=5)
        yield server
        return
    except urllib.error.HTTPError as exc:
        if exc.code != 404:
            raise
    port = _free_port()
    process = subprocess.Popen([sys.executable, "-c", _WITH_STOCK_PAGES], env={**server_env, "PORT": str(port)},
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
    """An owner account made the way an operator makes one: the CLI, the password on standard input."""
    subprocess.run([sys.executable, "-m", "storefront.cli", "create-staff", OWNER, "--role", "owner"],
                   input=PASSWORD + "\n", text=True, env=server_env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return OWNER, PASSWORD


@pytest.fixture(params=["desktop", "phone"])
def staff_page(request, browser: Browser, playwright, back_office, owner) -> Page:
    context, page = _shopper(request.param, browser, playwright, back_office)
    yield page
    context.close()


def stock_label(browser: Browser, playwright, base_url: str, slug: str):
    """What a new shopper (own cookies, nothing cached) reads on the product page."""
    context, page = _shopper("desktop", browser, playwright, base_url)
    page.goto(f"/p/{slug}")
    return context, page.locator("p.stock")


def test_owner_sets_stock_to_zero_and_the_shop_shows_sold_out_at_once(staff_page: Page, browser, playwright,
                                                                      base_url, owner):
    page = staff_page
    sku, slug, name = VARIANTS[page.profile]
    context, label = stock_label(browser, playwright, base_url, slug)
    expect(label).to_have_text("In stock")
    context.close()

    page.goto("/admin/stock")
    expect(page.get_by_role("heading", name="Staff login")).to_be_visible()
    page.get_by_label("Email").fill(owner[0])
    page.get_by_label("Password").fill(owner[1])
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1, name="Stock")).to_be_visible()

    page.get_by_role("searchbox", name="Search by product name or SKU").fill(sku)
    page.get_by_role("button", name="Search").click()
    row = page.locator("li.stock-row", has_text=sku)
    expect(row).to_have_count(1)
    row.get_by_text("Adjust stock").click()
    row.get_by_label("Set count to").check()
    row.get_by_label("Units").fill("0")
    row.get_by_label("Reason").select_option(label="Count correction")
    row.get_by_label("Note").fill("Shelf counted: none left")
    row.get_by_role("button", name="Save").click()

    expect(page.locator("#flash")).to_contain_text(re.compile(rf"Stock of {name}: \d+ → 0 \(Count correction\)\."))
    expect(row.locator(".units")).to_have_text("0")
    expect(row.get_by_text("Sold out")).to_be_visible()

    context, label = stock_label(browser, playwright, base_url, slug)
    expect(label).to_have_text("Sold out")
    context.close()

    page.get_by_role("link", name="Audit log").click()
    entry = page.locator("table.audit tbody tr", has_text=sku).first
    expect(entry).to_contain_text(owner[0])
    expect(entry).to_contain_text("stock.adjust")
    expect(entry).to_contain_text("Shelf counted: none left")
