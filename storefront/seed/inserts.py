"""How planned catalogue rows reach the database, shared by the demo shop and the benchmark catalogues.

Rows are planned in memory (ProductRow and its variants and images), then inserted in batches with
bulk_create inside one transaction per batch. Every unit of stock gets its "initial" ledger row, so
the stock invariant (sum of movements == Variant.stock) holds from the first request.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from tortoise.fields.relational import ManyToManyFieldInstance
from tortoise.transactions import in_transaction

from storefront.domain.catalogue import search
from storefront.domain.db import dialect
from storefront.domain.inventory.stock import Reason
from storefront.domain.models import (
    Category,
    CategoryTranslation,
    Option,
    OptionTranslation,
    OptionValue,
    OptionValueTranslation,
    Product,
    ProductImage,
    ProductTranslation,
    StockMovement,
    TaxClass,
    Variant,
)
from storefront.seed.taxonomy import CATEGORIES, CATEGORIES_IT, COLOUR_EN, FORMAT_IT, OPTION_IT, OPTIONS

# The demo's texts are written in both of the shop's languages: the shop's own go in the rows, the other
# language's in their translations (models.py).
OTHER = {"it": "en", "en": "it"}


@dataclass
class VariantRow:
    sku: str
    price: int
    compare_at_price: int | None
    weight_grams: int
    stock: int
    values: list[int]  # OptionValue ids


@dataclass
class ImageRow:
    path: str
    alt: str
    option_value_id: int | None = None


@dataclass
class Text:
    """A product's or category's words in one language."""

    name: str
    slug: str
    description: str


@dataclass
class ProductRow:
    category_id: int
    slug: str
    name: str
    description: str
    tax_class: TaxClass
    created_at: datetime
    variants: list[VariantRow] = field(default_factory=list)
    images: list[ImageRow] = field(default_factory=list)
    translations: dict[str, Text] = field(default_factory=dict)  # language -> its words


def write_image(media_dir: Path, relative: str, content: str) -> None:
    path = media_dir / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    # Unchanged files are left alone, so re-seeding keeps browser caches and mtimes valid.
    if not path.exists() or path.read_text() != content:
        path.write_text(content)


def _category_texts(key: str, name: str, description: str) -> dict[str, Text]:
    slug_it, name_it, description_it = CATEGORIES_IT[key]
    return {"en": Text(name, key, description), "it": Text(name_it, slug_it, description_it)}


async def ensure_categories(language: str) -> dict[str, int]:
    """The category tree in the shop's `language` and the other, created where missing (existing categories
    are left as they are); ids by the tables' key (the English slug)."""
    tree = [
        (key, _category_texts(key, name, description), None, position)
        for position, (key, name, description, _) in enumerate(CATEGORIES)
    ] + [
        (child, _category_texts(child, child_name, ""), key, position)
        for key, _, _, children in CATEGORIES
        for position, (child, child_name) in enumerate(children)
    ]
    existing = {c.slug: c.id for c in await Category.all()}
    ids = {key: existing[texts[language].slug] for key, texts, _, _ in tree if texts[language].slug in existing}
    for key, texts, parent, position in tree:  # parents first
        if key in ids:
            continue
        own, other = texts[language], texts[OTHER[language]]
        category = await Category.create(
            slug=own.slug,
            name=own.name,
            description=own.description,
            parent_id=ids[parent] if parent else None,
            position=position,
        )
        await CategoryTranslation.create(
            category=category, language=OTHER[language], name=other.name, slug=other.slug, description=other.description
        )
        ids[key] = category.id
    return ids


def _value_names(option: str, value: str, name: str) -> dict[str, str]:
    if option == "colour":
        return {"it": name, "en": COLOUR_EN[value]}  # the tables name colours in Italian
    return {"en": name, "it": FORMAT_IT.get(value, name)}


async def ensure_options(language: str) -> dict[tuple[str, str], int]:
    """Option values by (option slug, value slug), created where missing, named in both languages."""
    other = OTHER[language]
    options = {o.slug: o for o in await Option.all()}
    values = {(v.option.slug, v.slug): v.id for v in await OptionValue.all().select_related("option")}
    for position, (slug, name, option_values) in enumerate(OPTIONS):
        if slug not in options:
            names = {"en": name, "it": OPTION_IT[slug]}
            options[slug] = await Option.create(slug=slug, name=names[language], position=position)
            await OptionTranslation.create(option=options[slug], language=other, name=names[other])
        for value_position, (value_slug, value_name, _, swatch) in enumerate(option_values):
            if (slug, value_slug) not in values:
                names = _value_names(slug, value_slug, value_name)
                value = await OptionValue.create(
                    option=options[slug], slug=value_slug, name=names[language], swatch=swatch, position=value_position
                )
                if names[other] != names[language]:
                    await OptionValueTranslation.create(option_value=value, language=other, name=names[other])
                values[(slug, value_slug)] = value.id
    return values


def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _through_insert() -> str:
    """The raw INSERT for Variant.option_values: executemany is ~50x faster than ORM add() per variant."""
    m2m = Variant._meta.fields_map["option_values"]
    assert isinstance(m2m, ManyToManyFieldInstance)
    a, b = ("$1", "$2") if dialect() == "postgres" else ("?", "?")
    return f'INSERT INTO "{m2m.through}" ("{m2m.backward_key}", "{m2m.forward_key}") VALUES ({a}, {b})'


async def _insert(products: list[ProductRow]) -> list[int]:
    """Insert planned products with their variants, option links, images and initial ledger rows.

    One transaction per call; returns the new product ids. bulk_create does not report the new ids,
    so they are read back by the natural keys (product slug, variant SKU), a few hundred at a time.
    """
    async with in_transaction() as conn:
        await Product.bulk_create(
            [
                Product(
                    category_id=p.category_id,
                    slug=p.slug,
                    name=p.name,
                    description=p.description,
                    tax_class=p.tax_class,
                    created_at=p.created_at,
                )
                for p in products
            ],
            using_db=conn,
        )
        product_ids: dict[str, int] = {}
        for chunk in _chunks([p.slug for p in products], 900):
            product_ids.update(await Product.filter(slug__in=chunk).using_db(conn).values_list("slug", "id"))

        await Variant.bulk_create(
            [
                Variant(
                    product_id=product_ids[p.slug],
                    sku=v.sku,
                    price=v.price,
                    compare_at_price=v.compare_at_price,
                    weight_grams=v.weight_grams,
                    stock=v.stock,
                    low_stock_threshold=3,
                    position=position,
                )
                for p in products
                for position, v in enumerate(p.variants)
            ],
            using_db=conn,
        )
        variant_ids: dict[str, int] = {}
        for chunk in _chunks(list(product_ids.values()), 900):
            variant_ids.update(await Variant.filter(product_id__in=chunk).using_db(conn).values_list("sku", "id"))

        links = [[variant_ids[v.sku], value] for p in products for v in p.variants for value in v.values]
        if links:
            await conn.execute_many(_through_insert(), links)
        await StockMovement.bulk_create(
            [
                StockMovement(
                    variant_id=variant_ids[v.sku],
                    delta=v.stock,
                    reason=Reason.INITIAL,
                    reference="seed",
                    created_at=p.created_at,
                )
                for p in products
                for v in p.variants
                if v.stock > 0
            ],
            using_db=conn,
        )
        await ProductTranslation.bulk_create(
            [
                ProductTranslation(
                    product_id=product_ids[p.slug],
                    language=language,
                    name=text.name,
                    slug=text.slug if text.slug != p.slug else None,  # None: the same slug in both
                    description=text.description,
                )
                for p in products
                for language, text in p.translations.items()
            ],
            using_db=conn,
        )
        await ProductImage.bulk_create(
            [
                ProductImage(
                    product_id=product_ids[p.slug],
                    option_value_id=img.option_value_id,
                    path=img.path,
                    alt=img.alt,
                    position=position,
                )
                for p in products
                for position, img in enumerate(p.images)
            ],
            using_db=conn,
        )
    return list(product_ids.values())


async def insert_and_index(products: list[ProductRow]) -> None:
    # Only the new products are indexed, batch by batch, rather than one search.index() of
    # everything at the end: a full re-index loads the whole catalogue into memory at once, and its
    # id list passes PostgreSQL's 32,767-parameter limit (the demo on top of a bulk catalogue).
    await search.index(await _insert(products))
