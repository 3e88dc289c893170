"""The cart page and every cart action. htmx gets the changed fragment plus the badge and the live
region out of band; without JavaScript each action is a form post answered by a 303."""

from __future__ import annotations

import math
from dataclasses import asdict

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from storefront import forms, languages, session, templating
from storefront.domain import addresses, as_typed, rate_limits
from storefront.domain.basket import cart
from storefront.domain.catalogue import browse
from storefront.htmx import render, wants_fragment
from storefront.pages.catalog import choice_names, choice_url, product_choice, product_response
from storefront.pages.layout import page_context
from storefront.security import client_address, local_path


def _message(change: cart.Change) -> dict:
    data = asdict(change)
    data["kind"] = change.action
    data["options"] = f", {change.options}" if change.options else ""
    return data


async def _cart_response(
    request: Request, messages: list[dict], status_code: int = 200, view: cart.CartView | None = None, **extra
) -> Response:
    """The cart page, or to htmx the cart panel plus badge and live region."""
    view = view or await cart.view(session.cart_token(request), language=languages.of(request))
    session.set_cart_count(request, view.count)
    context = await page_context(
        request, view.tree, cart=view, messages=messages, countries=addresses.COUNTRIES, **extra
    )
    return render(request, "pages/cart.html", "partials/cart_panel_update.html", context, status_code)


def _done(request: Request, messages: list[dict], next_url: str | None = None) -> Response:
    """After a successful action without JavaScript: remember the messages, 303 to the page (the cart)."""
    for message in messages:
        session.flash(request, message)
    return RedirectResponse(next_url or languages.path(request, "/cart"), status_code=303)


async def show(request: Request) -> Response:
    return await _cart_response(request, session.pop_flash(request))


async def ship_to(request: Request) -> Response:
    """The shopper says where the cart goes: the estimate and the VAT follow."""
    await cart.ship_to(session.cart_token(request), str((await forms.read(request)).get("country") or ""))
    if wants_fragment(request):
        return await _cart_response(request, [])
    return _done(request, [])


# The product page's form (partials/product_panel.html): these fields, and one per option of the product.
PRODUCT_FORM = {"csrf_token", "product", "quantity", "show"}


async def add(request: Request) -> Response:
    form = await forms.read(request)
    raw_variant, raw_quantity, next_url = form.get("variant_id"), form.get("quantity"), form.get("next")
    slug, show = form.get("product"), bool(form.get("show"))  # "Show this choice" sends show=1
    chosen = {key: str(value) for key, value in form.items() if key not in PRODUCT_FORM}
    if slug is not None:
        return await _add_choice(request, str(slug), chosen, raw_quantity, show)
    # A listing card's button names its product's only variant.
    next_url = local_path(str(next_url or ""), languages.path(request, "/cart"))
    variant_id = as_typed.whole(raw_variant) or 0  # 0: no such variant
    try:
        quantity = cart.parse_quantity(raw_quantity)
        token, change = await cart.add(session.cart_token(request), variant_id, quantity, languages.of(request))
    except cart.InvalidQuantity:
        return await _add_failed(request, variant_id, raw_quantity, next_url)
    except cart.Unavailable as exc:
        messages = [{"kind": "sold_out" if exc.sold_out else "unavailable"}]
        if wants_fragment(request):
            return await _add_region(request, variant_id, None, messages)
        return _done(request, messages, next_url)
    return await _added(request, token, change, variant_id, next_url)


async def _add_choice(request: Request, slug: str, chosen: dict[str, str], raw_quantity, show: bool) -> Response:
    """From a product page: the variant its chosen options name, as the product page shows them. Without
    JavaScript the page may still show an earlier choice: what is added is what the shopper chose, or the
    page for that choice says why nothing was (422)."""
    page = await product_choice(request, slug, chosen)
    url = languages.path(request, choice_url(page))
    if show:  # "Show this choice", without JavaScript
        return RedirectResponse(url, status_code=303)
    variant_id = page.variant.id if page.variant else 0
    try:
        if page.variant is None:
            raise cart.Unavailable(variant_id, sold_out=False)
        quantity = cart.parse_quantity(raw_quantity)
        token, change = await cart.add(session.cart_token(request), variant_id, quantity, languages.of(request))
    except cart.InvalidQuantity:
        extra = {"add_error": "quantity", "typed_quantity": raw_quantity}
        if wants_fragment(request):
            return await _add_region(request, variant_id, None, [{"kind": "error"}], status_code=422, **extra)
        return await product_response(request, slug, None, chosen, status_code=422, **extra)
    except cart.Unavailable as exc:
        reason = "sold_out" if exc.sold_out else "unavailable"
        messages = [{"kind": "not_added", "reason": reason, "name": page.product.name, "options": choice_names(page)}]
        if wants_fragment(request):
            return await _add_region(request, variant_id, None, messages)
        return await product_response(request, slug, None, chosen, status_code=422, messages=messages)
    return await _added(request, token, change, variant_id, url)


async def _added(request: Request, token: str, change: cart.Change, variant_id: int, next_url: str) -> Response:
    session.remember_cart(request, token, await cart.count(token))
    messages = [_message(change)]
    if wants_fragment(request):
        return await _add_region(request, variant_id, change, messages)
    return _done(request, messages, next_url)


async def _add_region(request: Request, variant_id: int, change, messages, status_code: int = 200, **extra):
    """The product page's add-to-cart region; a listing card's button (hx-swap=none) needs only the
    badge and the live region. After an add (`change`) the variant exists; after a refusal it may not."""
    exists = change is not None or await browse.product_slug_of(variant_id, languages.of(request)) is not None
    context = {"variant_id": variant_id, "added": _message(change) if change else None, "messages": messages, **extra}
    templates = templating.templates(request)
    if not exists or request.headers.get("HX-Target") != "add-to-cart":
        return templates.TemplateResponse(request, "partials/cart_updates.html", context, status_code=status_code)
    return templates.TemplateResponse(request, "partials/add_to_cart_update.html", context, status_code=status_code)


async def _add_failed(request: Request, variant_id: int, typed, next_url: str) -> Response:
    extra = {"add_error": "quantity", "typed_quantity": typed}
    if wants_fragment(request):
        return await _add_region(request, variant_id, None, [{"kind": "error"}], status_code=422, **extra)
    slug = await browse.product_slug_of(variant_id, languages.of(request))
    if slug is None:
        return _done(request, [{"kind": "unavailable"}], next_url)
    return await product_response(request, slug, variant_id, status_code=422, **extra)


async def update(request: Request) -> Response:
    variant_id = request.path_params["variant_id"]
    form = await forms.read(request)
    raw = form.get("quantity")
    try:
        quantity = cart.parse_quantity(raw) if str(raw).strip() != "0" else 0
        if quantity == 0:
            change = await cart.remove(session.cart_token(request), variant_id, languages.of(request))
        else:
            change = await cart.set_quantity(session.cart_token(request), variant_id, quantity, languages.of(request))
    except cart.InvalidQuantity:
        return await _cart_response(request, [{"kind": "error"}], 422, line_errors={variant_id: raw})
    except cart.Unavailable:
        change = None
    messages = [_message(change)] if change else []
    if wants_fragment(request):
        return await _cart_response(request, messages)
    return _done(request, messages)


async def remove(request: Request) -> Response:
    change = await cart.remove(session.cart_token(request), request.path_params["variant_id"], languages.of(request))
    messages = [_message(change)] if change else []
    if wants_fragment(request):
        return await _cart_response(request, messages)
    return _done(request, messages)


async def empty(request: Request) -> Response:
    await cart.empty(session.cart_token(request))
    if wants_fragment(request):
        return await _cart_response(request, [{"kind": "emptied"}])
    return _done(request, [{"kind": "emptied"}])


async def apply_code(request: Request) -> Response:
    form = await forms.read(request)
    typed = forms.text(form, "code", 60)
    # Unknown codes are limited per cart and per client address, in the database: not in the shopper's
    # cookie, which could be replayed from before the first guess, or dropped.
    address = client_address(request)
    try:
        counted = await rate_limits.attempt(
            (rate_limits.CODE_CART, session.cart_token(request)), (rate_limits.CODE_ADDRESS, address)
        )
    except rate_limits.TooMany as exc:
        wait = max(1, math.ceil(exc.retry_after.total_seconds() / 60))
        return await _cart_response(request, [], 429, code_error="wait", code_wait=wait, typed_code=typed)
    try:
        token, code = await cart.apply_code(session.cart_token(request), typed)
    except cart.UnknownCode:
        error = "empty" if not typed.strip() else "unknown"
        return await _cart_response(request, [{"kind": "code_refused"}], 422, code_error=error, typed_code=typed)
    except cart.CodeNotUsable as exc:  # a real code, ended or not started: refused, and why
        await rate_limits.forgive(counted)
        return await _cart_response(
            request,
            [{"kind": "code_refused", "why": exc.why}],
            422,
            code_error="not_usable",
            code_why=exc.why,
            typed_code=typed,
        )
    await rate_limits.forgive(counted)  # only unknown codes count
    session.remember_cart(request, token, session.cart_count(request))
    view = await cart.view(token, language=languages.of(request))
    # Kept on the cart, but this cart does not qualify yet (spend more, no eligible items): say what is missing.
    why = next((e for e in view.totals.not_applied if e.code == code), None)
    messages = [
        {"kind": "code_pending", "code": code, "why": asdict(why)} if why else {"kind": "code_applied", "code": code}
    ]
    if wants_fragment(request):
        return await _cart_response(request, messages, view=view)
    return _done(request, messages)


async def remove_code(request: Request) -> Response:
    form = await forms.read(request)
    code = str(form.get("code") or "")
    await cart.remove_code(session.cart_token(request), code)
    messages = [{"kind": "code_removed", "code": code}]
    if wants_fragment(request):
        return await _cart_response(request, messages)
    return _done(request, messages)
