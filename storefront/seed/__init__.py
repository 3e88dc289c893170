"""Catalogues to start from: the demo shop ("Bottega") and large generated ones for benchmarks.

Both plan their rows here and write them through inserts.py. The demo is deterministic: a fixed random
seed and fixed timestamps, so screenshots, end-to-end tests and "newest first" listings come out the same
on every machine.

The package: demo_data.py (the demo's products), bulk_data.py (the benchmark vocabulary), taxonomy.py
(categories and option values both share), art.py (the SVG illustrations), inserts.py (rows -> database).
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from itertools import accumulate
from pathlib import Path

from storefront.domain.catalogue.search import fold
from storefront.domain.models import Product
from storefront.seed.art import LABELS, svg
from storefront.seed.bulk_data import (
    ADJECTIVES,
    BULK,
    BULK_BATCH,
    BULK_NEWEST,
    BULK_SPAN_SECONDS,
    GENDER,
    NOUN_TAX,
    PLACES,
)
from storefront.seed.demo_data import (
    DEMO,
    DEMO_NEWEST,
    DEMO_SALE_SHARE,
    DEMO_SEED,
    DEMO_SOLD_OUT,
    DEMO_SPAN,
    FOOD,
    FOOD_ORIGIN_PHRASES,
    FOOD_ORIGIN_PHRASES_IT,
    ORIGIN_IT,
    ORIGIN_PHRASES,
    ORIGIN_PHRASES_IT,
    Item,
    Section,
)
from storefront.seed.inserts import (
    OTHER,
    ImageRow,
    ProductRow,
    Text,
    VariantRow,
    ensure_categories,
    ensure_options,
    insert_and_index,
    write_image,
)
from storefront.seed.promotions import demo_promotions
from storefront.seed.shipping import ensure_shipping
from storefront.seed.taxonomy import AMOUNT, COLOUR_EN, COLOURS, SIZES, SKU_ORDER, SWATCH, VALUE_CODE, VALUE_NAME

__all__ = ["bulk", "demo", "is_empty"]


async def is_empty() -> bool:
    """No products yet: `storefront seed --demo --if-empty` seeds only then."""
    return not await Product.exists()


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")


def _retail(cents: float) -> int:
    """A shelf price: to 10 cents below €10, else a whole euro minus 10 cents (€39.90)."""
    if cents < 1000:
        return max(10, round(cents / 10) * 10)
    return round(cents / 100) * 100 - 10


def _was_price(price: int, rng: random.Random) -> int:
    """The "compare at" price of a sale: 15-40% off, rounded up (to 10 cents below €10, else to a euro)."""
    off = rng.choice((0.15, 0.2, 0.25, 0.3, 0.4))
    unit = 10 if price < 1000 else 100
    return -(-round(price / (1 - off)) // unit) * unit


def _stock(rng: random.Random) -> int:
    r = rng.random()
    if r < 0.07:
        return 0
    if r < 0.17:
        return rng.randint(1, 3)  # "only 2 left": at or below the low-stock threshold
    return rng.randint(5, 40)


def _format_price(base_cents: float, amount: int, first_amount: int) -> float:
    # Bigger packs cost less per kilo, as in any shop.
    return base_cents * (amount / first_amount) ** 0.85


def _sku(stem: str, combo: list[tuple[str, str]]) -> str:
    return "-".join([stem] + [VALUE_CODE[ov] for ov in sorted(combo, key=lambda ov: SKU_ORDER[ov[0]])])


# --- the demo shop --------------------------------------------------------------------------------


def _sku_stem(name: str, used: set[str]) -> str:
    """ "Maglietta in lino" -> "MAG-LINO": the first word abbreviated, then the next ones, until unique."""
    stop = {
        "in",
        "di",
        "da",
        "del",
        "della",
        "dell",
        "dei",
        "d",
        "a",
        "al",
        "alla",
        "all",
        "con",
        "e",
        "per",
        "set",
        "i",
    }
    words = [w for w in slugify(name).split("-") if w not in stop]
    parts = [words[0][:3].upper()]
    for word in words[1:]:
        parts.append(word[:4].upper())
        if len(parts) >= 2 and "-".join(parts) not in used:
            break
    stem, n = "-".join(parts), 2
    while stem in used:
        stem, n = f"{'-'.join(parts)}{n}", n + 1
    used.add(stem)
    return stem


def _demo_texts(section: Section, item: Item, rng: random.Random) -> dict[str, Text]:
    """The product's name, slug and description in Italian and in English, the same sentences in each."""
    food = section.category in FOOD
    phrases = {
        "en": FOOD_ORIGIN_PHRASES if food else ORIGIN_PHRASES,
        "it": FOOD_ORIGIN_PHRASES_IT if food else ORIGIN_PHRASES_IT,
    }
    phrase, closing = rng.randrange(len(phrases["en"])), rng.randrange(len(section.closing))
    english = f"{item.detail} {phrases['en'][phrase].format(item.origin)} {section.closing[closing]}"
    italian = f"{item.detail_it} {phrases['it'][phrase].format(ORIGIN_IT[item.origin])} {section.closing_it[closing]}"
    return {
        "en": Text(item.name_en, slugify(item.name_en), english),
        "it": Text(item.name, slugify(item.name), italian),
    }


def _demo_combinations(item: Item, section: Section, rng: random.Random) -> list[list[tuple[str, str]]]:
    """Every variant of the item as a list of (option slug, value slug); colour first, then size."""
    colours = item.colours.split()
    sizes = (section.sizes if item.sizes is None else item.sizes).split()
    formats = (item.formats if item.formats is not None else section.formats).split()
    axes = [[("colour", c) for c in colours], [("size", s) for s in sizes], [("format", f) for f in formats]]
    combos: list[list[tuple[str, str]]] = [[]]
    for axis in axes:
        if axis:
            combos = [combo + [value] for combo in combos for value in axis]
    if item.gaps and colours and sizes:
        # Some colours are not made in every size; M always exists, so each colour has a variant.
        combos = [c for c in combos if dict(c)["size"] == "m" or rng.random() > 0.3]
    return combos


def _demo_product(
    section: Section,
    item: Item,
    category_id: int,
    created_at: datetime,
    on_sale: bool,
    sold_out: bool,
    values: dict[tuple[str, str], int],
    stems: set[str],
    rng: random.Random,
    language: str,
) -> tuple[ProductRow, dict[str, str]]:
    """The planned product, its words in the shop's `language` and the other, and its illustrations
    (path -> SVG)."""
    slug = slugify(item.name)  # of the pictures, whatever the shop's language
    stem = _sku_stem(item.name, stems)
    shape = item.shape or section.shape
    texts = _demo_texts(section, item, rng)
    own = texts[language]
    product = ProductRow(
        category_id=category_id,
        slug=own.slug,
        name=own.name,
        description=own.description,
        tax_class=item.tax or section.tax,
        created_at=created_at,
        translations={OTHER[language]: texts[OTHER[language]]},
    )
    combos = _demo_combinations(item, section, rng)
    first_amount = min((AMOUNT[v] for combo in combos for o, v in combo if o == "format"), default=1)
    for combo in combos:
        amount = next((AMOUNT[v] for o, v in combo if o == "format"), None)
        cents = item.price * 100 if amount is None else _format_price(item.price * 100, amount, first_amount)
        price = _retail(cents)
        product.variants.append(
            VariantRow(
                sku=_sku(stem, combo),
                price=price,
                compare_at_price=_was_price(price, rng) if on_sale else None,
                weight_grams=section.weight + (amount or 0),
                stock=0 if sold_out else _stock(rng),
                values=[values[ov] for ov in combo],
            )
        )

    # The first image shows every colour; each colour then has its own, shown when it is picked.
    colours = item.colours.split()
    label = next(w for w in item.name.split() if len(w) > 2).upper() if shape in LABELS else ""
    inks = [SWATCH[c] for c in colours] or [item.ink or section.ink]
    images = {f"products/{slug}.svg": svg(shape, inks, label)}
    names = [VALUE_NAME[("colour", c)] if language == "it" else COLOUR_EN[c] for c in colours]
    alt = f"{own.name}: {', '.join(names)}" if len(names) > 1 else own.name
    product.images.append(ImageRow(f"products/{slug}.svg", alt))
    if len(colours) > 1:
        for colour, name in zip(colours, names, strict=True):
            path = f"products/{slug}-{colour}.svg"
            images[path] = svg(shape, [SWATCH[colour]], label)
            product.images.append(ImageRow(path, f"{own.name}: {name}", values[("colour", colour)]))
    return product, images


async def demo(media_dir: Path, language: str) -> None:
    """The Bottega demo shop, in the shop's `language` and the other: the same categories, products, stock
    and pictures on every run."""
    rng = random.Random(DEMO_SEED)
    categories = await ensure_categories(language)
    values = await ensure_options(language)
    items = [(section, item) for section in DEMO for item in section.items]

    # Arrival order is shuffled, so "newest" mixes categories; sales and sell-outs are drawn once.
    arrival = list(range(len(items)))
    rng.shuffle(arrival)
    step = DEMO_SPAN / len(items)
    on_sale = set(rng.sample(range(len(items)), round(len(items) * DEMO_SALE_SHARE)))
    sold_out = set(rng.sample(sorted(set(range(len(items))) - on_sale), DEMO_SOLD_OUT))

    stems: set[str] = set()
    products: list[ProductRow] = []
    for index, (section, item) in enumerate(items):
        product, images = _demo_product(
            section,
            item,
            categories[section.category],
            DEMO_NEWEST - arrival[index] * step,
            index in on_sale,
            index in sold_out,
            values,
            stems,
            rng,
            language,
        )
        products.append(product)
        for path, content in images.items():
            write_image(media_dir, path, content)
    _distinct_slugs(products)
    await insert_and_index(products)
    await demo_promotions(categories, language)
    await ensure_shipping(language)


def _distinct_slugs(products: list[ProductRow]) -> None:
    """Each slug, in any language, names one product: an old link must find its page (names shared by
    both languages, "Chianti Classico DOCG", keep one slug)."""
    owner: dict[str, str] = {}
    for p in products:
        for slug in {p.slug, *(t.slug for t in p.translations.values())}:
            assert owner.setdefault(slug, p.slug) == p.slug, f"{slug!r} names {owner[slug]!r} and {p.slug!r}"


# --- benchmark catalogues -------------------------------------------------------------------------


def _bulk_images() -> dict[str, str]:
    """One shared illustration per category: path -> SVG."""
    return {
        f"products/generic/{slug}.svg": svg(spec.shape, [spec.ink], spec.nouns.split("/")[0].upper())
        for slug, spec in BULK.items()
    }


def _bulk_products(
    first_serial: int, n: int, categories: dict[str, int], values: dict[tuple[str, str], int], rng: random.Random
) -> Iterator[ProductRow]:
    """n generated products; the serial keeps slugs and SKUs unique across runs."""
    slugs = list(BULK)
    nouns = {slug: [noun.split("/") for noun in spec.nouns.split()] for slug, spec in BULK.items()}
    # Zipf weights: "Roma" is common, "Craco" rare.
    cum_weights = list(accumulate(1 / rank for rank in range(1, len(PLACES) + 1)))
    colours = [slug for slug, *_ in COLOURS]
    sizes = [slug for slug, *_ in SIZES]

    for serial in range(first_serial, first_serial + n):
        category = slugs[serial % len(slugs)]
        spec = BULK[category]
        noun, gender = rng.choice(nouns[category])
        adjective = rng.choice(ADJECTIVES)[GENDER[gender]]
        place = rng.choices(PLACES, cum_weights=cum_weights)[0]
        name = f"{noun} {adjective} {place}"
        created_at = BULK_NEWEST - timedelta(seconds=rng.randrange(BULK_SPAN_SECONDS))
        product = ProductRow(
            category_id=categories[category],
            slug=f"{slugify(name)}-{serial}",
            name=name,
            description=f"{noun} {adjective}, inspired by {place}. Made in Italy in small batches.",
            tax_class=NOUN_TAX.get(noun, spec.tax),
            created_at=created_at,
        )
        if spec.kind == "apparel":
            combos = [[("colour", c), ("size", s)] for c, s in rng.sample([(c, s) for c in colours for s in sizes], 3)]
        elif spec.kind == "sized":
            combos = [[("size", s)] for s in rng.sample(sizes, 3)]
        elif spec.kind == "colour":
            combos = [[("colour", c)] for c in rng.sample(colours, 3)]
        elif spec.kind == "format":
            combos = [[("format", f)] for f in spec.formats.split()]
        else:
            combos = [[]]
        base = rng.uniform(*spec.price) * 100
        first_amount = AMOUNT[spec.formats.split()[0]] if spec.formats else 1
        sale = rng.random() < 0.15
        stem = f"{fold(noun)[:3].upper()}{serial}"
        for combo in combos:
            amount = AMOUNT[combo[0][1]] if spec.kind == "format" else None
            price = _retail(base if amount is None else _format_price(base, amount, first_amount))
            product.variants.append(
                VariantRow(
                    sku=_sku(stem, combo),
                    price=price,
                    compare_at_price=_was_price(price, rng) if sale else None,
                    weight_grams=spec.weight + (amount or 0),
                    stock=_stock(rng),
                    values=[values[ov] for ov in combo],
                )
            )
        product.images.append(ImageRow(f"products/generic/{category}.svg", name))
        yield product


async def bulk(n: int, media_dir: Path, language: str) -> None:
    """n generated products (about three variants each) for benchmarks, added to what exists; their
    names are Italian only, the categories and options in both languages."""
    categories = await ensure_categories(language)
    values = await ensure_options(language)
    for path, content in _bulk_images().items():
        write_image(media_dir, path, content)
    # Serials start past the highest product id, so slugs and SKUs of earlier runs never clash.
    last = await Product.all().order_by("-id").first()
    first_serial = (last.id if last else 0) + 1
    rng = random.Random(first_serial)
    batch: list[ProductRow] = []
    for product in _bulk_products(first_serial, n, categories, values, rng):
        batch.append(product)
        if len(batch) == BULK_BATCH:
            await insert_and_index(batch)
            batch = []
    if batch:
        await insert_and_index(batch)
    await ensure_shipping(language)  # a benchmark shop must be able to check out
