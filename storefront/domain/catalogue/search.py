"""Product search: Italian and English word forms, accents and case ignored, typos forgiven, ranked.

One interface over two engines, SQLite's FTS5 and PostgreSQL's full-text search, which index the same
words made here in Python: folded (case and accents: "Caffè" is "caffe") and stemmed with Snowball's
Italian and English stemmers (`snowballstemmer`), so "camicie" finds "camicia" and "shirts" "shirt".
PostgreSQL's own `italian` and `english` configurations run the same Snowball stemmers, but behind their
own parsers and stop words; stemming once, here, and indexing with `simple` keeps the two databases'
results the same (tests/unit/test_search.py runs on both).

Ranking: products with every word in their name come first ("caffè": the coffee before the book that
mentions it); then every other match, anywhere (SKUs, category, description), the last word also taken as
the start of a longer one as a shopper still typing ("magl", "caffettiera"). Within each tier, FTS5's bm25
or PostgreSQL's ts_rank, the name weighing most. One scan of the index finds both tiers (the second's
matches include the first's): a common word's first view at 100,000 products took 221 ms as a union of
two scans, 0 as one (docs/benchmarks.md).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

import snowballstemmer

from storefront.domain.as_typed import SKU_PATTERN
from storefront.domain.catalogue import version
from storefront.domain.db import Sql, connection, dialect
from storefront.domain.models import Category, CategoryTranslation, Product, ProductTranslation, Variant

_WORD = re.compile(r"\w+", re.UNICODE)
MAX_TERMS = 8
BATCH = 5_000
# What the index holds; a new format is rebuilt by install() (1: folded words, 2: their stems, 3: the
# stems of every language's texts).
FORMAT = 3
_STEMMERS = [snowballstemmer.stemmer("italian"), snowballstemmer.stemmer("english")]
TIER = 1000  # a rank gap no bm25 / ts_rank score crosses: a better tier always comes first


def fold(text: str) -> str:
    """Lowercase and strip accents: "Caffè Espresso" -> "caffe espresso"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def terms(query: str) -> list[str]:
    return _WORD.findall(fold(query))[:MAX_TERMS]


@lru_cache(maxsize=65_536)
def stems(word: str) -> tuple[str, ...]:
    """A folded word's Italian and English stems: "camicie" -> ("camic", "camici")."""
    return tuple(dict.fromkeys(stemmer.stemWord(word) for stemmer in _STEMMERS))


def indexed(text: str) -> str:
    """What the index holds for a text: the stems of its words."""
    return " ".join(stem for word in _WORD.findall(fold(text)) for stem in stems(word))


async def install() -> None:
    """Create the search index, or rebuild it when it holds an older FORMAT (idempotent; run by migrate
    and by the tests' set-up)."""
    conn = connection()
    await conn.execute_script("CREATE TABLE IF NOT EXISTS search_format (format INT NOT NULL)")
    rows = await conn.execute_query_dict("SELECT format FROM search_format")
    if rows and rows[0]["format"] == FORMAT:
        return
    if dialect() == "postgres":
        await conn.execute_script(
            "DROP TABLE IF EXISTS product_search;"
            "CREATE TABLE product_search ("
            " product_id INT PRIMARY KEY REFERENCES product(id) ON DELETE CASCADE,"
            " document TSVECTOR NOT NULL);"
            "CREATE INDEX product_search_document ON product_search USING GIN (document);"
        )
    else:
        await conn.execute_script(
            "DROP TABLE IF EXISTS product_fts;"
            "CREATE VIRTUAL TABLE product_fts USING fts5("
            " name, skus, category, body, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3');"
        )
    await index()
    await conn.execute_script(f"DELETE FROM search_format; INSERT INTO search_format (format) VALUES ({FORMAT});")


async def index(product_ids: Iterable[int] | None = None) -> None:
    """(Re)index the given products, or all of them; call after products or variants change."""
    if product_ids is None:
        await connection().execute_query(
            "DELETE FROM product_search" if dialect() == "postgres" else "DELETE FROM product_fts"
        )
        ids: list[int] = await Product.all().order_by("id").values_list("id", flat=True)  # type: ignore[assignment]  # Tortoise types values_list(flat=True) as tuples
    else:
        ids = list(product_ids)
    # Batches keep every statement under PostgreSQL's 32,767-parameter limit and memory flat.
    for start in range(0, len(ids), BATCH):
        await _index_batch(ids[start : start + BATCH], replace=product_ids is not None)
    await version.changed()  # what workers keep of search listings is out of date


def _every_language(row, translations, column: str) -> str:
    """A text in the shop's language and each translation: a shopper finds "Camicia in lino" by "linen
    shirt" on any page."""
    return " ".join([getattr(row, column), *(getattr(t, column) for t in translations)])


async def _index_batch(ids: list[int], replace: bool) -> None:
    products = await Product.filter(id__in=ids).prefetch_related(
        "variants", "translations", "category", "category__translations"
    )
    rows = [
        [
            p.id,
            indexed(_every_language(p, p.translations, "name")),
            fold(" ".join(v.sku.replace("-", " ") for v in p.variants)),  # codes: as they are, not stemmed
            indexed(_every_language(p.category, p.category.translations, "name")),
            indexed(_every_language(p, p.translations, "description")),
        ]
        for p in products
    ]
    conn = connection()
    sql = Sql()
    if dialect() == "postgres":
        if replace:
            await conn.execute_query(
                f"DELETE FROM product_search WHERE product_id IN ({sql.params_in(ids)})", sql.params
            )
        await conn.execute_many(
            "INSERT INTO product_search (product_id, document) VALUES ($1,"
            " setweight(to_tsvector('simple', $2), 'A') || setweight(to_tsvector('simple', $3), 'B')"
            " || setweight(to_tsvector('simple', $4), 'C') || setweight(to_tsvector('simple', $5), 'D'))",
            rows,
        )
    else:
        if replace:
            await conn.execute_query(f"DELETE FROM product_fts WHERE rowid IN ({sql.params_in(ids)})", sql.params)
        await conn.execute_many(
            "INSERT INTO product_fts (rowid, name, skus, category, body) VALUES (?, ?, ?, ?, ?)", rows
        )


def matches(sql: Sql, query: str, ranked: bool = True) -> str | None:
    """A subquery of (product_id, rank) for products matching every word; lower rank is better (the
    tiers in this module's docstring); of product_id only when not `ranked` (a count, another sort).
    None when the query has no searchable words."""
    words = terms(query)
    if not words:
        return None
    *whole, last = words
    if sql.postgres:

        def group(word: str, suffix: str = "", prefix: bool = False) -> str:
            return "(" + " | ".join([*(f"{s}{suffix}" for s in stems(word)), *([f"{word}:*"] if prefix else [])]) + ")"

        begun = sql.param(" & ".join([*(group(w) for w in whole), group(last, prefix=True)]))
        begun_query = f"to_tsquery('simple', {begun})"
        if not ranked:
            return f"SELECT product_id FROM product_search WHERE document @@ {begun_query}"
        named_query = f"to_tsquery('simple', {sql.param(' & '.join(group(w, ':A') for w in words))})"
        return (
            f"SELECT product_id, -ts_rank(document, {begun_query})"
            f" - CASE WHEN document @@ {named_query} THEN {TIER} ELSE 0 END AS rank"
            f" FROM product_search WHERE document @@ {begun_query}"
        )

    def phrase(word: str, prefix: bool = False) -> str:
        return "(" + " OR ".join([*(f'"{s}"' for s in stems(word)), *([f'"{word}"*'] if prefix else [])]) + ")"

    begun = sql.param(" AND ".join([*(phrase(w) for w in whole), phrase(last, prefix=True)]))
    if not ranked:
        return f"SELECT rowid AS product_id FROM product_fts WHERE product_fts MATCH {begun}"
    named = sql.param("name : (" + " AND ".join(phrase(w) for w in words) + ")")
    bm25 = "bm25(product_fts, 10.0, 5.0, 3.0, 1.0)"
    # LIMIT -1 (no limit) keeps SQLite from flattening the subquery into the caller's join, where bm25()
    # cannot be evaluated.
    return (
        f"SELECT rowid AS product_id, {bm25}"
        f" - CASE WHEN rowid IN (SELECT rowid FROM product_fts WHERE product_fts MATCH {named}) THEN {TIER} ELSE 0 END"
        f" AS rank FROM product_fts WHERE product_fts MATCH {begun} LIMIT -1"
    )


async def by_sku(text: str) -> tuple[str, int] | None:
    """An exact SKU typed into the search ("MAG-NER-M", as stored, in capitals or in lower case): the
    product's slug and the variant, for the search to open its page. Only a product shoppers can see.
    Matched through the SKUs' unique index: a case-insensitive match would read every variant per search."""
    code = text.strip()
    if not SKU_PATTERN.fullmatch(code):  # no SKU: not looked up ("caffè", a NUL PostgreSQL refuses)
        return None
    spellings = {code, code.upper(), code.lower()}
    variant = await Variant.filter(sku__in=spellings, product__active=True).select_related("product").first()
    return (variant.product.slug, variant.id) if variant else None


async def vocabulary() -> frozenset[str]:
    """The words of the products' and categories' names in every language, folded: what a misspelt word
    is matched against."""
    names = [
        *await Product.filter(active=True).values_list("name", flat=True),
        *await ProductTranslation.filter(product__active=True).values_list("name", flat=True),
        *await Category.all().values_list("name", flat=True),
        *await CategoryTranslation.all().values_list("name", flat=True),
    ]
    return frozenset(word for name in names for word in _WORD.findall(fold(str(name))) if len(word) > 2)


def suggest(query: str, words: frozenset[str]) -> str | None:
    """The query with each unknown word replaced by the closest catalogue word ("maglieta" -> "maglietta"),
    or None when no word needed or found a replacement. Only words of about the same length are compared:
    a typo adds, drops or swaps a letter or two."""
    typed = terms(query)
    better = []
    for word in typed:
        if word in words or len(word) < 3:
            better.append(word)
            continue
        near = [w for w in words if abs(len(w) - len(word)) <= 2]
        better.extend(difflib.get_close_matches(word, near, n=1, cutoff=0.75) or [word])
    return " ".join(better) if better != typed else None
