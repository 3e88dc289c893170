"""CSRF, security headers, local redirects. (Rate limits live in the database: domain/rate_limits.py.)"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from storefront import forms, session

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",  # no inline scripts, no eval: htmx is configured for that
        "style-src 'self'",
        "img-src 'self' data:",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)


class CSRFMiddleware:
    """Refuses every unsafe request that lacks the session's token, in a header (htmx) or a form field.

    Runs inside the session middleware. To find the form field it parses the form, once per request
    (storefront.forms): routes read that same form. A body the parser refuses (no multipart boundary,
    over 1,000 fields, a field past 1 MiB, past max_body_size) gets the error page `on_bad_form` makes,
    here, outside the routes' exception handling. A form whose text holds a NUL is refused too (400), for
    every route at once: PostgreSQL can neither store nor look up such text.
    """

    def __init__(self, app: ASGIApp, on_failure, on_bad_form, exempt: tuple[str, ...] = ()) -> None:
        self.app = app
        self.on_failure = on_failure  # (request) -> Response
        self.on_bad_form = on_bad_form  # async (request, HTTPException) -> Response
        # Path prefixes called by servers, not browsers (payment webhooks): no session, their own signature.
        self.exempt = exempt

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS or scope["path"].startswith(self.exempt):
            return await self.app(scope, receive, send)
        request = Request(scope, receive)
        sent = request.headers.get(CSRF_HEADER)
        form = None
        if forms.is_form(request):
            try:
                form = await forms.parse(request)
            except HTTPException as refused:
                return await (await self.on_bad_form(request, refused))(scope, receive, send)
        try:
            if sent is None and form is not None:
                value = form.get(CSRF_FIELD)
                sent = value if isinstance(value, str) else None
            if not session.csrf_matches(request, sent):
                return await self.on_failure(request)(scope, receive, send)
            if form is not None and _holds_nul(form):
                # Nobody types a NUL, and PostgreSQL cannot store or even look one up: no form gets that far.
                nul = HTTPException(400, "NUL characters are not allowed.")
                return await (await self.on_bad_form(request, nul))(scope, receive, send)
            await self.app(scope, receive, send)
        finally:
            if form is not None:
                await form.close()  # uploaded files, spooled to disk past 1 MiB


def _holds_nul(form) -> bool:
    return any("\x00" in k or isinstance(v, str) and "\x00" in v for k, v in form.multi_items())


def local_path(url: str | None, default: str) -> str:
    """A `next` address only if it is a path on this site: never an open redirect. Browsers read "\\" as
    "/" and drop tabs and line breaks, so "/\\evil.example" and "/<tab>/evil.example" lead elsewhere too."""
    if (
        url
        and url.startswith("/")
        and not url.startswith("//")
        and "\\" not in url
        and not any(c < " " or c == "\x7f" for c in url)
    ):
        return url
    return default


def client_address(request: Request) -> str:
    """Who is asking, for the limits that count per address. Behind a proxy it is the proxy's unless uvicorn
    trusts its X-Forwarded-For (FORWARDED_ALLOW_IPS): then every shopper would share one address."""
    return request.client.host if request.client else "unknown"
