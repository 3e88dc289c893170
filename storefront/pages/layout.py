"""What the layout (base.html) needs on every page, beyond the per-request context processor."""

from __future__ import annotations

from collections.abc import Collection

from starlette.requests import Request

from storefront import languages, session
from storefront.domain.catalogue import browse, cache


async def page_context(request: Request, tree: browse.CategoryTree | None = None, **context) -> dict:
    """The category navigation, plus the page's own context."""
    tree = tree or (await cache.current(languages.of(request))).tree
    return {"nav": tree.top, **context}


def flash_for_this_page(request: Request, ours: Collection[str]) -> dict[str, list[dict]]:
    """Messages from before the redirect: the kinds this page shows beside its content (`ours`) as
    "notices", any other kind as "messages", for the layout's live region (which knows only those)."""
    messages = session.pop_flash(request)
    return {
        "notices": [m for m in messages if m.get("kind") in ours],
        "messages": [m for m in messages if m.get("kind") not in ours],
    }
