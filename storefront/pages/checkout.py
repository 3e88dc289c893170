"""The checkout: one page, guest by default. Fields are checked when left (htmx) and all at once on
"Place order"; the summary follows the country, shipping and payment chosen."""

from __future__ import annotations

import secrets
from dataclasses import replace
from datetime import timedelta

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from storefront import forms, languages, links, session, templating
from storefront.domain import addresses, as_typed, checkout
from storefront.domain.basket import cart
from storefront.domain.checkout import Details
from storefront.domain.forms import FieldErrors
from storefront.domain.inventory import stock
from storefront.domain.offers import limits
from storefront.domain.payments import service as payments
from storefront.htmx import redirect, render, wants_fragment
from storefront.pages.layout import page_context
from storefront.security import client_address


def _private(response: Response) -> Response:
    """The checkout echoes who is buying and where they live: no browser cache or shared proxy keeps a copy.
    Every answer showing the checkout, or a part of it, goes out through here."""
    response.headers["Cache-Control"] = "no-store"
    return response


def _page(request: Request, fragment: str, context: dict, status_code: int = 200) -> Response:
    return _private(render(request, "pages/checkout.html", fragment, context, status_code))


def _redirect(request: Request, url: str) -> Response:
    """A full navigation, for htmx too: the order page or the payment page is a new page."""
    return redirect(request, url, new_page=True)


async def _context(request: Request, d: Details, attempt: str, errors: dict, **extra) -> dict:
    found = await checkout.summary(session.cart_token(request), d, language=languages.of(request))
    if found.quote and d.shipping_method != found.quote.code:
        d = replace(d, shipping_method=found.quote.code)
    if d.payment_method not in found.payment_methods:
        d = replace(d, payment_method=found.payment_methods[0])
    session.set_cart_count(request, sum(line.quantity for line in found.contents.lines))
    return await page_context(
        request,
        found.contents.tree,
        d=d,
        summary=found,
        attempt=attempt,
        errors=errors,
        countries=addresses.COUNTRIES,
        surcharges={"cod": payments.surcharge("cod", d.country)},
        **extra,
    )


def _details_of(order) -> Details:
    """Paying another way for an order whose card did not go through: its details, typed once."""
    return Details(
        email=order.email,
        full_name=order.full_name,
        phone=order.phone,
        address=order.address,
        postal_code=order.postal_code,
        city=order.city,
        province=order.province,
        country=order.country,
        shipping_method=order.shipping_method,
        payment_method=order.payment_method,
    )


async def show(request: Request) -> Response:
    attempt = secrets.token_urlsafe(16)
    context = await _context(
        request, Details(country=await cart.ship_country(session.cart_token(request))), attempt, {}
    )
    if unpaid := context["summary"].replaces:
        context = await _context(request, _details_of(unpaid[-1]), attempt, {})
    if not context["summary"].contents.lines:
        return RedirectResponse(languages.path(request, "/cart"), status_code=303)
    await cart.checkout_started(session.cart_token(request))
    return _page(request, "pages/checkout.html", context)


async def _read(request: Request) -> tuple[Details, str, int | None]:
    """The details typed, the attempt's key, and the total the page showed when the form was sent."""
    form = await forms.read(request)
    details = Details.from_form(form)
    attempt = form.get("attempt")
    shown_total = as_typed.whole(form.get("shown_total"))
    attempt = attempt if isinstance(attempt, str) and 8 <= len(attempt) <= 64 else secrets.token_urlsafe(16)
    return details, attempt, shown_total


async def validate(request: Request) -> Response:
    """One field, checked when the shopper leaves it: its message, or a quiet confirmation."""
    d, attempt, _ = await _read(request)
    name = request.headers.get("HX-Trigger-Name", "")
    if name not in checkout.LIMITS:  # not one of the typed fields partials/checkout_field.html knows
        raise HTTPException(400)
    errors = checkout.field_errors(d)
    context = await page_context(
        request, d=d, errors={name: errors[name]} if name in errors else {}, checked=name, countries=addresses.COUNTRIES
    )
    if name == "email" and name not in errors:
        # Who is buying decides once-per-customer codes: the summary and the total to pay follow the email.
        context["summary"] = await checkout.summary(session.cart_token(request), d, language=languages.of(request))
    return _private(
        templating.templates(request).TemplateResponse(
            request, "partials/checkout_field.html", {**context, "name": name}, status_code=200
        )
    )


async def options(request: Request) -> Response:
    """Country, shipping or payment changed: the methods on offer and the summary follow."""
    d, attempt, _ = await _read(request)
    await cart.ship_to(session.cart_token(request), d.country)  # the cart's estimate follows the checkout
    oob = wants_fragment(request)
    # The address block is re-drawn only when the country changed (its fields follow the country): re-drawing
    # it for a shipping or payment choice would put back what the shopper has retyped meanwhile.
    address = oob and request.headers.get("HX-Trigger-Name") == "country"
    context = await _context(request, d, attempt, {}, oob=oob, oob_address=address)
    return _page(request, "partials/checkout_options.html", context)


async def place(request: Request) -> Response:
    d, attempt, shown_total = await _read(request)
    settings = request.app.state.settings
    token = session.cart_token(request)
    problem: dict[str, object] | None = None
    try:
        order = await checkout.place_order(
            token,
            d,
            attempt,
            shown_total=shown_total,
            payment_timeout=timedelta(minutes=settings.payment_timeout_minutes),
            bank_transfer_wait=timedelta(days=settings.bank_transfer_days),
            client_address=client_address(request),
            unpaid_cap=checkout.UnpaidCap(settings.unpaid_orders_per_email, settings.unpaid_orders_per_address),
            language=languages.of(request),
        )
    except FieldErrors as exc:
        return await _form(request, d, attempt, exc.errors)
    except checkout.EmptyCart:
        return _redirect(request, languages.path(request, "/cart"))
    except checkout.CartNeedsAttention:
        session.flash(request, {"kind": "cart_changed"})
        return _redirect(request, languages.path(request, "/cart"))
    except checkout.AttemptNotYours:  # a form copied from another session: a fresh attempt, nothing revealed
        return await _form(request, d, secrets.token_urlsafe(16), {}, problem={"kind": "stale_form"})
    except checkout.TotalChanged as exc:
        # Never an order at a total the shopper was not shown: the page again, with the total now and why.
        return await _form(
            request,
            d,
            attempt,
            {},
            problem={"kind": "total_changed", "shown": exc.shown, "reasons": exc.totals.not_applied},
        )
    except stock.OutOfStock as exc:
        problem = {"kind": "out_of_stock", "lines": exc.lines}
    except limits.LimitReached:
        problem = {"kind": "promotion_ended"}
    except checkout.TooManyUnpaid as exc:
        problem = {"kind": "too_many_unpaid", "most": exc.most}
    if problem:
        return await _form(request, d, secrets.token_urlsafe(16), {}, problem=problem)

    session.set_cart_count(request, await cart.count(token))  # spent, or kept until a card is paid
    order_path = links.order_path(settings, order.number, languages.of(request))
    if payments.paid_online(order.payment_method):
        # A path, not a URL: the gateway's redirect back must stay on the origin the shopper is on.
        try:
            started = await payments.begin(order.id, order.payment_method, return_url=order_path)
        except payments.PaymentNotPossible:  # paid already (a resubmit), or expired: the order page says
            return _redirect(request, order_path)
        return _redirect(request, started.redirect_url or order_path)
    return _redirect(request, order_path + "&placed=1")


async def _form(request: Request, d: Details, attempt: str, errors: dict, **extra) -> Response:
    context = await _context(request, d, attempt, errors, **extra)
    return _page(request, "partials/checkout_form.html", context, status_code=422)
