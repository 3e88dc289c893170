"""Staff create, change and switch off promotions. The form arrives as typed text; `read` turns it into
Promotion values or refuses it with FieldErrors, a message code for every wrong field at once, so the page
can show each one beside its field and keep everything that was typed.

Every change writes an audit entry (before -> after) in the same transaction as the change itself.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from storefront.domain import addresses, as_typed, money, shop_time
from storefront.domain.errors import NotFound
from storefront.domain.forms import FieldErrors, Reader
from storefront.domain.models import Category, Promotion, PromotionKind, Staff, Variant, max_length
from storefront.domain.offers.promotions import normalise_code
from storefront.domain.staff import accounts
from storefront.domain.translations import read_words

NAME_MAX = 120
CODE_MAX = 40
MAX_COUNT = 1_000_000
PERCENT_KINDS = {PromotionKind.ORDER_PERCENT, PromotionKind.ITEMS_PERCENT}
FIXED_KINDS = {PromotionKind.ORDER_FIXED, PromotionKind.ITEMS_FIXED}
_CODE = re.compile(r"[\w\- ]+")  # letters (any alphabet), digits, dash, underscore, inner spaces
_SKU_SPLIT = re.compile(r"[\s,;]+")  # SKUs, and country codes, as staff list them
FLAGS = (
    "exclude_sale_items",
    "free_shipping",
    "exclusive",
    "combines_with_order",
    "combines_with_product",
    "combines_with_shipping",
    "active",
)
# What an audit entry records of a promotion (used_count is the checkout's, not staff's).
AUDITED = (
    "name",
    "translations",
    "code",
    "kind",
    "percent",
    "amount",
    "buy_quantity",
    "get_quantity",
    "product_ids",
    "category_ids",
    "countries",
    "min_subtotal",
    "min_quantity",
    "starts_at",
    "ends_at",
    "usage_limit",
    "per_customer_limit",
    "priority",
    *FLAGS,
)


# --- reading typed values (the form kernel: domain/forms.py) -------------------------------------------


# --- the form ------------------------------------------------------------------------------------


async def read(
    typed: Mapping[str, str], category_ids: list[str], promotion_id: int | None = None, languages: tuple[str, ...] = ()
) -> dict:
    """The typed form as Promotion field values, or FieldErrors listing every wrong field; `languages`: the
    other languages its name is in (name_en).

    `typed["products"]` is a list of SKUs: any SKU of a product puts the whole product in scope.
    Values the chosen kind does not use are cleared, so a stale percent cannot linger unseen.
    """
    r = Reader(typed)
    v: dict = {}
    v["name"] = r.text("name", NAME_MAX, required=True)
    v["translations"] = read_words(r, languages, {"name": NAME_MAX})

    code = normalise_code(r.text("code"))
    if code and len(code) > CODE_MAX:
        r.refuse("code", "too_long", CODE_MAX)
    elif code and not _CODE.fullmatch(code):
        r.refuse("code", "code_characters")
    elif code and await Promotion.filter(code=code).exclude(id=promotion_id or 0).exists():
        r.refuse("code", "taken", code)
    v["code"] = code or None

    chosen = r.choice("kind", {str(k) for k in PromotionKind})
    kind = PromotionKind(chosen) if chosen else None
    v["kind"] = kind
    v["percent"] = v["amount"] = v["buy_quantity"] = v["get_quantity"] = None
    if kind in PERCENT_KINDS:
        v["percent"] = r.number("percent", 1, 100, required=True)
    elif kind in FIXED_KINDS:
        v["amount"] = r.money("amount", required=True, positive=True)
    elif kind == PromotionKind.BUY_X_GET_Y:
        v["buy_quantity"] = r.number("buy_quantity", 1, 1000, required=True)
        v["get_quantity"] = r.number("get_quantity", 1, 1000, required=True)
        v["percent"] = r.number("percent", 1, 100)  # blank: the "get" items are free

    ids = [n for n in map(as_typed.whole, category_ids) if n is not None]
    known = set(await Category.filter(id__in=ids).values_list("id", flat=True))
    v["category_ids"] = sorted(known)
    if len(known) != len(set(category_ids)):
        r.refuse("category_ids", "unknown_category")
    skus = [s for s in _SKU_SPLIT.split(str(typed.get("products") or "").strip()) if s]
    longest = max_length(Variant, "sku")  # a longer one is nobody's (and cannot be looked up)
    found = (
        dict(await Variant.filter(sku__in=[s for s in skus if len(s) <= longest]).values_list("sku", "product_id"))
        if skus
        else {}
    )
    missing = [s for s in skus if s not in found]
    if missing:
        r.refuse("products", "unknown_sku", ", ".join(missing[:5]))
    v["product_ids"] = sorted(set(found.values()))

    # Where it applies: codes of countries the shop offers; empty, everywhere.
    countries = [c.upper() for c in _SKU_SPLIT.split(str(typed.get("countries") or "").strip()) if c]
    if unknown := [c for c in countries if c not in addresses.COUNTRIES]:
        r.refuse("countries", "unknown_country", ", ".join(unknown[:5]))
    v["countries"] = sorted(set(countries))

    v["min_subtotal"] = r.money("min_subtotal")
    v["min_quantity"] = r.number("min_quantity", 1, MAX_COUNT)
    starts, ends = r.day("starts_on"), r.day("ends_on")
    if starts and ends and ends < starts:
        r.refuse("ends_on", "ends_before_start")
    v["starts_at"] = shop_time.day_start(starts) if starts else None
    # The last day counts in full: the window is [starts_at, ends_at), so it ends at the next midnight.
    v["ends_at"] = shop_time.day_end(ends) if ends else None
    v["usage_limit"] = r.number("usage_limit", 1, MAX_COUNT)
    v["per_customer_limit"] = r.number("per_customer_limit", 1, MAX_COUNT)
    priority = r.number("priority", 0, 10_000)
    v["priority"] = 100 if priority is None else priority
    for flag in FLAGS:
        v[flag] = r.checkbox(flag)
    if kind == PromotionKind.FREE_SHIPPING:
        v["free_shipping"] = False  # it ships free already; the extra flag is for the other kinds
    r.done()
    return v


def typed_from(promotion: Promotion, skus: Mapping[int, str], languages: tuple[str, ...] = ()) -> dict:
    """A promotion as its form shows it: the inverse of `read`. `skus`: a SKU for each product id."""
    p = promotion
    last_day = shop_time.last_day(p.ends_at)
    return {
        "name": p.name,
        **{f"name_{language}": (p.translations or {}).get(language, {}).get("name", "") for language in languages},
        "code": p.code or "",
        "kind": str(p.kind),
        "percent": _blank(p.percent),
        "amount": money.form_value(p.amount),
        "buy_quantity": _blank(p.buy_quantity),
        "get_quantity": _blank(p.get_quantity),
        "products": " ".join(skus.get(i, "") for i in p.product_ids or []).strip(),
        "category_ids": [str(i) for i in p.category_ids or []],
        "countries": " ".join(p.countries or []),
        "min_subtotal": money.form_value(p.min_subtotal),
        "min_quantity": _blank(p.min_quantity),
        "starts_on": shop_time.day_of(p.starts_at).isoformat() if p.starts_at else "",
        "ends_on": last_day.isoformat() if last_day else "",
        "usage_limit": _blank(p.usage_limit),
        "per_customer_limit": _blank(p.per_customer_limit),
        "priority": str(p.priority),
        **{flag: "on" if getattr(p, flag) else "" for flag in FLAGS},
    }


def _blank(value) -> str:
    return "" if value is None else str(value)


async def skus_for(product_ids) -> dict[int, str]:
    """One SKU per product (its first variant), to show a product scope as the SKUs staff typed."""
    rows = (
        await Variant.filter(product_id__in=list(product_ids))
        .order_by("-position", "-id")
        .values_list("product_id", "sku")
    )
    return dict(rows)  # the last row per product wins: its first variant


# --- use cases -----------------------------------------------------------------------------------


def snapshot(promotion: Promotion) -> dict:
    """The audited fields, JSON-ready."""
    out = {}
    for name in AUDITED:
        value = getattr(promotion, name)
        out[name] = value.isoformat() if isinstance(value, datetime) else (str(value) if name == "kind" else value)
    return out


async def create(staff: Staff, values: dict) -> Promotion:
    try:
        async with in_transaction() as conn:
            promotion = await Promotion.create(**values, using_db=conn)
            await accounts.audit(
                staff, "promotion.create", f"promotion:{promotion.id}", None, snapshot(promotion), conn=conn
            )
    except IntegrityError:  # a colleague took the code between the check and the insert
        raise FieldErrors({"code": "taken"}, {"code": values.get("code")}) from None
    return promotion


async def listed() -> list[Promotion]:
    """Every promotion as staff's list shows them: running ones first, then in the order they apply."""
    return await Promotion.all().order_by("-active", "priority", "id")


async def get(promotion_id: int) -> Promotion:
    promotion = await Promotion.get_or_none(id=promotion_id)
    if promotion is None:
        raise NotFound(f"promotion {promotion_id}")
    return promotion


async def update(staff: Staff, promotion_id: int, values: dict) -> tuple[Promotion, dict, dict]:
    """Change a promotion; (it, before, after) with only the fields that changed."""
    try:
        async with in_transaction() as conn:
            promotion = await Promotion.get(id=promotion_id, using_db=conn)
            old = snapshot(promotion)
            for name, value in values.items():
                setattr(promotion, name, value)
            new = snapshot(promotion)
            before = {k: old[k] for k in AUDITED if old[k] != new[k]}
            after = {k: new[k] for k in before}
            if before:
                await promotion.save(using_db=conn)
                await accounts.audit(staff, "promotion.update", f"promotion:{promotion.id}", before, after, conn=conn)
    except IntegrityError:
        raise FieldErrors({"code": "taken"}, {"code": values.get("code")}) from None
    return promotion, before, after


async def set_active(staff: Staff, promotion_id: int, active: bool) -> Promotion:
    """Switch a promotion off (or on again). Codes already in carts simply stop applying."""
    async with in_transaction() as conn:
        promotion = await Promotion.get_or_none(id=promotion_id, using_db=conn)
        if promotion is None:
            raise NotFound(f"promotion {promotion_id}")
        if promotion.active != active:
            await Promotion.filter(id=promotion_id).using_db(conn).update(active=active)
            action = "promotion.activate" if active else "promotion.deactivate"
            await accounts.audit(
                staff, action, f"promotion:{promotion_id}", {"active": promotion.active}, {"active": active}, conn=conn
            )
            promotion.active = active
    return promotion
