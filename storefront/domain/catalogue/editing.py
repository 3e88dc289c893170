"""Staff keep the catalogue: products, their variants and images, listed in the shop or not (CSV: spreadsheet.py).

Every change is one transaction with its audit entry (before -> after), and the search index is refreshed
after it, so the shop shows the change to the next shopper. A new variant's opening stock is a ledger
movement ("received"), never a bare number.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from storefront.domain import as_typed, money
from storefront.domain.as_typed import SKU_PATTERN
from storefront.domain.catalogue import search
from storefront.domain.errors import NotFound
from storefront.domain.forms import FieldErrors, Reader
from storefront.domain.inventory import stock
from storefront.domain.models import (
    Category,
    CategoryTranslation,
    Option,
    OptionValue,
    Product,
    ProductImage,
    ProductTranslation,
    Staff,
    TaxClass,
    Variant,
)
from storefront.domain.staff import accounts

PER_PAGE = 25
MAX_PRICE = 10_000_000  # cents: €100,000 is a typo, not a price
MAX_GRAMS = 1_000_000
MAX_IMAGE_BYTES = 2 * 1024 * 1024
SLUG_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


# --- plain rules ------------------------------------------------------------------------------


def typed_price(text: str) -> int | None:
    """A price typed in the variant form or a CSV cell, in cents; None when it is blank or not an amount,
    which both forms phrase the same way."""
    try:
        return money.parse_money(text)
    except money.InvalidMoney:
        return None


def slugify(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.casefold())
    ascii_text = "".join(c for c in folded if not unicodedata.combining(c)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")[:160]


def _whole(text: str, field: str, errors: dict, default: int, top: int) -> int:
    if not text.strip():
        return default
    n = as_typed.whole(text)
    if n is None or n > top:
        errors[field] = "whole_number"
        return default
    return n


# --- products list ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ProductRow:
    id: int
    name: str
    slug: str
    category: str
    active: bool
    variants: int
    price_min: int | None
    price_max: int | None
    stock: int


@dataclass(frozen=True)
class ProductList:
    rows: list[ProductRow]
    total: int
    page: int
    has_more: bool


async def product_list(
    text: str = "", category_id: int | None = None, state: str = "all", page: int = 1
) -> ProductList:
    """Products by name or SKU, newest first, with their variants summed up (two queries a page)."""
    query = Product.all()
    if text.strip():
        skus = Variant.filter(sku__icontains=text.strip()).values_list("product_id", flat=True)
        query = query.filter(Q(name__icontains=text.strip()) | Q(id__in=await skus))
    if category_id:
        query = query.filter(category_id=category_id)
    if state in ("active", "inactive"):
        query = query.filter(active=state == "active")
    total = await query.count()
    products = (
        await query.order_by("-created_at", "-id")
        .offset((page - 1) * PER_PAGE)
        .limit(PER_PAGE)
        .select_related("category")
    )
    return ProductList(await _rows(products), total, page, page * PER_PAGE < total)


async def product_row(product_id: int) -> ProductRow:
    return (await _rows(await Product.filter(id=product_id).select_related("category")))[0]


async def _rows(products: list[Product]) -> list[ProductRow]:
    variants = await Variant.filter(product_id__in=[p.id for p in products]).values("product_id", "price", "stock")
    rows = []
    for p in products:
        own = [v for v in variants if v["product_id"] == p.id]
        prices = [v["price"] for v in own]
        rows.append(
            ProductRow(
                p.id,
                p.name,
                p.slug,
                p.category.name,
                p.active,
                len(own),
                min(prices, default=None),
                max(prices, default=None),
                sum(v["stock"] for v in own),
            )
        )
    return rows


async def set_active(staff: Staff, product_id: int, active: bool) -> Product:
    """List a product in the shop or take it off; the shop's listings and search only show active products."""
    async with in_transaction() as conn:
        product = await Product.get_or_none(id=product_id, using_db=conn)
        if product is None:
            raise NotFound(product_id)
        if product.active != active:
            await Product.filter(id=product_id).using_db(conn).update(active=active)
            await accounts.audit(
                staff,
                "product.activate" if active else "product.deactivate",
                f"product:{product_id}",
                {"active": product.active},
                {"active": active},
                conn,
            )
            product.active = active
    await search.index([product_id])
    return product


# --- words in each language: products and categories ---------------------------------------------


@dataclass(frozen=True)
class Words:
    """A product's or category's name, slug and description in another language than the shop's; blank
    ones show the shop's (translations.py), a blank slug keeps the shop's address."""

    language: str
    name: str = ""
    slug: str | None = None
    description: str = ""

    @property
    def blank(self) -> bool:
        return not (self.name or self.slug or self.description)

    def facts(self) -> dict:
        return {
            f"{k}_{self.language}": v
            for k, v in (("name", self.name), ("slug", self.slug), ("description", self.description))
        }


@dataclass(frozen=True)
class Worded:
    """What has words per language: its table, its translations' table and their reference to it, and
    how long a name or slug may be."""

    kind: str  # as the audit log names it
    model: type[Product] | type[Category]
    translation: type[ProductTranslation] | type[CategoryTranslation]
    key: str
    longest: int


PRODUCTS = Worded("product", Product, ProductTranslation, "product_id", 160)
CATEGORIES = Worded("category", Category, CategoryTranslation, "category_id", 120)


def translated_fields(languages: tuple[str, ...]) -> tuple[str, ...]:
    """The form's fields for the words in the other languages: name_en, slug_en, description_en."""
    return tuple(f"{field}_{language}" for language in languages for field in ("name", "slug", "description"))


def _slug(r: Reader, field: str, name: str, longest: int = 160) -> str:
    """The slug typed in `field`, or one made from the name; refused unless it is lowercase-with-dashes."""
    slug = r.raw(field).strip().lower() or slugify(name)[:longest]
    if name and not SLUG_PATTERN.fullmatch(slug) or len(slug) > longest:
        r.refuse(field, "format")
    return slug


def _description(r: Reader, field: str) -> str:
    description = r.raw(field).strip()  # its line breaks are kept
    if len(description) > 10_000:
        r.refuse(field, "too_long", 10_000)
    return description


def _read_words(r: Reader, languages: tuple[str, ...], own_slug: str, longest: int) -> tuple[Words, ...]:
    words = []
    for language in languages:
        name = r.text(f"name_{language}", longest)
        typed_slug = r.raw(f"slug_{language}").strip()
        # No name and no slug typed: the page in that language keeps the shop's address.
        slug = _slug(r, f"slug_{language}", name, longest) if name or typed_slug else None
        words.append(
            Words(language, name, None if slug == own_slug else slug, _description(r, f"description_{language}"))
        )
    return tuple(words)


async def write_words(of: Worded, row_id: int, translations: tuple[Words, ...], conn) -> None:
    """Replace a row's words in these languages (a form's, a CSV row's); blank ones are none."""
    for words in translations:
        await of.translation.filter(**{of.key: row_id, "language": words.language}).using_db(conn).delete()
        if not words.blank:
            await of.translation.create(
                **{of.key: row_id},
                language=words.language,
                name=words.name,
                slug=words.slug,
                description=words.description,
                using_db=conn,
            )


async def _slug_taken(of: Worded, slug: str, row_id: int | None) -> bool:
    """Whether another row has this slug, in any language: an old link must find one page."""
    return (
        await of.model.exclude(id=row_id or 0).filter(slug=slug).exists()
        or await of.translation.filter(**{"slug": slug, f"{of.key}__not": row_id or 0}).exists()
    )


async def translations_of(of: Worded, row_id: int, languages: tuple[str, ...], conn=None) -> list[Words]:
    """A row's words in each of `languages`, blank where it has none."""
    rows = await of.translation.filter(**{of.key: row_id, "language__in": languages}).using_db(conn)
    found = {t.language: t for t in rows}
    return [
        Words(language, found[language].name, found[language].slug, found[language].description)
        if language in found
        else Words(language)
        for language in languages
    ]


async def _save_worded(staff: Staff, of: Worded, row_id: int | None, facts: dict, translations: tuple[Words, ...]):
    """Create (row_id None) or update a product or category with its words in the other languages, in one
    transaction with its audit entry (before -> after, the words as name_en, ...). Each slug, in any
    language, must name no other row of its kind."""
    errors = {}
    for field, slug in [("slug", facts["slug"]), *((f"slug_{w.language}", w.slug) for w in translations)]:
        if slug and await _slug_taken(of, slug, row_id):
            errors[field] = "taken"
    if errors:
        raise FieldErrors(errors)
    after = {**facts, **{k: v for w in translations for k, v in w.facts().items()}}
    async with in_transaction() as conn:
        if row_id is None:
            row = await of.model.create(**facts, using_db=conn)
            await accounts.audit(staff, f"{of.kind}.create", f"{of.kind}:{row.id}", None, after, conn)
        else:
            found = await of.model.get_or_none(id=row_id, using_db=conn)
            if found is None:
                raise NotFound(row_id)
            row = found
            before = {k: getattr(row, k) for k in facts}  # a StrEnum (tax_class) equals and is written as its value
            for words in await translations_of(of, row.id, tuple(w.language for w in translations), conn):
                before.update(words.facts())
            changed = {k: v for k, v in after.items() if before[k] != v}
            if own := {k: v for k, v in changed.items() if k in facts}:
                await of.model.filter(id=row_id).using_db(conn).update(**own)
            if changed:
                await accounts.audit(
                    staff, f"{of.kind}.update", f"{of.kind}:{row_id}", {k: before[k] for k in changed}, changed, conn
                )
        await write_words(of, row.id, translations, conn)
    return row


# --- product form -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ProductDraft:
    name: str
    slug: str
    category_id: int
    description: str
    tax_class: str
    active: bool
    translations: tuple[Words, ...] = ()

    def facts(self) -> dict:
        """The product's own columns."""
        return {
            "name": self.name,
            "slug": self.slug,
            "category_id": self.category_id,
            "description": self.description,
            "tax_class": self.tax_class,
            "active": self.active,
        }


async def categories() -> list[Category]:
    return await Category.all()


async def get_product(product_id: int) -> Product:
    product = await Product.get_or_none(id=product_id)
    if product is None:
        raise NotFound(f"product {product_id}")
    return product


async def editing(product: Product | None) -> tuple[list[Variant], list[Option], list[Category]]:
    """What a product's edit page shows: its variants (with their option values, in the shop's order) and
    images, every option with its values, every category."""
    variants: list[Variant] = []
    if product is not None:
        variants = (
            await Variant.filter(product_id=product.id).order_by("position", "id").prefetch_related("option_values")
        )
        await product.fetch_related("images")
    return variants, await Option.all().prefetch_related("values"), await Category.all()


async def is_variant_of(product_id: int, variant_id: int) -> bool:
    return await Variant.exists(id=variant_id, product_id=product_id)


def read_product(typed: Mapping[str, object], languages: tuple[str, ...] = ()) -> ProductDraft:
    """The product form as typed; `languages`: the other languages whose words it has (name_en, ...)."""
    r = Reader(typed)
    name = r.text("name", 160, required=True)
    slug = _slug(r, "slug", name)
    category_id = as_typed.whole(r.raw("category_id"))
    if category_id is None:
        r.refuse("category_id", "choose")
    tax_class = r.choice("tax_class", set(TaxClass))
    description = _description(r, "description")
    words = _read_words(r, languages, slug, 160)
    r.done()
    active = r.checkbox("active")
    return ProductDraft(name, slug, category_id, description, tax_class, active, words)  # type: ignore[arg-type]


async def save_product(staff: Staff, product_id: int | None, draft: ProductDraft) -> Product:
    """Create (product_id None) or update a product with its words in the other languages; each slug, in
    any language, must name no other product (an old link finds one page), the category must exist."""
    if not await Category.exists(id=draft.category_id):
        raise FieldErrors({"category_id": "choose"})
    product = await _save_worded(staff, PRODUCTS, product_id, draft.facts(), draft.translations)
    await search.index([product.id])
    return await Product.get(id=product.id)


# --- categories -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CategoryDraft:
    name: str
    slug: str
    description: str
    translations: tuple[Words, ...] = ()

    def facts(self) -> dict:
        return {"name": self.name, "slug": self.slug, "description": self.description}


async def get_category(category_id: int) -> Category:
    category = await Category.get_or_none(id=category_id)
    if category is None:
        raise NotFound(f"category {category_id}")
    return category


def read_category(typed: Mapping[str, object], languages: tuple[str, ...] = ()) -> CategoryDraft:
    """The category form as typed: its words in the shop's language and in each of `languages`."""
    r = Reader(typed)
    name = r.text("name", 120, required=True)
    slug = _slug(r, "slug", name, 120)
    description = _description(r, "description")
    words = _read_words(r, languages, slug, 120)
    r.done()
    return CategoryDraft(name, slug, description, words)


async def save_category(staff: Staff, category_id: int, draft: CategoryDraft) -> Category:
    """Rename a category, in each language; its products are found by its new words at once."""
    category = await _save_worded(staff, CATEGORIES, category_id, draft.facts(), draft.translations)
    await search.index([p.id for p in await Product.filter(category_id=category.id).only("id")])
    return category


# --- variants ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class VariantDraft:
    sku: str
    value_ids: tuple[int, ...]
    price: int
    compare_at_price: int | None
    weight_grams: int
    low_stock_threshold: int
    opening_stock: int

    def facts(self) -> dict:
        return {
            "sku": self.sku,
            "price": self.price,
            "compare_at_price": self.compare_at_price,
            "weight_grams": self.weight_grams,
            "low_stock_threshold": self.low_stock_threshold,
        }


def read_prices(price_text: str, compare_text: str) -> tuple[int | None, int | None, dict[str, str]]:
    """A variant's price and compare-at ("was") price as typed, in the variant form or a CSV row: each a
    price up to MAX_PRICE, the compare-at one blank or above the price (a "was" price below it reads as a
    mistake). (price, compare_at, {field: code})."""
    problems = {}
    price = typed_price(price_text)
    if price is None or not 0 < price <= MAX_PRICE:
        problems["price"] = "amount"
    compare_text = compare_text.strip()
    compare_at = typed_price(compare_text) if compare_text else None
    if compare_text and (compare_at is None or compare_at > MAX_PRICE):
        problems["compare_at_price"] = "amount"
    elif compare_at is not None and price is not None and not money.on_sale(price, compare_at):
        problems["compare_at_price"] = "not_above_price"
    return price, compare_at, problems


def read_variant(typed: dict[str, str], value_ids: list[str]) -> VariantDraft:
    errors: dict[str, str] = {}
    sku = typed.get("sku", "").strip()
    if not SKU_PATTERN.fullmatch(sku):
        errors["sku"] = "format"
    price, compare_at, problems = read_prices(typed.get("price", ""), typed.get("compare_at_price", ""))
    errors.update(problems)
    weight = _whole(typed.get("weight_grams", ""), "weight_grams", errors, 0, MAX_GRAMS)
    low = _whole(typed.get("low_stock_threshold", ""), "low_stock_threshold", errors, 3, 100_000)
    opening = _whole(typed.get("opening_stock", ""), "opening_stock", errors, 0, 100_000)
    if errors or price is None:  # no price is an error already
        raise FieldErrors(errors)
    ids = {n for n in map(as_typed.whole, value_ids) if n is not None}
    return VariantDraft(
        sku,
        tuple(sorted(ids)),
        price,
        compare_at,
        weight,
        low,
        opening,
    )


async def _check_variant(draft: VariantDraft, variant_id: int | None) -> list[OptionValue]:
    errors = {}
    if await Variant.filter(sku=draft.sku).exclude(id=variant_id or 0).exists():
        errors["sku"] = "taken"
    values = await OptionValue.filter(id__in=draft.value_ids)
    options = [v.option_id for v in values]
    if len(values) != len(draft.value_ids) or len(set(options)) != len(options):
        errors["options"] = "one_per_option"
    if errors:
        raise FieldErrors(errors)
    return values


async def add_variant(staff: Staff, product_id: int, draft: VariantDraft) -> Variant:
    values = await _check_variant(draft, None)
    async with in_transaction() as conn:
        position = await Variant.filter(product_id=product_id).using_db(conn).count()
        variant = await Variant.create(
            product_id=product_id, position=position, stock=0, **draft.facts(), using_db=conn
        )
        if values:
            await variant.option_values.add(*values, using_db=conn)
        if draft.opening_stock:
            await stock.adjust(variant.id, draft.opening_stock, stock.Reason.RECEIVED, "new variant", conn=conn)
        await accounts.audit(
            staff,
            "variant.create",
            f"variant:{variant.id}",
            None,
            {**draft.facts(), "options": [v.name for v in values], "stock": draft.opening_stock},
            conn,
        )
    await search.index([product_id])
    return variant


async def update_variant(staff: Staff, variant_id: int, draft: VariantDraft) -> Variant:
    """Price, weight and the like; stock is changed on the stock page, through the ledger."""
    values = await _check_variant(draft, variant_id)
    async with in_transaction() as conn:
        variant = await Variant.get_or_none(id=variant_id, using_db=conn)
        if variant is None:
            raise NotFound(variant_id)
        old_values = await variant.option_values.all().using_db(conn)
        before = {k: getattr(variant, k) for k in draft.facts()}
        changed = {k: v for k, v in draft.facts().items() if before[k] != v}
        if {v.id for v in old_values} != set(draft.value_ids):
            await variant.option_values.clear(using_db=conn)
            if values:
                await variant.option_values.add(*values, using_db=conn)
            before["options"] = [v.name for v in old_values]
            changed["options"] = [v.name for v in values]
        if changed:
            await (
                Variant.filter(id=variant_id)
                .using_db(conn)
                .update(**{k: v for k, v in changed.items() if k != "options"})
            )
            await accounts.audit(
                staff, "variant.update", f"variant:{variant_id}", {k: before[k] for k in changed}, changed, conn
            )
    await search.index([variant.product_id])
    return variant


# --- images -----------------------------------------------------------------------------------

# Anything in an SVG that can run code or fetch from elsewhere.
_SVG_DANGER = re.compile(
    rb"<script|\son[a-z]+\s*=|javascript:|<foreignobject|href\s*=\s*[\"'](?!#)|@import|url\(\s*[\"']?(?!#)",
    re.IGNORECASE,
)


def image_type(content: bytes) -> str:
    """The file's real type from its bytes (never its name or declared type): png, jpg, webp or svg."""
    if len(content) > MAX_IMAGE_BYTES:
        raise FieldErrors({"image": "too_large"})
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if content.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "webp"
    head = content[:1024].lstrip().lower()
    if head.startswith((b"<svg", b"<?xml")) and b"<svg" in content[:4096].lower():
        if _SVG_DANGER.search(content) or b"<!entity" in content.lower():
            raise FieldErrors({"image": "unsafe_svg"})
        return "svg"
    raise FieldErrors({"image": "type"})


async def attach_image(staff: Staff, product_id: int, content: bytes, alt: str, media_dir: Path) -> ProductImage:
    kind = image_type(content)
    product = await Product.get_or_none(id=product_id)
    if product is None:
        raise NotFound(product_id)
    # Our own file name: nothing the uploader typed reaches the file system.
    relative = f"products/{product_id}-{secrets.token_hex(8)}.{kind}"
    target = media_dir / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content)
    try:
        async with in_transaction() as conn:
            position = await ProductImage.filter(product_id=product_id).using_db(conn).count()
            image = await ProductImage.create(
                product_id=product_id, path=relative, alt=alt.strip()[:255], position=position, using_db=conn
            )
            await accounts.audit(
                staff, "product.image", f"product:{product_id}", None, {"path": relative, "alt": image.alt}, conn
            )
    except Exception:
        target.unlink(missing_ok=True)  # no orphan file when the record was not written
        raise
    return image
