"""The Jinja environment: filters (money, dates), gettext, and what every page's template can see."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from datetime import date, datetime
from functools import cache, lru_cache
from pathlib import Path

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal, format_percent
from babel.support import NullTranslations, Translations
from jinja2 import Environment, FileSystemLoader, pass_context, pass_eval_context, select_autoescape
from markupsafe import Markup
from starlette.requests import Request
from starlette.templating import Jinja2Templates

from storefront import languages, session
from storefront.domain import addresses
from storefront.domain import money as money_domain
from storefront.domain.inventory import stock
from storefront.domain.payments.providers import NAMES as PAYMENT_METHOD_NAMES
from storefront.domain.shop_time import SHOP_TZ, day_of, last_day
from storefront.domain.vat import SHOP_COUNTRY

HERE = Path(__file__).parent
LOCALES = HERE / "locale"


@cache
def translations(language: str) -> NullTranslations:
    """A language's compiled catalogue (storefront/locale, `make messages`); English is the source
    language, so it needs none."""
    return Translations.load(LOCALES, [language], domain="messages")


def quick_gettext(translate: Callable[[str], str]) -> Callable[..., str]:
    """Jinja's new-style `gettext` (what `{% trans %}` calls), with each message translated and marked
    safe once: Jinja's own wrapper does both on every call, and a listing page makes about a hundred
    (docs/benchmarks.md, change 13). Only template literals reach it, so the cache stays small."""

    @lru_cache(maxsize=4096)
    def translated(message: str, autoescape: bool, formatted: bool):
        rv = Markup(translate(message)) if autoescape else translate(message)
        return rv % {} if formatted else rv  # formatted: "%%" read as "%", as Jinja's does

    @pass_eval_context
    def gettext(eval_ctx, __string: str, **variables):
        if variables:
            return translated(__string, eval_ctx.autoescape, False) % variables
        return translated(__string, eval_ctx.autoescape, True)

    return gettext


@pass_context
def money(ctx, cents: int | None) -> str:
    if cents is None:
        return ""
    if "currency" in ctx:  # emails: no request; the order's currency and the shop's locale are in the context
        return money_domain.display(cents, ctx["currency"], ctx["locale"])
    return money_domain.display(cents, ctx["request"].app.state.settings.currency, ctx["locale"])


@pass_context
def day(ctx, value: date, fmt: str = "EEE d MMM") -> str:
    """A calendar day; a moment is first put in the shop's time zone (midnight in Rome is not UTC's)."""
    if isinstance(value, datetime):
        value = day_of(value)
    return format_date(value, fmt, locale=ctx.get("locale", "en"))


@pass_context
def moment(ctx, value: datetime, fmt: str = "d MMM, HH:mm") -> str:
    """A point in time, in the shop's time zone (the timeline of an order)."""
    return format_datetime(value, fmt, tzinfo=SHOP_TZ, locale=ctx.get("locale", "en"))


@pass_context
def number(ctx, value: int | float) -> str:
    return format_decimal(value, locale=ctx.get("locale", "en"))


@pass_context
def country_name(ctx, code: str) -> str:
    return Locale.parse(ctx.get("locale", "en")).territories.get(code, code)


@pass_context
def by_name(ctx, codes: list[str]) -> list[str]:
    """Countries as a list shows them: the shop's own first, then by their name in the page's language, as
    people sort (accents ignored: Österreich among the Os)."""

    def key(code: str) -> tuple[bool, str]:
        name = unicodedata.normalize("NFKD", country_name(ctx, code))
        return code != SHOP_COUNTRY, "".join(c for c in name if not unicodedata.combining(c)).casefold()

    return sorted(codes, key=key)


@pass_context
def percent(ctx, basis_points: int) -> str:
    """2200 basis points -> "22%" (VAT rates are kept in basis points)."""
    return format_percent(basis_points / 10_000, format="#,##0.##%", locale=ctx.get("locale", "en"))


def shop_context(request: Request) -> dict:
    """What every template may use: the shop, the page's language, the cart badge, the CSRF token."""
    settings = request.app.state.settings
    has_session = "session" in request.scope  # not when an error is raised outside the session middleware
    language = languages.of(request)
    return {
        "shop_name": settings.shop_name,
        "locale": language,  # money, dates and numbers are written as this language writes them
        # Where this language's pages start ("" or "/en"): every link to a shopper page begins with it.
        "root": languages.root(language, settings.language),
        # This page in each language: hreflang, the switch.
        "twins": lambda home=False: languages.twins(request, home=home),
        "base_url": settings.base_url,
        "shop_language": settings.language,
        "translated": languages.others(settings.language),  # what the back office's forms have words in
        "csrf_token": session.csrf_token(request) if has_session else "",
        "cart_count": session.cart_count(request) if has_session else 0,
        "pop_flash": (lambda: session.pop_flash(request)) if has_session else list,
        "static": lambda path: request.app.state.static_url(path),
    }


def templates(request: Request) -> Jinja2Templates:
    """The templates of this request's language."""
    return request.app.state.templates[languages.of(request)]


def make_templates(language: str) -> Jinja2Templates:
    env = Environment(
        loader=FileSystemLoader(HERE),
        autoescape=select_autoescape(default=True, default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.install_gettext_translations(translations(language), newstyle=True)  # type: ignore[attr-defined]  # jinja2.ext.i18n adds it
    env.globals["gettext"] = quick_gettext(translations(language).gettext)
    env.filters.update(
        money=money,
        amount=money_domain.form_value,
        day=day,
        last_day=last_day,
        number=number,
        percent=percent,
        country_name=country_name,
        by_name=by_name,
        moment=moment,
    )
    env.globals["address_format"] = addresses.format_for  # the checkout asks what the country's addresses have
    env.globals["payment_method_names"] = PAYMENT_METHOD_NAMES  # English: `_()` them where shown
    env.globals["staff_stock_reasons"] = stock.STAFF_REASONS  # the adjust form offers what the domain accepts
    env.globals["languages"] = languages.LANGUAGES
    return Jinja2Templates(env=env, context_processors=[shop_context])
