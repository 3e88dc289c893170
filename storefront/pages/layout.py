"""What the layout (base.html) needs on every page, beyond the per-request context processor."""

from __future__ import annotations

from starlette.requests import Request

from storefront.domain import catalog, catalog_cache


async def page_context(request: Request, tree: catalog.CategoryTree | None = None, **context) -> dict:
    """The category navigation, plus the page's own context."""
    tree = tree or (await catalog_cache.current()).tree
    return {"nav": tree.top, **context}
