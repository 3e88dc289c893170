"""Error pages: a real 404, a calm 500, a 400 for a form nobody's browser sends, and the 403 for a missing
or stale CSRF token."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from storefront import templating
from storefront.htmx import wants_fragment


def _page(request: Request, status_code: int, name: str | None = None) -> Response:
    templates = templating.templates(request)
    # The error pages do without the category navigation: they must render even when the database cannot.
    return templates.TemplateResponse(
        request, f"pages/errors/{name or status_code}.html", {"nav": [], "error": True}, status_code=status_code
    )


async def http_error(request: Request, exc: HTTPException) -> Response:
    if exc.status_code in (400, 403, 404, 405, 413):
        return _page(request, exc.status_code)
    return Response(status_code=exc.status_code, headers=exc.headers)


async def server_error(request: Request, exc: Exception) -> Response:
    return _page(request, 500)


def csrf_failed(request: Request) -> Response:
    if wants_fragment(request):
        # htmx swaps this message into the page's alert region instead of the form's target.
        templates = templating.templates(request)
        response = templates.TemplateResponse(
            request, "partials/flash.html", {"messages": [{"kind": "csrf"}]}, status_code=403
        )
        response.headers.update({"HX-Retarget": "#flash", "HX-Reswap": "innerHTML"})
        return response
    return _page(request, 403, "csrf")
