"""create_app(settings) -> Starlette: routes, middleware, lifespan. The only module that knows every area."""

from __future__ import annotations

import hashlib
from contextlib import asynccontextmanager
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from tortoise.contrib.starlette import RegisterTortoise

from storefront import session
from storefront.pages import cart, catalog, errors
from storefront.security import CSRFMiddleware, SecurityHeadersMiddleware
from storefront.settings import ROOT, Settings, tortoise_config
from storefront.templating import make_templates

STATIC = ROOT / "static"


async def healthz(request: Request) -> Response:
    return PlainTextResponse("ok")


def routes(settings: Settings) -> list:
    return [
        Route("/", catalog.home, name="home"),
        Route("/search", catalog.search, name="search"),
        Route("/c/{slug:str}", catalog.category, name="category"),
        Route("/p/{slug:str}", catalog.product, name="product"),
        Route("/cart", cart.show, name="cart"),
        Route("/cart/items", cart.add, methods=["POST"]),
        Route("/cart/lines/{variant_id:int}", cart.update, methods=["POST"]),
        Route("/cart/lines/{variant_id:int}/remove", cart.remove, methods=["POST"]),
        Route("/cart/empty", cart.empty, methods=["POST"]),
        Route("/cart/codes", cart.apply_code, methods=["POST"]),
        Route("/cart/codes/remove", cart.remove_code, methods=["POST"]),
        Route("/healthz", healthz, name="healthz"),
        Mount("/static", app=StaticFiles(directory=STATIC), name="static"),
        Mount("/media", app=StaticFiles(directory=settings.media_dir, check_dir=False), name="media"),
    ]


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


def create_app(settings: Settings | None = None, *, manage_db: bool = True) -> Starlette:
    """manage_db=False leaves the database to the caller (tests open one per test)."""
    settings = settings or Settings.from_env()

    @asynccontextmanager
    async def lifespan(app: Starlette):
        if not manage_db:
            yield
            return
        async with RegisterTortoise(app, config=tortoise_config(settings.database_url)):
            yield

    app = Starlette(
        debug=settings.debug,
        routes=routes(settings),
        middleware=[
            Middleware(SecurityHeadersMiddleware),
            Middleware(
                SessionMiddleware,
                secret_key=settings.secret_key,
                session_cookie=session.COOKIE_NAME,
                max_age=session.MAX_AGE,
                same_site="lax",
                https_only=not settings.debug,
            ),
            Middleware(CSRFMiddleware, on_failure=errors.csrf_failed),
        ],
        exception_handlers={HTTPException: errors.http_error, 500: errors.server_error},
        lifespan=lifespan,
        max_body_size=settings.max_body_size,
    )
    app.state.settings = settings
    app.state.templates = make_templates(settings.locale)
    app.state.static_url = _StaticUrls(STATIC)
    return app
