"""An order's own page: confirmation after checkout, then tracking. It opens with the signed link from
the confirmation and the emails, or after a lookup by number and email. Nothing tells a visitor whether
an order they cannot open exists."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from storefront import forms, languages, links, session
from storefront.domain import rate_limits
from storefront.domain.basket import cart
from storefront.domain.models import Order, OrderStatus, PaymentStatus
from storefront.domain.orders import lifecycle, notifications
from storefront.domain.orders.lifecycle import FINAL
from storefront.domain.payments import service as payments
from storefront.domain.shipping import rates
from storefront.htmx import redirect, render
from storefront.pages.layout import page_context
from storefront.security import client_address


async def _order(request: Request) -> Order:
    number = request.path_params["number"]
    key = request.query_params.get("key", "")
    if links.order_number(request.app.state.settings, key) != number:
        raise HTTPException(404)
    order = await lifecycle.with_timeline(number)
    if order is None:
        raise HTTPException(404)
    return order


def _latest_payment(order: Order):
    return max(order.payments, key=lambda p: p.id, default=None)


async def show(request: Request) -> Response:
    order = await _order(request)
    payment = _latest_payment(order)
    token = session.cart_token(request)
    own_cart = await cart.is_cart_of(token, order)
    if own_cart:
        # A paid order spent its lines in its cart (domain/orders.py): the badge follows the cart.
        session.set_cart_count(request, await cart.count(token))
    # Back from the gateway: the reference it added (payments.back_to_shop), if it is this order's payment.
    returned = payment is not None and request.query_params.get("payment") == payment.reference
    paid_now = returned and payment.status == PaymentStatus.CAPTURED
    context = {
        "order": order,
        "payment": payment,
        "final": order.status in FINAL,
        "pickup": await rates.is_pickup(order.shipping_method),
        "first_name": notifications.first_name(order.full_name),
        # The thank-you: right after an order paid offline is placed, or a card payment went through.
        "placed": request.query_params.get("placed") == "1" or paid_now,
        "returned": returned,
        "key": request.query_params.get("key", ""),
        "own_cart": own_cart,
        "bank": payments.bank_details() if order.payment_method == "bank_transfer" else None,
    }
    response = render(request, "pages/order.html", "partials/order_status.html", await page_context(request, **context))
    response.headers["Cache-Control"] = "no-store"  # a customer's address and order: never kept in a cache
    return response


async def retry_payment(request: Request) -> Response:
    """Pay again after a declined card: a new attempt on the same order, its stock still held."""
    order = await _order(request)
    settings = request.app.state.settings
    if order.status != OrderStatus.PENDING_PAYMENT or order.payment_method != "card":
        return RedirectResponse(links.order_path(settings, order.number, languages.of(request)), status_code=303)
    order_path = links.order_path(settings, order.number, languages.of(request))
    try:
        started = await payments.begin(order.id, "card", return_url=order_path)
        url = started.redirect_url or order_path
    except payments.PaymentNotPossible:  # paid meanwhile, or expired: the order page says which
        url = order_path
    return redirect(request, url, new_page=True)  # the provider's page or the order page: a new page


async def lookup_form(request: Request) -> Response:
    return render(
        request,
        "pages/order_lookup.html",
        "pages/order_lookup.html",
        await page_context(request, number="", email="", failed=False),
    )


async def lookup(request: Request) -> Response:
    form = await forms.read(request)
    number = forms.text(form, "number", 100).strip().upper()[:16]
    email = forms.text(form, "email", 1000).strip()[:254]
    client = client_address(request)
    try:
        counted = await rate_limits.attempt((rate_limits.ORDER_LOOKUP, client))
    except rate_limits.TooMany:
        context = await page_context(request, number=number, email=email, failed=False, blocked=True)
        return render(request, "pages/order_lookup.html", "pages/order_lookup.html", context, status_code=429)
    order = await lifecycle.look_up(number, email)
    if order is None:  # a wrong number or a wrong email: the same answer
        context = await page_context(request, number=number, email=email, failed=True)
        return render(request, "pages/order_lookup.html", "pages/order_lookup.html", context, status_code=422)
    await rate_limits.forgive(counted)  # only failed lookups count
    return RedirectResponse(
        links.order_path(request.app.state.settings, order.number, languages.of(request)), status_code=303
    )
