"""A shopper browses the demo shop: desktop, phone, and with JavaScript off."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect


def product_count(page: Page) -> int:
    return int(re.match(r"(\d+) products?", page.locator("#result-count").inner_text()).group(1))


def cards(page: Page):
    return page.locator("#cards > li.card")


def open_filters(page: Page) -> None:
    """On phones (and narrow windows) the filters are folded away behind "Filters"."""
    summary = page.get_by_text("Filters", exact=True)
    if not page.get_by_label("Min").is_visible():
        summary.click()


def change_filter(page: Page, action) -> None:
    """With JavaScript, filters apply as they change (we wait for the new results, as a shopper does);
    without it, the shopper presses the button."""
    if page.profile == "nojs":
        action()
        page.get_by_role("button", name="Apply filters").click()
        return
    with page.expect_response(lambda r: r.request.headers.get("hx-request") == "true"):
        action()
    page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")


def prices(page: Page) -> list[float]:
    texts = cards(page).locator(".price strong").all_inner_texts()
    return [float(t.replace("€", "").replace(",", "")) for t in texts]


def test_browse_a_category_filter_sort_and_load_more(shopper: Page):
    page = shopper
    page.goto("/")
    page.get_by_role("navigation", name="Categories").get_by_role("link", name="Clothing").click()
    expect(page.get_by_role("heading", level=1, name="Clothing")).to_be_visible()
    total = product_count(page)
    assert total > 24 and cards(page).count() == 24

    open_filters(page)
    change_filter(page, page.get_by_role("checkbox", name=re.compile(r"^M \(\d+\)")).check)
    expect(page).to_have_url(re.compile(r"size=m"))
    change_filter(page, page.get_by_label("In stock only").check)
    expect(page).to_have_url(re.compile(r"stock=1"))
    filtered = product_count(page)
    assert 0 < filtered <= total

    change_filter(page, lambda: page.get_by_label("Sort by").select_option(label="Price: low to high"))
    expect(page).to_have_url(re.compile(r"sort=price_asc"))
    expect(page.get_by_label("Sort by")).to_have_value("price_asc")
    shown = prices(page)
    assert shown == sorted(shown)

    # Back to all clothing, then "Load more".
    page.goto("/c/clothing")
    page.get_by_role("link", name="Load more").click()
    expect(page).to_have_url(re.compile(r"page=2"))
    if page.profile == "nojs":
        # Without JavaScript it is a plain next page, with a way back to the first.
        expect(page.get_by_role("link", name="Show previous products")).to_be_visible()
        assert 0 < cards(page).count() <= 24
    else:
        expect(cards(page)).to_have_count(min(48, total))


def test_sorting_without_javascript_on_a_phone(phone_without_js: Page):
    """The filters are folded away, and "Apply filters" with them: the sort has a button of its own."""
    page = phone_without_js
    page.goto("/c/clothing?size=m")
    expect(page.get_by_role("button", name="Apply filters")).to_be_hidden()
    page.get_by_label("Sort by").select_option(label="Price: high to low")
    page.get_by_role("button", name="Sort", exact=True).click()
    expect(page).to_have_url(re.compile(r"sort=price_desc"))
    expect(page).to_have_url(re.compile(r"size=m"))  # the filters stay
    expect(page.get_by_label("Sort by")).to_have_value("price_desc")
    shown = prices(page)
    assert shown == sorted(shown, reverse=True) and len(shown) > 1


def test_with_javascript_the_sort_applies_as_it_changes(shopper: Page):
    page = shopper
    if page.profile == "nojs":
        pytest.skip("covered by test_browse_a_category_filter_sort_and_load_more")
    page.goto("/c/clothing")
    expect(page.get_by_role("button", name="Sort", exact=True)).to_be_hidden()
    change_filter(page, lambda: page.get_by_label("Sort by").select_option(label="Price: high to low"))
    expect(page).to_have_url(re.compile(r"sort=price_desc"))
    shown = prices(page)
    assert shown == sorted(shown, reverse=True)


def test_filters_keep_what_was_typed_and_explain_bad_prices(shopper: Page):
    page = shopper
    page.goto("/c/pantry")
    open_filters(page)
    page.get_by_label("Min").fill("cheap")
    if page.profile == "nojs":
        page.get_by_role("button", name="Apply filters").click()
    else:
        page.get_by_label("Min").press("Enter")
    expect(page.get_by_text("Enter a price in euros, like 25 or 19.90.")).to_be_visible()
    expect(page.get_by_label("Min")).to_have_value("cheap")
    expect(page.get_by_label("Min")).to_have_attribute("aria-invalid", "true")


def test_search_without_accents_then_refine(shopper: Page):
    page = shopper
    page.goto("/")
    page.get_by_role("searchbox", name="Search products").fill("caffe")
    page.get_by_role("searchbox", name="Search products").press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Results for “caffe”")
    # The coffees first, named in English: "caffe" is the Italian name's word, without its accent.
    expect(cards(page).first).to_contain_text(re.compile("coffee", re.IGNORECASE))

    page.get_by_role("searchbox", name="Search products").fill("zzqxv")
    page.get_by_role("searchbox", name="Search products").press("Enter")
    expect(page.get_by_role("heading", name="No products match “zzqxv”")).to_be_visible()


def test_prefix_search_finds_whole_words(shopper: Page):
    shopper.goto("/search?q=magl")
    expect(cards(shopper).filter(has_text="T-shirt").first).to_be_visible()


def test_product_page_switches_variants(shopper: Page):
    page = shopper
    page.goto("/search?q=linen+t-shirt")
    page.get_by_role("link", name="Linen T-shirt", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="Linen T-shirt")).to_be_visible()
    expect(page.get_by_text("Includes 22% VAT")).to_be_visible()
    expect(page.get_by_text(re.compile(r"Order now, arrives"))).to_be_visible()

    page.get_by_text("Black", exact=True).click()
    if page.profile == "nojs":
        page.get_by_role("button", name="Show this choice").click()
    expect(page).to_have_url(re.compile(r"colour=nero"))
    expect(page.get_by_role("group", name=re.compile(r"^Colour: Black"))).to_be_visible()
    expect(page.locator(".gallery img").first).to_have_attribute("alt", "Linen T-shirt: Black")
    expect(page.get_by_role("radio", name=re.compile(r"^Black"))).to_be_checked()


def test_unknown_pages_are_a_real_404(shopper: Page):
    response = shopper.goto("/p/does-not-exist")
    assert response.status == 404
    expect(shopper.get_by_role("heading", name="We can't find that page")).to_be_visible()
