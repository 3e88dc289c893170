"""The only module that knows the session's keys. The session is a signed cookie (itsdangerous):
a tampered or foreign cookie fails the signature check and the shopper simply gets a fresh session."""

from __future__ import annotations

import hmac
import secrets

from starlette.requests import HTTPConnection

CSRF = "csrf"
CART = "cart"  # the cart's token
CART_COUNT = "cart_count"  # items in the cart, for the header badge without a query
FLASH = "flash"  # messages for the next page, when a form was posted without JavaScript
STAFF = "staff_session"  # the token of a staff session (domain/staff/sessions.py), never the staff id
LANGUAGE = "language"  # set on the first visit: only that one is sent to the browser's language

COOKIE_NAME = "sf_session"
MAX_AGE = 30 * 24 * 3600


def csrf_token(conn: HTTPConnection) -> str:
    """The session's CSRF token under a fresh one-time pad each time it is written into a page.

    Pages are compressed and some repeat what the visitor typed (a search); a secret that stayed the
    same in every response could then be guessed from response sizes (BREACH). Any masked form of
    the session's token is accepted.
    """
    token = conn.session.get(CSRF)
    if not token:
        token = conn.session[CSRF] = secrets.token_urlsafe(32)
    secret = token.encode()
    pad = secrets.token_bytes(len(secret))
    return (pad + bytes(p ^ s for p, s in zip(pad, secret, strict=True))).hex()


def csrf_matches(conn: HTTPConnection, sent: str | None) -> bool:
    expected = conn.session.get(CSRF, "")
    try:
        masked = bytes.fromhex(sent or "")
    except ValueError:
        return False
    half = len(masked) // 2
    unmasked = bytes(p ^ s for p, s in zip(masked[:half], masked[half:], strict=False))
    return bool(expected) and len(masked) == 2 * len(expected) and hmac.compare_digest(expected.encode(), unmasked)


def cart_token(conn: HTTPConnection) -> str | None:
    return conn.session.get(CART)


def remember_cart(conn: HTTPConnection, token: str, count: int) -> None:
    conn.session[CART] = token
    conn.session[CART_COUNT] = count


def set_cart_count(conn: HTTPConnection, count: int) -> None:
    if conn.session.get(CART_COUNT, 0) != count:
        conn.session[CART_COUNT] = count


def cart_count(conn: HTTPConnection) -> int:
    return int(conn.session.get(CART_COUNT, 0))


def flash(conn: HTTPConnection, message: dict) -> None:
    conn.session[FLASH] = [*conn.session.get(FLASH, []), message]


def pop_flash(conn: HTTPConnection) -> list[dict]:
    return conn.session.pop(FLASH, []) if FLASH in conn.session else []


def language(conn: HTTPConnection) -> str | None:
    return conn.session.get(LANGUAGE)


def remember_language(conn: HTTPConnection, language: str) -> None:
    conn.session[LANGUAGE] = language


def staff_token(conn: HTTPConnection) -> str | None:
    value = conn.session.get(STAFF)
    return value if isinstance(value, str) else None


def log_in_staff(conn: HTTPConnection, token: str) -> None:
    """A fresh session on login: nothing from before (cart, tokens) carries into the staff session."""
    conn.session.clear()
    conn.session[STAFF] = token
    conn.session[CSRF] = secrets.token_urlsafe(32)


def log_out(conn: HTTPConnection) -> None:
    conn.session.clear()
