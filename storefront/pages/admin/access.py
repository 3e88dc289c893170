"""Who may see the back office, and how its pages are sent: never cached, never indexed.

Every back-office route is an AdminRoute naming the permission it needs; its guard checks it before the
endpoint runs, so no endpoint checks for itself (tests/unit/test_access_refused.py reads the table).
"""

from __future__ import annotations

import functools
from urllib.parse import quote

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from storefront import languages, session
from storefront.domain.models import Staff
from storefront.domain.staff import accounts, sessions
from storefront.htmx import redirect, render

NO_STORE = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex, nofollow"}


class LoginRequired(Exception):
    pass


async def _let_in(request: Request, permission: str) -> None:
    """The logged-in staff member on request.state, or LoginRequired (sent to the login page); 403
    without the permission."""
    staff = await sessions.staff_for(session.staff_token(request))  # ended, idle or switched off: None
    if staff is None:
        raise LoginRequired()
    if not accounts.may(staff, permission):
        raise HTTPException(403)
    request.state.staff = staff
    request.state.language = languages.normalise(staff.language) or request.app.state.settings.language


def acting_staff(request: Request) -> Staff:
    """Who is acting, in an endpoint of an AdminRoute (its guard let them in)."""
    return request.state.staff


class AdminRoute(Route):
    """A back-office route: `permission` is checked before the endpoint runs, for every method."""

    def __init__(self, path: str, endpoint, *, permission: str, **kwargs) -> None:
        if permission not in accounts.PERMISSIONS:
            raise ValueError(f"{path}: no such permission {permission!r}")  # a typo fails at start, not open

        @functools.wraps(endpoint)
        async def guarded(request: Request) -> Response:
            await _let_in(request, permission)
            return await endpoint(request)

        super().__init__(path, guarded, **kwargs)
        self.permission = permission


def _openable(request: Request, staff: Staff | None) -> set[str]:
    """The back-office pages this account may open, read from the routes' own permissions: the menu
    (base.html) offers only those."""
    if staff is None:
        return set()
    return {
        route.path
        for route in request.app.routes
        if isinstance(route, AdminRoute) and "GET" in (route.methods or ()) and accounts.may(staff, route.permission)
    }


def admin_page(request: Request, page: str, fragment: str, context: dict, status_code: int = 200) -> Response:
    staff = getattr(request.state, "staff", None)
    context = {"staff": staff, "openable": _openable(request, staff), "nav": [], **context}
    response = render(request, page, fragment, context, status_code)
    response.headers.update(NO_STORE)
    return response


async def login_required(request: Request, exc: LoginRequired) -> Response:
    if request.headers.get("HX-Request") == "true":  # a fragment's URL is no page to come back to
        return redirect(request, "/admin/login", new_page=True, headers=NO_STORE)
    next_path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    # Quoted whole, so the asked path's own query (its & and #) stays inside `next`.
    return redirect(request, f"/admin/login?next={quote(next_path, safe='/')}", headers=NO_STORE)
