"""Staff log in and out. Failed logins are limited per account and address, per address, and (more
slowly) per account from anywhere: see domain/rate_limits.py."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from storefront import forms, languages, session
from storefront.domain import email_address, rate_limits
from storefront.domain.staff import accounts, sessions
from storefront.pages.admin.access import NO_STORE, acting_staff, admin_page
from storefront.security import client_address, local_path


async def login_form(request: Request) -> Response:
    return admin_page(
        request,
        "pages/admin/login.html",
        "pages/admin/login.html",
        {"email": "", "next": request.query_params.get("next", "")},
    )


async def login(request: Request) -> Response:
    form = await forms.read(request)
    email, password = forms.text(form, "email", 254), forms.text(form, "password", accounts.MAX_PASSWORD)
    next_url = local_path(forms.text(form, "next", 2000), "/admin")
    account = email_address.normalise(email)
    address = client_address(request)
    context = {"email": email, "next": next_url}
    try:
        counted = await rate_limits.attempt(
            (rate_limits.LOGIN_PAIR, f"{account} {address}"),
            (rate_limits.LOGIN_ADDRESS, address),
            (rate_limits.LOGIN_ACCOUNT, account),
        )
    except rate_limits.TooMany:  # even the right password waits now
        return admin_page(
            request, "pages/admin/login.html", "pages/admin/login.html", {**context, "error": "wait"}, status_code=429
        )
    staff = await accounts.authenticate(email, password)
    if staff is None:
        return admin_page(
            request, "pages/admin/login.html", "pages/admin/login.html", {**context, "error": "wrong"}, status_code=422
        )
    await rate_limits.forgive(counted)
    session.log_in_staff(request, await sessions.start(staff.id))
    return RedirectResponse(next_url if next_url.startswith("/admin") else "/admin", status_code=303, headers=NO_STORE)


async def choose_language(request: Request) -> Response:
    """The back office in the language this member of staff picks, from now on (every device)."""
    form = await forms.read(request)
    language = languages.normalise(forms.text(form, "language", 10))
    if language is None:
        raise HTTPException(400)
    await accounts.set_language(acting_staff(request), language)
    return RedirectResponse(local_path(forms.text(form, "next", 2000), "/admin"), status_code=303, headers=NO_STORE)


async def logout(request: Request) -> Response:
    """This session ends on the server too (a copied cookie opens nothing), or with "everywhere" every
    session of the account: a phone left logged in, a shared computer."""
    token = session.staff_token(request)
    form = await forms.read(request)
    staff = await sessions.staff_for(token)
    if form.get("everywhere") and staff is not None:
        await sessions.end_all(staff.id)
    await sessions.end(token)
    session.log_out(request)
    return RedirectResponse("/admin/login", status_code=303, headers=NO_STORE)
