"""One URL serves a page or, to htmx, the fragment of it that changed."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from storefront import templating


def wants_fragment(request: Request) -> bool:
    headers = request.headers
    return (
        headers.get("HX-Request") == "true"
        and headers.get("HX-Boosted") != "true"
        and headers.get("HX-History-Restore-Request") != "true"
    )


def target(request: Request) -> str | None:
    return request.headers.get("HX-Target") if wants_fragment(request) else None


def render(request: Request, page: str, fragment: str, context: dict, status_code: int = 200) -> Response:
    templates = templating.templates(request)
    name = fragment if wants_fragment(request) else page
    response = templates.TemplateResponse(request, name, context, status_code=status_code)
    response.headers["Vary"] = "HX-Request"
    return response


def redirect(request: Request, url: str, *, new_page: bool = False, headers: dict | None = None) -> Response:
    """After a successful POST: 303 for a browser; for htmx, HX-Location (no full reload) or, with
    `new_page`, HX-Redirect (a full navigation: another layout, or a page outside the shop)."""
    if request.headers.get("HX-Request") == "true":
        return Response(status_code=204, headers={"HX-Redirect" if new_page else "HX-Location": url, **(headers or {})})
    return RedirectResponse(url, status_code=303, headers=headers)
