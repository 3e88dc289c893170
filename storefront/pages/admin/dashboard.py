"""The dashboard: how the shop is doing at a glance."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from storefront.pages.admin.access import admin_page, current_staff


async def show(request: Request) -> Response:
    await current_staff(request)
    return admin_page(request, "pages/admin/dashboard.html", "pages/admin/dashboard.html", {})
