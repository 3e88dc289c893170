"""The audit log: every staff change, who made it and when, before -> after. Read-only: no route here
writes, and nothing in the application edits or deletes an entry. Owners and staff may both read it."""

from __future__ import annotations

from datetime import date

from starlette.requests import Request
from starlette.responses import Response

from storefront.domain import as_typed, shop_time
from storefront.domain.staff import audit_log
from storefront.pages.admin.access import AdminRoute, admin_page

PERMISSION = "audit"

MAX_PAGE = 1_000


def _day(raw: str | None) -> date | None:
    try:
        return shop_time.parse_day(raw)
    except ValueError:
        return None  # a mistyped date filters nothing rather than failing the page


def read_query(params) -> audit_log.AuditQuery:
    return audit_log.AuditQuery(
        action=as_typed.search_text(params.get("action"), 60),
        actor=as_typed.search_text(params.get("actor"), 254),
        since=_day(params.get("since")),
        until=_day(params.get("until")),
        page=as_typed.page(params.get("page"), MAX_PAGE),
    )


async def show(request: Request) -> Response:
    log = await audit_log.audit_log(read_query(request.query_params))
    return admin_page(request, "pages/admin/audit.html", "pages/admin/audit.html", {"log": log})


routes = [AdminRoute("/admin/audit", show, permission=PERMISSION, name="admin_audit")]
