"""Staff edit shipping: methods, the zones (countries served alike) and each method's rates per zone.
Typed forms are read into values or refused with every wrong field at once; each change is audited in
the same transaction. shipping/rates.py then quotes from these rows as they are.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from storefront.domain.errors import NotFound
from storefront.domain.forms import FieldErrors, Reader
from storefront.domain.models import ShippingMethod, ShippingRate, ShippingZone, Staff
from storefront.domain.staff import accounts
from storefront.domain.translations import read_words

_COUNTRY = re.compile(r"[A-Z]{2}|\*")
_SPLIT = re.compile(r"[\s,;]+")
_URL = re.compile(r"https?://\S+")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:30]


METHOD_WORDS = {"name": 80, "description": 200}  # what shoppers read, per language, and its length


async def read_method(typed: Mapping[str, str], method_id: int | None = None, languages: tuple[str, ...] = ()) -> dict:
    """The method form as typed; `languages`: the other languages its name and description are in."""
    r = Reader(typed)
    v: dict = {
        "name": r.text("name", 80, required=True),
        "description": r.text("description", 200),
        "translations": read_words(r, languages, METHOD_WORDS),
        "carrier": r.text("carrier", 60),
        "tracking_url": r.text("tracking_url").replace(" ", ""),
    }
    url = v["tracking_url"]
    if len(url) > 255:
        r.refuse("tracking_url", "too_long", 255)
    elif url and not _URL.fullmatch(url):
        r.refuse("tracking_url", "url")
    elif url and "{number}" not in url:  # the carrier's page needs the parcel's number
        r.refuse("tracking_url", "tracking_number")
    code = _slug(r.text("code") or v["name"])
    if method_id is None:  # the code is what orders keep: set once, never changed
        if await ShippingMethod.filter(code=code).exists():
            r.refuse("code" if r.text("code") else "name", "duplicate")
        v["code"] = code
    v["min_days"], v["max_days"] = _transit(r, required=True)
    v["cutoff_hour"] = r.number("cutoff_hour", 0, 23, required=True)
    v["position"] = r.number("position", 0, 1000) or 0
    v["pickup"], v["active"] = r.checkbox("pickup"), r.checkbox("active")
    r.done()
    return v


async def read_zone(typed: Mapping[str, str]) -> dict:
    r = Reader(typed)
    v: dict = {"name": r.text("name", 60, required=True)}
    countries = [c for c in _SPLIT.split(r.text("countries").upper()) if c]
    bad = [c for c in countries if not _COUNTRY.fullmatch(c)]
    if bad:
        r.refuse("countries", "countries", ", ".join(bad[:5]))
    elif not countries:
        r.refuse("countries", "required")
    v["countries"] = list(dict.fromkeys(countries))  # typed order, without repeats
    v["position"] = r.number("position", 0, 1000) or 0
    r.done()
    return v


async def read_rate(typed: Mapping[str, str]) -> dict:
    r = Reader(typed)
    zone_id = r.number("zone_id", 1, 2**31 - 1)
    if zone_id is None or not await ShippingZone.exists(id=zone_id):
        r.refuse("zone_id", "choose")
    v = {
        "zone_id": zone_id,
        "max_weight_grams": r.number("max_weight_grams", 1, 1_000_000),
        "price": r.money("price", required=True),
        "free_above": r.money("free_above"),
    }
    v["min_days"], v["max_days"] = _transit(r, required=False)
    r.done()
    return v


def _transit(r: Reader, *, required: bool) -> tuple[int | None, int | None]:
    """Business days from–to: a method's (both required) or a zone's own (both, or neither for the method's)."""
    low, high = r.number("min_days", 0, 60, required=required), r.number("max_days", 0, 60, required=required)
    if low is not None and high is not None and high < low:
        r.refuse("max_days", "days_order")
    elif (low is None) != (high is None) and not {"min_days", "max_days"} & r.errors.keys():
        r.refuse("max_days" if high is None else "min_days", "required")
    return low, high


async def methods_and_zones() -> tuple[list[ShippingMethod], list[ShippingZone]]:
    """What the shipping page edits: every method with its rates, and every zone."""
    return await ShippingMethod.all().prefetch_related("rates"), await ShippingZone.all()


async def method_exists(method_id: int) -> bool:
    return await ShippingMethod.exists(id=method_id)


# --- use cases: one transaction each, with its audit entry ----------------------------------------


def _snapshot(row, names) -> dict:
    return {name: getattr(row, name) for name in names}


METHOD_FIELDS = (
    "code",
    "name",
    "description",
    "translations",
    "carrier",
    "tracking_url",
    "min_days",
    "max_days",
    "cutoff_hour",
    "pickup",
    "active",
    "position",
)
ZONE_FIELDS = ("name", "countries", "position")
RATE_FIELDS = ("method_id", "zone_id", "max_weight_grams", "price", "free_above", "min_days", "max_days")


async def _save(staff: Staff, model, fields, kind: str, row_id: int | None, values: dict):
    try:
        async with in_transaction() as conn:
            if row_id is None:
                row = await model.create(**values, using_db=conn)
                await accounts.audit(
                    staff, f"shipping.{kind}.create", f"{kind}:{row.id}", None, _snapshot(row, fields), conn=conn
                )
                return row
            row = await model.get_or_none(id=row_id, using_db=conn)
            if row is None:
                raise NotFound(f"{kind} {row_id}")
            old = _snapshot(row, fields)
            for name, value in values.items():
                setattr(row, name, value)
            new = _snapshot(row, fields)
            before = {k: old[k] for k in fields if old[k] != new[k]}
            if before:
                await row.save(using_db=conn)
                await accounts.audit(
                    staff, f"shipping.{kind}.update", f"{kind}:{row.id}", before, {k: new[k] for k in before}, conn=conn
                )
            return row
    except IntegrityError:  # a colleague took the method's code meanwhile
        raise FieldErrors({"name": "duplicate"}) from None


async def save_method(staff: Staff, method_id: int | None, values: dict) -> ShippingMethod:
    return await _save(staff, ShippingMethod, METHOD_FIELDS, "method", method_id, values)


async def save_zone(staff: Staff, zone_id: int | None, values: dict) -> ShippingZone:
    return await _save(staff, ShippingZone, ZONE_FIELDS, "zone", zone_id, values)


async def save_rate(staff: Staff, rate_id: int | None, values: dict) -> ShippingRate:
    return await _save(staff, ShippingRate, RATE_FIELDS, "rate", rate_id, values)


async def delete_rate(staff: Staff, rate_id: int) -> None:
    async with in_transaction() as conn:
        rate = await ShippingRate.get_or_none(id=rate_id, using_db=conn)
        if rate is None:
            raise NotFound(f"rate {rate_id}")
        await accounts.audit(
            staff, "shipping.rate.delete", f"rate:{rate_id}", _snapshot(rate, RATE_FIELDS), None, conn=conn
        )
        await rate.delete(using_db=conn)
