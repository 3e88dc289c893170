"""Browsing: home, category and search listings, product pages."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from urllib.parse import urlencode

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from storefront import languages, session
from storefront.domain import as_typed, money, vat
from storefront.domain.basket import cart
from storefront.domain.catalogue import browse, cache
from storefront.domain.catalogue import search as product_search
from storefront.domain.errors import NotFound
from storefront.domain.shipping import rates
from storefront.htmx import render, target
from storefront.pages.layout import page_context

# Query keys with a fixed meaning; every other key is an option filter (size=m&colour=blu).
RESERVED = {"q", "sort", "page", "min", "max", "stock", "v"}


def parse_price(raw: str | None) -> tuple[int | None, bool]:
    """A price filter as typed, in cents (None when blank); (None, False) when the text is not a price."""
    try:
        return money.parse_money(raw or ""), True
    except money.InvalidMoney:
        return None, False


def listing_query(request: Request, *, text: str | None = None, category_ids: list[int] | None = None):
    """The listing the URL asks for, and a message per filter field that could not be understood."""
    params = request.query_params
    errors = {}
    price_min, ok = parse_price(params.get("min"))
    if not ok:
        errors["min"] = "price"
    price_max, ok = parse_price(params.get("max"))
    if not ok:
        errors["max"] = "price"
    if price_min is not None and price_max is not None and price_min > price_max:
        errors["max"] = "order"
        price_max = None
    sort = params.get("sort") or ("relevance" if text is not None else "newest")
    if sort not in browse.SORTS or (sort == "relevance" and text is None):
        sort = "newest"
    page = as_typed.whole(params.get("page")) or 1
    options = {
        key: [v for v in params.getlist(key) if v][:20]
        for key in dict.fromkeys(params.keys())
        if key not in RESERVED and params.getlist(key)
    }
    query = browse.ListingQuery(
        category_ids=category_ids,
        text=text,
        price_min=price_min,
        price_max=price_max,
        options={k: v for k, v in options.items() if v},
        in_stock=params.get("stock") == "1",
        sort=sort,
        page=max(1, min(page, browse.MAX_PAGE)),
    )
    return query, errors


def page_url(request: Request, page: int) -> str:
    items = [(k, v) for k, v in request.query_params.multi_items() if k != "page"]
    if page > 1:
        items.append(("page", str(page)))
    return request.url.path + ("?" + urlencode(items) if items else "")


async def _listing_response(request: Request, page: str, shelf: cache.Catalogue, **context) -> Response:
    query, errors = context.pop("query"), context.pop("errors")
    listing = await shelf.listing(query)
    if query.page > 1 and not listing.cards and listing.total:
        raise HTTPException(404)
    context.update(
        listing=listing,
        errors=errors,
        values=request.query_params,
        next_url=page_url(request, query.page + 1) if listing.has_more else None,
        previous_url=page_url(request, query.page - 1) if query.page > 1 else None,
        sorts=[s for s in browse.SORTS if s != "relevance" or query.text is not None],
        # A shopper changing filters on a phone keeps the panel open while the results update below it.
        filters_open=bool(errors) or request.headers.get("HX-Trigger") == "filters",
    )
    # "Load more" asks for the next cards only; a filter change for the whole listing region.
    fragment = "partials/product_cards.html" if target(request) == "load-more" else "partials/listing.html"
    return render(request, page, fragment, await page_context(request, shelf.tree, **context))


def _moved(request: Request, path: str) -> Response:
    """A 301 to the page's path in this language, its query kept: a link in another language, or from
    before the slug was translated or changed."""
    query = f"?{request.url.query}" if request.url.query else ""
    return RedirectResponse(languages.path(request, path) + query, status_code=301)


async def home(request: Request) -> Response:
    shelf = await cache.current(languages.of(request))
    new, on_sale = await shelf.home()
    context = await page_context(request, shelf.tree, new=new, on_sale=on_sale)
    return render(request, "pages/home.html", "pages/home.html", context)


async def category(request: Request) -> Response:
    shelf = await cache.current(languages.of(request))
    tree = shelf.tree
    try:
        current = tree.by_slug(request.path_params["slug"])
    except NotFound:
        raise HTTPException(404) from None
    if current.slug != request.path_params["slug"]:
        return _moved(request, f"/c/{current.slug}")
    languages.set_paths(request, {language: f"/c/{current.slugs.of(language)}" for language in languages.LANGUAGES})
    query, errors = listing_query(request, category_ids=tree.descendant_ids(current))
    return await _listing_response(
        request,
        "pages/category.html",
        shelf,
        query=query,
        errors=errors,
        category=current,
        trail=tree.trail(current.id),
        subcategories=tree.children(current),
    )


async def search(request: Request) -> Response:
    """Search results; an exact SKU opens its product, and a search that finds nothing shows what the
    closest catalogue words find ("maglieta": the t-shirts, "Did you mean: maglietta")."""
    text = as_typed.search_text(request.query_params.get("q"), 200).strip()
    shelf = await cache.current(languages.of(request))
    if found := await shelf.by_sku(text):
        slug, variant_id = found
        return RedirectResponse(languages.path(request, f"/p/{slug}?v={variant_id}"), status_code=303)
    query, errors = listing_query(request, text=text)
    corrected = None
    if text and not (await shelf.listing(query)).total:
        if corrected := product_search.suggest(text, await shelf.vocabulary()):
            query = replace(query, text=corrected)
    return await _listing_response(
        request, "pages/search.html", shelf, query=query, errors=errors, text=text, corrected=corrected
    )


async def product(request: Request) -> Response:
    params = request.query_params
    chosen = {k: v for k, v in params.items() if k not in RESERVED}
    variant_id = as_typed.whole(params.get("v"))
    return await product_response(request, request.path_params["slug"], variant_id, chosen)


async def product_choice(request: Request, slug: str, chosen: dict[str, str]) -> browse.ProductPage:
    """The product page for these option values (size=m, colour=nero), as /p/<slug>?<values> shows it:
    its variant is the one a shopper choosing them sees, and so the one the cart adds."""
    shelf = await cache.current(languages.of(request))
    try:
        return await shelf.product_page(slug, chosen)
    except NotFound:
        raise HTTPException(404) from None


def choice_url(page: browse.ProductPage) -> str:
    """The URL of the product page showing the options `page` shows."""
    values = [(axis.slug, c.slug) for axis in page.axes for c in axis.choices if c.selected]
    return f"/p/{page.product.slug}" + ("?" + urlencode(values) if values else "")


def choice_names(page: browse.ProductPage) -> str:
    """The chosen option values as a shopper reads them: "Nero, XS"."""
    return ", ".join(c.name for axis in page.axes for c in axis.choices if c.selected)


async def product_response(
    request: Request, slug: str, variant_id: int | None, chosen: dict | None = None, status_code: int = 200, **extra
) -> Response:
    """The product page (or its variant panel, to htmx); the cart re-renders it for a bad quantity."""
    shelf = await cache.current(languages.of(request))
    try:
        page = await shelf.product_page(slug, chosen or {}, variant_id)
    except NotFound:
        raise HTTPException(404) from None
    if page.product.slug != slug and request.method == "GET":
        return _moved(request, f"/p/{page.product.slug}")
    slugs = page.product.slugs
    languages.set_paths(request, {language: f"/p/{slugs.of(language)}" for language in languages.LANGUAGES})
    # When the cheapest delivery to where the cart goes would bring one of these: Italy until the shopper says.
    country = await cart.ship_country(session.cart_token(request))
    price = page.variant.price if page.variant else 0
    quote = await rates.estimate(0, price, datetime.now(UTC), country, await shelf.shipping())
    context = {
        "page": page,
        "trail": shelf.tree.trail(page.product.category_id),
        "delivery": quote.window if quote else None,
        "delivery_abroad": country if country != vat.SHOP_COUNTRY else None,  # said: "arrives in Germany"
        **extra,
    }
    return render(
        request,
        "pages/product.html",
        "partials/product_panel.html",
        await page_context(request, shelf.tree, **context),
        status_code,
    )
