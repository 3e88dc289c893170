"""Staff sessions the server can end. The session cookie holds a random token; the staff_session row
holds its hash, when it was last used and whether it was ended. A copied cookie therefore stops working
at logout, at a password change, when the account is switched off, at "log out everywhere", and after
IDLE without use (a working day), whatever the cookie's own lifetime."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from storefront.domain.models import Staff, StaffSession

IDLE = timedelta(hours=10)  # a working day without a request ends the session
TOUCH_EVERY = timedelta(minutes=5)  # last_seen_at is written at most this often, not on every request


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _now() -> datetime:
    return datetime.now(UTC)


async def start(staff_id: int, now: datetime | None = None) -> str:
    """A new session for a staff member who just proved who they are; the token for the cookie."""
    token = secrets.token_urlsafe(32)
    await StaffSession.create(staff_id=staff_id, token_hash=_hash(token), last_seen_at=now or _now())
    return token


async def staff_for(token: str | None, now: datetime | None = None) -> Staff | None:
    """The active staff member this token's session belongs to, or None (ended, idle, unknown, switched off)."""
    if not token:
        return None
    now = now or _now()
    found = await StaffSession.get_or_none(
        token_hash=_hash(token), ended_at=None, last_seen_at__gt=now - IDLE
    ).select_related("staff")
    if found is None or not found.staff.active:
        return None
    if found.last_seen_at <= now - TOUCH_EVERY:
        await StaffSession.filter(id=found.id, ended_at=None).update(last_seen_at=now)
    return found.staff


async def end(token: str | None) -> None:
    """Logging out: this session only."""
    if token:
        await StaffSession.filter(token_hash=_hash(token), ended_at=None).update(ended_at=_now())


async def end_all(staff_id: int, conn=None) -> int:
    """Every session of one staff member (log out everywhere, a new password, the account switched off);
    how many were open."""
    query = StaffSession.filter(staff_id=staff_id, ended_at=None)
    return await (query.using_db(conn) if conn else query).update(ended_at=_now())


async def prune(now: datetime | None = None) -> int:
    """Forget sessions that can no longer open anything (ended or idle) a week on; how many."""
    cutoff = (now or _now()) - IDLE - timedelta(days=7)
    return await StaffSession.filter(last_seen_at__lt=cutoff).delete()
