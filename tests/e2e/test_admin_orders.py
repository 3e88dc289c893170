"""The owner fulfils an order from the back office (desktop, phone, JavaScript off): finds it, marks the
bank transfer paid, packs it and ships it with a tracking number; the customer's order page and the
"shipped" email show the tracking number.

Self-contained: it serves its own shop (own database, same inbox), with the order routes added if the
admin package does not list them yet, and creates the owner with `storefront create-staff`.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import ROOT, _free_port, _shopper, _storefront
from tests.e2e.test_checkout import add_to_cart, fill_checkout

OWNER, PASSWORD = "owner-e2e@bottega.example", "a long owner passphrase"
# `storefront serve`, with the order routes added when pages/admin/__init__.py does not list them yet.
SERVE = (
    "from storefront.pages import admin; from storefront.pages.admin import orders;"
    "admin.routes.extend([] if any(getattr(r, 'path', '') == '/admin/orders' for r in admin.routes) else orders.routes);"
    "from storefront import cli; cli.main(['serve'])"
)


@pytest.fixture(scope="module")
def shop(server_env, tmp_path_factory) -> str:
    var = tmp_path_factory.mktemp("admin-orders")
    port = _free_port()
    env = {**server_env, "STOREFRONT_VAR": str(var), "DATABASE_URL": f"sqlite:///{var / 'shop.db'}?busy_timeout=15000",
           "PORT": str(port), "BASE_URL": f"http://127.0.0.1:{port}"}
    _storefront(env, "migrate")
    _storefront(env, "seed", "--demo")
    subprocess.run([sys.executable, "-m", "storefront.cli", "create-staff", OWNER, "--role", "owner"], env=env,
                   cwd=ROOT, input=PASSWORD + "\n", text=True, check=True, stdout=subprocess.DEVNULL)
    log_path = Path(var / "server.log")
    with open(log_path, "w") as log:
        process = subprocess.Popen([sys.executable, "-c", SERVE], env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        url = env["BASE_URL"]
        try:
            for _ in range(100):
                try:
                    urllib.request.urlopen(url + "/healthz", timeout=1)
                    break
                except OSError:
                    if process.poll() is not None:
                        raise RuntimeError(log_path.read_text()) from None
                    time.sleep(0.1)
            yield url
        finally:
            process.terminate()
            process.wait(timeout=10)
    server_log = log_path.read_text()
    assert "Traceback" not in server_log, server_log


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
    owner.get_by_label("Email").fill(OWNER)
    owner.get_by_label("Password").fill(PASSWORD)
    owner.get_by_role("button", name="Log in").click()
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
