"""The sandbox card gateway's hosted page, and the webhook endpoint payment providers post to.

The hosted page stands in for an external gateway: its own look (pages/pay.html, without the shop's
header), its own form, and the card data stays on it. The domain answers with codes for what was wrong,
never the typed values, and nothing here logs a form.

The webhook endpoint is called by the provider, not a browser: there is no session, and its signature is
its authentication. app.py exempts CSRF_EXEMPT from the CSRF check for that reason.
"""

from __future__ import annotations

import logging
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from storefront import forms, templating
from storefront.domain.errors import NotFound
from storefront.domain.models import Payment, PaymentStatus
from storefront.domain.payments import service as payments

log = logging.getLogger(__name__)

CSRF_EXEMPT = ("/payments/webhook/",)
FIELD_LIMIT = 40  # characters kept of what was typed: enough for any card field, never a flood


def back_to_shop(return_url: str, reference: str) -> str:
    """Where the gateway sends the shopper: the shop's return address plus the payment's reference,
    as real gateways do, so the return page can ask for its status."""
    parts = urlsplit(return_url)
    query = urlencode([*parse_qsl(parts.query, keep_blank_values=True), ("payment", reference)])
    return urlunsplit(parts._replace(query=query))


def _render(request: Request, status_code: int = 200, **context) -> Response:
    templates = templating.templates(request)
    response = templates.TemplateResponse(request, "pages/pay.html", context, status_code=status_code)
    response.headers["Cache-Control"] = "no-store"  # a payment page must never come back from a cache
    return response


def _page(request: Request, payment: Payment, return_url: str, sig: str, status_code: int = 200, **context):
    done = payment.status != PaymentStatus.PENDING
    return _render(
        request,
        status_code,
        state="done" if done else "form",
        payment=payment,
        order=payment.order,
        return_url=return_url,
        sig=sig,
        back_url=back_to_shop(return_url, payment.reference or ""),
        entry=context.pop("entry", payments.CardEntry()),
        errors=context.pop("errors", {}),
        test_cards=payments.TEST_CARDS,
        **context,
    )


async def _payment(request: Request, reference: str) -> Payment:
    """The payment this page is for; the page speaks the language its order was placed in."""
    try:
        payment = await payments.sandbox_payment(reference)
    except NotFound:
        raise HTTPException(404) from None
    request.state.language = payment.order.language
    return payment


async def hosted_page(request: Request) -> Response:
    reference = request.path_params["reference"]
    return_url, sig = request.query_params.get("return", ""), request.query_params.get("sig", "")
    payment = await _payment(request, reference)
    if not payments.return_ok(reference, return_url, sig):
        return _render(request, 400, state="bad_link")
    return _page(request, payment, return_url, sig)


async def pay(request: Request) -> Response:
    reference = request.path_params["reference"]
    form = await forms.read(request)
    entry = payments.CardEntry(
        number=forms.text(form, "number", FIELD_LIMIT),
        expiry=forms.text(form, "expiry", FIELD_LIMIT),
        cvc=forms.text(form, "cvc", FIELD_LIMIT),
        name=forms.text(form, "name", FIELD_LIMIT),
    )
    return_url, sig = str(form.get("return") or ""), str(form.get("sig") or "")
    payment = await _payment(request, reference)
    if not payments.return_ok(reference, return_url, sig):
        return _render(request, 400, state="bad_link")
    try:
        payment = await payments.sandbox_pay(reference, entry)
    except payments.CardRejected as exc:
        # Like a real gateway, everything typed stays in the form (this page only, never our tables).
        return _page(request, payment, return_url, sig, 422, entry=entry, errors=exc.errors)
    return RedirectResponse(back_to_shop(return_url, reference), status_code=303)


async def cancel(request: Request) -> Response:
    """ "Cancel and go back": the gateway says nothing was paid, so the shop can offer another try."""
    reference = request.path_params["reference"]
    form = await forms.read(request)
    return_url, sig = str(form.get("return") or ""), str(form.get("sig") or "")
    await _payment(request, reference)
    if not payments.return_ok(reference, return_url, sig):
        return _render(request, 400, state="bad_link")
    await payments.sandbox_cancel(reference)
    return RedirectResponse(back_to_shop(return_url, reference), status_code=303)


async def webhook(request: Request) -> Response:
    provider = request.path_params["provider"]
    body = await request.body()
    try:
        outcome = await payments.receive_webhook(provider, body, request.headers.get("X-Signature", ""))
    except payments.BadSignature as exc:
        log.warning("payment webhook from %s refused: %s", provider, exc)
        return PlainTextResponse("bad signature", status_code=400)
    except NotFound:
        return PlainTextResponse("unknown provider", status_code=404)
    log.info("payment webhook from %s: %s", provider, outcome)
    return PlainTextResponse(outcome)


routes = [
    Route("/sandbox/pay/{reference:str}", hosted_page, methods=["GET"], name="sandbox_pay"),
    Route("/sandbox/pay/{reference:str}", pay, methods=["POST"]),
    Route("/sandbox/pay/{reference:str}/cancel", cancel, methods=["POST"]),
    Route("/payments/webhook/{provider:str}", webhook, methods=["POST"], name="payment_webhook"),
]
