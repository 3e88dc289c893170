"""The catalogue in and out as CSV: export one row per variant; import with a dry run that lists every
error by row and every change, then applies all or nothing in one transaction."""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.transactions import in_transaction

from storefront.domain import as_typed, money
from storefront.domain.as_typed import SKU_PATTERN
from storefront.domain.catalogue import search
from storefront.domain.catalogue.editing import PRODUCTS, SLUG_PATTERN, Words, read_prices, write_words
from storefront.domain.errors import DomainError
from storefront.domain.models import (
    Category,
    OptionValue,
    Product,
    ProductTranslation,
    Staff,
    TaxClass,
    Variant,
)
from storefront.domain.staff import accounts

# --- CSV export and import --------------------------------------------------------------------
# One row per variant. Import creates or updates by SKU; a product's fields come from its rows, which must agree.
# The product's words are in the shop's language; each other language's are in columns of their own
# (product_name_en, product_slug_en, description_en: TRANSLATED), optional on import, so a file without them
# leaves the translations as they are.

COLUMNS = [
    "sku",
    "product_slug",
    "product_name",
    "category_slug",
    "description",
    "tax_class",
    "active",
    "price",
    "compare_at_price",
    "weight_grams",
    "low_stock_threshold",
    "options",
]
MAX_IMPORT_BYTES = 1024 * 1024
MAX_IMPORT_ROWS = 5_000
_FORMULA = ("=", "+", "-", "@")
_PRODUCT_FIELDS = ("name", "category_id", "description", "tax_class", "active")
_VARIANT_FIELDS = ("price", "compare_at_price", "weight_grams", "low_stock_threshold", "options")
_TRANSLATED = (("product_name", "name"), ("product_slug", "slug"), ("description", "description"))


def translated_columns(languages: tuple[str, ...]) -> list[str]:
    """The columns of the product's words in each of the other `languages`."""
    return [f"{column}_{language}" for language in languages for column, _ in _TRANSLATED]


def _cell(value: str) -> str:
    # A spreadsheet would run "=HYPERLINK(...)" typed by someone as a description: make it text.
    return "'" + value if value.startswith(_FORMULA) else value


def _uncell(value: str) -> str:
    return value[1:] if value.startswith("'") and value[1:2] in _FORMULA and value[1:2] else value


def _options_text(values: list[OptionValue]) -> str:
    return ";".join(f"{v.option.slug}={v.name}" for v in sorted(values, key=lambda v: (v.option.position, v.option.id)))


async def export_csv(languages: tuple[str, ...] = ()) -> str:
    """Every variant, with its product's words in the shop's language and in each of `languages`."""
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS + translated_columns(languages))
    variants = (
        await Variant.all()
        .order_by("product_id", "position", "id")
        .select_related("product__category")
        .prefetch_related("option_values__option")
    )
    words = {(t.product_id, t.language): t for t in await ProductTranslation.filter(language__in=languages)}
    for v in variants:
        p = v.product
        translated = [words.get((p.id, language)) for language in languages]
        writer.writerow(
            [
                _cell(str(x))
                for x in (
                    v.sku,
                    p.slug,
                    p.name,
                    p.category.slug,
                    p.description,
                    p.tax_class.value,
                    "yes" if p.active else "no",
                    money.form_value(v.price, decimal_mark="."),
                    money.form_value(v.compare_at_price, decimal_mark="."),
                    v.weight_grams,
                    v.low_stock_threshold,
                    _options_text(list(v.option_values)),
                    *(getattr(t, field) or "" if t else "" for t in translated for _, field in _TRANSLATED),
                )
            ]
        )
    return out.getvalue()


@dataclass(frozen=True)
class RowError:
    row: int  # as a spreadsheet numbers it: the header is row 1
    field: str
    code: str
    value: str = ""


@dataclass(frozen=True)
class Change:
    row: int
    subject: str  # a SKU or a product slug
    field: str
    before: object
    after: object


@dataclass
class ImportPlan:
    errors: list[RowError]
    new_products: list[str]  # slugs
    new_variants: list[str]  # SKUs
    changes: list[Change]
    rows: list[dict]  # parsed rows, for apply

    @property
    def nothing_to_do(self) -> bool:
        return not (self.new_products or self.new_variants or self.changes)


def _read_rows(text: str, languages: tuple[str, ...]) -> tuple[list[dict], list[RowError], tuple[str, ...]]:
    """The rows, the errors that stop reading them, and which of `languages` the file has words for."""
    import csv
    import io

    if len(text.encode()) > MAX_IMPORT_BYTES:
        return [], [RowError(0, "file", "too_large")], ()
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        return [], [RowError(1, c, "missing_column") for c in missing], ()
    present = tuple(
        language
        for language in languages
        if all(c in (reader.fieldnames or []) for c in translated_columns((language,)))
    )
    columns = COLUMNS + translated_columns(present)
    rows = [
        {k: _uncell((r.get(k) or "").strip()) for k in columns} | {"_row": n}
        for n, r in enumerate(reader, start=2)
        if any((v or "").strip() for v in r.values() if isinstance(v, str))
    ]
    if len(rows) > MAX_IMPORT_ROWS:
        return [], [RowError(0, "file", "too_many_rows")], ()
    return rows, [], present


def _slug_ok(slug: str) -> bool:
    return len(slug) <= 160 and bool(SLUG_PATTERN.fullmatch(slug))  # 160: Product.slug's column


async def plan_import(text: str, languages: tuple[str, ...] = ()) -> ImportPlan:
    """The dry run: every error by row and field, and what applying would change. Writes nothing.
    `languages`: the other languages whose columns the file may have."""
    rows, errors, present = _read_rows(text, languages)
    categories = {c.slug: c.id for c in await Category.all()}
    values = await OptionValue.all().select_related("option")
    by_option: dict[str, dict[str, OptionValue]] = {}
    for v in values:
        for key in {v.option.slug.lower(), v.option.name.lower()}:
            by_option.setdefault(key, {}).update({v.name.lower(): v, v.slug.lower(): v})
    # Only well-formed SKUs and slugs are looked up (the others are errors below, and too long for a column).
    skus = [r["sku"] for r in rows if SKU_PATTERN.fullmatch(r["sku"])]
    existing = {
        v.sku: v
        for v in await Variant.filter(sku__in=skus).select_related("product").prefetch_related("option_values__option")
    }
    products = {
        p.slug: p
        for p in await Product.filter(slug__in=[r["product_slug"] for r in rows if _slug_ok(r["product_slug"])])
    }
    # Who each slug in another language is: an old link must find one product.
    translated = {(t.product_id, t.language): t for t in await ProductTranslation.all().select_related("product")}
    slug_owner = {t.slug: t.product.slug for t in translated.values() if t.slug}
    plan = ImportPlan(errors, [], [], [], [])
    seen_sku: dict[str, int] = {}
    product_rows: dict[str, dict] = {}
    for r in rows:
        n, bad = r["_row"], len(plan.errors)

        def error(field: str, code: str, value: str = "", n: int = n) -> None:
            plan.errors.append(RowError(n, field, code, value))

        if not SKU_PATTERN.fullmatch(r["sku"]):
            error("sku", "format", r["sku"])
        elif r["sku"] in seen_sku:
            error("sku", "duplicate", f"row {seen_sku[r['sku']]}")
        seen_sku.setdefault(r["sku"], n)
        if not _slug_ok(r["product_slug"]):
            error("product_slug", "format", r["product_slug"])
        if not r["product_name"]:
            error("product_name", "required")
        elif len(r["product_name"]) > 160:  # Product.name's column, as on the product form
            error("product_name", "too_long")
        if r["category_slug"] not in categories:
            error("category_slug", "unknown", r["category_slug"])
        if r["tax_class"] not in set(TaxClass):
            error("tax_class", "unknown", r["tax_class"])
        if r["active"].lower() not in ("yes", "no", "true", "false", "1", "0"):
            error("active", "yes_no", r["active"])
        price, compare, problems = read_prices(r["price"], r["compare_at_price"])  # as the variant form reads them
        for field, code in problems.items():
            error(field, code, r[field])
        for field in ("weight_grams", "low_stock_threshold"):
            if r[field] and as_typed.whole(r[field]) is None:
                error(field, "whole_number", r[field])
        chosen: list[OptionValue] = []
        for pair in filter(None, r["options"].split(";")):
            option, _, value = (s.strip().lower() for s in pair.partition("="))
            found = by_option.get(option, {}).get(value)
            if found is None or any(c.option_id == found.option_id for c in chosen):
                error("options", "unknown", pair.strip())
            else:
                chosen.append(found)
        variant = existing.get(r["sku"])
        if variant is not None and variant.product.slug != r["product_slug"]:
            error("product_slug", "other_product", variant.product.slug)
        words = []
        for language in present:
            name, slug = r[f"product_name_{language}"], r[f"product_slug_{language}"] or None
            if len(name) > 160:
                error(f"product_name_{language}", "too_long")
            if slug is not None and not _slug_ok(slug):
                error(f"product_slug_{language}", "format", slug)
            elif slug is not None and slug_owner.get(slug, r["product_slug"]) != r["product_slug"]:
                error(f"product_slug_{language}", "slug_taken", slug_owner[slug])
            elif slug is not None and slug in products and slug != r["product_slug"]:
                error(f"product_slug_{language}", "slug_taken", slug)
            words.append(Words(language, name, slug, r[f"description_{language}"]))
        if len(plan.errors) > bad:
            continue
        product_facts = {
            "name": r["product_name"],
            "category_id": categories[r["category_slug"]],
            "description": r["description"],
            "tax_class": r["tax_class"],
            "active": r["active"].lower() in ("yes", "true", "1"),
        }
        variant_facts = {
            "price": price,
            "compare_at_price": compare,
            "weight_grams": int(r["weight_grams"] or 0),
            "low_stock_threshold": int(r["low_stock_threshold"] or 3),
            "options": sorted(v.id for v in chosen),
        }
        worded = {k: v for w in words for k, v in w.facts().items()}
        first = product_rows.get(r["product_slug"])
        if first is not None:
            for field, value in {**product_facts, **worded}.items():
                if {**first["product"], **first["words"]}[field] != value:
                    error(field if field != "name" else "product_name", "differs", f"row {first['_row']}")
            if len(plan.errors) > bad:
                continue
        else:
            product_rows[r["product_slug"]] = {"product": product_facts, "words": worded, "_row": n}
            product = products.get(r["product_slug"])
            if product is None:
                plan.new_products.append(r["product_slug"])
            else:
                for field, value in product_facts.items():
                    old = product.tax_class.value if field == "tax_class" else getattr(product, field)
                    if old != value:
                        plan.changes.append(Change(n, r["product_slug"], field, old, value))
                for w in words:
                    t = translated.get((product.id, w.language))
                    was = Words(w.language, t.name, t.slug, t.description) if t else Words(w.language)
                    for field, value in w.facts().items():
                        if was.facts()[field] != value:
                            plan.changes.append(Change(n, r["product_slug"], field, was.facts()[field], value))
        if variant is None:
            plan.new_variants.append(r["sku"])
        else:
            old_values = sorted(v.id for v in variant.option_values)
            for field, value in variant_facts.items():
                old = old_values if field == "options" else getattr(variant, field)
                if old != value:
                    shown = (
                        (_options_text(list(variant.option_values)), _options_text(chosen))
                        if field == "options"
                        else (old, value)
                    )
                    plan.changes.append(Change(n, r["sku"], field, *shown))
        plan.rows.append(
            {
                "sku": r["sku"],
                "slug": r["product_slug"],
                "product": product_facts,
                "words": words,
                "variant": variant_facts,
            }
        )
    return plan


class ImportRefused(DomainError):
    def __init__(self, plan: ImportPlan):
        super().__init__(f"{len(plan.errors)} errors")
        self.plan = plan


async def apply_import(staff: Staff, text: str, digest: str = "", languages: tuple[str, ...] = ()) -> ImportPlan:
    """All rows or none, in one transaction, with one audit entry; refused when the dry run finds errors.
    (Planned just before writing: a SKU taken meanwhile by someone else fails the unique index, and
    the whole import rolls back.)"""
    plan = await plan_import(text, languages)
    if plan.errors:
        raise ImportRefused(plan)
    touched: set[int] = set()
    async with in_transaction() as conn:
        product_ids: dict[str, int] = {}
        for r in plan.rows:
            if r["slug"] not in product_ids:
                product = await Product.get_or_none(slug=r["slug"], using_db=conn)
                if product is None:
                    product = await Product.create(slug=r["slug"], **r["product"], using_db=conn)
                else:
                    await Product.filter(id=product.id).using_db(conn).update(**r["product"])
                product_ids[r["slug"]] = product.id
                await write_words(PRODUCTS, product.id, tuple(r["words"]), conn)
            product_id = product_ids[r["slug"]]
            touched.add(product_id)
            facts = {k: v for k, v in r["variant"].items() if k != "options"}
            variant = await Variant.get_or_none(sku=r["sku"], using_db=conn)
            if variant is None:
                position = await Variant.filter(product_id=product_id).using_db(conn).count()
                # New variants start with no stock: stock arrives through the stock page's ledger.
                variant = await Variant.create(
                    product_id=product_id, sku=r["sku"], stock=0, position=position, **facts, using_db=conn
                )
            else:
                await Variant.filter(id=variant.id).using_db(conn).update(**facts)
                await variant.option_values.clear(using_db=conn)
            if r["variant"]["options"]:
                chosen = await OptionValue.filter(id__in=r["variant"]["options"]).using_db(conn)
                await variant.option_values.add(*chosen, using_db=conn)
        await accounts.audit(
            staff,
            "catalog.import",
            "catalog",
            None,
            {
                "file_sha256": digest,
                "new_products": plan.new_products,
                "new_variants": plan.new_variants,
                "changes": [
                    {"row": c.row, "subject": c.subject, "field": c.field, "before": c.before, "after": c.after}
                    for c in plan.changes[:500]
                ],
            },
            conn,
        )
    await search.index(sorted(touched))
    return plan
