"""The dashboard: how the shop is doing at a glance, from figures the shop already records."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from storefront.domain import reports
from storefront.pages.admin.access import admin_page, current_staff


async def show(request: Request) -> Response:
    await current_staff(request)
    figures = await reports.dashboard()
    return admin_page(request, "pages/admin/dashboard.html", "pages/admin/dashboard.html", {"d": figures})


routes = [Route("/admin", show, name="admin")]
