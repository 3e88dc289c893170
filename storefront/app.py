"""create_app(settings) -> Starlette: routes, middleware, lifespan. The only module that knows every area."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from contextlib import asynccontextmanager
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from tortoise.contrib.starlette import RegisterTortoise

from storefront import languages, mailer, session
from storefront.domain import db, rate_limits
from storefront.domain.orders import lifecycle
from storefront.domain.payments import service as payments_domain
from storefront.domain.staff import sessions
from storefront.pages import admin, cart, catalog, checkout, errors, orders, payments
from storefront.pages.admin.access import LoginRequired, login_required
from storefront.security import CSRFMiddleware, SecurityHeadersMiddleware
from storefront.settings import ROOT, Settings, tortoise_config
from storefront.templating import make_templates

STATIC = ROOT / "static"


async def every(seconds: float, chore) -> None:
    """Run a housekeeping chore periodically in each worker; chores are safe to run concurrently."""
    while True:
        await asyncio.sleep(seconds)
        try:
            await chore()
        except Exception:  # a failed round must not stop the next one
            logging.getLogger("storefront").exception("chore %s failed", chore.__name__)


async def healthz(request: Request) -> Response:
    return PlainTextResponse("ok")


async def favicon(request: Request) -> Response:
    """Browsers ask for /favicon.ico on pages that name no icon (the payment page, raw files)."""
    return FileResponse(
        STATIC / "img" / "favicon.svg", media_type="image/svg+xml", headers={"Cache-Control": "public, max-age=86400"}
    )


def routes(settings: Settings) -> list:
    return [
        Route("/", catalog.home, name="home"),
        Route("/search", catalog.search, name="search"),
        Route("/c/{slug:slug}", catalog.category, name="category"),
        Route("/p/{slug:slug}", catalog.product, name="product"),
        Route("/cart", cart.show, name="cart"),
        Route("/cart/items", cart.add, methods=["POST"]),
        Route("/cart/lines/{variant_id:id}", cart.update, methods=["POST"]),
        Route("/cart/lines/{variant_id:id}/remove", cart.remove, methods=["POST"]),
        Route("/cart/empty", cart.empty, methods=["POST"]),
        Route("/cart/country", cart.ship_to, methods=["POST"]),
        Route("/cart/codes", cart.apply_code, methods=["POST"]),
        Route("/cart/codes/remove", cart.remove_code, methods=["POST"]),
        Route("/checkout", checkout.show, name="checkout"),
        Route("/checkout", checkout.place, methods=["POST"]),
        Route("/checkout/validate", checkout.validate, methods=["POST"]),
        Route("/checkout/options", checkout.options, methods=["POST"]),
        Route("/orders/lookup", orders.lookup_form, name="order_lookup"),
        Route("/orders/lookup", orders.lookup, methods=["POST"]),
        Route("/orders/{number:order_number}", orders.show, name="order"),
        Route("/orders/{number:order_number}/pay", orders.retry_payment, methods=["POST"]),
        *payments.routes,
        *admin.routes,
        Route("/healthz", healthz, name="healthz"),
        Route("/favicon.ico", favicon),
        Mount("/static", app=HashedStaticFiles(directory=STATIC), name="static"),
        Mount("/media", app=MediaFiles(directory=settings.media_dir, check_dir=False), name="media"),
    ]


class HashedStaticFiles(StaticFiles):
    """Static files asked for with their content hash (?v=, see _StaticUrls) never change: browsers may
    keep them a year without asking again. Without the hash, they revalidate (ETag/Last-Modified)."""

    async def get_response(self, path: str, scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code == 200 and b"v=" in scope.get("query_string", b""):
            response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        return response


class MediaFiles(StaticFiles):
    """Product images: an upload is stored under a new random name and never rewritten, so browsers
    may keep one a week without asking again (a phone browsing a listing fetches each only once)."""

    async def get_response(self, path: str, scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code == 200:
            response.headers["Cache-Control"] = "public, max-age=604800"
        return response


class _StaticUrls:
    """/static/<path>?v=<content hash>: browsers may cache static files forever, yet see every change."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.versions: dict[str, str] = {}

    def __call__(self, path: str) -> str:
        if path not in self.versions:
            digest = hashlib.sha256((self.root / path).read_bytes()).hexdigest()[:10]
            self.versions[path] = digest
        return f"/static/{path}?v={self.versions[path]}"


class Shop(Starlette):
    """Starlette, with the security headers on every answer. Starlette puts its 500 page
    (ServerErrorMiddleware) and its 413 for a body past max_body_size outside the middleware list, so a
    SecurityHeadersMiddleware in that list would never see them: it wraps the whole stack instead."""

    def build_middleware_stack(self):
        return SecurityHeadersMiddleware(super().build_middleware_stack())


def create_app(settings: Settings | None = None, *, manage_db: bool = True) -> Shop:
    """manage_db=False leaves the database to the caller (tests open one per test)."""
    settings = settings or Settings.from_env()
    if settings.language not in languages.LANGUAGES:
        raise ValueError(f"SHOP_LANGUAGE={settings.language!r}: the shop speaks {', '.join(languages.LANGUAGES)}")
    payments_domain.configure(settings.secret_key)
    settings.media_dir.mkdir(parents=True, exist_ok=True)  # a shop without images yet: 404s, not 500s

    @asynccontextmanager
    async def lifespan(app: Starlette):
        if not manage_db:
            yield
            return
        async with RegisterTortoise(app, config=tortoise_config(settings.database_url)):
            chores = [
                asyncio.create_task(every(60, lifecycle.expire_unpaid)),
                asyncio.create_task(every(24 * 3600, db.analyze)),  # statistics follow the catalogue
                asyncio.create_task(every(600, rate_limits.prune)),  # attempts older than every window
                asyncio.create_task(every(24 * 3600, sessions.prune)),  # long ended or idle
                # Every worker runs a sender (the outbox's claims stop double sends); without SMTP it
                # only renders the emails, so the outbox stays readable.
                asyncio.create_task(mailer.run_sender(settings)),
            ]
            try:
                yield
            finally:
                for chore in chores:
                    chore.cancel()
                await asyncio.gather(*chores, return_exceptions=True)  # let a send in progress end

    app = Shop(
        debug=settings.debug,
        routes=routes(settings),
        middleware=[
            # Level 6: nearly all of level 9's saving (Starlette's default) for less CPU (docs/benchmarks.md,
            # change 9). The CSRF token is masked per response against BREACH.
            Middleware(GZipMiddleware, minimum_size=1000, compresslevel=6),
            Middleware(
                SessionMiddleware,
                secret_key=settings.secret_key,
                session_cookie=session.COOKIE_NAME,
                max_age=session.MAX_AGE,
                same_site="lax",
                https_only=not settings.debug,
            ),
            Middleware(languages.LanguageMiddleware, shop_language=settings.language),
            Middleware(
                CSRFMiddleware,
                on_failure=errors.csrf_failed,
                on_bad_form=errors.http_error,
                exempt=payments.CSRF_EXEMPT,
            ),
        ],
        exception_handlers={HTTPException: errors.http_error, LoginRequired: login_required, 500: errors.server_error},  # type: ignore[dict-item]  # Starlette types handlers for any Exception (starlette#2403)
        lifespan=lifespan,
        max_body_size=settings.max_body_size,
    )
    app.state.settings = settings
    app.state.templates = {language: make_templates(language) for language in languages.LANGUAGES}
    app.state.static_url = _StaticUrls(STATIC)
    return app
