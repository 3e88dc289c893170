"""A shopper buys on a phone: card (paid, then declined and retried), bank transfer, cash on delivery;
then follows the order by its link and by lookup. One whole purchase with JavaScript off."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import _shopper

ANNA = {
    "Email": "anna.rossi@example.com",
    "Full name": "Anna Rossi",
    "Street and house number": "Via dei Servi 12",
    "Postal code": "50122",
    "City": "Firenze",
    "Province": "FI",
}


def add_to_cart(page: Page, product: str = "/p/linen-t-shirt") -> None:
    page.goto(product)
    page.get_by_role("button", name="Add to cart").click()
    expect(page.locator("#cart-badge .badge")).to_have_text("1 item")


def fill_checkout(page: Page, email: str, payment: str) -> None:
    page.get_by_role("link", name=re.compile("Cart")).click()
    page.get_by_role("link", name="Go to checkout").click()
    expect(page.get_by_role("heading", level=1, name="Checkout")).to_be_visible()
    for label, value in {**ANNA, "Email": email}.items():
        page.get_by_label(label, exact=True).fill(value)
    page.locator(".methods").get_by_text(payment, exact=True).click()
    if page.profile == "nojs":
        page.get_by_role("button", name="Update summary").click()


def pay_by_card(page: Page, number: str) -> None:
    expect(page.get_by_text("Sandbox Pay")).to_be_visible()
    page.get_by_label("Card number").fill(number)
    page.get_by_label(re.compile("^Expiry date")).fill("12/30")
    page.get_by_label(re.compile("^Security code")).fill("123")
    page.get_by_label("Name on card").fill("Anna Rossi")
    page.get_by_role("button", name=re.compile(r"^Pay €")).click()


def test_card_payment_then_tracking_by_link_and_lookup(buyer: Page, inbox):
    page = buyer
    email = f"card-{page.profile}@example.com"
    add_to_cart(page)
    fill_checkout(page, email, "Card")
    page.get_by_role("button", name="Place order").click()
    pay_by_card(page, "4242 4242 4242 4242")
    expect(page.get_by_role("heading", name="Thank you, Anna!")).to_be_visible()
    expect(page.get_by_text(f"We've emailed the details to {email}.", exact=False)).to_be_visible()
    expect(page.get_by_text("Paid — being prepared")).to_be_visible()
    expect(page.get_by_text("Paid with Visa ending in 4242.")).to_be_visible()
    expect(page.locator("#cart-badge .badge")).to_have_text("0 items")
    number = re.search(r"BT-[A-Z0-9]{6}", page.locator(".thanks").inner_text()).group(0)

    confirmation = inbox.find(email, number)
    assert "Linen T-shirt" in confirmation.get_body(("plain",)).get_content()
    link = re.search(r"http://\S+/orders/" + number + r"\?key=\S+", confirmation.get_body(("plain",)).get_content())
    assert link, "the confirmation links to the order"

    page.context.clear_cookies()
    page.goto(link.group(0))
    expect(page.get_by_role("heading", name=f"Order {number}")).to_be_visible()
    page.goto("/orders/" + number)  # without the signed key: nothing to see
    expect(page.get_by_role("heading", name="We can't find that page")).to_be_visible()

    page.get_by_role("link", name="Find your order").click()
    page.get_by_label("Order number").fill(number)
    page.get_by_label("Email").fill("someone.else@example.com")
    page.get_by_role("button", name="Show my order").click()
    expect(page.get_by_text("We couldn't find an order with that number and email.")).to_be_visible()
    page.get_by_label("Email").fill(email)
    page.get_by_role("button", name="Show my order").click()
    expect(page.get_by_role("heading", name=f"Order {number}")).to_be_visible()


def test_a_declined_card_keeps_the_cart_and_can_be_retried(buyer: Page):
    page = buyer
    add_to_cart(page)
    fill_checkout(page, f"declined-{page.profile}@example.com", "Card")
    page.get_by_role("button", name="Place order").click()
    pay_by_card(page, "4000 0000 0000 0002")
    expect(page.get_by_text("Your card was declined. Nothing was charged.", exact=False)).to_be_visible()
    expect(page.locator("#cart-badge .badge")).to_have_text("1 item")
    page.get_by_role("button", name="Try the card again").click()
    pay_by_card(page, "4242 4242 4242 4242")
    expect(page.get_by_role("heading", name="Thank you, Anna!")).to_be_visible()
    expect(page.get_by_text("Paid — being prepared")).to_be_visible()


def test_after_a_declined_card_the_shopper_pays_another_way_and_has_one_order(buyer: Page, server_env):
    """The journey that used to end in "Sold out": the card is declined, the shopper goes back, picks
    bank transfer, and ends on the thank-you page with one order going ahead."""
    page = buyer
    email = f"another-way-{page.profile}@example.com"
    add_to_cart(page)
    fill_checkout(page, email, "Card")
    page.get_by_role("button", name="Place order").click()
    pay_by_card(page, "4000 0000 0000 0002")
    page.get_by_role("link", name="Pay another way").click()
    expect(page.get_by_text("has not been paid, and nothing was charged", exact=False)).to_be_visible()
    expect(page.get_by_label("Email")).to_have_value(email)  # nothing to type again
    page.locator(".methods").get_by_text("Bank transfer", exact=True).click()
    if page.profile == "nojs":
        page.get_by_role("button", name="Update summary").click()
    page.get_by_role("button", name="Place order").click()
    expect(page.get_by_role("heading", name="Thank you, Anna!")).to_be_visible()
    expect(page.get_by_role("heading", name="How to pay by bank transfer")).to_be_visible()
    expect(page.locator("#cart-badge .badge")).to_have_text("0 items")


def test_a_refused_order_brings_its_errors_into_view_and_focus(buyer: Page):
    page = buyer
    add_to_cart(page)
    fill_checkout(page, "anna@example", "Bank transfer")
    page.get_by_label("City", exact=True).fill("")
    page.get_by_role("button", name="Place order").click()
    summary = page.locator("#form-errors")
    expect(summary).to_be_focused()
    expect(summary).to_be_in_viewport()
    summary.get_by_role("link", name="Enter the city.").click()
    expect(page.get_by_label("City", exact=True)).to_be_in_viewport()


def test_bank_transfer_shows_how_to_pay(buyer: Page):
    page = buyer
    add_to_cart(page)
    fill_checkout(page, f"bank-{page.profile}@example.com", "Bank transfer")
    page.get_by_role("button", name="Place order").click()
    expect(page.get_by_role("heading", name="Thank you, Anna!")).to_be_visible()
    expect(page.get_by_role("heading", name="How to pay by bank transfer")).to_be_visible()
    expect(page.get_by_text("IBAN")).to_be_visible()
    expect(page.locator("#cart-badge .badge")).to_have_text("0 items")


def test_cash_on_delivery_adds_its_fee(buyer: Page):
    page = buyer
    add_to_cart(page)
    fill_checkout(page, f"cod-{page.profile}@example.com", "Cash on delivery")
    expect(page.locator("#summary").get_by_text("Cash on delivery fee")).to_be_visible()
    page.get_by_role("button", name="Place order").click()
    expect(page.get_by_text(re.compile(r"You'll pay €[\d.]+ in cash to the courier"))).to_be_visible()


def test_mistakes_are_explained_next_to_each_field_and_nothing_is_lost(buyer: Page):
    page = buyer
    add_to_cart(page)
    fill_checkout(page, "anna@example", "Bank transfer")
    page.get_by_label("Postal code").fill("5012")
    page.get_by_role("button", name="Place order").click()
    expect(page.locator("#f-email-message")).to_contain_text("That doesn't look like an email address.")
    expect(page.locator("#f-postal_code-message")).to_have_text("Postal codes in Italy look like 00144.")
    expect(page.get_by_label("Full name")).to_have_value("Anna Rossi")
    expect(page.get_by_label("Postal code")).to_have_value("5012")
    expect(page.get_by_label("Email")).to_have_attribute("aria-invalid", "true")


def test_placing_the_order_while_the_summary_catches_up_is_not_lost(browser: Browser, playwright, base_url):
    """On a slow connection the summary's update after choosing a method is still on its way when the
    shopper presses "Place order": the press must place the order (with the method chosen), not vanish."""
    context, page = _shopper("phone", browser, playwright, base_url)
    try:
        add_to_cart(page)
        fill_checkout(page, "slow-network@example.com", "Card")

        held = []  # the update's request, held back as a slow mobile network would
        page.route("**/checkout/options", lambda route: held.append(route))
        page.locator(".methods").get_by_text("Bank transfer", exact=True).click()
        while not held:
            page.wait_for_timeout(20)
        page.get_by_role("button", name="Place order").click()
        page.wait_for_timeout(500)
        held[0].continue_()
        expect(page.get_by_role("heading", name="Thank you, Anna!")).to_be_visible()
        expect(page.get_by_role("heading", name="How to pay by bank transfer")).to_be_visible()
    finally:
        context.close()
