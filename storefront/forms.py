"""A request's form, parsed once.

The CSRF middleware has to read the form to find the token field, so it parses every unsafe form request
before any route runs and keeps the result in the ASGI scope. Routes take that same form from `read()`;
Starlette's own `request.form()` caches per Request object, and middleware and route get different ones,
so calling it in a route would parse the body a second time (tests/unit/test_malformed_forms.py holds
routes to `read()`).
"""

from __future__ import annotations

from collections.abc import Iterable

from python_multipart.multipart import parse_options_header
from starlette.datastructures import FormData
from starlette.requests import Request

SCOPE_KEY = "storefront.form"
FORM_TYPES = (b"application/x-www-form-urlencoded", b"multipart/form-data")
# No form of the shop sends more than one file (a product image, a CSV); fields and their size keep
# Starlette's limits (1,000 fields, 1 MiB a field).
MAX_FILES = 1


def is_form(request: Request) -> bool:
    """The test Starlette applies before parsing (case and parameters ignored), so nothing it would parse
    as a form slips past the middleware."""
    content_type, _ = parse_options_header(request.headers.get("Content-Type"))
    return content_type in FORM_TYPES


async def parse(request: Request) -> FormData:
    """Parse the body as a form and keep it for the route. Raises Starlette's HTTPException: 400 for a
    malformed body, too many fields or files, a field past 1 MiB; 413 for a body past max_body_size."""
    form = await request.form(max_files=MAX_FILES)
    request.scope[SCOPE_KEY] = form
    return form


async def read(request: Request) -> FormData:
    """This request's form: the one the CSRF middleware parsed (and closes once the route has answered)
    or, on a route it does not check (a server-to-server webhook), parsed now."""
    form = request.scope.get(SCOPE_KEY)
    return form if form is not None else await parse(request)


def text(form: FormData, name: str, limit: int) -> str:
    """A field as text, cut at `limit` characters: a missing field, or a file where text belongs, is "".
    The cut only bounds what a route keeps and shows again; the domain's Reader checks real lengths."""
    value = form.get(name)
    return value[:limit] if isinstance(value, str) else ""


def texts(form: FormData, names: Iterable[str], limit: int) -> dict[str, str]:
    """The named fields as `text` would read each: what a form's page shows again when it is refused."""
    return {name: text(form, name, limit) for name in names}
