"""Product search: case- and accent-insensitive, prefix matching, ranked.

One interface over two engines: SQLite's FTS5 and PostgreSQL's full-text search. Both index the
same accent-folded text, folded here in Python, so "caffe" finds "Caffè" on either database.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from storefront.domain.catalogue import version
from storefront.domain.db import Sql, connection, dialect
from storefront.domain.models import Product

_WORD = re.compile(r"\w+", re.UNICODE)
MAX_TERMS = 8
BATCH = 5_000


def fold(text: str) -> str:
    """Lowercase and strip accents: "Caffè Espresso" -> "caffe espresso"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def terms(query: str) -> list[str]:
    return _WORD.findall(fold(query))[:MAX_TERMS]


async def install() -> None:
    """Create the search index if missing (idempotent; run by migrate and by test set-up)."""
    if dialect() == "postgres":
        await connection().execute_script(
            "CREATE TABLE IF NOT EXISTS product_search ("
            " product_id INT PRIMARY KEY REFERENCES product(id) ON DELETE CASCADE,"
            " document TSVECTOR NOT NULL);"
            "CREATE INDEX IF NOT EXISTS product_search_document ON product_search USING GIN (document);"
        )
    else:
        await connection().execute_script(
            "CREATE VIRTUAL TABLE IF NOT EXISTS product_fts USING fts5("
            " name, skus, body, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3');"
        )


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


async def _index_batch(ids: list[int], replace: bool) -> None:
    products = await Product.filter(id__in=ids).prefetch_related("variants", "category")
    rows = [
        [
            p.id,
            fold(p.name),
            fold(" ".join(v.sku.replace("-", " ") for v in p.variants)),
            fold(f"{p.category.name} {p.description}"),
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
            " || setweight(to_tsvector('simple', $4), 'D'))",
            rows,
        )
    else:
        if replace:
            await conn.execute_query(f"DELETE FROM product_fts WHERE rowid IN ({sql.params_in(ids)})", sql.params)
        await conn.execute_many("INSERT INTO product_fts (rowid, name, skus, body) VALUES (?, ?, ?, ?)", rows)


def matches(sql: Sql, query: str) -> str | None:
    """A subquery of (product_id, rank) for products matching every term; lower rank is better.

    None when the query has no searchable words.
    """
    words = terms(query)
    if not words:
        return None
    if sql.postgres:
        q = sql.param(" & ".join(f"{w}:*" for w in words))
        return (
            "SELECT product_id, -ts_rank(document, to_tsquery('simple', " + q + ")) AS rank"
            " FROM product_search WHERE document @@ to_tsquery('simple', " + q + ")"
        )
    q = sql.param(" ".join(f'"{w}"*' for w in words))
    # LIMIT -1 (no limit) keeps SQLite from flattening the subquery into the caller's join, where
    # bm25() cannot be evaluated.
    return (
        "SELECT rowid AS product_id, bm25(product_fts, 10.0, 5.0, 1.0) AS rank"
        f" FROM product_fts WHERE product_fts MATCH {q} LIMIT -1"
    )
