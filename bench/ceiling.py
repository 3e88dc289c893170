"""The ceiling: the shop's own catalogue pages rendered by a bare Starlette app from memory.

Same route handlers, same Jinja templates and filters, same uvicorn settings as `storefront serve`;
no middleware (session, CSRF, security headers) and no database. Each worker loads the data of the
benchmark's pages once at start-up (BENCH_CEILING_PATHS, a JSON list of paths) by running them against
the database, then closes the database: from then on every catalogue call is answered from memory, and
a page it has not seen fails (a 500, which the benchmark counts as an error) rather than query.

    BENCH_CEILING_PATHS='["/c/clothing"]' python -m bench.serve bench.ceiling:create_app
"""

from __future__ import annotations

import json
import os
from contextlib import asynccontextmanager

import httpx2 as httpx
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from storefront.app import STATIC, _StaticUrls
from storefront.domain import db
from storefront.domain.catalogue import browse as domain
from storefront.domain.catalogue import cache
from storefront.pages import catalog
from storefront.settings import Settings
from storefront.templating import make_templates

# Every function through which the catalogue pages read the database: the kept catalogue (with its
# tree), and what it reads on a miss.
MEMOISED = [(cache, "current")] + [(domain, name) for name in ("home", "listing", "product_page")]


class Memory:
    """Replaces the catalogue's query functions with ones that answer from what they returned before."""

    def __init__(self) -> None:
        self.answers: dict[str, object] = {}
        self.frozen = False

    def install(self) -> None:
        for module, name in MEMOISED:
            setattr(module, name, self._wrap(name, getattr(module, name)))

    def _wrap(self, name: str, query):
        async def remembered(*args, **kwargs):
            key = repr((name, args, sorted(kwargs.items())))
            if key not in self.answers:
                if self.frozen:
                    raise LookupError(f"the ceiling has no data for {key}")
                self.answers[key] = await query(*args, **kwargs)
            return self.answers[key]

        return remembered


class NoCookie:
    """The session of a shopper without a cookie, as wrk's requests are: the pages read it (the cart's
    country decides the delivery dates a product page promises), the ceiling keeps none."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http":
            scope["session"] = {}
        await self.app(scope, receive, send)


async def healthz(request: Request) -> PlainTextResponse:
    return PlainTextResponse("ok")


def bare_app(settings: Settings, lifespan=None) -> Starlette:
    app = Starlette(
        routes=[
            Route("/", catalog.home),
            Route("/search", catalog.search),
            Route("/c/{slug:slug}", catalog.category),
            Route("/p/{slug:slug}", catalog.product),
            Route("/healthz", healthz),
        ],
        middleware=[Middleware(NoCookie)],
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.templates = {settings.language: make_templates(settings.language)}
    app.state.static_url = _StaticUrls(STATIC)
    return app


def create_app() -> Starlette:
    settings = Settings.from_env()
    paths = json.loads(os.environ.get("BENCH_CEILING_PATHS", "[]"))
    memory = Memory()
    memory.install()

    @asynccontextmanager
    async def lifespan(app: Starlette):
        await db.init(settings.database_url)
        try:
            loader = httpx.ASGITransport(app=bare_app(settings))
            async with httpx.AsyncClient(transport=loader, base_url="http://ceiling") as client:
                for path in paths:
                    response = await client.get(path)
                    if response.status_code != 200:
                        raise RuntimeError(f"ceiling: {path} answered {response.status_code}")
        finally:
            await db.close()
        memory.frozen = True
        yield

    return bare_app(settings, lifespan)
