"""Orders in the back office: the list staff work from, one order with the actions its status allows,
and its packing slip.

Every action is a form post carrying the status the page showed (`seen`). Without JavaScript it answers
303 to the order page (the message waits in the session); to htmx it sends the order panel, with the
message swapped into the live region. Bad input, and orders someone else changed meanwhile, come back
422 with the panel and the message where it belongs.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from storefront import forms, session
from storefront.domain.errors import NotFound
from storefront.domain.forms import FieldErrors
from storefront.domain.models import OrderStatus
from storefront.domain.orders import fulfilment
from storefront.domain.orders.lifecycle import InvalidTransition
from storefront.htmx import wants_fragment
from storefront.pages.admin.access import NO_STORE, AdminRoute, acting_staff, admin_page
from storefront.pages.layout import flash_for_this_page

PERMISSION = "orders"  # staff and owners alike
NOTE = "order_note"  # the session flash kind of this page's messages


async def index(request: Request) -> Response:
    filters = fulfilment.Filters.from_query(request.query_params)
    found = await fulfilment.find(filters)
    context = {
        "found": found,
        "filters": filters,
        "queues": list(fulfilment.QUEUES),
        "payment_methods": fulfilment.PAYMENT_METHODS,
    }
    return admin_page(request, "pages/admin/orders.html", "partials/admin/order_list.html", context)


async def _detail(request: Request) -> fulfilment.Detail:
    try:
        return await fulfilment.detail(request.path_params["number"])
    except NotFound:
        raise HTTPException(404) from None


def _page(
    request: Request,
    detail: fulfilment.Detail,
    *,
    note: dict | None = None,
    problem: FieldErrors | None = None,
    typed: dict | None = None,
    status_code: int = 200,
) -> Response:
    """The order page, or to htmx its panel plus the live region's message."""
    context = {
        "detail": detail,
        "order": detail.order,
        "note": note,
        "typed": typed or {},
        "errors": problem.errors if problem else {},
        "error_details": problem.details if problem else {},
        "note_in_panel": not wants_fragment(request),
    }
    if not wants_fragment(request):
        # Messages of other pages still show in the layout's region; this page shows its own in the panel.
        waiting = flash_for_this_page(request, {NOTE})
        context["messages"] = waiting["messages"]
        context["note"] = note or next(iter(waiting["notices"]), None)
    return admin_page(request, "pages/admin/order.html", "partials/admin/order_update.html", context, status_code)


async def show(request: Request) -> Response:
    return _page(request, await _detail(request))


async def packing_slip(request: Request) -> Response:
    detail = await _detail(request)
    return admin_page(
        request,
        "pages/admin/packing_slip.html",
        "pages/admin/packing_slip.html",
        {"order": detail.order, "detail": detail},
    )


def _seen(text: str) -> OrderStatus | None:
    return OrderStatus(text) if text in set(OrderStatus) else None


async def _act(request: Request, action: str) -> Response:
    staff = acting_staff(request)
    before = await _detail(request)
    form = await forms.read(request)
    typed = forms.texts(form, ("seen", "carrier", "tracking_number", "amount", "confirm"), 200)
    seen, order_id = _seen(typed["seen"]), before.order.id
    try:
        if action == "mark_paid":
            await fulfilment.mark_paid(order_id, staff, seen)
        elif action == "pack":
            await fulfilment.pack(order_id, staff, seen)
        elif action == "ship":
            await fulfilment.ship(order_id, staff, typed["carrier"], typed["tracking_number"], seen)
        elif action == "deliver":
            await fulfilment.deliver(order_id, staff, seen)
        elif action == "cancel":
            await fulfilment.cancel(order_id, staff, seen, confirmed=typed["confirm"] == "yes")
        elif action == "refund":
            await fulfilment.refund(order_id, staff, typed["amount"], seen)
    except FieldErrors as exc:
        note: dict[str, object] = {"kind": NOTE, "result": "invalid", "action": action}
        return _page(request, before, note=note, problem=exc, typed=typed, status_code=422)
    except InvalidTransition as exc:
        # Show the order as it is now, and why nothing was done.
        note = {
            "kind": NOTE,
            "result": "refused",
            "action": action,
            "status": exc.current.value,
            "changed": exc.reason == fulfilment.CHANGED,
        }
        return _page(request, await _detail(request), note=note, status_code=422)
    after = await _detail(request)
    refunded = after.order.refunded_total - before.order.refunded_total
    note = {"kind": NOTE, "result": "done", "action": action, "status": after.order.status.value, "amount": refunded}
    if wants_fragment(request):
        return _page(request, after, note=note)
    session.flash(request, note)
    return RedirectResponse(f"/admin/orders/{after.order.number}", status_code=303, headers=NO_STORE)


def _action(name: str):
    async def endpoint(request: Request) -> Response:
        return await _act(request, name)

    endpoint.__name__ = name
    return endpoint


routes = [
    AdminRoute("/admin/orders", index, permission=PERMISSION, name="admin_orders"),
    AdminRoute("/admin/orders/{number:order_number}", show, permission=PERMISSION, name="admin_order"),
    AdminRoute(
        "/admin/orders/{number:order_number}/packing-slip",
        packing_slip,
        permission=PERMISSION,
        name="admin_packing_slip",
    ),
    *[
        AdminRoute(
            f"/admin/orders/{{number:order_number}}/{name.replace('_', '-')}",
            _action(name),
            permission=PERMISSION,
            methods=["POST"],
        )
        for name in fulfilment.ACTIONS
    ],
]
