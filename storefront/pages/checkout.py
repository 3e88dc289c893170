"""The checkout: one page, guest by default. Fields are checked when left (htmx) and all at once on
"Place order"; the summary follows the country, shipping and payment chosen."""

from __future__ import annotations

import secrets
from dataclasses import replace
from datetime import timedelta

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from storefront import links, session
from storefront.domain import cart, checkout, payments, promotion_limits, stock
from storefront.domain.checkout import Details
from storefront.htmx import render, wants_fragment
from storefront.pages.layout import page_context


def _redirect(request: Request, url: str) -> Response:
    """A full navigation, for htmx too: the order page or the payment page is a new page."""
    if request.headers.get("HX-Request") == "true":
        return Response(status_code=204, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


async def _context(request: Request, d: Details, attempt: str, errors: dict, **extra) -> dict:
    found = await checkout.summary(session.cart_token(request), d)
    if found.quote and d.shipping_method != found.quote.code:
        d = replace(d, shipping_method=found.quote.code)
    if d.payment_method not in found.payment_methods:
        d = replace(d, payment_method=found.payment_methods[0])
    session.set_cart_count(request, sum(line.quantity for line in found.contents.lines))
    return await page_context(request, found.contents.tree, d=d, summary=found, attempt=attempt, errors=errors,
                              countries=checkout.COUNTRIES, surcharges={"cod": payments.surcharge("cod", d.country)},
                              **extra)


async def show(request: Request) -> Response:
    context = await _context(request, Details(), secrets.token_urlsafe(16), {})
    if not context["summary"].contents.lines:
        return RedirectResponse("/cart", status_code=303)
    await cart.checkout_started(session.cart_token(request))
    return render(request, "pages/checkout.html", "pages/checkout.html", context)


async def _read(request: Request) -> tuple[Details, str]:
    async with request.form() as form:
        details = Details.from_form(form)
        attempt = form.get("attempt")
    attempt = attempt if isinstance(attempt, str) and 8 <= len(attempt) <= 64 else secrets.token_urlsafe(16)
    return details, attempt


async def validate(request: Request) -> Response:
    """One field, checked when the shopper leaves it: its message, or a quiet confirmation."""
    d, attempt = await _read(request)
    name = request.headers.get("HX-Trigger-Name", "")
    if name not in checkout.LIMITS:  # not one of the typed fields partials/checkout_field.html knows
        raise HTTPException(400)
    errors = checkout.field_errors(d)
    context = await page_context(request, d=d, errors={name: errors[name]} if name in errors else {},
                                 checked=name, countries=checkout.COUNTRIES)
    return request.app.state.templates.TemplateResponse(
        request, "partials/checkout_field.html", {**context, "name": name}, status_code=200
    )


async def options(request: Request) -> Response:
    """Country, shipping or payment changed: the methods on offer and the summary follow."""
    d, attempt = await _read(request)
    context = await _context(request, d, attempt, {}, oob=wants_fragment(request))
    return render(request, "pages/checkout.html", "partials/checkout_options.html", context)


async def place(request: Request) -> Response:
    d, attempt = await _read(request)
    settings = request.app.state.settings
    problem = None
    try:
        order = await checkout.place_order(
            session.cart_token(request), d, attempt,
            payment_timeout=timedelta(minutes=settings.payment_timeout_minutes),
            bank_transfer_wait=timedelta(days=settings.bank_transfer_days),
        )
    except checkout.Invalid as exc:
        return await _form(request, d, attempt, exc.errors)
    except checkout.EmptyCart:
        return _redirect(request, "/cart")
    except checkout.CartNeedsAttention:
        session.flash(request, {"kind": "cart_changed"})
        return _redirect(request, "/cart")
    except stock.OutOfStock as exc:
        problem = {"kind": "out_of_stock", "lines": exc.lines}
    except promotion_limits.LimitReached:
        problem = {"kind": "promotion_ended"}
    if problem:
        return await _form(request, d, secrets.token_urlsafe(16), {}, problem=problem)

    if order.payment_method == "card":
        # A path, not a URL: the gateway's redirect back must stay on the origin the shopper is on.
        order_path = links.order_path(settings, order.number)
        try:
            started = await payments.begin(order.id, "card", return_url=order_path)
        except payments.PaymentNotPossible:  # paid already (a resubmit), or expired: the order page says
            return _redirect(request, order_path)
        return _redirect(request, started.redirect_url or order_path)
    await _forget_cart(request)
    return _redirect(request, links.order_path(settings, order.number) + "&placed=1")


async def _forget_cart(request: Request) -> None:
    await cart.empty(session.cart_token(request))
    session.set_cart_count(request, 0)


async def _form(request: Request, d: Details, attempt: str, errors: dict, **extra) -> Response:
    context = await _context(request, d, attempt, errors, **extra)
    return render(request, "pages/checkout.html", "partials/checkout_form.html", context, status_code=422)
