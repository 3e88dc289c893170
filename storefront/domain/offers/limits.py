"""Usage limits of promotions, counted when an order is placed.

A use is reserved inside place_order's transaction, so it is counted only if the order is written:
- the total limit by a conditional UPDATE (used_count < usage_limit), which two orders cannot both pass
  for the last use;
- the per-customer limit by a PromotionUse row whose (promotion, customer, n) is unique, so two
  concurrent orders of one customer cannot both take their n-th use.
"""

from __future__ import annotations

from collections.abc import Iterable

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F, Q

from storefront.domain import email_address
from storefront.domain.errors import DomainError
from storefront.domain.models import Promotion, PromotionUse


class LimitReached(DomainError):
    """Promotions that ran out between the cart and the order; the shopper sees the new totals."""

    def __init__(self, promotion_ids: list[int]):
        super().__init__(f"usage limit reached for promotions {promotion_ids}")
        self.promotion_ids = promotion_ids


async def customer_uses(email: str, replacing: Iterable[str] = ()) -> dict[int, int]:
    """How many times this customer used each promotion, for pricing their checkout; the uses of the
    orders it is `replacing` (their numbers) are not counted: they are given back when it is placed."""
    rows: list[int] = (
        await PromotionUse.filter(customer=email_address.normalise(email))  # type: ignore[assignment]  # Tortoise types values_list(flat=True) as tuples
        .exclude(reference__in=list(replacing))
        .values_list("promotion_id", flat=True)
    )
    counts: dict[int, int] = {}
    for promotion_id in rows:
        counts[promotion_id] = counts.get(promotion_id, 0) + 1
    return counts


async def release(reference: str, conn) -> None:
    """Give back the uses an order reserved, inside the caller's transaction: an order cancelled before
    it was paid (replaced by another try, or expired) has not used the customer's once-only code."""
    uses = await PromotionUse.filter(reference=reference).using_db(conn).order_by("promotion_id")
    for use in uses:
        await (
            Promotion.filter(id=use.promotion_id, used_count__gt=0)
            .using_db(conn)
            .update(used_count=F("used_count") - 1)
        )
    if uses:
        await PromotionUse.filter(reference=reference).using_db(conn).delete()


async def reserve(promotion_ids: Iterable[int], email: str, reference: str, conn) -> None:
    """Count one use of each promotion for this order, inside the caller's transaction, or raise
    LimitReached naming every promotion that ran out (the caller's transaction then rolls back)."""
    customer = email_address.normalise(email)
    exhausted = []
    for promotion_id in sorted(set(promotion_ids)):
        taken = (
            await Promotion.filter(Q(usage_limit__isnull=True) | Q(usage_limit__gt=F("used_count")), id=promotion_id)
            .using_db(conn)
            .update(used_count=F("used_count") + 1)
        )
        if not taken:
            exhausted.append(promotion_id)
            continue
        promotion = await Promotion.get(id=promotion_id, using_db=conn)
        n = await PromotionUse.filter(promotion_id=promotion_id, customer=customer).using_db(conn).count() + 1
        if promotion.per_customer_limit is not None and n > promotion.per_customer_limit:
            exhausted.append(promotion_id)
            continue
        try:
            await PromotionUse.create(
                promotion_id=promotion_id, customer=customer, n=n, reference=reference, using_db=conn
            )
        except IntegrityError:  # the same customer's concurrent order took this use first
            exhausted.append(promotion_id)
    if exhausted:
        raise LimitReached(exhausted)
