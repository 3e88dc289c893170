"""The owner counts a shelf, sets a variant's stock to 0 from a desktop and from a phone, and the shop says
"Sold out" to the next shopper at once; the audit log has the change."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import _shopper, create_staff, log_in

OWNER, PASSWORD = "counter@bottega.example", "counted every shelf"
# Products no other browser test looks at: one per profile, as both share the served shop.
VARIANTS = {
    "desktop": ("TAC-CART", "amalfi-paper-notebook", "Amalfi paper notebook"),
    "phone": ("INC-SEPP", "sepia-ink", "Sepia ink"),
}


@pytest.fixture(scope="module")
def owner(server_env) -> tuple[str, str]:
    return create_staff(server_env, OWNER, PASSWORD)


@pytest.fixture(params=["desktop", "phone"])
def staff_page(request, browser: Browser, playwright, base_url, owner) -> Page:
    context, page = _shopper(request.param, browser, playwright, base_url)
    yield page
    context.close()


def stock_label(browser: Browser, playwright, base_url: str, slug: str):
    """What a new shopper (own cookies, nothing cached) reads on the product page."""
    context, page = _shopper("desktop", browser, playwright, base_url)
    page.goto(f"/p/{slug}")
    return context, page.locator("p.stock")


def test_owner_sets_stock_to_zero_and_the_shop_shows_sold_out_at_once(
    staff_page: Page, browser, playwright, base_url, owner
):
    page = staff_page
    sku, slug, name = VARIANTS[page.profile]
    context, label = stock_label(browser, playwright, base_url, slug)
    expect(label).to_have_text("In stock")
    context.close()

    page.goto("/admin/stock")
    expect(page.get_by_role("heading", name="Staff login")).to_be_visible()
    log_in(page, owner)
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
