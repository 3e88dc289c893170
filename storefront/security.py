"""CSRF, security headers, local redirects. (Rate limits live in the database: domain/rate_limits.py.)"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from storefront import session

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

    Runs inside the session middleware. The body it reads to find the form field is replayed to the
    route, so routes read their forms as usual. A form whose text holds a NUL is refused here too (400),
    for every route at once: PostgreSQL can neither store nor look up such text.
    """

    def __init__(self, app: ASGIApp, on_failure, exempt: tuple[str, ...] = ()) -> None:
        self.app = app
        self.on_failure = on_failure  # (request) -> Response
        # Path prefixes called by servers, not browsers (payment webhooks): no session, their own signature.
        self.exempt = exempt

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS or scope["path"].startswith(self.exempt):
            return await self.app(scope, receive, send)
        request = Request(scope, receive)
        sent = request.headers.get(CSRF_HEADER)
        is_form = request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data"))
        nul = False
        if sent is None or is_form:
            body = await request.body()
            receive = _replay(body, receive)
            if is_form:
                async with Request(scope, _replay(body, receive)).form() as form:
                    if sent is None:
                        value = form.get(CSRF_FIELD)
                        sent = value if isinstance(value, str) else None
                    nul = any("\x00" in k or isinstance(v, str) and "\x00" in v for k, v in form.multi_items())
        if not session.csrf_matches(request, sent):
            response = self.on_failure(request)
            return await response(scope, receive, send)
        if nul:  # Nobody types a NUL, and PostgreSQL cannot store or even look one up: no form gets that far.
            return await PlainTextResponse("NUL characters are not allowed.", status_code=400)(scope, receive, send)
        await self.app(scope, receive, send)


def _replay(body: bytes, then: Receive) -> Receive:
    """A receive channel that yields the already-read body, then the client's own messages."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return await then()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


def local_path(url: str | None, default: str) -> str:
    """A `next` address only if it is a path on this site: never an open redirect. Browsers read "\\" as
    "/" and drop tabs and line breaks, so "/\\evil.example" and "/<tab>/evil.example" lead elsewhere too."""
    if url and url.startswith("/") and not url.startswith("//") and "\\" not in url \
            and not any(c < " " or c == "\x7f" for c in url):
        return url
    return default

