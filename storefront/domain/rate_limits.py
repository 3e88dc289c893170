"""Limits on guessing (staff passwords, order lookups, discount codes), kept in the database so they
hold across worker processes and machines.

Attempts are counted per key in fixed windows, one row per (key, window), by one atomic UPSERT that
returns the new count (SQLite ≥ 3.35 and PostgreSQL alike): of N attempts at once each gets its own
number, so exactly as many pass as the limit allows, with no read-then-write race. (Counting rows after
writing them would hold too, but refuses a whole burst, the allowed attempts with the rest.) The
previous window counts in proportion to how much of it is still within one window from now, so that
twice the limit cannot pass around a window's edge. A refused attempt is taken back, so hammering a
closed door does not keep it closed longer; one that succeeded may be too (`forgive`), so that only
failures count. Keys are hashed to a fixed length: emails and addresses are not stored as typed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from tortoise.expressions import F, Q

from storefront.domain.db import Sql
from storefront.domain.errors import DomainError
from storefront.domain.models import RateLimitCount


@dataclass(frozen=True)
class Limit:
    name: str
    most: int  # attempts allowed within any one window
    window: timedelta


# Staff logins that failed: per account from one address, per address, and per account from anywhere
# (slower, so that someone guessing from elsewhere cannot lock the owner out from their own address).
LOGIN_PAIR = Limit("login_pair", 5, timedelta(minutes=15))
LOGIN_ADDRESS = Limit("login_address", 20, timedelta(minutes=15))
LOGIN_ACCOUNT = Limit("login_account", 100, timedelta(hours=1))
ORDER_LOOKUP = Limit("order_lookup", 10, timedelta(minutes=15))  # failed order lookups per address
# Unknown discount codes: per cart, and per address (a shopper may drop the cookie, and the cart with it).
CODE_CART = Limit("code_cart", 10, timedelta(minutes=10))
CODE_ADDRESS = Limit("code_address", 30, timedelta(minutes=10))
LIMITS = (LOGIN_PAIR, LOGIN_ADDRESS, LOGIN_ACCOUNT, ORDER_LOOKUP, CODE_CART, CODE_ADDRESS)


class TooMany(DomainError):
    """A limit is used up: nothing was counted. `retry_after`: when the next attempt would pass."""

    def __init__(self, limit: Limit, retry_after: timedelta):
        super().__init__(f"{limit.name}: retry after {retry_after}")
        self.limit, self.retry_after = limit, retry_after


@dataclass(frozen=True)
class Attempt:
    """The counters one attempt added to, to take back if it succeeded."""

    counted: list[tuple[str, int]] = field(default_factory=list)  # (key, window start)


def _key(limit: Limit, value: str) -> str:
    return f"{limit.name}:{hashlib.sha256(value.encode('utf-8', 'surrogatepass')).hexdigest()}"


async def _count_up(key: str, started: int) -> int:
    sql = Sql()
    rows = await sql.rows(
        f'INSERT INTO "rate_limit_count" ("key", "started", "n") VALUES ({sql.param(key)}, {sql.param(started)}, 1)'
        ' ON CONFLICT ("key", "started") DO UPDATE SET "n" = "rate_limit_count"."n" + 1 RETURNING "n"'
    )
    return rows[0]["n"]


def _wait(limit: Limit, previous: int, others: int, elapsed: float) -> timedelta:
    """Until previous·(1 − x) + others + 1 ≤ most, x the share of the current window gone by then."""
    window = limit.window.total_seconds()
    if others + 1 <= limit.most and previous:  # later in this window, as the previous one fades
        x = 1 - (limit.most - 1 - others) / previous
        seconds = (x - elapsed) * window
    else:  # in the next window, as this one fades
        seconds = (1 - elapsed) * window + max(0.0, 1 - (limit.most - 1) / max(others, 1)) * window
    return timedelta(seconds=max(1, round(seconds)))


async def attempt(*counted: tuple[Limit, str | None], now: datetime | None = None) -> Attempt:
    """Count one attempt under each (limit, value), or raise TooMany and count none. A value of None
    (no cart yet, say) is not counted."""
    now = now or datetime.now(UTC)
    at = now.timestamp()
    done = Attempt()
    keyed = []
    for limit, value in counted:
        if value is None:
            continue
        window = int(limit.window.total_seconds())
        key, started = _key(limit, value), int(at // window) * window
        done.counted.append((key, started))
        keyed.append((limit, key, started, await _count_up(key, started)))  # counted first ...
    if not keyed:
        return done
    earlier = Q(
        *(Q(key=key, started=started - int(limit.window.total_seconds())) for limit, key, started, _ in keyed),
        join_type=Q.OR,
    )
    previous = dict(await RateLimitCount.filter(earlier).values_list("key", "n"))
    for limit, key, started, n in keyed:  # ... then compared, this attempt included
        elapsed = (at - started) / limit.window.total_seconds()
        if previous.get(key, 0) * (1 - elapsed) + n > limit.most:
            await forgive(done)
            raise TooMany(limit, _wait(limit, previous.get(key, 0), n - 1, elapsed))
    return done


async def forgive(done: Attempt) -> None:
    """Take an attempt back (it succeeded, or was refused): only failures count."""
    for key, started in done.counted:
        await RateLimitCount.filter(key=key, started=started).update(n=F("n") - 1)


async def prune(now: datetime | None = None) -> int:
    """Forget windows that no longer count (older than the previous window of the longest limit)."""
    now = now or datetime.now(UTC)
    longest = max(int(limit.window.total_seconds()) for limit in LIMITS)
    return await RateLimitCount.filter(started__lt=now.timestamp() - 2 * longest).delete()
