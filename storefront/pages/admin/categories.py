"""Categories in the back office: the tree, and each category's words in every language side by side.

Categories are created by the seed (or a migration) and renamed here; moving and deleting them is not
offered yet. A rename shows in the shop at once (the catalogue version) and in search (its products are
reindexed); an address in another language, or an old one of this, redirects to the new one.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from storefront import forms, languages, session
from storefront.domain.catalogue import browse
from storefront.domain.catalogue import editing as admin
from storefront.domain.errors import NotFound
from storefront.domain.forms import FieldErrors
from storefront.domain.models import Category
from storefront.pages.admin.access import AdminRoute, acting_staff, admin_page
from storefront.pages.layout import flash_for_this_page

PERMISSION = "catalog"
FIELDS = ("name", "slug", "description")


def _translated(request: Request) -> tuple[str, ...]:
    return languages.others(request.app.state.settings.language)


async def category_list(request: Request) -> Response:
    tree = await browse.category_tree()
    rows = [(node, len(tree.trail(node.id)) - 1) for top in tree.top for node in _depth_first(tree, top)]
    context = {"rows": rows, **flash_for_this_page(request, {"category_saved"})}
    return admin_page(request, "pages/admin/categories.html", "pages/admin/categories.html", context)


def _depth_first(tree: browse.CategoryTree, node: browse.CategoryNode) -> list[browse.CategoryNode]:
    return [node, *(n for child in tree.children(node) for n in _depth_first(tree, child))]


async def _category_or_404(request: Request) -> Category:
    try:
        return await admin.get_category(request.path_params["category_id"])
    except NotFound:
        raise HTTPException(404) from None


def _page(request: Request, category: Category, typed: dict, errors: dict | None = None, status: int = 200):
    context = {"category": category, "typed": typed, "errors": errors or {}, **flash_for_this_page(request, set())}
    return admin_page(request, "pages/admin/category_edit.html", "pages/admin/category_edit.html", context, status)


async def edit_category(request: Request) -> Response:
    category = await _category_or_404(request)
    words = await admin.translations_of(admin.CATEGORIES, category.id, _translated(request))
    typed = {
        "name": category.name,
        "slug": category.slug,
        "description": category.description,
        **{k: v or "" for w in words for k, v in w.facts().items()},
    }
    return _page(request, category, typed)


async def save_category(request: Request) -> Response:
    category = await _category_or_404(request)
    others = _translated(request)
    typed = forms.texts(await forms.read(request), FIELDS + admin.translated_fields(others), 10_000)
    try:
        saved = await admin.save_category(acting_staff(request), category.id, admin.read_category(typed, others))
    except FieldErrors as invalid:
        return _page(request, category, typed, invalid.errors, 422)
    session.flash(request, {"kind": "category_saved", "name": saved.name})
    return RedirectResponse("/admin/categories", status_code=303)


routes = [
    AdminRoute("/admin/categories", category_list, permission=PERMISSION),
    AdminRoute("/admin/categories/{category_id:id}", edit_category, permission=PERMISSION),
    AdminRoute("/admin/categories/{category_id:id}", save_category, permission=PERMISSION, methods=["POST"]),
]
