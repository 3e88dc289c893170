"""Cart actions over HTTP: htmx fragments with out-of-band badge and live region, 303s without
JavaScript, 422 with the typed value kept, CSRF, code guessing limits."""

from __future__ import annotations

import re

import pytest

from storefront.domain.db import count_queries
from storefront.domain.models import Variant
from tests.unit import factories as f

HTMX = {"HX-Request": "true"}


@pytest.fixture
async def shop(db):
    clothing = await f.category("Clothing")
    tee = await f.product(
        "Maglietta lino",
        clothing,
        [
            {"price": 3500, "stock": 2, "options": {"size": "M", "colour": "Blu"}},
            {"price": 3900, "stock": 8, "options": {"size": "L", "colour": "Blu"}},
        ],
    )
    variants = await Variant.filter(product_id=tee.id).order_by("id")
    return {"tee": tee, "m": variants[0], "l": variants[1]}


async def csrf(client) -> str:
    page = await client.get("/cart")
    return re.search(r'name="csrf_token" value="([^"]+)"|"X-CSRF-Token": "([^"]+)"', page.text).group(2) or ""


async def post(client, url, data=None, htmx=False, target=None):
    token = await csrf(client)
    headers = {**HTMX, "X-CSRF-Token": token} if htmx else {}
    if target:
        headers["HX-Target"] = target
    form = dict(data or {})
    if not htmx:
        form["csrf_token"] = token
    return await client.post(url, data=form, headers=headers)


async def test_add_without_javascript_redirects_back_and_shows_the_cart(client, shop):
    slug = shop["tee"].slug
    response = await post(client, "/cart/items", {"variant_id": shop["m"].id, "quantity": "1", "next": f"/p/{slug}"})
    assert response.status_code == 303 and response.headers["location"] == f"/p/{slug}"
    product = await client.get(f"/p/{slug}")
    assert "Added: Maglietta lino, M, Blu ×1" in product.text  # the message waits for the next page
    assert "1 item" in product.text
    page = await client.get("/cart")
    assert "Maglietta lino" in page.text and "€35.00" in page.text
    assert "Added:" not in page.text  # shown once


async def test_add_with_htmx_returns_the_confirmation_badge_and_live_region(client, shop):
    choice = {"product": shop["tee"].slug, "size": "l", "colour": "blu", "quantity": "3"}
    response = await post(client, "/cart/items", choice, htmx=True, target="add-to-cart")
    assert response.status_code == 200
    assert 'id="add-to-cart"' in response.text and "In your cart: Maglietta lino, L, Blu ×3." in response.text
    # The region goes back inside the product page's form, whose options add the same again.
    assert 'name="quantity"' in response.text and "<form" not in response.text
    assert 'id="cart-badge" hx-swap-oob="true"' in response.text and "3 items" in response.text
    assert 'id="flash" hx-swap-oob="innerHTML"' in response.text and "Added: Maglietta lino, L, Blu ×3" in response.text


async def test_adding_more_than_stock_says_how_many_are_left(client, shop):
    response = await post(
        client, "/cart/items", {"variant_id": shop["m"].id, "quantity": "5"}, htmx=True, target="add-to-cart"
    )
    assert "Only 2 left — quantity set to 2." in response.text and "2 items" in response.text


@pytest.mark.parametrize("quantity", ["0", "-3", "2.5", "lots", "", "100000"])
async def test_bad_quantities_get_422_with_the_typed_value_kept(client, shop, quantity):
    data = {"variant_id": shop["m"].id, "quantity": quantity}
    fragment = await post(client, "/cart/items", data, htmx=True, target="add-to-cart")
    assert fragment.status_code == 422 and "Enter a whole number from 1 to 99." in fragment.text
    assert f'value="{quantity}"' in fragment.text
    page = await post(client, "/cart/items", {**data, "next": f"/p/{shop['tee'].slug}"})
    assert page.status_code == 422 and "<html" in page.text and "Enter a whole number from 1 to 99." in page.text
    assert "0 items" in page.text


async def test_update_and_remove_lines(client, shop):
    await post(client, "/cart/items", {"variant_id": shop["l"].id, "quantity": "1"})
    response = await post(client, f"/cart/lines/{shop['l'].id}", {"quantity": "4"}, htmx=True)
    assert response.status_code == 200 and 'id="cart"' in response.text and "4 items" in response.text
    assert "€156.00" in response.text
    bad = await post(client, f"/cart/lines/{shop['l'].id}", {"quantity": "x"}, htmx=True)
    assert bad.status_code == 422 and "or 0 to remove" in bad.text and 'value="x"' in bad.text
    removed = await post(client, f"/cart/lines/{shop['l'].id}/remove", htmx=True)
    assert "Your cart is empty" in removed.text and "0 items" in removed.text


async def test_unknown_codes_are_explained_and_guessing_is_limited(client, shop):
    await post(client, "/cart/items", {"variant_id": shop["l"].id, "quantity": "1"})
    for attempt in range(10):
        response = await post(client, "/cart/codes", {"code": f"guess{attempt}"}, htmx=True)
        assert response.status_code == 422 and f"We don't know the code “GUESS{attempt}”" in response.text
    blocked = await post(client, "/cart/codes", {"code": "guess11"}, htmx=True)
    assert blocked.status_code == 429 and "Too many codes tried" in blocked.text


async def test_next_never_leaves_the_site(client, shop):
    for evil in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = await post(client, "/cart/items", {"variant_id": shop["l"].id, "quantity": "1", "next": evil})
        assert response.headers["location"] == "/cart"


async def test_cart_actions_need_the_csrf_token(client, shop):
    response = await client.post("/cart/items", data={"variant_id": shop["l"].id, "quantity": "1"})
    assert response.status_code == 403
    assert (await client.get("/cart")).text.count("cart-line") == 0


async def test_single_version_products_can_be_added_from_their_card(client, shop):
    pantry = await f.category("Pantry")
    coffee = await f.product("Caffè Espresso", pantry, [{"price": 890, "stock": 30}])
    listing = await client.get("/c/pantry")
    only = await Variant.get(product_id=coffee.id)
    assert f'name="variant_id" value="{only.id}"' in listing.text
    clothing = await client.get("/c/clothing")
    assert "card-add" not in clothing.text  # the tee comes in two sizes: choose on its page
    response = await post(client, "/cart/items", {"variant_id": only.id, "quantity": "1"}, htmx=True)
    assert 'id="add-to-cart"' not in response.text  # a card button swaps nothing but the badge and live region
    assert "Added: Caffè Espresso ×1" in response.text and "1 item" in response.text


async def test_adding_to_the_cart_costs_a_fixed_number_of_statements(client, shop):
    """Read the variant, the cart and its line; write the line and the cart's time; describe the
    options; count the badge. The fragment needs nothing more (it was 8 with a second variant read)."""
    await post(client, "/cart/items", {"variant_id": shop["m"].id, "quantity": "1"}, htmx=True, target="add-to-cart")
    token = await csrf(client)
    with count_queries() as statements:
        response = await client.post(
            "/cart/items",
            data={"variant_id": shop["l"].id, "quantity": "1"},
            headers={**HTMX, "X-CSRF-Token": token, "HX-Target": "add-to-cart"},
        )
    assert response.status_code == 200 and len(statements) <= 7, statements


@pytest.fixture
async def polo(db):
    """M Blu and M Nero in stock, L Blu sold out, and no L Nero at all."""
    clothing = await f.category("Clothing")
    polo = await f.product(
        "Polo",
        clothing,
        [
            {"price": 4500, "stock": 3, "options": {"colour": "Blu", "size": "M"}},
            {"price": 4500, "stock": 0, "options": {"colour": "Blu", "size": "L"}},
            {"price": 4900, "stock": 4, "options": {"colour": "Nero", "size": "M"}},
        ],
    )
    return polo


async def test_the_product_form_adds_the_options_chosen_even_if_another_was_shown(client, polo):
    """Without JavaScript the page shows Blu, M until "Show this choice": "Add to cart" must add Nero."""
    shown = await client.get(f"/p/{polo.slug}")
    assert 'value="blu" checked' in shown.text and 'name="product" value="' + polo.slug + '"' in shown.text
    choice = {"product": polo.slug, "colour": "nero", "size": "m", "quantity": "2"}
    response = await post(client, "/cart/items", choice)
    assert response.status_code == 303 and response.headers["location"] == f"/p/{polo.slug}?colour=nero&size=m"
    page = await client.get(response.headers["location"])
    assert "Added: Polo, Nero, M ×2" in page.text and 'value="nero" checked' in page.text
    assert "2 items" in page.text


async def test_show_this_choice_sends_the_shopper_to_its_page_and_adds_nothing(client, polo):
    response = await post(
        client, "/cart/items", {"product": polo.slug, "colour": "nero", "size": "m", "quantity": "1", "show": "1"}
    )
    assert response.status_code == 303 and response.headers["location"] == f"/p/{polo.slug}?colour=nero&size=m"
    assert "csrf" not in response.headers["location"]
    assert "0 items" in (await client.get(response.headers["location"])).text


@pytest.mark.parametrize(
    "choice, message",
    [
        ({"colour": "blu", "size": "l"}, "Nothing was added to your cart: Polo (Blu, L) is sold out."),
        ({"colour": "nero", "size": "l"}, "Nothing was added to your cart: Polo does not come in Nero, L."),
        ({"colour": "viola", "size": "m"}, "Nothing was added to your cart: Polo does not come in M."),
    ],
)
async def test_a_choice_that_cannot_be_added_gets_its_page_with_the_reason(client, polo, choice, message):
    response = await post(client, "/cart/items", {"product": polo.slug, "quantity": "1", **choice})
    assert response.status_code == 422 and "<html" in response.text
    assert message in response.text
    assert "0 items" in response.text and "Add to cart</button>" not in response.text
    assert 'value="' + choice["size"] + '" checked' in response.text  # the page of what was chosen


async def test_a_bad_quantity_on_the_product_form_keeps_the_choice(client, polo):
    response = await post(
        client, "/cart/items", {"product": polo.slug, "colour": "nero", "size": "m", "quantity": "lots"}
    )
    assert response.status_code == 422 and "Enter a whole number from 1 to 99." in response.text
    assert 'value="nero" checked' in response.text and 'value="lots"' in response.text
    fragment = await post(
        client,
        "/cart/items",
        {"product": polo.slug, "colour": "nero", "size": "m", "quantity": "0"},
        htmx=True,
        target="add-to-cart",
    )
    assert fragment.status_code == 422 and 'value="0"' in fragment.text


async def test_an_unknown_product_on_the_product_form_is_not_found(client, polo):
    response = await post(client, "/cart/items", {"product": "no-such-thing", "quantity": "1"})
    assert response.status_code == 404


async def test_with_htmx_a_change_of_option_asks_for_the_panel_with_the_options_alone(client, polo):
    """The GET that swaps the panel must not carry the form's CSRF token (or the quantity)."""
    page = await client.get(f"/p/{polo.slug}")
    options = re.search(r'<div class="variants"([^>]*)>', page.text).group(1)
    assert 'hx-get="/p/' + polo.slug + '"' in options and 'hx-include="this"' in options
    assert 'hx-target="#product-panel"' in options and 'hx-push-url="true"' in options
    csrf_at = page.text.index('name="csrf_token"', page.text.index('id="variant-form"'))
    assert csrf_at < page.text.index('<div class="variants"')  # outside what the GET includes
    assert page.text.index('name="quantity"') > page.text.index("</fieldset>\n      </div>")


async def test_adding_a_chosen_variant_costs_one_statement_more_than_by_id(client, polo):
    """As the variant id (7), plus the catalogue version that finds the product page kept for the choice
    (htmx asked for that page when the option changed). On a SQLite file that version is read off the
    ORM's connection, so the two cost the same there."""
    await client.get(f"/p/{polo.slug}?colour=nero&size=m", headers={**HTMX, "HX-Target": "product-panel"})
    await post(
        client,
        "/cart/items",
        {"product": polo.slug, "colour": "blu", "size": "m", "quantity": "1"},
        htmx=True,
        target="add-to-cart",
    )
    token = await csrf(client)
    with count_queries() as statements:
        response = await client.post(
            "/cart/items",
            data={"product": polo.slug, "colour": "nero", "size": "m", "quantity": "1"},
            headers={**HTMX, "X-CSRF-Token": token, "HX-Target": "add-to-cart"},
        )
    assert response.status_code == 200 and "In your cart: Polo, Nero, M ×1." in response.text
    assert len(statements) <= 8, statements
