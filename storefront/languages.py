"""The languages the shop speaks, which one a URL is in, and which one a browser asks for.

The shop's own language (settings.language: Italian for the demo) is at the root, `/p/camicia-in-lino`;
every other language under its code, with the catalogue's slugs in that language, `/en/p/linen-shirt`
(domain/translations.py). The language is in the URL, not in a cookie, so a page
can be shared, bookmarked and indexed in the language it was seen in; each page names its other-language
twins (`hreflang`, base.html). A first visit is sent, once, to the language the browser asks for
(`Accept-Language`); after that the URL decides, and the switch in the footer is a link to the twin.

The back office is in the language each staff member picks (pages/admin/access.py), emails in the order's.
"""

from __future__ import annotations

from starlette.requests import HTTPConnection
from starlette.responses import RedirectResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from storefront import session

# Each language in its own words: the switch offers "English" to an Italian page and "Italiano" to an English one.
LANGUAGES = {"it": "Italiano", "en": "English"}

# Areas with no language of their own: they are the same in every language, or follow the staff member
# (admin) or the order (the payment page), so no browser is sent elsewhere from them.
UNLOCALISED = ("/admin", "/static/", "/media/", "/healthz", "/favicon.ico", "/sandbox/", "/payments/")


def normalise(tag: str | None) -> str | None:
    """A language tag as people and browsers write it ("it_IT", "it-IT", "IT") -> a shop language, or None."""
    code = (tag or "").strip().replace("_", "-").split("-")[0].lower()
    return code if code in LANGUAGES else None


def others(shop_language: str) -> tuple[str, ...]:
    """The languages besides the shop's: those its catalogue is translated into."""
    return tuple(language for language in LANGUAGES if language != shop_language)


def root(language: str, shop_language: str) -> str:
    """Where a language's pages start: "" for the shop's own language, "/en" for English in an Italian shop."""
    return "" if language == shop_language else f"/{language}"


def split(path: str, shop_language: str) -> tuple[str, str]:
    """A request path -> its language and the path within that language: "/en/cart" -> ("en", "/cart")."""
    for language in LANGUAGES:
        prefix = root(language, shop_language)
        if prefix and (path == prefix or path.startswith(prefix + "/")):
            return language, path[len(prefix) :]
    return shop_language, path


def of(conn: HTTPConnection) -> str:
    """The language of this request's page (set by LanguageMiddleware; the back office's by its staff member)."""
    language = conn.scope.get("state", {}).get("language")
    return language if language in LANGUAGES else conn.app.state.settings.language


def path(conn: HTTPConnection, shop_path: str) -> str:
    """A path of the shop in this request's language: path(request, "/cart") -> "/en/cart" on an English page."""
    return root(of(conn), conn.app.state.settings.language) + shop_path


def twins(conn: HTTPConnection, *, home: bool = False) -> dict[str, str]:
    """This page's path in each language, its query kept (hreflang, the language switch). What answers a
    form (a POST) has no address of its own to switch, nor has an error page: their twin is the language's
    home page (`home`)."""
    settings = conn.app.state.settings
    _, within = split(conn.url.path, settings.language)
    if home or conn.scope.get("method", "GET") != "GET":
        within = "/"
    query = f"?{conn.url.query}" if conn.url.query and within != "/" else ""
    own = {} if within == "/" else conn.scope.get("state", {}).get("paths", {})
    return {language: root(language, settings.language) + own.get(language, within) + query for language in LANGUAGES}


def set_paths(conn: HTTPConnection, paths: dict[str, str]) -> None:
    """This page's path in each language, for a page whose slug is translated (a product, a category):
    its twins, rather than its own path under each language's root."""
    conn.scope.setdefault("state", {})["paths"] = paths


def preferred(accept_language: str | None) -> str | None:
    """The shop language a browser ranks highest (RFC 9110 weights; "*" and unknown tags skipped), or None."""
    ranked: list[tuple[float, int, str]] = []
    for position, item in enumerate((accept_language or "").split(",")):
        tag, _, params = item.partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                continue
        if (language := normalise(tag)) and weight > 0:
            ranked.append((-weight, position, language))
    return min(ranked)[2] if ranked else None


class LanguageMiddleware:
    """Reads the language from the path and routes the rest: "/en/cart" is the cart route, with "/en" as
    the request's root_path (Starlette routes on what follows it). On a first visit (no language in the
    session yet), a page in another language than the browser's is answered with a redirect to its twin.
    Sits inside the session middleware, which it reads and writes."""

    def __init__(self, app: ASGIApp, shop_language: str) -> None:
        self.app, self.shop_language = app, shop_language

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        language, within = split(scope["path"], self.shop_language)
        if not within:  # "/en": the English home page is "/en/"
            await RedirectResponse(scope["path"] + "/", status_code=308)(scope, receive, send)
            return
        scope["root_path"] = root(language, self.shop_language)  # the shop is served at its domain's root
        scope.setdefault("state", {})["language"] = language
        if redirect := self._first_visit(scope, language, within):
            await redirect(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def _first_visit(self, scope: Scope, language: str, within: str) -> RedirectResponse | None:
        conn = HTTPConnection(scope)
        if (
            scope["method"] != "GET"
            or "session" not in scope
            or session.language(conn)
            or within.startswith(UNLOCALISED)
            or conn.headers.get("HX-Request")
        ):
            return None
        wanted = preferred(conn.headers.get("Accept-Language"))
        if wanted is None:  # a crawler or a tool: no preference, the URL's language stays
            return None
        session.remember_language(conn, wanted)
        if wanted == language:
            return None
        query = scope["query_string"].decode("latin-1")
        target = root(wanted, self.shop_language) + within + (f"?{query}" if query else "")
        return RedirectResponse(
            target, status_code=302, headers={"Vary": "Accept-Language", "Cache-Control": "private"}
        )
