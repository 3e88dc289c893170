"""The shop's settings in the back office (owners only): today how the shop charges VAT to EU consumers."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from storefront import forms, session
from storefront.domain import shop
from storefront.pages.admin.access import AdminRoute, acting_staff, admin_page
from storefront.pages.layout import flash_for_this_page

NOTICE = "settings_saved"
VAT_CHOICES = ("italian", "oss")  # the form's values for ShopSettings.vat_oss False / True


async def settings_page(request: Request, status_code: int = 200, refused: bool = False) -> Response:
    context = {"settings": await shop.current(), "refused": refused, **flash_for_this_page(request, {NOTICE})}
    return admin_page(request, "pages/admin/settings.html", "pages/admin/settings.html", context, status_code)


async def save(request: Request) -> Response:
    chosen = (await forms.read(request)).get("vat")
    if chosen not in VAT_CHOICES:  # only a hand-made form sends anything else: the page says so
        return await settings_page(request, 422, refused=True)
    await shop.set_vat_oss(acting_staff(request), chosen == "oss")
    session.flash(request, {"kind": NOTICE})
    return RedirectResponse("/admin/settings", status_code=303)


routes = [
    AdminRoute("/admin/settings", settings_page, permission="settings", name="admin_settings"),
    AdminRoute("/admin/settings", save, permission="settings", methods=["POST"]),
]
