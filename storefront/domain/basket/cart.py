"""The cart: lines per variant, quantities checked against stock, priced by pricing.price.

A cart is found by the random token kept in the shopper's signed session; it lives in the
database, so it survives restarts and comes back when the shopper does.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Literal, overload

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F, Subquery
from tortoise.queryset import QuerySet

from storefront.domain import addresses, as_typed, money, shop, translations, vat
from storefront.domain.basket import pricing
from storefront.domain.catalogue import browse
from storefront.domain.db import Sql
from storefront.domain.errors import DomainError
from storefront.domain.inventory.stock import Availability, availability, sellable, sellable_sql
from storefront.domain.models import Cart, CartLine, Order, OrderLine, OrderStatus, ProductImage
from storefront.domain.offers import promotions
from storefront.domain.payments.providers import PROVIDERS
from storefront.domain.shipping import rates

MAX_QUANTITY = 99


class InvalidQuantity(DomainError):
    def __init__(self, quantity: object):
        super().__init__(f"invalid quantity {quantity!r}")
        self.quantity = quantity


class Unavailable(DomainError):
    """The variant does not exist, is no longer sold, or is sold out."""

    def __init__(self, variant_id: int, sold_out: bool):
        super().__init__(f"variant {variant_id} unavailable")
        self.variant_id = variant_id
        self.sold_out = sold_out


class UnknownCode(DomainError):
    def __init__(self, code: str):
        super().__init__(f"unknown code {code}")
        self.code = code


class CodeNotUsable(DomainError):
    """A real code that no cart can use now (ended, not started, used up): `why` says which."""

    def __init__(self, code: str, why: promotions.Explanation):
        super().__init__(f"code {code}: {why.reason}")
        self.code, self.why = code, why


@dataclass(frozen=True)
class Change:
    """What an action did to one line, for the confirmation and the live region."""

    action: str  # "added" | "updated" | "removed"
    name: str
    options: str
    quantity: int  # the line's quantity now
    added: int = 0  # units added by this action
    limited_to: int | None = None  # set when stock cut the quantity asked for


@dataclass(frozen=True)
class CartLineView:
    variant_id: int
    product_slug: str
    name: str
    options: str  # "M, Blu"
    sku: str
    image: str | None
    unit_price: int
    compare_at_price: int | None
    quantity: int
    availability: Availability
    problem: str | None  # None | "sold_out" | "unavailable" | "short" (fewer left than in the cart)

    @property
    def total(self) -> int:
        return self.unit_price * self.quantity

    @property
    def on_sale(self) -> bool:
        return money.on_sale(self.unit_price, self.compare_at_price)


@dataclass(frozen=True)
class CartView:
    lines: list[CartLineView]
    totals: pricing.Totals
    codes: list[str]
    shipping: rates.Quote | None = None  # the cheapest delivery to `country`
    tree: browse.CategoryTree | None = field(default=None, repr=False)
    country: str = vat.SHOP_COUNTRY  # where the shopper said it goes (the shop's own until they say)

    @property
    def count(self) -> int:
        return sum(line.quantity for line in self.lines)

    @property
    def can_check_out(self) -> bool:
        return bool(self.lines) and not any(line.problem for line in self.lines)


def parse_quantity(raw: object) -> int:
    """Whole numbers from 1 to MAX_QUANTITY; anything else is refused, never guessed."""
    quantity = as_typed.whole(raw)
    if quantity is None or not 1 <= quantity <= MAX_QUANTITY:
        raise InvalidQuantity(raw)
    return quantity


def new_token() -> str:
    return secrets.token_urlsafe(24)


@overload
async def _cart(token: str | None, create: Literal[True]) -> Cart: ...
@overload
async def _cart(token: str | None, create: bool) -> Cart | None: ...
async def _cart(token: str | None, create: bool) -> Cart | None:
    cart = await Cart.get_or_none(token=token) if token else None
    if cart is None and create:
        cart = await Cart.create(token=new_token())
    return cart


async def _describe(variant_id: int, language: str | None) -> str:
    return ", ".join(row["name"] for row in await browse.variant_options([variant_id], language))


async def _name(product_id: int, language: str | None) -> str:
    return (await browse.product_names([product_id], language))[product_id][0]


async def add(token: str | None, variant_id: int, quantity: int, language: str | None = None) -> tuple[str, Change]:
    """Add units of a variant; returns the cart's token (new carts get one) and what changed, named in
    `language` (None: the shop's).

    Asking for more than is left puts what is left in the cart and says so.
    """
    # Reads as plain rows: the ORM's query building cost as much as the rest of an add.
    sql = Sql()
    found = await sql.rows(
        f"SELECT v.stock, v.low_stock_threshold, {translations.text('p', 'name')} AS name"
        " FROM variant v JOIN product p ON p.id = v.product_id"
        + translations.join(sql, "product", "p", language)
        + f" WHERE v.id = {sql.param(variant_id)} AND {sellable_sql('v', 'p')}"
    )
    left = availability(found[0]["stock"], found[0]["low_stock_threshold"]) if found else None
    if left is None or not left.can_buy:
        raise Unavailable(variant_id, sold_out=bool(found))
    name = found[0]["name"]
    cart = await _cart(token, create=True)
    cap = min(MAX_QUANTITY, left.quantity)
    # No read-then-write transaction (SQLite with several processes refuses to upgrade one): the line is
    # changed by one UPDATE, or created by one INSERT that a concurrent add may win (then we UPDATE).
    sql = Sql()
    line = await sql.rows(
        f"SELECT quantity FROM cart_line WHERE cart_id = {sql.param(cart.id)} AND variant_id = {sql.param(variant_id)}"
    )
    current = line[0]["quantity"] if line else 0
    new = min(current + quantity, cap)
    if current:
        await CartLine.filter(cart_id=cart.id, variant_id=variant_id).update(quantity=new)
    else:
        try:
            await CartLine.create(cart_id=cart.id, variant_id=variant_id, quantity=new)
        except IntegrityError:
            await CartLine.filter(cart_id=cart.id, variant_id=variant_id).update(quantity=new)
    await Cart.filter(id=cart.id).update(updated_at=datetime.now(UTC))
    wanted = min(current + quantity, MAX_QUANTITY)
    change = Change(
        "added",
        name,
        await _describe(variant_id, language),
        new,
        added=new - current,
        limited_to=new if new < wanted else None,
    )
    return cart.token, change


async def count(token: str | None) -> int:
    """Units in the cart (what the header badge shows), in one query."""
    if not token:
        return 0
    sql = Sql()
    rows = await sql.rows(
        "SELECT COALESCE(SUM(l.quantity), 0) AS n FROM cart_line l"
        f" JOIN cart c ON c.id = l.cart_id WHERE c.token = {sql.param(token)}"
    )
    return int(rows[0]["n"])


async def set_quantity(token: str | None, variant_id: int, quantity: int, language: str | None = None) -> Change:
    cart = await _cart(token, create=False)
    line = (
        await CartLine.get_or_none(cart_id=cart.id, variant_id=variant_id).select_related("variant__product")
        if cart
        else None
    )
    if line is None:
        raise Unavailable(variant_id, sold_out=False)
    variant = line.variant
    # A line that can no longer be sold keeps what was asked: the cart says it is unavailable.
    left = availability(variant.stock, variant.low_stock_threshold)
    new = min(quantity, left.quantity) if sellable(variant) else quantity
    if new <= 0:
        await line.delete()
        name = await _name(variant.product_id, language)
        return Change("removed", name, await _describe(variant.id, language), 0, limited_to=0)
    line.quantity = new
    await line.save(update_fields=["quantity"])
    name = await _name(variant.product_id, language)
    limited_to = new if new < quantity else None
    return Change("updated", name, await _describe(variant.id, language), new, limited_to=limited_to)


async def remove(token: str | None, variant_id: int, language: str | None = None) -> Change | None:
    cart = await _cart(token, create=False)
    line = (
        await CartLine.get_or_none(cart_id=cart.id, variant_id=variant_id).select_related("variant__product")
        if cart
        else None
    )
    if line is None:
        return None
    await line.delete()
    name = await _name(line.variant.product_id, language)
    return Change("removed", name, await _describe(line.variant_id, language), 0)


async def checkout_started(token: str | None) -> None:
    """Remember the first time this cart reached the checkout (the middle of the shop's funnel)."""
    if token:
        await Cart.filter(token=token, checkout_started_at__isnull=True).update(checkout_started_at=datetime.now(UTC))


async def empty(token: str | None) -> None:
    cart = await _cart(token, create=False)
    if cart:
        await CartLine.filter(cart_id=cart.id).delete()
        cart.codes = []
        await cart.save(update_fields=["codes", "updated_at"])


async def spend(order_id: int, conn) -> None:
    """The cart an order was placed from gives up what became the order: its lines lose the quantities
    ordered and it forgets the codes the order used. Anything added since stays. Called once per order,
    in the transaction where the order goes ahead (placed, or paid when paid online)."""
    order = await Order.get(id=order_id, using_db=conn)
    if order.cart_id is None:
        return
    cart_id = order.cart_id
    for line in await OrderLine.filter(order_id=order_id).using_db(conn).order_by("variant_id"):
        await (
            CartLine.filter(cart_id=cart_id, variant_id=line.variant_id)
            .using_db(conn)
            .update(quantity=F("quantity") - line.quantity)
        )
    await CartLine.filter(cart_id=cart_id, quantity__lte=0).using_db(conn).delete()
    used = {d["code"] for d in order.discounts if d.get("code")}
    cart = await Cart.get_or_none(id=cart_id, using_db=conn)
    if cart and used & set(cart.codes):
        cart.codes = [code for code in cart.codes if code not in used]
        await cart.save(update_fields=["codes", "updated_at"], using_db=conn)


def _awaiting_payment(**where: Any) -> QuerySet[Order]:
    """Orders that keep their items in the cart they came from: placed online, not paid yet."""
    online = [code for code, provider in PROVIDERS.items() if provider.online]
    return Order.filter(status=OrderStatus.PENDING_PAYMENT, payment_method__in=online, **where)


async def is_cart_of(token: str | None, order: Order) -> bool:
    """Whether the shopper holding `token` placed `order` from this cart (and may place it again)."""
    return bool(token) and order.cart_id is not None and await Cart.exists(id=order.cart_id, token=token)


async def awaiting_payment(token: str | None) -> list[Order]:
    """This cart's orders waiting for an online payment (a declined or abandoned card): placing again
    from the cart replaces them, and until then their stock counts as the cart's own."""
    if not token:
        return []
    return await _awaiting_payment(cart__token=token).order_by("id")


async def apply_code(token: str | None, text: str, now: datetime | None = None) -> tuple[str, str]:
    """Remember a discount code on the cart if a promotion has it and could apply now; returns (token,
    normalised code). Whether this cart qualifies (spend more, eligible items) is the cart's to say."""
    code = promotions.normalise_code(text)
    offer = next((o for o in await promotions.offers_for([code]) if o.code == code), None) if code else None
    if offer is None:
        raise UnknownCode(code)
    why = promotions.why_unavailable(offer, now or datetime.now(UTC), {})
    if why is not None:
        raise CodeNotUsable(code, why)
    cart = await _cart(token, create=True)
    if code not in cart.codes:
        cart.codes = [*cart.codes, code]
        await cart.save(update_fields=["codes", "updated_at"])
    return cart.token, code


async def remove_code(token: str | None, text: str) -> None:
    cart = await _cart(token, create=False)
    code = promotions.normalise_code(text)
    if cart and code in cart.codes:
        cart.codes = [c for c in cart.codes if c != code]
        await cart.save(update_fields=["codes", "updated_at"])


@dataclass(frozen=True)
class Contents:
    """What is in a cart, loaded once, for the cart page and for checkout to price in their own ways."""

    lines: list[CartLineView]
    priced: list[money.Line]  # the lines that can be sold, as pricing sees them
    weight_grams: int
    codes: list[str]
    tree: browse.CategoryTree
    cart_id: int | None = None
    country: str | None = None  # where the shopper said it goes, on the cart page or at checkout


async def contents(token: str | None, language: str | None = None) -> Contents:
    """The cart's lines, named in `language` (None: the shop's), with what pricing needs of them."""
    tree = await browse.category_tree(language)
    cart = await _cart(token, create=False)
    if cart is None:
        return Contents([], [], 0, [], tree)
    lines = await CartLine.filter(cart_id=cart.id).select_related("variant__product")
    # Units an unpaid order of this very cart holds are the shopper's own: not "sold out" to them.
    held: dict[int, int] = defaultdict(int)
    for ordered in await OrderLine.filter(order_id__in=Subquery(_awaiting_payment(cart_id=cart.id).values("id"))):
        held[ordered.variant_id] += ordered.quantity
    variant_ids = [line.variant_id for line in lines]
    options: dict[int, list[str]] = defaultdict(list)
    for row in await browse.variant_options(variant_ids, language):
        options[row["variant_id"]].append(row["name"])
    names = await browse.product_names([line.variant.product_id for line in lines], language)
    images: dict[int, str] = {}
    product_ids = {line.variant.product_id for line in lines}
    for img in await ProductImage.filter(product_id__in=product_ids).order_by("-position", "-id"):
        images[img.product_id] = img.path

    views, priced, weight = [], [], 0
    for line in lines:
        v, p = line.variant, line.variant.product
        for_sale = sellable(v)
        left = availability(v.stock + held[v.id], v.low_stock_threshold)
        problem = None
        if not for_sale:
            problem = "unavailable"
        elif not left.can_buy:
            problem = "sold_out"
        elif left.quantity < line.quantity:
            problem = "short"
        views.append(
            CartLineView(
                variant_id=v.id,
                product_slug=names[p.id][1],
                name=names[p.id][0],
                options=", ".join(options[v.id]),
                sku=v.sku,
                image=images.get(p.id),
                unit_price=v.price,
                compare_at_price=v.compare_at_price,
                quantity=line.quantity,
                availability=left,
                problem=problem,
            )
        )
        if for_sale:
            weight += v.weight_grams * line.quantity
            priced.append(
                money.Line(
                    variant_id=v.id,
                    product_id=p.id,
                    category_ids=tree.ancestor_ids(p.category_id),
                    name=names[p.id][0],
                    unit_price=v.price,
                    compare_at_price=v.compare_at_price,
                    quantity=line.quantity,
                    tax_class=p.tax_class,
                )
            )
    return Contents(views, priced, weight, list(cart.codes), tree, cart.id, cart.country)


def as_charged(lines: list[CartLineView], totals: pricing.Totals) -> list[CartLineView]:
    """The lines shown at the prices the totals charge (an export's are net of VAT)."""
    return [
        replace(view, unit_price=c.unit_price, compare_at_price=c.compare_at_price)
        if (c := totals.charged.get(view.variant_id))
        else view
        for view in lines
    ]


async def view(token: str | None, now: datetime | None = None, language: str | None = None) -> CartView:
    """The cart as the shopper sees it, in `language`, priced by the one pricing function with a shipping
    estimate to the country the shopper chose (the shop's own until they do)."""
    now = now or datetime.now(UTC)
    found = await contents(token, language)
    country = found.country or vat.SHOP_COUNTRY
    oss = (await shop.current()).vat_oss
    goods = pricing.goods_value(found.priced, country=country, oss=oss, now=now)
    estimate = (
        await rates.estimate(found.weight_grams, goods, now, country, language=language) if found.priced else None
    )
    offers = await promotions.offers_for(found.codes, language)
    totals = pricing.price(
        found.priced,
        offers,
        shipping=estimate.price if estimate else 0,
        now=now,
        codes=found.codes,
        country=country,
        oss=oss,
    )
    return CartView(as_charged(found.lines, totals), totals, found.codes, estimate, found.tree, country)


async def ship_country(token: str | None) -> str:
    """Where the shopper said the cart goes; the shop's own country until they say."""
    said = await Cart.filter(token=token).first().values_list("country", flat=True) if token else None
    return str(said or vat.SHOP_COUNTRY)


async def ship_to(token: str | None, country: str) -> None:
    """Remember where the shopper said the cart goes: the cart's estimate, VAT and the checkout's first
    guess follow it. A country not on offer (only a hand-made form sends one) changes nothing."""
    country = country.strip().upper()
    if token and country in addresses.COUNTRIES:
        await Cart.filter(token=token).update(country=country)
