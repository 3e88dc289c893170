"""Staff accounts, for owners only: list, create (with a typed or generated first password, shown once),
switch off and on, change role. Two rules keep the shop manageable: nobody changes their own account
here (no locking yourself out by mistake), and the last active owner always stays an active owner.

The rules themselves are in domain/staff.py (change_account).
"""

from __future__ import annotations

import secrets

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from storefront import forms, session
from storefront.domain.forms import FieldErrors
from storefront.domain.models import StaffRole
from storefront.domain.staff import accounts
from storefront.pages.admin.access import AdminRoute, acting_staff, admin_page
from storefront.pages.layout import flash_for_this_page

PERMISSION = "staff"  # who works here: owners only

NOTICE = "staff_changed"


async def _page(request: Request, context: dict, status_code: int = 200) -> Response:
    team = await accounts.accounts()
    blank: dict[str, dict] = {"typed": {}, "errors": {}, "details": {}, "failed": {}}
    context = {"accounts": team, "roles": list(StaffRole), **blank, **context}
    return admin_page(request, "pages/admin/staff.html", "pages/admin/staff.html", context, status_code)


async def staff_list(request: Request) -> Response:
    return await _page(request, flash_for_this_page(request, {NOTICE}))


async def create(request: Request) -> Response:
    actor = acting_staff(request)
    form = await forms.read(request)
    typed = forms.texts(form, ("email", "name", "role", "generate"), 300)
    typed["password"] = forms.text(form, "password", accounts.MAX_PASSWORD + 1)  # one more: too long is said
    generated = typed["generate"] == "on" or not typed["password"]
    password = secrets.token_urlsafe(12) if generated else typed["password"]
    try:
        account = await accounts.create(typed["email"], password, typed["role"], typed["name"], by=actor)
    except FieldErrors as refused:
        typed["password"] = ""  # never sent back into the page
        return await _page(request, {"typed": typed, "errors": refused.errors, "details": refused.details}, 422)
    # Shown once, in this answer only: a redirect would carry it through the (signed, not secret) session.
    return await _page(request, {"created": account, "password": password if generated else None})


async def change(request: Request) -> Response:
    actor = acting_staff(request)
    target_id = request.path_params["staff_id"]
    form = await forms.read(request)
    raw_active, raw_role = form.get("active"), form.get("role")
    active = None if raw_active is None else raw_active == "1"
    role = None
    if raw_role is not None:
        if raw_role not in set(StaffRole):
            return await _page(request, {"failed": {"id": target_id, "code": "role"}}, 422)
        role = StaffRole(raw_role)
    try:
        target = await accounts.change_account(actor, target_id, active=active, role=role)
    except accounts.AccountRefused as refused:
        if refused.code == "missing":
            raise HTTPException(404) from None
        return await _page(request, {"failed": {"id": target_id, "code": refused.code}}, 422)
    session.flash(request, {"kind": NOTICE, "email": target.email, "active": target.active, "role": str(target.role)})
    return RedirectResponse(f"/admin/staff#staff-{target_id}", status_code=303)


routes = [
    AdminRoute("/admin/staff", staff_list, permission=PERMISSION, name="admin_staff"),
    AdminRoute("/admin/staff", create, permission=PERMISSION, methods=["POST"]),
    AdminRoute("/admin/staff/{staff_id:id}", change, permission=PERMISSION, methods=["POST"]),
]
