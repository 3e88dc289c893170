"""Who may see the back office, and how its pages are sent: never cached, never indexed."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from storefront import session
from storefront.domain import staff as staff_domain
from storefront.domain.models import Staff
from storefront.htmx import render

NO_STORE = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex, nofollow"}


class LoginRequired(Exception):
    pass


async def current_staff(request: Request, permission: str = "") -> Staff:
    """The logged-in staff member, or LoginRequired (sent to the login page); 403 without permission."""
    staff_id = session.staff_id(request)
    staff = await Staff.get_or_none(id=staff_id, active=True) if staff_id else None
    if staff is None:
        raise LoginRequired()
    if permission and not staff_domain.may(staff, permission):
        raise HTTPException(403)
    request.state.staff = staff
    return staff


def admin_page(request: Request, page: str, fragment: str, context: dict, status_code: int = 200) -> Response:
    context = {"staff": getattr(request.state, "staff", None), "nav": [], **context}
    response = render(request, page, fragment, context, status_code)
    response.headers.update(NO_STORE)
    return response


async def login_required(request: Request, exc: LoginRequired) -> Response:
    next_path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if request.headers.get("HX-Request") == "true":
        return Response(status_code=204, headers={"HX-Redirect": "/admin/login", **NO_STORE})
    return RedirectResponse(f"/admin/login?next={next_path}", status_code=303, headers=NO_STORE)
