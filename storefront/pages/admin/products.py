"""Products in the back office: list, create and edit with variants and images, listed or not, CSV in and out.

Forms post for real (303 on success, 422 with the messages beside the fields); htmx only enhances: the
activate button swaps its row. The domain (catalog_admin) audits every change and refreshes the search.
"""

from __future__ import annotations

import hashlib
from typing import Any

from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from storefront import forms, languages, session
from storefront.domain import as_typed
from storefront.domain.catalogue import editing as admin
from storefront.domain.catalogue import spreadsheet
from storefront.domain.errors import NotFound
from storefront.domain.forms import FieldErrors
from storefront.domain.models import Product
from storefront.htmx import wants_fragment
from storefront.pages.admin.access import NO_STORE, AdminRoute, acting_staff, admin_page
from storefront.pages.layout import flash_for_this_page
from storefront.security import local_path

PERMISSION = "catalog"

PRODUCT_FIELDS = ("name", "slug", "category_id", "description", "tax_class", "active")
VARIANT_FIELDS = ("sku", "price", "compare_at_price", "weight_grams", "low_stock_threshold", "opening_stock")
MAX_PAGE = 1_000
OUR_NOTICES = {"saved", "variant_saved", "image_saved", "imported", "activated", "deactivated"}


async def _form(request: Request, fields: tuple[str, ...]) -> tuple[dict[str, str], list[str]]:
    form = await forms.read(request)
    typed = forms.texts(form, (*fields, "next"), 10_000)
    values = [str(v) for k, v in form.multi_items() if k.startswith("option-") and isinstance(v, str) and v]
    return typed, values


# --- list and activate ------------------------------------------------------------------------


async def product_list(request: Request) -> Response:
    params = request.query_params
    state = params.get("state", "all")
    query: dict[str, Any] = {
        "q": as_typed.search_text(params.get("q"), 100),
        "category": as_typed.whole(params.get("category")),
        "state": state if state in ("active", "inactive") else "all",
        "page": as_typed.page(params.get("page"), MAX_PAGE),
    }
    listing = await admin.product_list(query["q"], query["category"], query["state"], query["page"])
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return admin_page(
        request,
        "pages/admin/products.html",
        "pages/admin/products.html",
        {
            "listing": listing,
            "query": query,
            "categories": await admin.categories(),
            "next_url": here,
            **flash_for_this_page(request, OUR_NOTICES),
        },
    )


async def set_active(request: Request) -> Response:
    staff = acting_staff(request)
    typed, _ = await _form(request, ("active",))
    try:
        product = await admin.set_active(staff, request.path_params["product_id"], typed["active"] == "1")
    except NotFound:
        raise HTTPException(404) from None
    if wants_fragment(request):
        row = await admin.product_row(product.id)
        name = "partials/admin/product_row_update.html"
        return admin_page(
            request,
            name,
            name,
            {
                "r": row,
                "next_url": local_path(typed["next"], "/admin/products"),
                "notices": [{"kind": "activated" if product.active else "deactivated", "name": product.name}],
            },
        )
    session.flash(request, {"kind": "activated" if product.active else "deactivated", "name": product.name})
    return RedirectResponse(local_path(typed["next"], "/admin/products"), status_code=303)


# --- create and edit --------------------------------------------------------------------------


def _translated(request: Request) -> tuple[str, ...]:
    """The languages the product form has words for, besides the shop's."""
    return languages.others(request.app.state.settings.language)


async def _edit_context(request: Request, product: Product | None, **extra) -> dict:
    variants, options, categories = await admin.editing(product)
    return {
        "product": product,
        "variants": variants,
        "options": options,
        "categories": categories,
        **extra,
    }


async def _typed_from(request: Request, product: Product) -> dict:
    words = await admin.translations_of(admin.PRODUCTS, product.id, _translated(request))
    return {
        "name": product.name,
        "slug": product.slug,
        "category_id": str(product.category_id),
        "description": product.description,
        "tax_class": product.tax_class.value,
        "active": "on" if product.active else "",
        **{k: v or "" for w in words for k, v in w.facts().items()},
    }


async def _product_or_404(request: Request) -> Product:
    try:
        return await admin.get_product(request.path_params["product_id"])
    except NotFound:
        raise HTTPException(404) from None


def _page(request: Request, context: dict, status_code: int = 200) -> Response:
    return admin_page(request, "pages/admin/product_edit.html", "pages/admin/product_edit.html", context, status_code)


async def new_product(request: Request) -> Response:
    return _page(request, await _edit_context(request, None, typed={"active": "on", "tax_class": "standard"}))


async def edit_product(request: Request) -> Response:
    product = await _product_or_404(request)
    return _page(
        request,
        await _edit_context(
            request, product, typed=await _typed_from(request, product), **flash_for_this_page(request, OUR_NOTICES)
        ),
    )


async def save_product(request: Request) -> Response:
    staff = acting_staff(request)
    product = await _product_or_404(request) if "product_id" in request.path_params else None
    others = _translated(request)
    typed, _ = await _form(request, PRODUCT_FIELDS + admin.translated_fields(others))
    try:
        saved = await admin.save_product(staff, product.id if product else None, admin.read_product(typed, others))
    except FieldErrors as invalid:
        return _page(request, await _edit_context(request, product, typed=typed, errors=invalid.errors), 422)
    session.flash(request, {"kind": "saved"})
    return RedirectResponse(f"/admin/products/{saved.id}", status_code=303)


async def save_variant(request: Request) -> Response:
    staff = acting_staff(request)
    product = await _product_or_404(request)
    variant_id = request.path_params.get("variant_id")
    if variant_id is not None and not await admin.is_variant_of(product.id, variant_id):
        raise HTTPException(404)
    typed, values = await _form(request, VARIANT_FIELDS)
    try:
        draft = admin.read_variant(typed, values)
        if variant_id is None:
            await admin.add_variant(staff, product.id, draft)
        else:
            await admin.update_variant(staff, variant_id, draft)
    except FieldErrors as invalid:
        context = await _edit_context(
            request,
            product,
            typed=await _typed_from(request, product),
            variant_typed=typed,
            variant_values=values,
            variant_errors=invalid.errors,
            editing=variant_id,
        )
        return _page(request, context, 422)
    session.flash(request, {"kind": "variant_saved", "sku": typed["sku"]})
    return RedirectResponse(f"/admin/products/{product.id}#variants", status_code=303)


async def upload_image(request: Request) -> Response:
    staff = acting_staff(request)
    product = await _product_or_404(request)
    form = await forms.read(request)
    upload, alt = form.get("image"), str(form.get("alt") or "")
    # Read one byte past the limit: enough to know it is too large without reading it all.
    content = await upload.read(admin.MAX_IMAGE_BYTES + 1) if isinstance(upload, UploadFile) else b""
    try:
        if not content:
            raise FieldErrors({"image": "required"})
        await admin.attach_image(staff, product.id, content, alt, request.app.state.settings.media_dir)
    except FieldErrors as invalid:
        typed = await _typed_from(request, product)
        context = await _edit_context(request, product, typed=typed, image_errors=invalid.errors)
        return _page(request, context, 422)
    session.flash(request, {"kind": "image_saved"})
    return RedirectResponse(f"/admin/products/{product.id}#images", status_code=303)


# --- CSV --------------------------------------------------------------------------------------


async def export_csv(request: Request) -> Response:
    return Response(
        await spreadsheet.export_csv(_translated(request)),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="products.csv"', **NO_STORE},
    )


async def import_form(request: Request) -> Response:
    return admin_page(
        request,
        "pages/admin/products_import.html",
        "pages/admin/products_import.html",
        {**flash_for_this_page(request, OUR_NOTICES)},
    )


async def import_csv(request: Request) -> Response:
    """Upload -> dry run (nothing written). The dry run page carries the file back in a hidden field;
    "Apply" re-sends it and it is checked again before anything is written."""
    staff = acting_staff(request)
    form = await forms.read(request)
    upload, action = form.get("file"), str(form.get("action") or "")
    raw = (
        await upload.read(spreadsheet.MAX_IMPORT_BYTES + 1)
        if isinstance(upload, UploadFile)
        else str(form.get("content") or "").encode()
    )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None and "\x00" in text:  # no text file has one (and PostgreSQL could not store it)
        text = None
    context: dict = {"content": text or "", "digest": hashlib.sha256(raw).hexdigest()}
    if not raw or text is None or len(raw) > spreadsheet.MAX_IMPORT_BYTES:
        code = "empty" if not raw else "encoding" if text is None else "too_large"
        return admin_page(
            request,
            "pages/admin/products_import.html",
            "pages/admin/products_import.html",
            {**context, "content": "", "file_error": code},
            422,
        )
    if action == "apply":
        try:
            plan = await spreadsheet.apply_import(staff, text, context["digest"], _translated(request))
        except spreadsheet.ImportRefused as refused:
            return admin_page(
                request,
                "pages/admin/products_import.html",
                "pages/admin/products_import.html",
                {**context, "plan": refused.plan},
                422,
            )
        session.flash(
            request,
            {
                "kind": "imported",
                "new_products": len(plan.new_products),
                "new_variants": len(plan.new_variants),
                "changes": len(plan.changes),
            },
        )
        return RedirectResponse("/admin/products/import", status_code=303)
    plan = await spreadsheet.plan_import(text, _translated(request))
    return admin_page(
        request,
        "pages/admin/products_import.html",
        "pages/admin/products_import.html",
        {**context, "plan": plan},
        422 if plan.errors else 200,
    )


routes = [
    AdminRoute("/admin/products", product_list, permission=PERMISSION, name="admin_products"),
    AdminRoute("/admin/products/export.csv", export_csv, permission=PERMISSION),
    AdminRoute("/admin/products/import", import_form, permission=PERMISSION),
    AdminRoute("/admin/products/import", import_csv, permission=PERMISSION, methods=["POST"]),
    AdminRoute("/admin/products/new", new_product, permission=PERMISSION),
    AdminRoute("/admin/products/new", save_product, permission=PERMISSION, methods=["POST"]),
    AdminRoute("/admin/products/{product_id:id}", edit_product, permission=PERMISSION, name="admin_product"),
    AdminRoute("/admin/products/{product_id:id}", save_product, permission=PERMISSION, methods=["POST"]),
    AdminRoute("/admin/products/{product_id:id}/active", set_active, permission=PERMISSION, methods=["POST"]),
    AdminRoute("/admin/products/{product_id:id}/variants", save_variant, permission=PERMISSION, methods=["POST"]),
    AdminRoute(
        "/admin/products/{product_id:id}/variants/{variant_id:id}",
        save_variant,
        permission=PERMISSION,
        methods=["POST"],
    ),
    AdminRoute("/admin/products/{product_id:id}/images", upload_image, permission=PERMISSION, methods=["POST"]),
]
