"""Typed forms, read one way: every wrong field at once.

A form arrives as text. A Reader takes it field by field (text within a length, required, whole numbers
in a range, one of some choices, a checkbox, an amount, a date) and notes a message code for each wrong
field instead of stopping at the first, so the page can show every problem beside its field and keep what
was typed. FieldErrors carries them: `errors` maps a field to its code, `details` a field to the value its
message needs (a length, a range, the code already taken).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date

from storefront.domain import as_typed, money, shop_time
from storefront.domain.errors import DomainError

CHECKED = ("on", "1", "true")  # what browsers and our own forms send for a ticked box
MOST_CENTS = 1_000_000 * 100  # nobody means a discount, a threshold or a shipping price above this: a typo


class FieldErrors(DomainError):
    """A form refused: {field: code}, and {field: detail} for the codes whose message needs one."""

    def __init__(self, errors: Mapping[str, str], details: Mapping[str, object] | None = None):
        super().__init__(", ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = dict(errors)
        self.details = dict(details or {})


class Reader:
    """Reads typed values out of a form, collecting a code per wrong field; `done()` raises them all."""

    def __init__(self, typed: Mapping[str, object]):
        self.typed = typed
        self.errors: dict[str, str] = {}
        self.details: dict[str, object] = {}

    def refuse(self, name: str, code: str, detail: object = None) -> None:
        self.errors[name] = code
        if detail is None:
            self.details.pop(name, None)
        else:
            self.details[name] = detail

    def done(self) -> None:
        if self.errors:
            raise FieldErrors(self.errors, self.details)

    def raw(self, name: str) -> str:
        value = self.typed.get(name)
        return value if isinstance(value, str) else ""  # missing, or a file where text belongs

    def text(self, name: str, limit: int | None = None, *, required: bool = False) -> str:
        """The text with its runs of white space made one space, `limit` characters at most."""
        text = " ".join(self.raw(name).split())
        if required and not text:
            self.refuse(name, "required")
        elif limit is not None and len(text) > limit:
            self.refuse(name, "too_long", limit)
        return text

    def number(self, name: str, low: int, high: int, *, required: bool = False) -> int | None:
        """A whole number from `low` to `high`; None when left empty (or wrong, noted)."""
        text = self.text(name)
        value = as_typed.whole(text, signed=True)
        if text and value is None:
            self.refuse(name, "whole_number")
            return None
        if value is None:
            if required:
                self.refuse(name, "required")
        elif not low <= value <= high:
            self.refuse(name, "between", (low, high))
            return None
        return value

    def choice(self, name: str, choices: Collection[str], *, code: str = "choose") -> str | None:
        """One of `choices` exactly as offered, or None (noted with `code`)."""
        value = self.text(name)
        if value in choices:
            return value
        self.refuse(name, code)
        return None

    def checkbox(self, name: str) -> bool:
        return self.raw(name) in CHECKED

    def money(self, name: str, *, required: bool = False, positive: bool = False, most: int = MOST_CENTS) -> int | None:
        """Cents, read as money.parse_money reads typed euros, at most `most` cents."""
        try:
            value = money.parse_money(self.text(name))
        except money.InvalidMoney:
            self.refuse(name, "euros")
            return None
        if value is None:
            if required:
                self.refuse(name, "required")
        elif value > most:
            self.refuse(name, "too_much", most // 100)
        elif positive and value == 0:
            self.refuse(name, "zero")
        return value

    def day(self, name: str) -> date | None:
        """A date as a date input sends it (2026-10-31); None when left empty."""
        try:
            return shop_time.parse_day(self.text(name))
        except ValueError:
            self.refuse(name, "date")
            return None
