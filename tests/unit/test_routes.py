"""The web layer over ASGI: pages and fragments, errors, CSRF and headers."""

from __future__ import annotations

import re

import pytest

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
            {"price": 3900, "stock": 0, "options": {"size": "L", "colour": "Blu"}},
        ],
    )
    for i in range(30):
        await f.product(f"Camicia {i}", clothing, [{"price": 5000 + i, "stock": 3}], age_days=i + 1)
    await f.product("Caffè Espresso", await f.category("Pantry"), [{"price": 890, "stock": 30}])
    return {"clothing": clothing, "tee": tee}


async def test_home_lists_categories_and_new_arrivals(client, shop):
    response = await client.get("/")
    assert response.status_code == 200
    assert 'href="/c/clothing"' in response.text and "New arrivals" in response.text


async def test_category_page_and_fragment_share_one_url(client, shop):
    page = await client.get("/c/clothing")
    fragment = await client.get("/c/clothing", headers=HTMX)
    assert page.status_code == fragment.status_code == 200
    assert "<html" in page.text and "<html" not in fragment.text
    assert 'id="listing"' in fragment.text
    assert "HX-Request" in page.headers["vary"] and "HX-Request" in fragment.headers["vary"]
    assert "31 products" in page.text


async def test_boosted_and_history_restore_requests_get_the_whole_page(client, shop):
    for extra in ({"HX-Boosted": "true"}, {"HX-History-Restore-Request": "true"}):
        response = await client.get("/c/clothing", headers={**HTMX, **extra})
        assert "<html" in response.text


async def test_load_more_is_a_next_page_link_and_an_htmx_append(client, shop):
    page = await client.get("/c/clothing")
    assert 'href="/c/clothing?page=2"' in page.text
    more = await client.get("/c/clothing?page=2", headers={**HTMX, "HX-Target": "load-more"})
    assert more.text.lstrip().startswith("<li") and 'id="filters"' not in more.text
    assert more.text.count('class="card"') == 7


async def test_page_past_the_end_is_not_found(client, shop):
    assert (await client.get("/c/clothing?page=9")).status_code == 404


async def test_bad_filter_input_is_explained_not_an_error(client, shop):
    response = await client.get("/c/clothing?min=abc&max=-4&page=x&sort=evil&size=%27%3B--")
    assert response.status_code == 200
    assert "Enter a price in euros" in response.text
    assert 'value="abc"' in response.text  # what the shopper typed stays in the field


async def test_search_finds_accentless_queries_and_has_an_empty_state(client, shop):
    found = await client.get("/search?q=caffe")
    assert "Caffè Espresso" in found.text and "1 product" in found.text
    missing = await client.get("/search?q=zzzzqqq")
    assert missing.status_code == 200 and "No products match" in missing.text


async def test_product_page_and_variant_fragment(client, shop):
    slug = shop["tee"].slug
    page = await client.get(f"/p/{slug}")
    assert page.status_code == 200 and "Includes 22% VAT" in page.text and "Only 2 left" in page.text
    fragment = await client.get(f"/p/{slug}?size=l&colour=blu", headers=HTMX)
    assert 'id="product-panel"' in fragment.text and "<html" not in fragment.text
    assert "Sold out" in fragment.text and "Add to cart" not in fragment.text


async def test_unknown_urls_get_the_404_page(client, shop):
    for url in ("/nowhere", "/c/nowhere", "/p/nowhere"):
        response = await client.get(url)
        assert response.status_code == 404
        assert "find that page" in response.text and "<html" in response.text


async def test_healthz(client):
    response = await client.get("/healthz")
    assert response.status_code == 200 and response.text == "ok"


async def test_security_headers(client, shop):
    headers = (await client.get("/")).headers
    csp = headers["content-security-policy"]
    script_src = re.search(r"script-src ([^;]*)", csp).group(1)
    assert "unsafe-inline" not in script_src and "unsafe-eval" not in script_src
    assert "frame-ancestors 'none'" in csp
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "strict-origin-when-cross-origin"


async def test_session_cookie_is_signed_httponly_lax_and_secure(client, shop):
    response = await client.get("/")
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" in cookie


async def test_unsafe_requests_without_the_csrf_token_are_refused(client, shop):
    # Every unsafe request is refused before routing, so this holds for routes added later too.
    for path in ["/", "/c/clothing", "/cart/items", "/anything"]:
        response = await client.post(path, data={"quantity": "1"})
        assert response.status_code == 403
        assert "session has expired" in response.text


async def test_htmx_csrf_failure_is_shown_in_the_alert_region(client, shop):
    response = await client.post("/cart/items", headers=HTMX)
    assert response.status_code == 403
    assert response.headers["hx-retarget"] == "#flash" and 'role="alert"' in response.text


async def test_a_valid_csrf_token_passes(client, shop):
    page = await client.get("/")
    token = re.search(r'"X-CSRF-Token": "([^"]+)"', page.text).group(1)
    by_form = await client.post("/c/clothing", data={"csrf_token": token})
    by_header = await client.post("/c/clothing", headers={"X-CSRF-Token": token})
    wrong = await client.post("/c/clothing", data={"csrf_token": token + "x"})
    # Past the CSRF check, the GET-only route answers 405 (shown as the not-found page).
    assert by_form.status_code == by_header.status_code == 405
    assert wrong.status_code == 403


async def test_oversized_bodies_are_refused(client, shop):
    response = await client.post(
        "/c/clothing", content=b"x" * (3 * 1024 * 1024), headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert response.status_code == 413


async def test_a_tampered_or_foreign_session_cookie_gives_a_fresh_session(client, shop):
    first = await client.get("/")
    token = re.search(r'"X-CSRF-Token": "([^"]+)"', first.text).group(1)
    cookie = client.cookies.get("sf_session")

    async def token_accepted(session_cookie: str) -> bool:
        client.cookies.clear()
        client.cookies.set("sf_session", session_cookie)
        # Past the CSRF check the GET-only route answers 405; a session without this token, 403.
        return (await client.post("/c/clothing", headers={"X-CSRF-Token": token})).status_code == 405

    assert await token_accepted(cookie)  # the genuine cookie keeps its session
    tampered = cookie[:-4] + ("AAAA" if not cookie.endswith("AAAA") else "BBBB")
    assert not await token_accepted(tampered)  # the signature failed: a new session with a new token
    client.cookies.clear()
    client.cookies.set("sf_session", tampered)
    assert (await client.get("/")).status_code == 200
    client.cookies.clear()
    client.cookies.set("sf_session", "eyJjc3JmIjogInguLi4ifQ==.foreign.signature")
    assert (await client.get("/")).status_code == 200


def test_csrf_tokens_differ_in_every_page_yet_all_verify():
    """Masked per response (BREACH): no two pages carry the same bytes, each unmasks to the session's."""
    from starlette.requests import HTTPConnection

    from storefront import session

    conn = HTTPConnection({"type": "http", "session": {}})
    one, two = session.csrf_token(conn), session.csrf_token(conn)
    assert one != two and session.csrf_matches(conn, one) and session.csrf_matches(conn, two)
    assert not session.csrf_matches(conn, conn.session[session.CSRF])  # the bare secret is not a token
    assert not session.csrf_matches(conn, one[:-2] + ("00" if not one.endswith("00") else "11"))
    assert not session.csrf_matches(HTTPConnection({"type": "http", "session": {}}), one)  # another session


async def test_static_files_with_their_hash_are_cached_for_a_year(client, shop):
    page = (await client.get("/")).text
    css = re.search(r'href="(/static/site\.css\?v=[0-9a-f]+)"', page).group(1)
    hashed = await client.get(css)
    assert hashed.status_code == 200 and "immutable" in hashed.headers["cache-control"]
    plain = await client.get("/static/site.css")
    assert "immutable" not in plain.headers.get("cache-control", "") and plain.headers.get("etag")


async def test_pages_and_static_files_are_compressed_for_browsers_that_accept_it(client, shop):
    page = await client.get("/c/clothing", headers={"Accept-Encoding": "gzip"})
    assert page.headers["content-encoding"] == "gzip" and "Accept-Encoding" in page.headers["vary"]
    assert "Clothing" in page.text  # the client inflates it
    script = await client.get("/static/htmx-2.0.11.min.js", headers={"Accept-Encoding": "gzip"})
    assert script.headers["content-encoding"] == "gzip"
    plain = await client.get("/c/clothing", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers


async def test_a_shop_without_images_yet_answers_media_requests_with_404(client, shop, settings):
    # The settings point at a media folder nobody has created: the app makes it rather than fail.
    response = await client.get("/media/products/1-none.png")
    assert response.status_code == 404 and settings.media_dir.is_dir()


@pytest.mark.parametrize(
    "path",
    [
        "/p/" + "a" * 161,  # longer than any product's slug
        "/orders/" + "B" * 17,  # longer than any order number
        "/admin/products/" + "9" * 10,  # past what an id column holds (else: the login page)
        "/admin/products/" + "9" * 4400,  # int() refuses this many digits
    ],
)
async def test_paths_that_cannot_name_a_row_are_not_found(client, shop, path):
    assert (await client.get(path)).status_code == 404
