"""What shoppers' pages read of the catalogue, kept in each worker until the catalogue changes.

Between two changes every shopper sees the same category tree, listings and product pages, and
reading them was half of a page's cost (docs/benchmarks.md, change 14). So the database keeps a
catalogue version, raised by triggers in the same transaction as every change a shopper could see,
and each request reads it once (on a SQLite file, from a connection of the worker's own: see
`_version_here`) and reuses what this worker read under it. Triggers, rather than calls in the write
paths, so that no write path — the back office, the CSV import, a migration, someone's SQL console —
can forget it.

What raises the version:
- any insert, update or delete of a category, product, variant, option, option value, variant's option
  value or product image;
- `search.index`, which calls `changed()` itself: SQLite cannot put a trigger on its FTS table;
- a change of stock only when a shopper could see it: unless the stock before and after are both "in
  stock" (stock.availability, its SQL generated there) against the highest low-stock threshold among the
  product's variants. Then cards and product pages say "In stock" either way (a card adds up its
  variants, so a variant above every threshold keeps the sum above them too), and a busy shop's orders do
  not empty every worker's cache. This relies on stock changing only through domain/stock.py, in
  statements that change nothing else.

Nothing kept here depends on the time of day (promotions apply in the cart, delivery dates are
computed per request), so the version is the whole key.
"""

from __future__ import annotations

import secrets
import sqlite3
from collections import OrderedDict
from typing import TypeVar

from storefront.domain import catalog, stock
from storefront.domain.db import Sql, connection, dialect

WATCHED = ("category", "product", "variant", "option", "option_value", "variant_option_value", "product_image")
# Per worker, at most ~20 MB and ~7 MB: a listing page of 24 cards takes ~21 KB, a product page ~3 KB
# (tracemalloc, 1,000-product demo catalogue).
KEEP_LISTINGS = 1000
KEEP_PRODUCTS = 2000

_BUMP = "UPDATE catalogue_version SET version = version + 1"
_HIGHEST_THRESHOLD = "(SELECT MAX(low_stock_threshold) FROM variant WHERE product_id = NEW.product_id)"


def _unseen_stock_change(least: str) -> str:
    """A variant's stock moved between two figures a shopper cannot tell apart: both "in stock" against
    the product's highest threshold, as they are when the lower one is (`least`: MIN on SQLite, LEAST on
    PostgreSQL). In parentheses: PL/pgSQL's IF reads its condition up to the first THEN outside them."""
    return f"({stock.availability_sql(f'{least}(OLD.stock, NEW.stock)', _HIGHEST_THRESHOLD)}) = 'in_stock'"


def _sqlite_install() -> str:
    triggers = []
    for table in WATCHED:
        for event in ("INSERT", "UPDATE", "DELETE"):
            when = ""
            if table == "variant" and event == "UPDATE":
                when = f" WHEN OLD.stock IS NEW.stock OR NOT ({_unseen_stock_change('MIN')})"
            triggers.append(
                f"CREATE TRIGGER IF NOT EXISTS catalogue_{table}_{event.lower()} AFTER {event}"
                f' ON "{table}"{when} BEGIN {_BUMP}; END;'
            )
    return "\n".join(triggers)


def _postgres_install() -> str:
    # Statement-level triggers for plain tables, a row-level one for variants (it must look at each
    # row's stock). The version is raised once per transaction, as its changes commit together: a bulk
    # import's row-by-row inserts would otherwise pile up versions of the one row (seeding 100,000
    # products took 201 s instead of 32).
    triggers = [
        f"""
        CREATE OR REPLACE FUNCTION catalogue_bump() RETURNS void LANGUAGE plpgsql AS $$
        BEGIN
          IF current_setting('storefront.catalogue_changed', true) IS DISTINCT FROM 'yes' THEN
            PERFORM set_config('storefront.catalogue_changed', 'yes', true);
            {_BUMP};
          END IF;
        END $$;
        CREATE OR REPLACE FUNCTION catalogue_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN PERFORM catalogue_bump(); RETURN NULL; END $$;
        CREATE OR REPLACE FUNCTION catalogue_variant_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF OLD.stock IS DISTINCT FROM NEW.stock AND {_unseen_stock_change("LEAST")} THEN
            RETURN NULL;
          END IF;
          PERFORM catalogue_bump(); RETURN NULL;
        END $$;
        DROP TRIGGER IF EXISTS catalogue_variant_update ON variant;
        CREATE TRIGGER catalogue_variant_update AFTER UPDATE ON variant
          FOR EACH ROW EXECUTE FUNCTION catalogue_variant_changed();
        """
    ]
    for table in WATCHED:
        events = "INSERT OR DELETE" if table == "variant" else "INSERT OR UPDATE OR DELETE"
        triggers.append(
            f'DROP TRIGGER IF EXISTS catalogue_{table} ON "{table}";'
            f'CREATE TRIGGER catalogue_{table} AFTER {events} OR TRUNCATE ON "{table}"'
            " FOR EACH STATEMENT EXECUTE FUNCTION catalogue_changed();"
        )
    return "\n".join(triggers)


async def install() -> None:
    """The version table and its triggers, if missing (idempotent; run by migrate and test set-up).

    The version starts at a random number, so a re-created database does not repeat the version of
    other contents a running worker may still keep. (After restoring a backup, restart the workers.)"""
    postgres = dialect() == "postgres"
    await connection().execute_script(
        "CREATE TABLE IF NOT EXISTS catalogue_version (id INT PRIMARY KEY CHECK (id = 1), version BIGINT NOT NULL);"
        f"INSERT INTO catalogue_version (id, version) SELECT 1, {secrets.randbits(48)}"
        " WHERE NOT EXISTS (SELECT 1 FROM catalogue_version);"
        + (_postgres_install() if postgres else _sqlite_install())
    )


async def changed() -> None:
    """Raise the version by hand, for what no trigger sees (the search index)."""
    await connection().execute_query(_BUMP)


_V = TypeVar("_V")


class _Kept(OrderedDict):
    """At most `size` entries, the least recently used forgotten first."""

    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def __getitem__(self, key):
        self.move_to_end(key)
        return super().__getitem__(key)

    def __setitem__(self, key, value) -> None:
        super().__setitem__(key, value)
        if len(self) > self.size:
            self.popitem(last=False)

    def keep(self, key: object, value: _V) -> _V:
        self[key] = value
        return value


class Catalogue:
    """The catalogue as of one version: the tree at once, listings and product pages as they are asked for."""

    def __init__(self, version: int, tree: catalog.CategoryTree) -> None:
        self.version, self.tree = version, tree
        self._listings = _Kept(KEEP_LISTINGS)
        self._counts = _Kept(KEEP_LISTINGS)  # a listing's total and facets, shared by its pages and sorts
        self._products = _Kept(KEEP_PRODUCTS)
        self._home: tuple[list[catalog.Card], list[catalog.Card]] | None = None

    async def listing(self, q: catalog.ListingQuery) -> catalog.Listing:
        key = (q.filters, q.sort, q.page, q.per_page)
        if key in self._listings:
            return self._listings[key]
        return self._listings.keep(key, await catalog.listing(q, kept_counts=self._counts))

    async def product_page(
        self, slug: str, chosen: dict[str, str], variant_id: int | None = None
    ) -> catalog.ProductPage:
        """As catalog.product_page; an unknown product raises NotFound each time (nothing is kept)."""
        key = (slug, tuple(sorted(chosen.items())), variant_id)
        if key in self._products:
            return self._products[key]
        return self._products.keep(key, await catalog.product_page(slug, chosen, variant_id))

    async def home(self) -> tuple[list[catalog.Card], list[catalog.Card]]:
        if self._home is None:
            self._home = await catalog.home()
        return self._home


_current: Catalogue | None = None
_reader: tuple[str, sqlite3.Connection] | None = None  # SQLite: (file, this worker's own connection)


def _version_here() -> int | None:
    """The version, read on this thread from a SQLite connection of the worker's own, or None where
    that cannot be done (PostgreSQL, an in-memory database, the file busy): then `current` asks
    through the ORM. A query through the ORM's connection hops to aiosqlite's thread and back, ~0.2 ms
    of a product page's ~1 ms in-process; this read takes microseconds and never waits (timeout 0).
    It sees committed changes only (WAL), so what is read after it is at least as new."""
    global _reader
    path = getattr(connection(), "filename", None)
    if dialect() != "sqlite" or not path or path == ":memory:":
        return None
    try:
        if _reader is None or _reader[0] != path:
            _reader = (path, sqlite3.connect(path, timeout=0, isolation_level=None))
        return _reader[1].execute("SELECT version FROM catalogue_version").fetchall()[0][0]
    except sqlite3.Error:
        return None


async def current() -> Catalogue:
    """The catalogue as of now: this worker's copy if nothing changed since it was read, else a new one.

    One query at most: the version, joined to the category tree only when the version is not the one
    kept, so a new tree is exactly the version's. What is read later under this version can only
    be newer, never older, than the version says. Pages call it outside any transaction: a version read
    inside one might never commit."""
    global _current
    if _current is not None and _version_here() == _current.version:
        return _current
    sql = Sql()
    kept = _current.version if _current else -1  # versions are never negative
    rows = await sql.rows(
        f"SELECT cv.version, {catalog.CATEGORY_COLUMNS} FROM catalogue_version cv"
        f" LEFT JOIN category c ON cv.version <> {sql.param(kept)} ORDER BY {catalog.CATEGORY_ORDER}"
    )
    now = rows[0]["version"]
    if _current is None or _current.version != now:
        _current = Catalogue(now, catalog.tree_of([row for row in rows if row["id"] is not None]))
    return _current
