"""Staff log in and out. Failed logins are limited per account and per address."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from storefront import forms, session
from storefront.domain import email_address
from storefront.domain import staff as staff_domain
from storefront.pages.admin.access import NO_STORE, admin_page
from storefront.security import local_path


def _limits(request: Request):
    limits = request.app.state.rate_limits
    return limits["login_account"], limits["login_address"]


async def login_form(request: Request) -> Response:
    return admin_page(request, "pages/admin/login.html", "pages/admin/login.html",
                      {"email": "", "next": request.query_params.get("next", "")})


async def login(request: Request) -> Response:
    form = await forms.read(request)
    email = str(form.get("email") or "")[:254]
    password = str(form.get("password") or "")[:1024]
    next_url = local_path(str(form.get("next") or ""), "/admin")
    by_account, by_address = _limits(request)
    account = email_address.normalise(email)
    address = request.client.host if request.client else "unknown"
    context = {"email": email, "next": next_url}
    if by_account.blocked(account) or by_address.blocked(address):
        return admin_page(request, "pages/admin/login.html", "pages/admin/login.html",
                          {**context, "error": "wait"}, status_code=429)
    staff = await staff_domain.authenticate(email, password)
    if staff is None:
        by_account.hit(account)
        by_address.hit(address)
        return admin_page(request, "pages/admin/login.html", "pages/admin/login.html",
                          {**context, "error": "wrong"}, status_code=422)
    session.log_in_staff(request, staff.id)
    return RedirectResponse(next_url if next_url.startswith("/admin") else "/admin", status_code=303, headers=NO_STORE)


async def logout(request: Request) -> Response:
    session.log_out(request)
    return RedirectResponse("/admin/login", status_code=303, headers=NO_STORE)
