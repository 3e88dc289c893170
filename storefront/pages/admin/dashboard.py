"""The dashboard: how the shop is doing at a glance, from figures the shop already records."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from storefront.domain import reports
from storefront.pages.admin.access import AdminRoute, admin_page

PERMISSION = "dashboard"


async def show(request: Request) -> Response:
    figures = await reports.dashboard()
    return admin_page(request, "pages/admin/dashboard.html", "pages/admin/dashboard.html", {"d": figures})


routes = [AdminRoute("/admin", show, permission=PERMISSION, name="admin")]
