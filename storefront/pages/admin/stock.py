"""Stock: every variant's count, adjusted with a reason. Each adjustment is a ledger movement (stock.adjust)
and an audit entry, written in one transaction so neither exists without the other.

htmx re-renders the variant's row (or, on its history page, the whole ledger) and says what changed in the
live region; without JavaScript the form posts and the browser is sent back where it was.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from storefront import forms, session
from storefront.domain import as_typed
from storefront.domain.forms import FieldErrors
from storefront.domain.inventory import levels, stock
from storefront.htmx import target, wants_fragment
from storefront.pages.admin.access import AdminRoute, acting_staff, admin_page
from storefront.pages.layout import flash_for_this_page
from storefront.security import local_path

PERMISSION = "stock"

MAX_PAGE = 1_000


# --- routes -------------------------------------------------------------------------------------


async def stock_list(request: Request) -> Response:
    params = request.query_params
    show = params.get("show", "all")
    query = levels.StockQuery(
        text=as_typed.search_text(params.get("q"), 100),
        show=show if show in levels.STOCK_SHOWS else "all",
        page=as_typed.page(params.get("page"), MAX_PAGE),
    )
    listing = await levels.stock_list(query)
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return admin_page(
        request,
        "pages/admin/stock.html",
        "pages/admin/stock.html",
        {"listing": listing, "next_url": here, **flash_for_this_page(request, {"adjusted"})},
    )


async def _variant_or_404(request: Request) -> levels.StockRow:
    row = await levels.stock_row(request.path_params["variant_id"])
    if row is None:
        raise HTTPException(404)
    return row


async def variant(request: Request) -> Response:
    row = await _variant_or_404(request)
    ledger = await levels.ledger(row, page=as_typed.page(request.query_params.get("page"), MAX_PAGE))
    return admin_page(
        request,
        "pages/admin/variant_stock.html",
        "pages/admin/variant_stock.html",
        {"ledger": ledger, "r": row, "next_url": request.url.path, **flash_for_this_page(request, {"adjusted"})},
    )


async def adjust(request: Request) -> Response:
    staff = acting_staff(request)
    row = await _variant_or_404(request)
    form = await forms.read(request)
    typed = forms.texts(form, ("mode", "units", "reason", "note", "next"), 200)
    next_url = local_path(typed["next"], f"/admin/stock/{row.id}")
    try:
        change = stock.read_adjustment(typed)
        before, after = await stock.count(
            staff, row.id, row.stock, change.mode, change.units, change.reason, change.note
        )
    except FieldErrors as refused:
        return await _refused(request, row, typed, refused, next_url)
    notice = {
        "kind": "adjusted",
        "name": row.name,
        "options": row.options,
        "sku": row.sku,
        "before": before,
        "after": after,
        "reason": typed["reason"],
    }
    if not wants_fragment(request):
        session.flash(request, notice)
        return RedirectResponse(next_url, status_code=303)
    return await _fragment(request, row.id, {"notices": [notice], "next_url": next_url, "saved": notice})


async def _fragment(request: Request, variant_id: int, context: dict, status_code: int = 200) -> Response:
    """The region htmx asked for, fresh from the database, plus the live region out of band."""
    row = await levels.stock_row(variant_id)
    if row is None:  # no such variant, as in _variant_or_404
        raise HTTPException(404)
    context = {"r": row, **context}
    if target(request) == "variant-stock":  # the history page: the counts and the ledger together
        ledger = await levels.ledger(row)
        name = "partials/admin/stock_variant_update.html"
        return admin_page(request, name, name, {**context, "ledger": ledger}, status_code)
    name = "partials/admin/stock_row_update.html"
    return admin_page(request, name, name, context, status_code)


async def _refused(
    request: Request, row: levels.StockRow, typed: dict, refused: FieldErrors, next_url: str
) -> Response:
    context = {
        "typed": typed,
        "errors": refused.errors,
        "details": refused.details,
        "next_url": next_url,
        "notices": [{"kind": "refused"}],
    }
    if wants_fragment(request):
        return await _fragment(request, row.id, context, status_code=422)
    # Without JavaScript: the variant's own page, with the form as it was sent and the messages beside it.
    ledger = await levels.ledger(row)
    return admin_page(
        request,
        "pages/admin/variant_stock.html",
        "pages/admin/variant_stock.html",
        {**context, "r": row, "ledger": ledger},
        status_code=422,
    )


routes = [
    AdminRoute("/admin/stock", stock_list, permission=PERMISSION, name="admin_stock"),
    AdminRoute("/admin/stock/{variant_id:id}", variant, permission=PERMISSION, name="admin_variant_stock"),
    AdminRoute("/admin/stock/{variant_id:id}/adjust", adjust, permission=PERMISSION, methods=["POST"]),
]
