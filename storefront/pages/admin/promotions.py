"""Promotions in the back office: the list with usage against limits, one form to create or edit (every
field explained), switching off and on. Forms are plain posts (boosted by htmx): success is a 303 to the
promotion's page, a mistake is the page again with 422, everything typed kept and each message by its field.
"""

from __future__ import annotations

from datetime import UTC, datetime

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from storefront import forms, languages, session
from storefront.domain.catalogue import browse
from storefront.domain.errors import NotFound
from storefront.domain.forms import FieldErrors
from storefront.domain.models import Promotion, PromotionKind
from storefront.domain.offers import editing as admin
from storefront.domain.offers import promotions
from storefront.pages.admin.access import AdminRoute, acting_staff, admin_page
from storefront.pages.layout import flash_for_this_page
from storefront.security import local_path

PERMISSION = "promotions"

FIELDS = (
    "name",
    "code",
    "kind",
    "percent",
    "amount",
    "buy_quantity",
    "get_quantity",
    "products",
    "countries",
    "min_subtotal",
    "min_quantity",
    "starts_on",
    "ends_on",
    "usage_limit",
    "per_customer_limit",
    "priority",
    *admin.FLAGS,
)
NOTICE_KINDS = {"promotion_created", "promotion_saved", "promotion_unchanged", "promotion_active"}
# A new promotion starts as most are meant: on, and combining with everything.
NEW = {
    "kind": "",
    "priority": "100",
    "active": "on",
    "combines_with_order": "on",
    "combines_with_product": "on",
    "combines_with_shipping": "on",
}


async def promotion_list(request: Request) -> Response:
    rows = await admin.listed()
    now = datetime.now(UTC)
    states = {row.id: promotions.state(row, now) for row in rows}
    return admin_page(
        request,
        "pages/admin/promotions.html",
        "pages/admin/promotions.html",
        {"promotions": rows, "states": states, **flash_for_this_page(request, NOTICE_KINDS)},
    )


async def _form_context(typed: dict, refused: FieldErrors | None, promotion: Promotion | None) -> dict:
    tree = await browse.category_tree()
    return {
        "typed": typed,
        "errors": refused.errors if refused else {},
        "details": refused.details if refused else {},
        "promotion": promotion,
        "categories": tree.categories,
        "kinds": list(PromotionKind),
        "preview": promotions.preview(promotions.Offer.from_model(promotion), datetime.now(UTC)) if promotion else None,
    }


async def new_form(request: Request) -> Response:
    return admin_page(
        request,
        "pages/admin/promotion_edit.html",
        "pages/admin/promotion_edit.html",
        await _form_context(dict(NEW, category_ids=[]), None, None),
    )


async def _promotion_or_404(request: Request) -> Promotion:
    try:
        return await admin.get(request.path_params["promotion_id"])
    except NotFound:
        raise HTTPException(404) from None


async def edit_form(request: Request) -> Response:
    promotion = await _promotion_or_404(request)
    typed = admin.typed_from(promotion, await admin.skus_for(promotion.product_ids or []), _translated(request))
    return admin_page(
        request,
        "pages/admin/promotion_edit.html",
        "pages/admin/promotion_edit.html",
        {**await _form_context(typed, None, promotion), **flash_for_this_page(request, NOTICE_KINDS)},
    )


def _translated(request: Request) -> tuple[str, ...]:
    return languages.others(request.app.state.settings.language)


async def _typed(request: Request) -> dict:
    form = await forms.read(request)
    names = tuple(f"name_{language}" for language in _translated(request))
    typed: dict[str, str | list[str]] = {**forms.texts(form, FIELDS + names, 2000)}
    typed["category_ids"] = [str(i)[:12] for i in form.getlist("category_ids")][:500]
    return typed


async def _refused(typed: dict, refused: FieldErrors, promotion: Promotion | None, request: Request) -> Response:
    context = await _form_context(typed, refused, promotion)
    return admin_page(
        request,
        "pages/admin/promotion_edit.html",
        "pages/admin/promotion_edit.html",
        {**context, "notices": [{"kind": "promotion_refused"}]},
        status_code=422,
    )


async def create(request: Request) -> Response:
    staff = acting_staff(request)
    typed = await _typed(request)
    try:
        promotion = await admin.create(
            staff, await admin.read(typed, typed["category_ids"], None, _translated(request))
        )
    except FieldErrors as refused:
        return await _refused(typed, refused, None, request)
    session.flash(request, {"kind": "promotion_created", "name": promotion.name})
    return RedirectResponse(f"/admin/promotions/{promotion.id}", status_code=303)


async def update(request: Request) -> Response:
    staff = acting_staff(request)
    promotion = await _promotion_or_404(request)
    typed = await _typed(request)
    try:
        values = await admin.read(typed, typed["category_ids"], promotion.id, _translated(request))
        promotion, before, _ = await admin.update(staff, promotion.id, values)
    except FieldErrors as refused:
        return await _refused(typed, refused, promotion, request)
    session.flash(request, {"kind": "promotion_saved" if before else "promotion_unchanged", "name": promotion.name})
    return RedirectResponse(f"/admin/promotions/{promotion.id}", status_code=303)


async def set_active(request: Request) -> Response:
    staff = acting_staff(request)
    form = await forms.read(request)
    active, next_url = form.get("active") == "1", str(form.get("next") or "")
    try:
        promotion = await admin.set_active(staff, request.path_params["promotion_id"], active)
    except NotFound:
        raise HTTPException(404) from None
    session.flash(request, {"kind": "promotion_active", "name": promotion.name, "active": promotion.active})
    return RedirectResponse(local_path(next_url, "/admin/promotions"), status_code=303)


routes = [
    AdminRoute("/admin/promotions", promotion_list, permission=PERMISSION, name="admin_promotions"),
    AdminRoute("/admin/promotions", create, permission=PERMISSION, methods=["POST"]),
    AdminRoute("/admin/promotions/new", new_form, permission=PERMISSION, name="admin_promotion_new"),
    AdminRoute("/admin/promotions/{promotion_id:id}", edit_form, permission=PERMISSION, name="admin_promotion"),
    AdminRoute("/admin/promotions/{promotion_id:id}", update, permission=PERMISSION, methods=["POST"]),
    AdminRoute("/admin/promotions/{promotion_id:id}/active", set_active, permission=PERMISSION, methods=["POST"]),
]
