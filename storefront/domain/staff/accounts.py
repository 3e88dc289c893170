"""Staff accounts: strongly hashed passwords (stdlib scrypt), roles, and the audit log of their changes."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import secrets
from datetime import UTC, datetime

from tortoise.transactions import in_transaction

from storefront.domain import email_address
from storefront.domain.errors import DomainError
from storefront.domain.forms import FieldErrors
from storefront.domain.models import AuditEntry, Staff, StaffRole
from storefront.domain.staff import sessions

# scrypt cost: 2**15 iterations x 8 x 1 = 32 MiB and ~50 ms per check on one core; raise N with hardware.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
MIN_PASSWORD = 10
MAX_PASSWORD = 1024  # the login form reads this much: a longer one could be set but never typed back
NAME_MAX = 120  # Staff.name
COMMAND_LINE = "storefront create-staff"  # who the audit names for an account the command made


def _stored(salt: bytes, digest: bytes) -> str:
    def encode(b: bytes) -> str:
        return base64.b64encode(b).decode()

    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${encode(salt)}${encode(digest)}"


def hash_password(password: str) -> str:
    """Blocks for the whole scrypt run: coroutines call it through asyncio.to_thread."""
    salt = secrets.token_bytes(16)
    return _stored(
        salt, hashlib.scrypt(password.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, maxmem=64 * 2**20)
    )


def check_password(password: str, stored: str) -> bool:
    """Blocks for the whole scrypt run: coroutines call it through asyncio.to_thread."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(
            password.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p), maxmem=64 * 2**20
        )
    except (ValueError, TypeError):
        return False
    return scheme == "scrypt" and hmac.compare_digest(actual, expected)


# Checked against when the email is unknown, so a wrong email takes as long as a wrong password (one scrypt
# run with the same cost). Its digest is random bytes, not scrypt output: free to make at import, and no
# password matches it.
_DUMMY_HASH = _stored(secrets.token_bytes(16), secrets.token_bytes(64))


async def create(
    email: str,
    password: str,
    role: StaffRole | str = StaffRole.STAFF,
    name: str = "",
    *,
    by: Staff | str | None = None,
) -> Staff:
    """A new account, or FieldErrors. `by` is who creates it (an owner in the back office, or the command
    line's COMMAND_LINE): the audit entry is written in the account's own transaction. Only seeding (demo
    data, tests) leaves it out."""
    email = email_address.normalise(email)
    name = name.strip()
    errors = {}
    if not email_address.valid(email):
        errors["email"] = "email"
    elif await Staff.exists(email=email):
        errors["email"] = "taken"
    if len(name) > NAME_MAX:
        errors["name"] = "too_long"
    if len(password) < MIN_PASSWORD:
        errors["password"] = "too_short"
    elif len(password) > MAX_PASSWORD:
        errors["password"] = "too_long"
    if role not in set(StaffRole):
        errors["role"] = "role"
    if errors:
        limits = {"name": NAME_MAX, "password": MAX_PASSWORD}
        raise FieldErrors(errors, {field: limits[field] for field in errors if errors[field] == "too_long"})
    password_hash = await asyncio.to_thread(hash_password, password)  # outside the transaction: ~50 ms
    async with in_transaction() as conn:
        account = await Staff.create(
            email=email, name=name, role=StaffRole(role), password_hash=password_hash, using_db=conn
        )
        if by is not None:
            created = {"email": account.email, "role": str(account.role), "active": True}
            await audit(by, "staff.create", f"staff:{account.id}", None, created, conn=conn)
    return account


async def authenticate(email: str, password: str) -> Staff | None:
    staff = await Staff.get_or_none(email=email_address.normalise(email), active=True)
    # ~50 ms of scrypt in a thread (it releases the GIL): on the event loop it would stall every request.
    matches = await asyncio.to_thread(check_password, password, staff.password_hash if staff else _DUMMY_HASH)
    if not matches or staff is None:
        return None
    await Staff.filter(id=staff.id).update(last_login_at=datetime.now(UTC))
    return staff


# What a back-office route may ask for (each declares one); staff accounts hold all but OWNER_ONLY.
PERMISSIONS = frozenset({"dashboard", "orders", "catalog", "stock", "promotions", "audit", "settings", "staff"})
OWNER_ONLY = frozenset({"staff", "settings"})  # who works here, and how the shop ships


def may(staff: Staff, permission: str) -> bool:
    """Owners may do everything; staff everything but managing staff and shop settings. A permission
    nobody defined is refused to everyone."""
    return permission in PERMISSIONS and (staff.role == StaffRole.OWNER or permission not in OWNER_ONLY)


async def audit(staff: Staff | str, action: str, subject: str, before=None, after=None, conn=None) -> None:
    """`staff` is who acted: an account, or the name of a command when no account did."""
    staff_id, actor = (None, staff) if isinstance(staff, str) else (staff.id, staff.email)
    await AuditEntry.create(
        staff_id=staff_id, actor=actor, action=action, subject=subject, before=before, after=after, using_db=conn
    )


class AccountRefused(DomainError):
    """ "yourself": nobody changes their own account; "last_owner": the shop keeps an active owner;
    "changed": someone else changed the account meanwhile; "missing": no such account."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


async def set_language(staff: Staff, language: str) -> None:
    """The back office's language for this account: a preference of their own, not a change to the shop."""
    staff.language = language
    await Staff.filter(id=staff.id).update(language=language)


async def change_account(
    actor: Staff, target_id: int, *, active: bool | None = None, role: StaffRole | None = None
) -> Staff:
    """Switch an account off or on, or change its role, audited."""
    target = await Staff.get_or_none(id=target_id)
    if target is None:
        raise AccountRefused("missing")
    if target.id == actor.id:
        raise AccountRefused("yourself")  # no locking yourself out by mistake
    before = {"active": target.active, "role": str(target.role)}
    after = {"active": target.active if active is None else active, "role": str(role or target.role)}
    changed = [k for k in before if before[k] != after[k]]
    if not changed:
        return target
    async with in_transaction() as conn:
        # Write first, conditional on what was read (SQLite with several processes needs the write first).
        updated = (
            await Staff.filter(id=target.id, active=before["active"], role=before["role"])
            .using_db(conn)
            .update(active=after["active"], role=role or target.role)
        )
        if not updated:
            raise AccountRefused("changed")
        if not await Staff.filter(role=StaffRole.OWNER, active=True).using_db(conn).exists():
            raise AccountRefused("last_owner")  # rolls the change back
        if not after["active"]:
            await sessions.end_all(target.id, conn)  # switched off: logged out everywhere at once
        await audit(
            actor,
            "staff.update",
            f"staff:{target.id}",
            {k: before[k] for k in changed},
            {k: after[k] for k in changed},
            conn=conn,
        )
    await target.refresh_from_db()
    return target


async def accounts() -> list[Staff]:
    """Every account, as the owners' list shows them."""
    return await Staff.all().order_by("email")
