"""The only module that knows the session's keys. The session is a signed cookie (itsdangerous)."""

from __future__ import annotations

import secrets

from starlette.requests import HTTPConnection

CSRF = "csrf"
CART = "cart"  # the cart's token
CART_COUNT = "cart_count"  # items in the cart, for the header badge without a query
STAFF = "staff"
LOCALE = "locale"

COOKIE_NAME = "sf_session"
MAX_AGE = 30 * 24 * 3600


def csrf_token(conn: HTTPConnection) -> str:
    token = conn.session.get(CSRF)
    if not token:
        token = conn.session[CSRF] = secrets.token_urlsafe(32)
    return token


def cart_count(conn: HTTPConnection) -> int:
    return int(conn.session.get(CART_COUNT, 0))
