"""A shopper fills a cart on desktop, phone and without JavaScript: badge and totals right at each step."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from storefront.seed.taxonomy import COLOUR_EN

PRODUCT = "/p/linen-t-shirt"


COLOUR_SLUG = {name: slug for slug, name in COLOUR_EN.items()}  # "Black": "nero", as the demo writes them


def choose(page: Page, colour: str, size: str) -> None:
    """Pick a variant by its visible option labels."""
    page.locator("#variant-form .choices").get_by_text(colour, exact=True).click()
    if page.profile != "nojs":
        expect(page).to_have_url(re.compile(f"colour={COLOUR_SLUG[colour]}"))
    page.locator("#variant-form .choices").get_by_text(size, exact=True).click()
    if page.profile == "nojs":
        page.get_by_role("button", name="Show this choice").click()
    expect(page).to_have_url(re.compile(f"size={size.lower()}"))
    expect(page.get_by_role("radio", name=re.compile(f"^{size}"))).to_be_checked()


def pick(page: Page, value: str) -> None:
    """Click an option by its name, as a shopper does (a note such as "sold out" may follow it)."""
    label = page.locator("#variant-form label.choice").filter(has_text=re.compile(rf"^\s*{re.escape(value)}(\s|$)"))
    label.click()
    if page.profile != "nojs":  # htmx swaps in the panel for the new choice
        expect(page.get_by_role("radio", name=re.compile(rf"^{re.escape(value)}"))).to_be_checked()
        page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")


def add(page: Page, quantity: int) -> None:
    page.get_by_label("Quantity").fill(str(quantity))
    page.get_by_role("button", name="Add to cart").click()


def badge(page: Page):
    return page.locator("#cart-badge .badge")


def line(page: Page, options: str):
    return page.locator("li.cart-line", has_text=options)


def set_quantity(page: Page, options: str, quantity: int) -> None:
    field = page.get_by_label(f"Quantity of Linen T-shirt {options}")
    field.fill(str(quantity))
    if page.profile == "nojs":
        line(page, options).get_by_role("button", name="Update").click()
    else:
        field.press("Tab")  # htmx updates the cart when the field changes


def apply_code(page: Page, code: str) -> None:
    page.get_by_label("Discount code").fill(code)
    page.get_by_role("button", name="Apply").click()


def test_fill_a_cart_change_it_and_use_codes(shopper: Page):
    page = shopper
    page.goto(PRODUCT)
    choose(page, "Black", "XS")
    add(page, 2)
    expect(page.get_by_text(re.compile(r"Added: Linen T-shirt, Black, XS ×2"))).to_be_visible()
    expect(badge(page)).to_have_text("2 items")

    choose(page, "Black", "M")
    add(page, 1)
    expect(badge(page)).to_have_text("3 items")

    page.get_by_role("link", name=re.compile("Cart")).click()
    expect(page.get_by_role("heading", level=1, name="Your cart")).to_be_visible()
    expect(page.locator("li.cart-line")).to_have_count(2)
    total = page.locator(".totals .total dd")
    expect(total).to_have_text("€116.70")  # 3 × €38.90, shipping free over €59

    # More than are left: the quantity is set to what is left, and the shopper is told.
    set_quantity(page, "Black, XS", 9)
    expect(page.get_by_text("Only 6 left — quantity set to 6.")).to_be_visible()
    expect(badge(page)).to_have_text("7 items")
    expect(page.get_by_label("Quantity of Linen T-shirt Black, XS")).to_have_value("6")
    expect(total).to_have_text("€272.30")  # 7 × €38.90, shipping free over €59

    apply_code(page, "welcome10")
    expect(page.locator(".totals .discount")).to_contain_text("WELCOME10")
    expect(total).to_have_text("€245.07")  # 10% off €272.30 = €27.23

    apply_code(page, "ESTATE25")  # refused, with its reason, next to the field and in the live region
    expect(page.locator("#code-error")).to_have_text("ESTATE25 expired on 1 September. It was not added.")
    expect(page.locator("#flash [role=alert]")).to_have_text("ESTATE25 expired on 1 September.")
    expect(page.locator(".codes")).not_to_contain_text("ESTATE25")
    apply_code(page, "NOPE")
    expect(page.get_by_text("We don't know the code “NOPE”.", exact=False)).to_be_visible()
    expect(page.get_by_label("Discount code")).to_have_value("NOPE")

    line(page, "Black, M").get_by_role("button", name=re.compile("^Remove")).click()
    expect(page.locator("li.cart-line")).to_have_count(1)
    expect(badge(page)).to_have_text("6 items")


def test_quantity_errors_are_shown_next_to_the_field(shopper: Page):
    page = shopper
    if page.profile == "nojs":
        pytest.skip("without JavaScript the browser's own min/max check stops the form first")
    page.goto(PRODUCT)
    # Older browsers and assistive tools may not enforce min/max: the server's message must still come.
    page.locator("#variant-form").evaluate("form => { form.noValidate = true }")
    page.get_by_label("Quantity").fill("0")
    page.get_by_role("button", name="Add to cart").click()
    expect(page.get_by_text("Enter a whole number from 1 to 99.")).to_be_visible()
    expect(page.get_by_label("Quantity")).to_have_value("0")
    expect(badge(page)).to_have_text("0 items")


def test_add_to_cart_adds_the_options_chosen(shopper: Page):
    """Without JavaScript the page still shows the first variant until "Show this choice" is pressed;
    a shopper who goes straight to "Add to cart" gets what they chose, or is told why not."""
    page = shopper
    page.goto(PRODUCT)
    expect(page.get_by_role("radio", name=re.compile("^White"))).to_be_checked()
    pick(page, "Terracotta")
    pick(page, "L")
    add(page, 1)
    expect(page.get_by_text("Added: Linen T-shirt, Terracotta, L ×1")).to_be_visible()
    expect(badge(page)).to_have_text("1 item")
    expect(page.get_by_role("radio", name=re.compile("^Terracotta"))).to_be_checked()
    # Enter in the quantity adds too (it must not press the hidden "Show this choice").
    page.get_by_label("Quantity").fill("2")
    page.get_by_label("Quantity").press("Enter")
    expect(badge(page)).to_have_text("3 items")
    if page.profile != "nojs":
        return  # with JavaScript the panel always shows the choice: nothing to add for a missing one

    pick(page, "Blue")
    pick(page, "XS")  # there is no blue XS
    add(page, 1)
    expect(page.get_by_text("Nothing was added to your cart: Linen T-shirt does not come in Blue, XS.")).to_be_visible()
    expect(page.get_by_role("radio", name=re.compile("^Blue"))).to_be_checked()
    expect(page.get_by_role("button", name="Add to cart")).to_have_count(0)

    page.goto(PRODUCT)
    pick(page, "S")  # white S has sold out
    add(page, 1)
    expect(page.get_by_text("Nothing was added to your cart: Linen T-shirt (White, S) is sold out.")).to_be_visible()
    expect(badge(page)).to_have_text("3 items")


def test_the_cart_is_priced_for_the_country_it_goes_to(shopper: Page):
    page = shopper
    page.goto(PRODUCT)
    choose(page, "Black", "XS")
    add(page, 1)
    expect(badge(page)).to_have_text("1 item")
    page.goto("/cart")
    total = page.locator(".totals .total dd")
    expect(total).to_have_text("€43.80")  # €38.90 + €4.90 to Italy
    expect(page.locator(".vat-note")).to_have_text("Includes €7.90 VAT at 22%")
    page.get_by_label("Delivering to").select_option("CH")
    if page.profile == "nojs":
        page.locator("form.ship-to").get_by_role("button", name="Update").click()
    # An export: €38.90 less its 22% VAT (€7.01) is €31.89, and the courier to the rest of the world €24.90.
    expect(total).to_have_text("€56.79")
    expect(page.locator(".vat-note")).to_contain_text("No VAT charged")
    expect(page.locator("li.cart-line .line-total")).to_have_text("€31.89")
    page.get_by_role("link", name="Go to checkout").click()
    expect(page.get_by_label("Country")).to_have_value("CH")
    expect(page.locator(".summary-total")).to_have_text("€56.79")
