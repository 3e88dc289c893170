"""The audit log: every staff change, who made it and when, before -> after. Read-only: no route here
writes, and nothing in the application edits or deletes an entry. Owners and staff may both read it."""

from __future__ import annotations

from datetime import date

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from storefront.domain import audit_log
from storefront.pages.admin.access import admin_page, current_staff

MAX_PAGE = 1_000


def _day(raw: str | None) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None  # a mistyped date filters nothing rather than failing the page


def read_query(params) -> audit_log.AuditQuery:
    page = params.get("page", "")
    return audit_log.AuditQuery(
        action=params.get("action", "")[:60],
        actor=params.get("actor", "")[:254],
        since=_day(params.get("since")),
        until=_day(params.get("until")),
        page=min(int(page), MAX_PAGE) if page.isdigit() and int(page) > 0 else 1,
    )


async def show(request: Request) -> Response:
    await current_staff(request)
    log = await audit_log.audit_log(read_query(request.query_params))
    return admin_page(request, "pages/admin/audit.html", "pages/admin/audit.html", {"log": log})


routes = [Route("/admin/audit", show, name="admin_audit")]
