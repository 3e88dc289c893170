"""What counts as an email address, and the one form it is compared in (shoppers and staff alike)."""

from __future__ import annotations

import re

# Deliberately loose: a local part, an @, a domain with a dot. The confirmation email is the real test.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]{2,}$")
MAX_LENGTH = 254  # RFC 5321's limit, and the email columns' size


def valid(text: str) -> bool:
    return len(text) <= MAX_LENGTH and bool(_EMAIL.match(text))


def normalise(text: str) -> str:
    """Email addresses are compared case-insensitively and without surrounding spaces."""
    return text.strip().casefold()
