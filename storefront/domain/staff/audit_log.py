"""The audit log as the back office reads it: every staff change, filterable, never edited."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from storefront.domain.models import AuditEntry, Variant
from storefront.domain.shop_time import day_end, day_start

# --- audit log ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditQuery:
    action: str = ""
    actor: str = ""  # part of a staff email
    since: date | None = None  # shop days, both included
    until: date | None = None
    page: int = 1
    per_page: int = 50


@dataclass(frozen=True)
class Change:
    field: str
    before: object
    after: object


@dataclass(frozen=True)
class AuditRow:
    id: int
    created_at: datetime
    actor: str
    action: str
    subject: str  # "variant:12", "order:BT-7K3Q9M"
    changes: list[Change]
    variant_id: int | None = None  # when the subject is a variant: its SKU says more than its id
    sku: str = ""


@dataclass(frozen=True)
class AuditLog:
    query: AuditQuery
    entries: list[AuditRow]
    total: int
    actions: list[str]  # every action ever logged, for the filter

    @property
    def has_more(self) -> bool:
        return self.query.page * self.query.per_page < self.total


def changes(before, after) -> list[Change]:
    """before -> after, field by field; values that are not dicts count as one field called ""."""
    before = before if isinstance(before, dict) else ({} if before is None else {"": before})
    after = after if isinstance(after, dict) else ({} if after is None else {"": after})
    return [
        Change(key, before.get(key), after.get(key))
        for key in [*before, *(k for k in after if k not in before)]
        if before.get(key) != after.get(key)
    ]


async def audit_log(q: AuditQuery) -> AuditLog:
    entries = AuditEntry.all()
    if q.action:
        entries = entries.filter(action=q.action)
    if q.actor.strip():
        entries = entries.filter(actor__icontains=q.actor.strip())
    if q.since:
        entries = entries.filter(created_at__gte=day_start(q.since))
    if q.until:
        entries = entries.filter(created_at__lt=day_end(q.until))
    total = await entries.count()
    page = await entries.order_by("-created_at", "-id").offset((q.page - 1) * q.per_page).limit(q.per_page)
    actions: list[str] = await AuditEntry.all().distinct().order_by("action").values_list("action", flat=True)  # type: ignore[assignment]  # Tortoise types values_list(flat=True) as tuples
    variant_ids = {e.subject: int(e.subject[8:]) for e in page if re.fullmatch(r"variant:\d{1,9}", e.subject)}
    skus = dict(await Variant.filter(id__in=set(variant_ids.values())).values_list("id", "sku")) if variant_ids else {}
    rows = [
        AuditRow(
            e.id,
            e.created_at,
            e.actor,
            e.action,
            e.subject,
            changes(e.before, e.after),
            variant_ids.get(e.subject),
            skus.get(variant_ids.get(e.subject), ""),
        )
        for e in page
    ]
    return AuditLog(q, rows, total, list(actions))
