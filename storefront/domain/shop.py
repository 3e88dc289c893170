"""The shop's own settings, kept in the database (one row) so every app server reads the same, and changed by
its owner, audited. Today: whether the shop is in the EU's One-Stop-Shop for VAT."""

from __future__ import annotations

from tortoise.transactions import in_transaction

from storefront.domain.models import ShopSettings, Staff
from storefront.domain.staff import accounts

ONE = 1  # the row's id


async def current() -> ShopSettings:
    """The settings; a shop that never saved any has the defaults."""
    return await ShopSettings.get_or_none(id=ONE) or ShopSettings(id=ONE)


async def set_vat_oss(staff: Staff, oss: bool) -> ShopSettings:
    """Join or leave the One-Stop-Shop: from now on EU consumers pay their own country's VAT (or Italy's).
    Orders already placed keep the VAT they were charged."""
    await ShopSettings.get_or_create(id=ONE)  # the first save makes the row (two at once: one does)
    async with in_transaction() as conn:
        before = (await ShopSettings.select_for_update().using_db(conn).get(id=ONE)).vat_oss
        await ShopSettings.filter(id=ONE).using_db(conn).update(vat_oss=oss)
        if before != oss:
            await accounts.audit(staff, "settings.vat_oss", "shop", before=before, after=oss, conn=conn)
    return await current()
