"""Signed links to an order: the confirmation page and every email carry one, so the shopper can open
their order without an account, and nobody can open another order by changing the number."""

from __future__ import annotations

from itsdangerous import BadSignature, URLSafeSerializer

from storefront import languages
from storefront.settings import Settings

_SALT = "order-link"


def order_token(settings: Settings, number: str) -> str:
    return URLSafeSerializer(settings.secret_key, salt=_SALT).dumps(number)


def order_number(settings: Settings, token: str) -> str | None:
    """The order number a token was made for, or None for a forged or foreign token."""
    try:
        number = URLSafeSerializer(settings.secret_key, salt=_SALT).loads(token)
    except BadSignature:
        return None
    return number if isinstance(number, str) else None


def order_path(settings: Settings, number: str, language: str) -> str:
    """The order's page in a language: the shopper's page's, or the order's own (emails)."""
    return f"{languages.root(language, settings.language)}/orders/{number}?key={order_token(settings, number)}"


def order_url(settings: Settings, number: str, language: str) -> str:
    return settings.base_url + order_path(settings, number, language)
