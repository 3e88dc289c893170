"""The owner creates the code AUTUNNO15 (15% off) in the back office, and a new shopper uses it in the cart
and sees the discount at once."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import _shopper, create_staff, log_in
from tests.e2e.test_cart import choose

OWNER, PASSWORD = "promotions@bottega.example", "fifteen percent off"


@pytest.fixture(scope="module")
def owner(server_env) -> tuple[str, str]:
    return create_staff(server_env, OWNER, PASSWORD)


def test_owner_creates_a_code_and_a_shopper_gets_the_discount(browser: Browser, playwright, base_url, owner):
    context, page = _shopper("desktop", browser, playwright, base_url)
    page.goto("/admin/promotions/new")
    log_in(page, owner)
    expect(page.get_by_role("heading", level=1, name="New promotion")).to_be_visible()

    # A mistake first: the message sits by its field and nothing typed is lost.
    page.get_by_label("Name", exact=True).fill("Autunno 15%")
    page.get_by_label("Code", exact=False).first.fill("autunno15")
    page.get_by_label("Kind of discount").select_option(label="Percent off the order")
    page.get_by_label("Percent off").fill("150")
    page.get_by_role("button", name="Create promotion").click()
    expect(page.locator("#f-percent-error")).to_have_text("Enter a number from 1 to 100.")
    expect(page.get_by_label("Name", exact=True)).to_have_value("Autunno 15%")

    page.get_by_label("Percent off").fill("15")
    page.get_by_role("button", name="Create promotion").click()
    expect(page.get_by_text("Promotion “Autunno 15%” created.")).to_be_visible()
    expect(page.get_by_text("15% off the order, with the code AUTUNNO15.")).to_be_visible()
    page.get_by_role("link", name="All promotions").click()
    expect(page.locator("tr", has_text="AUTUNNO15")).to_contain_text("0 / ∞")
    context.close()

    context, shop = _shopper("desktop", browser, playwright, base_url)
    shop.goto("/p/linen-t-shirt")
    choose(shop, "Black", "M")
    shop.get_by_label("Quantity").fill("1")
    shop.get_by_role("button", name="Add to cart").click()
    expect(shop.get_by_text(re.compile(r"Added: Linen T-shirt, Black, M ×1"))).to_be_visible()
    shop.get_by_role("link", name=re.compile("Cart")).click()
    expect(shop.get_by_role("heading", level=1, name="Your cart")).to_be_visible()
    shop.get_by_label("Discount code").fill("Autunno15")
    shop.get_by_role("button", name="Apply").click()
    discount = shop.locator(".totals .discount")
    expect(discount).to_contain_text("AUTUNNO15")
    expect(discount).to_contain_text("−€5.84")  # 15% of €38.90, rounded half-up once
    context.close()
