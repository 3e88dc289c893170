"""Checkout: the shopper's details checked field by field, the order summary, and place_order.

place_order is one transaction: stock for every line or none, promotion uses within their limits,
the order with its lines copied from the catalogue, its first event and its confirmation email.
It is keyed by the checkout attempt's idempotency key, so a double submit returns the first order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from storefront.domain import addresses, email_address, shop, vat
from storefront.domain.basket import cart, pricing
from storefront.domain.errors import DomainError
from storefront.domain.forms import FieldErrors
from storefront.domain.inventory import stock
from storefront.domain.models import Order, OrderLine, OrderStatus
from storefront.domain.offers import limits, promotions
from storefront.domain.orders import lifecycle, notifications
from storefront.domain.payments import service as payments
from storefront.domain.shipping import rates

NUMBER_DRAWS = 3  # order numbers are random: a clash with an existing one draws again, a few times
LIMITS = {"email": 254, "full_name": 120, "phone": 40, "address": 200, "postal_code": 20, "city": 80, "province": 80}


@dataclass(frozen=True)
class Details:
    email: str = ""
    full_name: str = ""
    phone: str = ""
    address: str = ""
    postal_code: str = ""
    city: str = ""
    province: str = ""
    country: str = vat.SHOP_COUNTRY
    shipping_method: str = ""
    payment_method: str = "card"

    @classmethod
    def from_form(cls, form) -> Details:
        """Whatever was typed, trimmed; values that are not text are taken as empty."""
        values: dict[str, str] = {}
        for f in fields(cls):
            raw = form.get(f.name)
            values[f.name] = " ".join(raw.split()) if isinstance(raw, str) else str(f.default)  # each has one
        country = (values["country"] or vat.SHOP_COUNTRY).upper()
        values["country"] = country if country in addresses.COUNTRIES else vat.SHOP_COUNTRY
        shape = addresses.format_for(values["country"])
        # What this country's addresses do not have is not kept (a province typed for Italy, then Germany
        # chosen); a region typed by its name or in lower case is kept as the country's code ("firenze": FI).
        if shape.region_kind is None:
            values["province"] = ""
        else:
            values["province"] = shape.region(values["province"]) or values["province"]
        values["postal_code"] = values["postal_code"].upper() if shape.postal_code else ""
        return cls(**values)


class EmptyCart(DomainError):
    pass


class CartNeedsAttention(DomainError):
    """Lines that sold out or were withdrawn since the cart was shown."""


class AttemptNotYours(DomainError):
    """The attempt's key names an order placed from another cart: a copied or replayed form is no way to
    reach someone's order (nor to spend this cart on it)."""


class TotalChanged(DomainError):
    """The order would cost something else than the total the shopper was shown: nothing is placed.
    `totals` is the price now; its not_applied says why a promotion no longer applies."""

    def __init__(self, shown: int, totals: pricing.Totals):
        super().__init__(f"total {shown} shown, {totals.total} now")
        self.shown, self.totals = shown, totals


@dataclass(frozen=True)
class UnpaidCap:
    """How many orders may await payment at once, so no script holds the stock (or mails anyone) with
    orders nobody pays: per email, and per client address, higher, because real shoppers share one
    behind an office's or a mobile carrier's NAT."""

    per_email: int = 3
    per_address: int = 20


class TooManyUnpaid(DomainError):
    """The cap is reached for this email or from this address (`by` says which, `most` how many):
    nothing is placed until one is paid, cancelled or expired."""

    def __init__(self, by: list[str], most: int):
        super().__init__(f"{most} unpaid orders already, by {', '.join(by)}")
        self.by, self.most = by, most


async def unpaid_over_cap(email: str, client_address: str, replacing: list[Order], cap: UnpaidCap) -> list[str]:
    """ "email" and/or "address" if another order would pass the cap there. The unpaid orders this
    one replaces do not count: they end as it is placed."""
    open_orders = Order.filter(status=OrderStatus.PENDING_PAYMENT).exclude(id__in=[o.id for o in replacing])
    over = []
    if await open_orders.filter(email__iexact=email_address.normalise(email)).count() >= cap.per_email:
        over.append("email")
    if client_address and await open_orders.filter(client_address=client_address).count() >= cap.per_address:
        over.append("address")
    return over


def field_errors(d: Details) -> dict[str, str]:
    """Every problem at once, as codes the page phrases: field -> code. What is asked, and how it must look,
    follows the country (`addresses.format_for`)."""
    shape = addresses.format_for(d.country)
    errors: dict[str, str] = {}
    required = ["email", "full_name", "address"]
    required += ["postal_code"] if shape.postal_code_required else []
    required += ["city"] if shape.city_required else []
    required += ["province"] if shape.region_kind else []
    for name in required:
        if not getattr(d, name):
            errors[name] = "required"
    for name, limit in LIMITS.items():
        if len(getattr(d, name)) > limit:
            errors[name] = "too_long"
    if "email" not in errors and not email_address.valid(d.email):
        errors["email"] = "email"
    if (
        "postal_code" not in errors
        and d.postal_code
        and shape.postal_code
        and not shape.postal_code.fullmatch(d.postal_code)
    ):
        errors["postal_code"] = "postal_code"
    if "province" not in errors and d.province and shape.region_kind and shape.region(d.province) is None:
        errors["province"] = "province"
    if d.phone and not re.fullmatch(r"\+?[\d ()./-]{6,}", d.phone):
        errors["phone"] = "phone"
    if any(c in getattr(d, f.name) for f in fields(d) for c in "\r\n\x00"):
        errors.setdefault("full_name", "invalid")
    return errors


def payment_methods(country: str) -> list[str]:
    """The methods available for the delivery country (cash on delivery only where the courier collects
    it), in the providers' order."""
    return [code for code, provider in payments.PROVIDERS.items() if provider.available(country)]


@dataclass(frozen=True)
class Summary:
    """What the checkout page shows beside the form, priced exactly as place_order will price it."""

    contents: cart.Contents
    quotes: list[rates.Quote]
    quote: rates.Quote | None
    payment_methods: list[str]
    totals: pricing.Totals
    replaces: list[Order]  # this cart's unpaid online orders, which placing this one cancels


async def summary(token: str | None, d: Details, now: datetime | None = None, language: str | None = None) -> Summary:
    """What the order would be, its lines named in `language` (None: the shop's)."""
    now = now or datetime.now(UTC)
    found = await cart.contents(token, language)
    replaces = await cart.awaiting_payment(token) if found.lines else []
    oss = (await shop.current()).vat_oss
    goods = pricing.goods_value(found.priced, country=d.country, oss=oss, now=now)
    quotes = await rates.quotes(d.country, found.weight_grams, goods, now, language=language) if found.priced else []
    quote = next((q for q in quotes if q.code == d.shipping_method), quotes[0] if quotes else None)
    methods = payment_methods(d.country)
    method = d.payment_method if d.payment_method in methods else methods[0]
    replacing = [order.number for order in replaces]
    uses = await limits.customer_uses(d.email, replacing) if email_address.valid(d.email) else {}
    totals = pricing.price(
        found.priced,
        await promotions.offers_for(found.codes, language),
        shipping=quote.price if quote else 0,
        now=now,
        codes=found.codes,
        customer_uses=uses,
        surcharge=payments.surcharge(method, d.country),
        country=d.country,
        oss=oss,
    )
    found = replace(found, lines=cart.as_charged(found.lines, totals))
    return Summary(found, quotes, quote, methods, totals, replaces)


async def place_order(
    token: str | None,
    d: Details,
    idempotency_key: str,
    *,
    now: datetime | None = None,
    shown_total: int | None = None,
    payment_timeout: timedelta = timedelta(minutes=30),
    bank_transfer_wait: timedelta = timedelta(days=7),
    client_address: str = "",
    unpaid_cap: UnpaidCap = UnpaidCap(),
    language: str = "en",
) -> Order:
    """Turn the cart into an order placed in `language` (its emails and page follow it), or raise: Invalid
    (field errors), EmptyCart, CartNeedsAttention, TotalChanged (not the `shown_total` the page showed),
    TooManyUnpaid (for the email, or from the `client_address`, the shopper's address as the page saw it),
    stock.OutOfStock (every short line), limits.LimitReached, AttemptNotYours.

    Every submit of one attempt (`idempotency_key`, from this cart) leads to that attempt's order: a double
    click, a resubmit, a back-and-resubmit, and two submits at once, where the one that lost the race
    finds the cart spent or the stock taken by the other and answers with the other's order.

    An order paid offline (bank transfer, cash on delivery) spends the cart at once. One paid online
    leaves the cart as it is until the money is in (orders.transition spends it then); placing again
    from that cart meanwhile (another card, another method) replaces the unpaid order, in the same
    transaction, so one cart never has two orders going ahead.
    """
    try:
        existing = await _attempt_order(token, idempotency_key)
        return existing or await _place(
            token,
            d,
            idempotency_key,
            now=now,
            shown_total=shown_total,
            payment_timeout=payment_timeout,
            bank_transfer_wait=bank_transfer_wait,
            client_address=client_address,
            unpaid_cap=unpaid_cap,
            language=language,
        )
    except AttemptNotYours:
        raise
    except DomainError:
        existing = await _attempt_order(token, idempotency_key)
        if existing is None:
            raise
        return existing


async def _attempt_order(token: str | None, idempotency_key: str) -> Order | None:
    """The order this attempt placed, if any; an attempt belongs to the cart that made it."""
    existing = await Order.get_or_none(idempotency_key=idempotency_key)
    if existing is not None and not await cart.is_cart_of(token, existing):
        raise AttemptNotYours()
    return existing


async def _place(
    token: str | None,
    d: Details,
    idempotency_key: str,
    *,
    now: datetime | None,
    shown_total: int | None,
    payment_timeout: timedelta,
    bank_transfer_wait: timedelta,
    client_address: str,
    unpaid_cap: UnpaidCap,
    language: str,
) -> Order:
    now = now or datetime.now(UTC)
    errors = field_errors(d)
    found = await summary(token, d, now, language)
    # Nothing left to ship (every line withdrawn meanwhile) is the cart's problem, said below, not the method's.
    if found.contents.priced and (found.quote is None or found.quote.code != d.shipping_method):
        errors["shipping_method"] = "shipping_method"
    if d.payment_method not in found.payment_methods:
        errors["payment_method"] = "payment_method"
    if errors:
        raise FieldErrors(errors)
    if not found.contents.lines:
        raise EmptyCart()
    if any(line.problem for line in found.contents.lines):
        raise CartNeedsAttention()
    if shown_total is not None and shown_total != found.totals.total:
        raise TotalChanged(shown_total, found.totals)
    if over := await unpaid_over_cap(d.email, client_address, found.replaces, unpaid_cap):
        raise TooManyUnpaid(over, unpaid_cap.per_email if over == ["email"] else unpaid_cap.per_address)

    expires = {"card": now + payment_timeout, "bank_transfer": now + bank_transfer_wait}.get(d.payment_method)
    draws = NUMBER_DRAWS
    while True:
        try:
            number = lifecycle.new_number()
            return await _write(found, d, idempotency_key, number, expires, client_address, language)
        except IntegrityError:
            # The same attempt, submitted twice at once: the other request's order is the one. Otherwise
            # another order already has the random number drawn: draw again.
            existing = await _attempt_order(token, idempotency_key)
            if existing is not None:
                return existing
            draws -= 1
            if not draws:
                raise


async def _write(
    found: Summary,
    d: Details,
    idempotency_key: str,
    number: str,
    expires: datetime | None,
    client_address: str,
    language: str,
) -> Order:
    """The order, its lines, stock, promotion uses, events and email: one transaction, all or nothing."""
    totals, quote = found.totals, found.quote
    assert quote is not None  # _place refused a cart with nothing to ship
    try:
        async with in_transaction() as conn:
            # Writes first (SQLite with several processes needs that): the replaced orders' status
            # UPDATEs, then the stock's conditional UPDATEs; nothing is written if anything is short.
            for old in found.replaces:
                await lifecycle.replace(old, number, conn)
            await stock.take({line.variant_id: line.quantity for line in found.contents.lines}, number, conn)
            applied = [dsc.offer_id for dsc in [*totals.discounts, *totals.shipping_discounts]]
            await limits.reserve(applied, d.email, number, conn)
            order = await Order.create(
                number=number,
                idempotency_key=idempotency_key,
                cart_id=found.contents.cart_id,
                status=OrderStatus.PENDING_PAYMENT,
                email=d.email,
                full_name=d.full_name,
                phone=d.phone,
                address=d.address,
                postal_code=d.postal_code,
                city=d.city,
                province=d.province,
                country=d.country,
                shipping_method=quote.code,
                shipping_name=quote.name,
                carrier=quote.carrier,
                delivery_earliest=quote.window.earliest,
                delivery_latest=quote.window.latest,
                payment_method=d.payment_method,
                subtotal=totals.subtotal,
                discount_total=totals.discount_total,
                discounts=[
                    {
                        "promotion_id": x.offer_id,
                        "name": x.name,
                        "code": x.code,
                        "amount": x.amount,
                        "shipping": x in totals.shipping_discounts,
                    }  # shipping ones are already in shipping_cost
                    for x in [*totals.discounts, *totals.shipping_discounts]
                    if x.amount
                ],
                shipping_cost=totals.shipping_charged,
                surcharge=totals.surcharge,
                total=totals.total,
                vat={str(rate): amount for rate, amount in totals.vat.items()},
                vat_regime=totals.tax.regime,
                expires_at=expires,
                client_address=client_address[:64],
                language=language,
                using_db=conn,
            )
            await OrderLine.bulk_create(
                [
                    OrderLine(
                        order_id=order.id,
                        variant_id=line.variant_id,
                        sku=line.sku,
                        name=line.name,
                        options=line.options,
                        unit_price=line.unit_price,  # as charged: an export's net of VAT
                        quantity=line.quantity,
                        discount=totals.line_discounts.get(line.variant_id, 0),
                        vat_rate=totals.line_rates[line.variant_id],
                        image=line.image,
                    )
                    for line in found.contents.lines
                ],
                using_db=conn,
            )
            await lifecycle.record(order, "placed", conn, actor="customer")
            if not payments.paid_online(d.payment_method):
                await cart.spend(order.id, conn)
                await notifications.queue("order_confirmation", order.id, order.email, conn)
    except lifecycle.InvalidTransition:
        raise CartNeedsAttention() from None  # a replaced order was paid or expired meanwhile: look again
    return order
