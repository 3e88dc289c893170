"""The demo shop's owner account, with a password made up on the spot (never one written in code)."""

from __future__ import annotations

import secrets

from storefront.domain.models import Staff, StaffRole
from storefront.domain.staff import accounts

DEMO_OWNER = "owner@bottega.example"


async def demo_owner() -> tuple[str, str] | None:
    """(email, password) of a new demo owner, or None if the shop has staff already."""
    if await Staff.exists():
        return None
    password = secrets.token_urlsafe(12)
    await accounts.create(DEMO_OWNER, password, StaffRole.OWNER, name="Demo owner")
    return DEMO_OWNER, password
