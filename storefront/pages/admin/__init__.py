"""The back office under /admin: one route module per area, templates beside them."""

from __future__ import annotations

from starlette.routing import Route

from storefront.pages.admin import (
    audit,
    auth,
    categories,
    dashboard,
    orders,
    products,
    promotions,
    shipping,
    shop_settings,
    staff,
    stock,
)
from storefront.pages.admin.access import AdminRoute

routes = [
    Route("/admin/login", auth.login_form, name="admin_login"),
    Route("/admin/login", auth.login, methods=["POST"]),
    Route("/admin/logout", auth.logout, methods=["POST"]),
    AdminRoute("/admin/language", auth.choose_language, methods=["POST"], permission="dashboard"),
    *dashboard.routes,
    *orders.routes,
    *products.routes,
    *categories.routes,
    *stock.routes,
    *promotions.routes,
    *shipping.routes,
    *shop_settings.routes,
    *staff.routes,
    *audit.routes,
]
