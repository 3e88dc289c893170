"""Emails to shoppers go through an outbox: a row written in the same transaction as the change that
causes it, delivered later by storefront/mailer.py. Nothing is lost when the mail server is down."""

from __future__ import annotations

from storefront.domain.models import OutboxEmail

KINDS = ("order_confirmation", "payment_received", "shipped", "cancelled", "refunded")


def first_name(full_name: str) -> str:
    """How the shop greets a shopper, in emails and on the order page: the first word of the name."""
    words = full_name.split()
    return words[0] if words else ""


async def queue(kind: str, order_id: int, to: str, conn) -> None:
    if kind not in KINDS:
        raise ValueError(f"unknown email kind {kind}")
    await OutboxEmail.create(kind=kind, order_id=order_id, to=to, using_db=conn)
