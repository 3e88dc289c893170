"""What people and URLs type, read one way everywhere: whole numbers (ids, page numbers, quantities,
counts), search-box text and SKUs, from forms and query strings."""

from __future__ import annotations

import re

MAX_DIGITS = 9  # what every integer column holds (PostgreSQL's integer is 32-bit)
SKU_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")  # what a SKU may be (Variant.sku holds 64)


def whole(raw: object, *, signed: bool = False) -> int | None:
    """The whole number typed, or None. Decimal digits only ("²" is a digit to str.isdigit, not to
    int()), at most nine of them (a longer one is no id, and int() refuses thousands of digits).
    `signed` also takes a leading + or - (or the typographic minus a phone keyboard may give)."""
    text = str(raw if raw is not None else "").strip()
    sign = 1
    if signed and text[:1] in ("+", "-", "\u2212"):
        sign, text = (1 if text[0] == "+" else -1), text[1:]
    return sign * int(text) if text.isdecimal() and len(text) <= MAX_DIGITS else None


def page(raw: object, last: int) -> int:
    """A page number from a query string: 1 unless it is one, at most `last`."""
    n = whole(raw)
    return min(n, last) if n else 1


def search_text(raw: object, limit: int) -> str:
    """A search box's text: without NUL (PostgreSQL text can neither hold one nor be compared with
    one; forms with one are refused by the CSRF middleware), cut at `limit` characters."""
    return str(raw or "").replace("\x00", "")[:limit]
