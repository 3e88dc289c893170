"""Staff sessions end on the server: a copied cookie opens nothing after logout, a new password, the
account switched off, "log out everywhere", or a working day idle."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storefront.domain.models import Staff, StaffSession
from storefront.domain.staff import accounts, sessions


async def _owner() -> Staff:
    return await accounts.create("owner@example.com", "a long enough password", "owner")


async def test_a_session_opens_until_it_is_ended(db):
    owner = await _owner()
    token = await sessions.start(owner.id)
    assert (await sessions.staff_for(token)).id == owner.id
    await sessions.end(token)
    assert await sessions.staff_for(token) is None
    assert await sessions.staff_for("a guess") is None and await sessions.staff_for(None) is None


async def test_the_table_holds_no_usable_token(db):
    owner = await _owner()
    token = await sessions.start(owner.id)
    stored = (await StaffSession.get()).token_hash
    assert token not in stored and await sessions.staff_for(stored) is None


async def test_ending_all_sessions_of_one_account_leaves_the_others(db):
    owner = await _owner()
    clerk = await accounts.create("clerk@example.com", "a long enough password", "staff")
    phone, laptop, other = (
        await sessions.start(owner.id),
        await sessions.start(owner.id),
        await sessions.start(clerk.id),
    )
    assert await sessions.end_all(owner.id) == 2
    assert [await sessions.staff_for(t) for t in (phone, laptop)] == [None, None]
    assert (await sessions.staff_for(other)).id == clerk.id


async def test_an_account_switched_off_opens_nothing(db):
    owner = await _owner()
    token = await sessions.start(owner.id)
    await Staff.filter(id=owner.id).update(active=False)
    assert await sessions.staff_for(token) is None


async def test_a_working_day_idle_ends_a_session_and_use_keeps_it_going(db):
    owner = await _owner()
    start = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)
    token = await sessions.start(owner.id, now=start)
    later = start + timedelta(hours=9)
    assert await sessions.staff_for(token, now=later) is not None  # used at 17:00: kept going
    assert await sessions.staff_for(token, now=later + timedelta(hours=9)) is not None
    assert await sessions.staff_for(token, now=later + timedelta(hours=19, minutes=1)) is None


async def test_sessions_long_idle_are_forgotten(db):
    owner = await _owner()
    start = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)
    await sessions.start(owner.id, now=start)
    recent = await sessions.start(owner.id, now=start + timedelta(days=8))
    assert await sessions.prune(now=start + timedelta(days=8)) == 1
    assert await sessions.staff_for(recent, now=start + timedelta(days=8)) is not None
    assert await StaffSession.all().count() == 1
