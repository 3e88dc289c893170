"""The owner fulfils an order from the back office (desktop, phone, JavaScript off): finds it, marks the
bank transfer paid, packs it and ships it with a tracking number; the customer's order page and the
"shipped" email show the tracking number.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import _free_port, _shopper, create_staff, log_in, served_shop
from tests.e2e.test_checkout import add_to_cart, fill_checkout

OWNER, PASSWORD = "owner-e2e@bottega.example", "a long owner passphrase"


@pytest.fixture(scope="module")
def shop(server_env, tmp_path_factory) -> str:
    """A shop of its own (its own database, the same inbox): its orders buy the demo's maglietta, which the
    checkout tests buy too, and the shared shop's stock of it must last for both."""
    var = tmp_path_factory.mktemp("admin-orders")
    port = _free_port()
    env = {
        **server_env,
        "STOREFRONT_VAR": str(var),
        "DATABASE_URL": f"sqlite:///{var / 'shop.db'}?busy_timeout=15000",
        "PORT": str(port),
        "BASE_URL": f"http://127.0.0.1:{port}",
    }
    with served_shop(env) as url:
        create_staff(env, OWNER, PASSWORD)
        yield url


@pytest.fixture(params=["desktop", "phone", "nojs"])
def owner(request, browser: Browser, playwright, shop) -> Page:
    context, page = _shopper(request.param, browser, playwright, shop)
    yield page
    context.close()


def buy_by_bank_transfer(browser: Browser, playwright, shop: str, email: str) -> tuple[str, str]:
    """A customer's order, placed through the shop: its number and the order page's signed address."""
    context, page = _shopper("desktop", browser, playwright, shop)
    try:
        add_to_cart(page)
        fill_checkout(page, email, "Bank transfer")
        page.get_by_role("button", name="Place order").click()
        expect(page.get_by_role("heading", name="Thank you, Anna!")).to_be_visible()
        number = re.search(r"BT-[A-Z0-9]{6}", page.locator(".thanks").inner_text()).group(0)
        return number, page.url
    finally:
        context.close()


def test_owner_ships_an_order_and_the_customer_sees_the_tracking_number(owner: Page, browser, playwright, shop, inbox):
    email = f"ship-{owner.profile}@example.com"
    number, order_url = buy_by_bank_transfer(browser, playwright, shop, email)
    tracking = {"desktop": "057100000001", "phone": "057100000002", "nojs": "057100000003"}[owner.profile]

    owner.goto("/admin/orders")
    expect(owner.get_by_role("heading", name="Staff login")).to_be_visible()
    log_in(owner, (OWNER, PASSWORD))
    expect(owner.get_by_role("heading", name="Orders", exact=True)).to_be_visible()

    owner.get_by_label("Search").fill(email)
    owner.get_by_role("button", name="Show orders").click()
    expect(owner.get_by_role("heading", name="1 order")).to_be_visible()
    owner.get_by_role("link", name=number).click()
    expect(owner.get_by_role("heading", name=f"Order {number}")).to_be_visible()
    expect(owner.locator(".order-meta .status-tag")).to_have_text("Awaiting payment")
    expect(owner.get_by_role("button", name="Mark as shipped")).to_have_count(0)  # not before it is paid

    owner.get_by_role("button", name="Mark as paid").click()
    expect(owner.get_by_text("Marked as paid.")).to_be_visible()
    owner.get_by_role("button", name="Mark as packed").click()
    expect(owner.get_by_text("Marked as packed.")).to_be_visible()

    expect(owner.get_by_label("Carrier")).to_have_value("BRT")  # the shipping method's carrier
    owner.get_by_label("Tracking number").fill(tracking)
    owner.get_by_role("button", name="Mark as shipped").click()
    expect(owner.get_by_text("Marked as shipped.", exact=False)).to_be_visible()
    expect(owner.locator(".order-meta .status-tag")).to_have_text("Shipped")
    expect(owner.get_by_role("link", name=tracking)).to_have_attribute("href", re.compile(tracking + "$"))

    owner.goto(order_url)  # the customer's own page, by its signed link
    expect(owner.locator("#order-status .status")).to_have_text("Shipped")
    expect(owner.get_by_text(f"BRT tracking number: {tracking}")).to_be_visible()

    shipped = inbox.find(email, "on its way").get_body(("plain",)).get_content()
    assert tracking in shipped and "sped_num=" + tracking in shipped
