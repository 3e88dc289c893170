"""The schema, and nothing else: rules live in the modules named after them.

Each foreign key's column is declared beside it (`product_id: int`): Tortoise sets it, type checkers need telling."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model


def max_length(model: type[Model], name: str) -> int:
    """The longest text a CharField column holds: a longer value is no row's, and the ORM refuses to look it up."""
    field = model._meta.fields_map[name]
    assert isinstance(field, fields.CharField), f"{model.__name__}.{name} is no CharField"
    return field.max_length


class TaxClass(StrEnum):
    """The shop's VAT classes, named by their Italian rates; every country's rate for each is in vat.MEMBER_RATES."""

    STANDARD = "standard"  # 22%
    REDUCED = "reduced"  # 10%
    SUPER_REDUCED = "super_reduced"  # 4%: basic foodstuffs, books


class VatRegime(StrEnum):
    """Which VAT a sale carries; vat.for_destination decides."""

    DOMESTIC = "domestic"  # Italian VAT: Italy, and EU consumers while the shop is not in the One-Stop-Shop
    OSS = "oss"  # the destination member state's VAT, declared through the One-Stop-Shop
    EXPORT = "export"  # outside the EU: not charged (non imponibile, art. 8 DPR 633/72)


class ShopSettings(Model):
    """The shop's own settings: one row, kept in the database so every app server reads the same."""

    id = fields.IntField(primary_key=True)  # always 1
    # Registered for the EU's One-Stop-Shop: EU consumers pay their own country's VAT.
    vat_oss = fields.BooleanField(default=False)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "shop_settings"


class Category(Model):
    id = fields.IntField(primary_key=True)
    parent: fields.ForeignKeyNullableRelation[Category] = fields.ForeignKeyField(
        "models.Category", related_name="children", null=True, on_delete=fields.RESTRICT
    )
    parent_id: int | None
    slug = fields.CharField(max_length=120, unique=True)
    name = fields.CharField(max_length=120)
    description = fields.TextField(default="")
    position = fields.IntField(default=0)

    translations: fields.ReverseRelation[CategoryTranslation]

    class Meta:
        table = "category"
        ordering = ["position", "id"]


class Product(Model):
    id = fields.IntField(primary_key=True)
    category: fields.ForeignKeyRelation[Category] = fields.ForeignKeyField(
        "models.Category", related_name="products", on_delete=fields.RESTRICT
    )
    category_id: int
    slug = fields.CharField(max_length=160, unique=True)
    name = fields.CharField(max_length=160)
    description = fields.TextField(default="")
    tax_class = fields.CharEnumField(TaxClass, max_length=20, default=TaxClass.STANDARD)
    active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)

    variants: fields.ReverseRelation[Variant]
    images: fields.ReverseRelation[ProductImage]
    translations: fields.ReverseRelation[ProductTranslation]

    class Meta:
        table = "product"
        indexes = (("category_id", "active"),)


class Option(Model):
    """An axis shoppers choose along, shared by the catalogue (Size, Colour) so it can be filtered on."""

    id = fields.IntField(primary_key=True)
    slug = fields.CharField(max_length=60, unique=True)
    name = fields.CharField(max_length=60)
    position = fields.IntField(default=0)

    class Meta:
        table = "option"
        ordering = ["position", "id"]


class OptionValue(Model):
    id = fields.IntField(primary_key=True)
    option: fields.ForeignKeyRelation[Option] = fields.ForeignKeyField(
        "models.Option", related_name="values", on_delete=fields.CASCADE
    )
    option_id: int
    slug = fields.CharField(max_length=60)
    name = fields.CharField(max_length=60)
    swatch = fields.CharField(max_length=7, null=True)  # "#1e3a8a" for colours
    position = fields.IntField(default=0)

    class Meta:
        table = "option_value"
        unique_together = (("option", "slug"),)
        ordering = ["position", "id"]


# --- the catalogue in other languages -------------------------------------------------------------
# A category's, product's or option's own columns are in the shop's language (settings.language); another
# language's text is a row here, and a blank field falls back to the shop's (translations.py).


class Translation(Model):
    """One row's words in one language (other than the shop's): each catalogue table's has its own."""

    id = fields.IntField(primary_key=True)
    language = fields.CharField(max_length=8)

    class Meta:
        abstract = True


class CategoryTranslation(Translation):
    category: fields.ForeignKeyRelation[Category] = fields.ForeignKeyField(
        "models.Category", related_name="translations", on_delete=fields.CASCADE
    )
    category_id: int
    name = fields.CharField(max_length=120, default="")
    slug = fields.CharField(max_length=120, null=True)  # None: the page keeps the shop's slug
    description = fields.TextField(default="")

    class Meta:
        table = "category_translation"
        unique_together = (("category", "language"), ("slug", "language"))  # a slug leads: looked up alone


class ProductTranslation(Translation):
    product: fields.ForeignKeyRelation[Product] = fields.ForeignKeyField(
        "models.Product", related_name="translations", on_delete=fields.CASCADE
    )
    product_id: int
    name = fields.CharField(max_length=160, default="")
    slug = fields.CharField(max_length=160, null=True)
    description = fields.TextField(default="")

    class Meta:
        table = "product_translation"
        unique_together = (("product", "language"), ("slug", "language"))


class OptionTranslation(Translation):
    option: fields.ForeignKeyRelation[Option] = fields.ForeignKeyField(
        "models.Option", related_name="translations", on_delete=fields.CASCADE
    )
    option_id: int
    name = fields.CharField(max_length=60, default="")

    class Meta:
        table = "option_translation"
        unique_together = (("option", "language"),)


class OptionValueTranslation(Translation):
    option_value: fields.ForeignKeyRelation[OptionValue] = fields.ForeignKeyField(
        "models.OptionValue", related_name="translations", on_delete=fields.CASCADE
    )
    option_value_id: int
    name = fields.CharField(max_length=60, default="")

    class Meta:
        table = "option_value_translation"
        unique_together = (("option_value", "language"),)


class Variant(Model):
    id = fields.IntField(primary_key=True)
    product: fields.ForeignKeyRelation[Product] = fields.ForeignKeyField(
        "models.Product", related_name="variants", on_delete=fields.RESTRICT
    )
    product_id: int
    sku = fields.CharField(max_length=64, unique=True)
    price = fields.IntField()  # cents, VAT included
    compare_at_price = fields.IntField(null=True)  # cents; the "was" price when on sale
    weight_grams = fields.IntField(default=0)
    stock = fields.IntField(default=0)  # on hand; changes only through domain/inventory/stock.py
    low_stock_threshold = fields.IntField(default=3)
    active = fields.BooleanField(default=True)
    position = fields.IntField(default=0)
    option_values: fields.ManyToManyRelation[OptionValue] = fields.ManyToManyField(
        "models.OptionValue", related_name="variants", through="variant_option_value"
    )

    class Meta:
        table = "variant"
        indexes = (("product_id", "active", "price"),)


class ProductImage(Model):
    id = fields.IntField(primary_key=True)
    product: fields.ForeignKeyRelation[Product] = fields.ForeignKeyField(
        "models.Product", related_name="images", on_delete=fields.CASCADE
    )
    product_id: int
    # Colour-specific photos: choosing that colour shows this image first.
    option_value: fields.ForeignKeyNullableRelation[OptionValue] = fields.ForeignKeyField(
        "models.OptionValue", related_name="images", null=True, on_delete=fields.SET_NULL
    )
    option_value_id: int | None
    path = fields.CharField(max_length=255)  # under /static/img or /media
    alt = fields.CharField(max_length=255, default="")
    position = fields.IntField(default=0)

    class Meta:
        table = "product_image"
        ordering = ["position", "id"]
        indexes = (("product_id", "position"),)


class StockMovement(Model):
    """Append-only ledger: for every variant, the sum of deltas equals Variant.stock."""

    id = fields.BigIntField(primary_key=True)
    variant: fields.ForeignKeyRelation[Variant] = fields.ForeignKeyField(
        "models.Variant", related_name="movements", on_delete=fields.RESTRICT
    )
    variant_id: int
    delta = fields.IntField()
    reason = fields.CharField(max_length=30)
    reference = fields.CharField(max_length=120, default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "stock_movement"
        indexes = (("variant_id", "created_at"),)


class Cart(Model):
    """A shopper's cart, found through the token in their signed session cookie."""

    id = fields.IntField(primary_key=True)
    token = fields.CharField(max_length=64, unique=True)
    # discount codes the shopper entered, normalised
    codes: fields.JSONField[list[str]] = fields.JSONField(default=list)
    checkout_started_at = fields.DatetimeField(null=True)  # first view of the checkout: the funnel's middle
    country = fields.CharField(max_length=2, null=True)  # where the shopper said it goes; None: not said yet
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True, db_index=True)

    lines: fields.ReverseRelation[CartLine]

    class Meta:
        table = "cart"


class CartLine(Model):
    id = fields.IntField(primary_key=True)
    cart: fields.ForeignKeyRelation[Cart] = fields.ForeignKeyField(
        "models.Cart", related_name="lines", on_delete=fields.CASCADE
    )
    cart_id: int
    variant: fields.ForeignKeyRelation[Variant] = fields.ForeignKeyField(
        "models.Variant", related_name="cart_lines", on_delete=fields.CASCADE
    )
    variant_id: int
    quantity = fields.IntField()
    added_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "cart_line"
        unique_together = (("cart", "variant"),)
        ordering = ["added_at", "id"]


class PromotionKind(StrEnum):
    ORDER_PERCENT = "order_percent"  # 10% off the order
    ORDER_FIXED = "order_fixed"  # €5 off the order
    ITEMS_PERCENT = "items_percent"  # 20% off chosen products or categories
    ITEMS_FIXED = "items_fixed"  # €3 off each chosen item
    BUY_X_GET_Y = "buy_x_get_y"  # "3 for 2": the cheapest qualifying items free or discounted
    FREE_SHIPPING = "free_shipping"


class Promotion(Model):
    """An automatic promotion, or one behind a code. Evaluated by domain/promotions.py."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=120)  # shown to shoppers: "Welcome 10% off"
    code = fields.CharField(max_length=40, null=True, unique=True)  # upper-case; None = automatic
    kind = fields.CharEnumField(PromotionKind, max_length=20)
    percent = fields.IntField(null=True)  # 1..100, for *_PERCENT and the "get" part of BUY_X_GET_Y
    amount = fields.IntField(null=True)  # cents, for *_FIXED
    buy_quantity = fields.IntField(null=True)  # X of BUY_X_GET_Y
    get_quantity = fields.IntField(null=True)  # Y of BUY_X_GET_Y
    free_shipping = fields.BooleanField(default=False)  # a discount that also ships free
    # Scope: empty lists mean every product.
    product_ids: fields.JSONField[list[int]] = fields.JSONField(default=list)
    category_ids: fields.JSONField[list[int]] = fields.JSONField(default=list)  # includes their subcategories
    exclude_sale_items = fields.BooleanField(default=False)
    # Where the parcel must go (ISO codes); empty: everywhere. "Free shipping over €59" is Italy's.
    countries: fields.JSONField[list[str]] = fields.JSONField(default=list)
    # Conditions
    min_subtotal = fields.IntField(null=True)  # cents
    min_quantity = fields.IntField(null=True)
    starts_at = fields.DatetimeField(null=True)
    ends_at = fields.DatetimeField(null=True)
    # Limits, counted when an order is placed
    usage_limit = fields.IntField(null=True)
    per_customer_limit = fields.IntField(null=True)
    used_count = fields.IntField(default=0)
    # Stacking: lower priority numbers apply first; an exclusive promotion stops the ones after it;
    # a promotion combines with another class (order / product / shipping) only if both allow it.
    priority = fields.IntField(default=100)
    exclusive = fields.BooleanField(default=False)
    combines_with_order = fields.BooleanField(default=True)
    combines_with_product = fields.BooleanField(default=True)
    combines_with_shipping = fields.BooleanField(default=True)
    active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    # Other languages' name: {"en": {"name": "Welcome 10% off"}} (translations.py).
    translations: dict | None = fields.JSONField(null=True)

    class Meta:
        table = "promotion"
        ordering = ["priority", "id"]


class PromotionUse(Model):
    """One use of a promotion by an order. (promotion, customer, n) is unique, so two concurrent
    orders cannot both take a customer's last allowed use."""

    id = fields.IntField(primary_key=True)
    promotion: fields.ForeignKeyRelation[Promotion] = fields.ForeignKeyField(
        "models.Promotion", related_name="uses", on_delete=fields.RESTRICT
    )
    promotion_id: int
    customer = fields.CharField(max_length=254)  # normalised email
    n = fields.IntField()  # this customer's 1st, 2nd... use
    reference = fields.CharField(max_length=64)  # the order
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "promotion_use"
        unique_together = (("promotion", "customer", "n"),)


# --- shipping -----------------------------------------------------------------------------------


class ShippingZone(Model):
    """Countries served alike. A zone whose countries include "*" serves every other country."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=60)
    countries: fields.JSONField[list[str]] = fields.JSONField(default=list)  # ISO 3166 alpha-2 codes, or ["*"]
    position = fields.IntField(default=0)

    class Meta:
        table = "shipping_zone"
        ordering = ["position", "id"]


class ShippingMethod(Model):
    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=30, unique=True)  # "standard", "express", "pickup"
    name = fields.CharField(max_length=80)
    description = fields.CharField(max_length=200, default="")
    carrier = fields.CharField(max_length=60, default="")
    tracking_url = fields.CharField(max_length=255, default="")  # "https://carrier.example/track?n={number}"
    min_days = fields.IntField(default=2)  # business days after dispatch, where a rate has none of its own
    max_days = fields.IntField(default=4)
    cutoff_hour = fields.IntField(default=13)  # orders before this hour (shop time) leave the same day
    pickup = fields.BooleanField(default=False)  # collected in store: no delivery address needed
    active = fields.BooleanField(default=True)
    position = fields.IntField(default=0)

    rates: fields.ReverseRelation[ShippingRate]

    # Other languages' words: {"en": {"name": "Standard delivery", "description": "..."}} (translations.py).
    translations: dict | None = fields.JSONField(null=True)

    class Meta:
        table = "shipping_method"
        ordering = ["position", "id"]


class ShippingRate(Model):
    """What a method costs and takes in a zone, up to a parcel weight (weight bands); free above a subtotal."""

    id = fields.IntField(primary_key=True)
    method: fields.ForeignKeyRelation[ShippingMethod] = fields.ForeignKeyField(
        "models.ShippingMethod", related_name="rates", on_delete=fields.CASCADE
    )
    method_id: int
    zone: fields.ForeignKeyRelation[ShippingZone] = fields.ForeignKeyField(
        "models.ShippingZone", related_name="rates", on_delete=fields.CASCADE
    )
    zone_id: int
    max_weight_grams = fields.IntField(null=True)  # None: any weight
    price = fields.IntField()  # cents, charged as set (an export's VAT-free price is the same)
    free_above = fields.IntField(null=True)  # cents of goods; None: never free by itself
    # Business days in transit to this zone; None: the method's (min_days, max_days).
    min_days = fields.IntField(null=True)
    max_days = fields.IntField(null=True)

    class Meta:
        table = "shipping_rate"


# --- orders -------------------------------------------------------------------------------------


class OrderStatus(StrEnum):
    PENDING_PAYMENT = "pending_payment"  # card on its way, bank transfer awaited, or cash on delivery
    PAID = "paid"
    PACKED = "packed"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"
    PARTIALLY_REFUNDED = "partially_refunded"


class Order(Model):
    id = fields.IntField(primary_key=True)
    number = fields.CharField(max_length=16, unique=True)  # short and readable: "BT-7K3Q9M"
    idempotency_key = fields.CharField(max_length=64, unique=True)  # one checkout attempt = one order
    # The cart it was placed from. An order paid online leaves its lines in that cart until the money is
    # in (a declined card must not empty it); placing again from the cart replaces such an unpaid order.
    cart: fields.ForeignKeyNullableRelation[Cart] = fields.ForeignKeyField(
        "models.Cart", related_name="orders", null=True, on_delete=fields.SET_NULL, db_index=True
    )
    cart_id: int | None
    status = fields.CharEnumField(OrderStatus, max_length=20, default=OrderStatus.PENDING_PAYMENT, db_index=True)
    # The language it was placed in ("it", "en"): its emails and its page are in it. Orders from before the
    # shop spoke Italian were placed in English.
    language = fields.CharField(max_length=8, default="en", db_default="en")
    email = fields.CharField(max_length=254, db_index=True)
    full_name = fields.CharField(max_length=120)
    phone = fields.CharField(max_length=40, default="")
    address = fields.CharField(max_length=200, default="")
    postal_code = fields.CharField(max_length=20, default="")
    city = fields.CharField(max_length=80, default="")
    province = fields.CharField(max_length=80, default="")
    country = fields.CharField(max_length=2)
    shipping_method = fields.CharField(max_length=30)  # code, and what the shopper was shown:
    shipping_name = fields.CharField(max_length=80)
    carrier = fields.CharField(max_length=60, default="")
    tracking_number = fields.CharField(max_length=80, default="")
    tracking_url = fields.CharField(max_length=255, default="")
    delivery_earliest = fields.DateField(null=True)
    delivery_latest = fields.DateField(null=True)
    payment_method = fields.CharField(max_length=30)  # "card" | "cod" | "bank_transfer"
    subtotal = fields.IntField()
    discount_total = fields.IntField(default=0)
    # [{"name", "code", "amount", "promotion_id"}]
    discounts: fields.JSONField[list[dict[str, Any]]] = fields.JSONField(default=list)
    shipping_cost = fields.IntField(default=0)  # charged, after shipping discounts
    surcharge = fields.IntField(default=0)  # e.g. cash on delivery
    total = fields.IntField()
    vat: fields.JSONField[dict[str, int]] = fields.JSONField(default=dict)  # {"2200": cents, ...}; {} if export
    vat_regime = fields.CharEnumField(VatRegime, max_length=10, default=VatRegime.DOMESTIC)  # whose VAT, if any
    refunded_total = fields.IntField(default=0)
    currency = fields.CharField(max_length=3, default="EUR")
    expires_at = fields.DatetimeField(null=True)  # unpaid orders release their stock after this
    # The client address it was placed from: open unpaid orders are capped per address (checkout.py).
    client_address = fields.CharField(max_length=64, default="", db_default="", db_index=True)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)
    updated_at = fields.DatetimeField(auto_now=True)

    lines: fields.ReverseRelation[OrderLine]
    events: fields.ReverseRelation[OrderEvent]
    payments: fields.ReverseRelation[Payment]

    class Meta:
        table = "order"
        indexes = (("status", "expires_at"),)

    @property
    def shipping_before_discounts(self) -> int:
        """`discounts` lists goods and shipping discounts while shipping_cost is what was charged after the
        shipping ones: shown before them, with every discount listed, the lines add up to the total."""
        return self.shipping_cost + sum(d["amount"] for d in self.discounts) - self.discount_total


class OrderLine(Model):
    """What was bought, copied from the catalogue at the time: later edits never change an order."""

    id = fields.IntField(primary_key=True)
    order: fields.ForeignKeyRelation[Order] = fields.ForeignKeyField(
        "models.Order", related_name="lines", on_delete=fields.CASCADE
    )
    order_id: int
    variant: fields.ForeignKeyRelation[Variant] = fields.ForeignKeyField(
        "models.Variant", related_name="order_lines", on_delete=fields.RESTRICT
    )
    variant_id: int
    sku = fields.CharField(max_length=64)
    name = fields.CharField(max_length=160)
    options = fields.CharField(max_length=160, default="")
    unit_price = fields.IntField()
    quantity = fields.IntField()
    discount = fields.IntField(default=0)  # this line's share of the discounts
    vat_rate = fields.IntField()  # basis points, as charged: the destination's under the OSS, 0 on an export
    image = fields.CharField(max_length=255, null=True)

    class Meta:
        table = "order_line"
        ordering = ["id"]

    @property
    def total(self) -> int:
        """The line at its unit price, before discounts (as pricing.Line.total)."""
        return self.unit_price * self.quantity

    @property
    def discounted_total(self) -> int:
        """What the line cost after its share of the discounts."""
        return self.total - self.discount


class OrderEvent(Model):
    """The order's timeline: every status change and notable event, never edited."""

    id = fields.IntField(primary_key=True)
    order: fields.ForeignKeyRelation[Order] = fields.ForeignKeyField(
        "models.Order", related_name="events", on_delete=fields.CASCADE
    )
    order_id: int
    kind = fields.CharField(max_length=30)  # a status, or "payment_failed", "stock_released", ...
    note = fields.CharField(max_length=255, default="")
    actor = fields.CharField(max_length=120, default="system")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "order_event"
        ordering = ["created_at", "id"]


class PaymentStatus(StrEnum):
    PENDING = "pending"  # started, waiting for the shopper or the provider
    CAPTURED = "captured"
    FAILED = "failed"
    REFUNDED = "refunded"
    PARTIALLY_REFUNDED = "partially_refunded"


class Payment(Model):
    """One attempt to collect an order's money through a provider. Card data never reaches us:
    only the brand and last four digits the provider reports."""

    id = fields.IntField(primary_key=True)
    order: fields.ForeignKeyRelation[Order] = fields.ForeignKeyField(
        "models.Order", related_name="payments", on_delete=fields.RESTRICT
    )
    order_id: int
    provider = fields.CharField(max_length=30)
    idempotency_key = fields.CharField(max_length=64, unique=True)
    reference = fields.CharField(max_length=80, null=True, unique=True)  # the provider's id for it
    status = fields.CharEnumField(PaymentStatus, max_length=20, default=PaymentStatus.PENDING)
    amount = fields.IntField()
    refunded_amount = fields.IntField(default=0)
    card_brand = fields.CharField(max_length=20, default="")
    card_last4 = fields.CharField(max_length=4, default="")
    failure = fields.CharField(max_length=60, default="")  # "declined", "insufficient_funds", ...
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "payment"


class OutboxEmail(Model):
    """An email to send, written in the same transaction as the change that causes it: nothing is lost
    if the mail server is down. The sender fills in subject and bodies, then delivers."""

    id = fields.IntField(primary_key=True)
    kind = fields.CharField(max_length=30)  # "order_confirmation", "payment_received", "shipped", ...
    order: fields.ForeignKeyNullableRelation[Order] = fields.ForeignKeyField(
        "models.Order", related_name="emails", null=True, on_delete=fields.CASCADE
    )
    order_id: int | None
    to = fields.CharField(max_length=254)
    subject = fields.CharField(max_length=200, default="")
    text = fields.TextField(default="")
    html = fields.TextField(default="")
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField(null=True, db_index=True)
    last_error = fields.CharField(max_length=255, default="")
    sent_at = fields.DatetimeField(null=True, db_index=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "outbox_email"


# --- staff --------------------------------------------------------------------------------------


class StaffRole(StrEnum):
    OWNER = "owner"  # everything
    STAFF = "staff"  # everything but staff accounts and shop settings


class Staff(Model):
    id = fields.IntField(primary_key=True)
    email = fields.CharField(max_length=254, unique=True)  # stored case-folded
    name = fields.CharField(max_length=120, default="")
    role = fields.CharEnumField(StaffRole, max_length=10, default=StaffRole.STAFF)
    password_hash = fields.CharField(max_length=255)
    active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    last_login_at = fields.DatetimeField(null=True)
    language = fields.CharField(max_length=8, null=True)  # the back office's language they picked; None: the shop's

    class Meta:
        table = "staff"


class StaffSession(Model):
    """A staff login, revocable from the server: the cookie holds a random token, this row its hash (a copy
    of the table opens nothing). Ended by logging out, by a password change, by switching the account off,
    by "log out everywhere", and after a working day without use."""

    id = fields.IntField(primary_key=True)
    staff: fields.ForeignKeyRelation[Staff] = fields.ForeignKeyField(
        "models.Staff", related_name="sessions", on_delete=fields.CASCADE
    )
    staff_id: int
    token_hash = fields.CharField(max_length=64, unique=True)  # sha256 hex of the cookie's token
    created_at = fields.DatetimeField(auto_now_add=True)
    last_seen_at = fields.DatetimeField()
    ended_at = fields.DatetimeField(null=True)

    class Meta:
        table = "staff_session"
        indexes = (("staff_id", "ended_at"),)


class AuditEntry(Model):
    """Every staff change: who, what, when, before -> after. Written, never edited."""

    id = fields.BigIntField(primary_key=True)
    staff: fields.ForeignKeyNullableRelation[Staff] = fields.ForeignKeyField(
        "models.Staff", related_name="audit_entries", null=True, on_delete=fields.SET_NULL
    )
    staff_id: int | None
    actor = fields.CharField(max_length=254)  # the staff email at the time, kept if the account goes
    action = fields.CharField(max_length=60, db_index=True)  # "stock.adjust", "order.ship", ...
    subject = fields.CharField(max_length=120, default="")  # "variant:12", "order:BT-7K3Q9M"
    before: fields.JSONField[object] = fields.JSONField(null=True)
    after: fields.JSONField[object] = fields.JSONField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)

    class Meta:
        table = "audit_entry"
        ordering = ["-created_at", "-id"]


# --- rate limits --------------------------------------------------------------------------------


class RateLimitCount(Model):
    """Attempts (failed logins, unknown codes, ...) counted under a rate limit's key in one fixed window.

    rate_limits.py counts up with one atomic UPSERT, so the limits hold across processes and machines."""

    id = fields.BigIntField(primary_key=True)
    key = fields.CharField(max_length=80)  # "<limit name>:<sha256 of the value>"
    started = fields.BigIntField()  # the window's start, in seconds since the epoch
    n = fields.IntField(default=0)

    class Meta:
        table = "rate_limit_count"
        unique_together = (("key", "started"),)
