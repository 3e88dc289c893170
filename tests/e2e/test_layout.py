"""Every shopper and back-office page at every width a shopper or shop keeper uses, from a 320 px phone to a
1440 px desktop: nothing sticks out of the window (WCAG 1.4.10 Reflow), no primary action is cut off, covered or
off the page, and axe-core finds no accessibility violation on a phone and on a desktop.

One browser context, pages in a loop, the viewport resized for each width; the orders and the staff account
are made once. Every failure is listed at once (page, width, what), so one run shows the whole damage."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import _shopper, create_staff, log_in
from tests.e2e.test_checkout import ANNA, pay_by_card

WIDTHS = [320, 360, 390, 768, 1024, 1280, 1440]
AXE_WIDTHS = {390: "phone", 1280: "desktop"}
HEIGHT = 800

# The actions a page exists for, by accessible name: each must be there, whole, uncovered and on the page.
PRIMARY = re.compile(
    r"^(Add to cart|Go to checkout|Place order|Pay|Apply|Log in|Save|Search|Show my order|"
    r"Create|Import|Check the file|Adjust|Set|Ship|Mark|Refund|Cancel|Update|Add|Try the card again)\b"
)

# Runs in the page: every visible button and button-styled link, scrolled into view one by one. A primary
# action fails when its box leaves the window sideways, when an ancestor that clips (overflow hidden/clip, or a
# scroll box that it is scrolled out of) cuts it, when its label sticks out of it or wraps (a squeezed button:
# "Go to / checkout"), or when the topmost element at its centre is something else (covered).
CHECK_ACTIONS = """(primary) => {
  const pattern = new RegExp(primary);
  const name = (el) => (el.innerText || el.value || el.getAttribute('aria-label') || '').trim().replace(/\\s+/g, ' ');
  const problems = [];
  const seen = [];
  for (const el of document.querySelectorAll('button, a.button, input[type=submit]')) {
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0 || style.visibility === 'hidden') continue;
    if (el.closest('[hidden], .js-hidden')) continue;
    if (el.closest('.flash')) continue;  // the live region's toast fades away by itself
    const label = name(el);
    if (!pattern.test(label)) continue;
    seen.push(label);
    el.scrollIntoView({block: 'center', inline: 'nearest'});
    const r = el.getBoundingClientRect();
    const what = `"${label}"`;
    const left = r.left + window.scrollX, right = r.right + window.scrollX;  // on the page, not the window
    if (left < -0.5 || right > window.innerWidth + 0.5) {
      const span = `${Math.round(left)}..${Math.round(right)} of ${window.innerWidth}`;
      problems.push(`${what} is off the page horizontally (${span})`);
      continue;
    }
    // The label's visible text (not a visually-hidden addition) must sit inside the action, on one line.
    const lines = new Set(), walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    let outside = false;
    for (let t = walker.nextNode(); t; t = walker.nextNode()) {
      if (!t.textContent.trim() || t.parentElement.getBoundingClientRect().width <= 1) continue;
      const range = document.createRange();
      range.selectNodeContents(t);
      for (const line of range.getClientRects()) {
        if (line.width === 0) continue;
        lines.add(Math.round(line.top / 4));
        if (line.left < r.left - 1 || line.right > r.right + 1) outside = true;
        if (line.top < r.top - 1 || line.bottom > r.bottom + 1) outside = true;
      }
    }
    if (outside) problems.push(`${what}: its label sticks out of it`);
    // On a phone a long label may take two lines; from a tablet's width up there is room, and a wrapped label
    // means a squeezed action.
    if (lines.size > 1 && window.innerWidth >= 768) problems.push(`${what}: its label wraps onto ${lines.size} lines`);
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      const o = getComputedStyle(a);
      if (o.overflowX === 'visible' && o.overflowY === 'visible') continue;
      const c = a.getBoundingClientRect();
      const scrolled = (o.overflowX === 'hidden' || o.overflowX === 'clip') && a.scrollLeft !== 0;
      const beyond = r.left < c.left - 0.5 || r.right > c.right + 0.5
        || r.top < c.top - 0.5 || r.bottom > c.bottom + 0.5;
      if (scrolled || beyond) {
        problems.push(`${what} is clipped by <${a.tagName.toLowerCase()} class="${a.className}">`);
        break;
      }
    }
    const x = r.left + r.width / 2, y = r.top + r.height / 2;
    const top = document.elementFromPoint(x, y);
    if (!top || !(top === el || el.contains(top))) {
      const by = top ? `<${top.tagName.toLowerCase()} class="${top.className}">` : 'nothing (outside the window)';
      problems.push(`${what} is covered at its centre by ${by}`);
    }
  }
  window.scrollTo(0, 0);
  return {problems, seen};
}"""


@dataclass
class Visit:
    name: str
    url: str
    must_have: list[str] = field(default_factory=list)  # primary actions that must be on this page


@dataclass
class Report:
    layout: list[str] = field(default_factory=list)
    axe: list[str] = field(default_factory=list)
    pages: int = 0


def check_widths(page: Page, visit: Visit, report: Report, axe: Axe | None) -> None:
    report.pages += 1
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": HEIGHT})
        page.wait_for_function("w => window.innerWidth === w", arg=width)
        where = f"{visit.name} ({visit.url}) at {width}px"
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        if scroll_width > width:
            report.layout.append(f"{where}: the document is {scroll_width}px wide")
        found = page.evaluate(CHECK_ACTIONS, PRIMARY.pattern)
        report.layout += [f"{where}: {p}" for p in found["problems"]]
        for action in visit.must_have:
            if not any(label.startswith(action) for label in found["seen"]):
                report.layout.append(f"{where}: no visible {action!r} (saw {found['seen']})")
        if axe and width in AXE_WIDTHS:
            results = axe.run(page)
            for v in results.response["violations"]:
                targets = ", ".join(" ".join(n["target"]) for n in v["nodes"][:5])
                report.axe.append(
                    f"{visit.name} ({visit.url}) on a {AXE_WIDTHS[width]}: {v['id']} ({v['impact']}) "
                    f"{v['help']} — {targets}"
                )


def settle(page: Page) -> None:
    page.wait_for_load_state("load")
    page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")


def visit(page: Page, report: Report, axe: Axe, name: str, url: str, *must_have: str) -> None:
    page.goto(url)
    settle(page)
    check_widths(page, Visit(name, url, list(must_have)), report, axe)


def add_to_cart(page: Page, product: str = "/p/linen-t-shirt") -> None:
    page.goto(product)
    before = page.locator("#cart-badge .badge").inner_text()
    page.get_by_role("button", name="Add to cart").click()
    expect(page.locator("#cart-badge .badge")).not_to_have_text(before)


def place_order(page: Page, email: str, payment: str) -> None:
    page.goto("/checkout")
    for label, value in {**ANNA, "Email": email}.items():
        page.get_by_label(label, exact=True).fill(value)
    page.locator(".methods").get_by_text(payment, exact=True).click()
    settle(page)
    page.get_by_role("button", name="Place order").click()


@pytest.fixture(scope="module")
def report(browser: Browser, playwright, base_url, server_env) -> Report:
    report = Report()
    axe = Axe()
    owner = create_staff(server_env, "layout-owner@example.com", "layout owner password 1")
    context, page = _shopper("desktop", browser, playwright, base_url)
    try:
        # The orders first: the shop's pages after them, with the cart filled again.
        add_to_cart(page)
        place_order(page, "layout-bank@example.com", "Bank transfer")
        expect(page.get_by_role("heading", name="How to pay by bank transfer")).to_be_visible()
        order_url = page.url
        order_number = re.search(r"BT-[A-Z0-9]{6}", order_url).group(0)
        add_to_cart(page)
        place_order(page, "layout-card@example.com", "Card")
        expect(page).to_have_url(re.compile(r"/sandbox/pay/"))
        pay_url = page.url.removeprefix(base_url)

        visit(page, report, axe, "home", "/", "Search")
        visit(page, report, axe, "category", "/c/clothing")
        visit(page, report, axe, "filtered listing", "/c/clothing?size=m&stock=1&sort=price_asc")
        visit(page, report, axe, "category with quick add", "/c/pantry", "Add to cart")
        visit(page, report, axe, "search", "/search?q=lino")
        visit(page, report, axe, "product", "/p/linen-t-shirt", "Add to cart")

        add_to_cart(page)
        page.goto("/cart")
        page.get_by_label("Discount code").fill("WELCOME10")
        page.get_by_role("button", name="Apply").click()
        expect(page.locator(".totals .discount")).to_contain_text("WELCOME10")
        visit(page, report, axe, "cart with a code", "/cart", "Apply", "Go to checkout")
        # A shop keeper may name a product with one long word (or a long German compound): it wraps.
        page.evaluate(
            "() => document.querySelectorAll('.cart-line h2 a').forEach(a => a.textContent = 'Tischdecke'.repeat(8))"
        )
        check_widths(page, Visit("cart, a product with a long name", "/cart", ["Go to checkout"]), report, None)

        page.goto("/checkout")  # prefilled from the unpaid card order above: emptied to show every error
        for field in page.locator("#checkout-form input[type=text], #checkout-form input[type=email]").all():
            field.fill("")
        page.get_by_role("button", name="Place order").click()
        expect(page.get_by_label("Email")).to_have_attribute("aria-invalid", "true")
        settle(page)
        check_widths(page, Visit("checkout with errors", "/checkout", ["Place order"]), report, axe)

        visit(page, report, axe, "order", order_url.removeprefix(base_url))
        visit(page, report, axe, "sandbox card payment", pay_url, "Pay")
        # That card declined: the order page offers both ways on; paid at the second try: the thank-you.
        pay_by_card(page, "4000 0000 0000 0002")
        retry = page.get_by_role("button", name="Try the card again")
        expect(retry).to_be_visible()
        check_widths(
            page,
            Visit("order, card declined", page.url.removeprefix(base_url), ["Try the card again", "Pay another way"]),
            report,
            axe,
        )
        retry.click()
        pay_by_card(page, "4242 4242 4242 4242")
        expect(page.get_by_role("heading", name="Thank you, Anna!")).to_be_visible()
        check_widths(page, Visit("order, paid by card", page.url.removeprefix(base_url)), report, axe)
        visit(page, report, axe, "order lookup", "/orders/lookup", "Show my order")
        visit(page, report, axe, "not found", "/nope", "Search")

        visit(page, report, axe, "admin login", "/admin/login", "Log in")
        log_in(page, owner)
        expect(page).to_have_url(re.compile(r"/admin$"))
        visit(page, report, axe, "admin dashboard", "/admin")
        visit(page, report, axe, "admin orders", "/admin/orders")
        visit(page, report, axe, "admin order", f"/admin/orders/{order_number}")
        visit(page, report, axe, "admin packing slip", f"/admin/orders/{order_number}/packing-slip")
        visit(page, report, axe, "admin products", "/admin/products")
        page.goto("/admin/products")
        product_url = (
            page.locator("a[href^='/admin/products/']")
            .filter(has_text=re.compile(r"\w"))
            .evaluate_all(
                "links => links.map(a => a.getAttribute('href')).find(h => /^\\/admin\\/products\\/\\d+$/.test(h))"
            )
        )
        visit(page, report, axe, "admin product editor", product_url, "Save")
        visit(page, report, axe, "admin new product", "/admin/products/new")
        visit(page, report, axe, "admin CSV import", "/admin/products/import")
        visit(page, report, axe, "admin stock", "/admin/stock")
        page.goto("/admin/stock?q=panettone")  # a variant no other test counts
        variant_url = page.locator("a[href^='/admin/stock/']").first.get_attribute("href")
        visit(page, report, axe, "admin variant stock", variant_url, "Save")
        # A delivery noted with the supplier's link: the audit log then holds a long unbroken value.
        form = page.locator("form.adjust-form").first
        form.get_by_label("Units").fill("1")
        form.get_by_label("Reason").select_option("received")
        form.get_by_label("Note").fill(
            "https://supplier.example/deliveries/2026-12-03/" + "panettone-artigianale-1kg-" * 3
        )
        form.get_by_role("button", name="Save").click()
        expect(page.get_by_text("supplier.example").first).to_be_attached()
        visit(page, report, axe, "admin promotions", "/admin/promotions")
        visit(page, report, axe, "admin new promotion", "/admin/promotions/new", "Create")
        page.goto("/admin/promotions")
        promotion_url = page.locator("a[href^='/admin/promotions/']").evaluate_all(
            "links => links.map(a => a.getAttribute('href')).find(h => /^\\/admin\\/promotions\\/\\d+$/.test(h))"
        )
        visit(page, report, axe, "admin promotion", promotion_url, "Save")
        visit(page, report, axe, "admin shipping", "/admin/shipping")
        visit(page, report, axe, "admin staff", "/admin/staff")
        visit(page, report, axe, "admin audit log", "/admin/audit")
    finally:
        context.close()
    return report


def test_no_page_overflows_and_every_primary_action_is_whole_and_reachable(report: Report):
    assert report.pages >= 25
    assert not report.layout, f"{len(report.layout)} layout failures:\n" + "\n".join(report.layout)


def test_axe_finds_no_accessibility_violations_on_phone_and_desktop(report: Report):
    assert not report.axe, f"{len(report.axe)} axe violations:\n" + "\n".join(report.axe)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_a_quick_add_far_down_a_listing_is_confirmed_where_the_shopper_is(
    browser: Browser, playwright, base_url, javascript: bool
):
    """On a phone, "Add to cart" on a card far down a category: the confirmation shows inside the window
    (not in the header, thousands of pixels up), then goes away by itself and leaves the page free."""
    device = {k: v for k, v in playwright.devices["iPhone 13"].items() if k != "default_browser_type"}
    context = browser.new_context(
        base_url=base_url, locale="en-GB", timezone_id="Europe/Rome", **device, java_script_enabled=javascript
    )
    context.set_default_timeout(5_000)
    page = context.new_page()
    try:
        page.goto("/c/pantry")
        add = page.locator("form.card-add button").last
        add.scroll_into_view_if_needed()
        assert page.evaluate("window.scrollY") > 1000, "the card is far down the page"
        add.click()
        toast = page.locator("#flash .message", has_text="Added:")
        expect(toast).to_be_visible()
        expect(toast).to_be_in_viewport(ratio=1)
        expect(page.locator("#flash")).to_have_attribute("role", "status")
        page.emulate_media(reduced_motion="reduce")  # no fade, no slide: shown, then gone
        expect(toast).to_have_css("animation-name", "toast-still")
        page.emulate_media(reduced_motion="no-preference")

        # It fades away by itself (CSS only); the animations run 20 times faster here to keep the test short.
        page.context.new_cdp_session(page).send("Animation.setPlaybackRate", {"playbackRate": 20})
        expect(toast).to_be_hidden()
        add.scroll_into_view_if_needed()  # without JavaScript the redirect came back to the top of the page
        box = add.bounding_box()
        assert box and page.evaluate(
            "([x, y]) => document.elementFromPoint(x, y).closest('form.card-add') !== null",
            [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2],
        )
    finally:
        context.close()
