"""Shipping in the back office: one page with every method (and its rates per zone) and every zone, each
in its own small form. A mistake re-renders the page with 422, the failing form keeping what was typed
and its messages by the fields; success is a 303 back to that form's place on the page.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from storefront import forms, languages, session
from storefront.domain.errors import NotFound
from storefront.domain.forms import FieldErrors
from storefront.domain.shipping import editing as admin
from storefront.pages.admin.access import AdminRoute, acting_staff, admin_page
from storefront.pages.layout import flash_for_this_page

PERMISSION = "settings"  # shipping methods, rates and zones are shop settings: owners only

FIELDS = (
    "name",
    "code",
    "description",
    "carrier",
    "tracking_url",
    "min_days",
    "max_days",
    "cutoff_hour",
    "position",
    "pickup",
    "active",
    "countries",
    "zone_id",
    "max_weight_grams",
    "price",
    "free_above",
)
NOTICE = "shipping_saved"


async def _page(request: Request, failed: dict | None = None, status_code: int = 200) -> Response:
    methods, zones = await admin.methods_and_zones()
    # After a refused form the messages wait: this answer is no page the redirect was for.
    flash = {"notices": [], "messages": []} if failed else flash_for_this_page(request, {NOTICE})
    context = {
        "methods": methods,
        "zones": zones,
        "zone_names": {z.id: z.name for z in zones},
        "failed": failed or {},
        **flash,
    }
    return admin_page(request, "pages/admin/shipping.html", "pages/admin/shipping.html", context, status_code)


async def shipping_page(request: Request) -> Response:
    return await _page(request)


def _translated(request: Request) -> tuple[str, ...]:
    return languages.others(request.app.state.settings.language)


async def _typed(request: Request) -> dict:
    form = await forms.read(request)
    words = tuple(f"{column}_{language}" for language in _translated(request) for column in admin.METHOD_WORDS)
    return forms.texts(form, FIELDS + words, 500)


async def _refused(request: Request, form_id: str, typed: dict, refused: FieldErrors) -> Response:
    failed = {"form": form_id, "typed": typed, "errors": refused.errors, "details": refused.details}
    return await _page(request, failed, 422)


def _done(request: Request, what: str, anchor: str) -> Response:
    session.flash(request, {"kind": NOTICE, "what": what})
    return RedirectResponse(f"/admin/shipping#{anchor}", status_code=303)


def _id(request: Request, name: str) -> int | None:
    return request.path_params.get(name)


async def save_method(request: Request) -> Response:
    staff = acting_staff(request)
    typed, method_id = await _typed(request), _id(request, "method_id")
    form_id = f"method-{method_id or 'new'}"
    try:
        method = await admin.save_method(
            staff, method_id, await admin.read_method(typed, method_id, _translated(request))
        )
    except FieldErrors as refused:
        return await _refused(request, form_id, typed, refused)
    except NotFound:
        raise HTTPException(404) from None
    return _done(request, method.name, f"method-{method.id}")


async def save_zone(request: Request) -> Response:
    staff = acting_staff(request)
    typed, zone_id = await _typed(request), _id(request, "zone_id")
    try:
        zone = await admin.save_zone(staff, zone_id, await admin.read_zone(typed))
    except FieldErrors as refused:
        return await _refused(request, f"zone-{zone_id or 'new'}", typed, refused)
    except NotFound:
        raise HTTPException(404) from None
    return _done(request, zone.name, f"zone-{zone.id}")


async def save_rate(request: Request) -> Response:
    """A new rate for a method (method_id in the path), or a change to one (rate_id)."""
    staff = acting_staff(request)
    typed, method_id, rate_id = await _typed(request), _id(request, "method_id"), _id(request, "rate_id")
    if method_id is not None and not await admin.method_exists(method_id):
        raise HTTPException(404)
    form_id = f"rate-{rate_id}" if rate_id else f"rate-new-{method_id}"
    try:
        values = await admin.read_rate(typed)
        rate = await admin.save_rate(staff, rate_id, {**values, **({"method_id": method_id} if method_id else {})})
    except FieldErrors as refused:
        return await _refused(request, form_id, typed, refused)
    except NotFound:
        raise HTTPException(404) from None
    return _done(request, "rate", f"method-{rate.method_id}")


async def delete_rate(request: Request) -> Response:
    staff = acting_staff(request)
    try:
        await admin.delete_rate(staff, request.path_params["rate_id"])
    except NotFound:
        raise HTTPException(404) from None
    return _done(request, "rate", "methods")


routes = [
    AdminRoute("/admin/shipping", shipping_page, permission=PERMISSION, name="admin_shipping"),
    AdminRoute("/admin/shipping/methods", save_method, permission=PERMISSION, methods=["POST"]),
    AdminRoute("/admin/shipping/methods/{method_id:id}", save_method, permission=PERMISSION, methods=["POST"]),
    AdminRoute("/admin/shipping/methods/{method_id:id}/rates", save_rate, permission=PERMISSION, methods=["POST"]),
    AdminRoute("/admin/shipping/rates/{rate_id:id}", save_rate, permission=PERMISSION, methods=["POST"]),
    AdminRoute("/admin/shipping/rates/{rate_id:id}/delete", delete_rate, permission=PERMISSION, methods=["POST"]),
    AdminRoute("/admin/shipping/zones", save_zone, permission=PERMISSION, methods=["POST"]),
    AdminRoute("/admin/shipping/zones/{zone_id:id}", save_zone, permission=PERMISSION, methods=["POST"]),
]
