"""The catalogue version: one number the database raises, in the same transaction, with every change a
shopper could see, so that each worker knows when what it keeps of the catalogue (cache.py) is out of
date. Triggers, rather than calls in the write paths, so that no write path — the back office, the CSV
import, a migration, someone's SQL console — can forget it.

What raises the version:
- any insert, update or delete of a category, product, variant, option, option value, variant's option
  value, product image or shipping zone, method or rate (WATCHED: a new table that shoppers' pages read
  belongs in it);
- `search.index`, which calls `changed()` itself: SQLite cannot put a trigger on its FTS table;
- a change of stock only when a shopper could see it: unless the stock before and after are both "in
  stock" (stock.availability, its SQL generated there) against the highest low-stock threshold among the
  product's variants. Then cards and product pages say "In stock" either way (a card adds up its
  variants, so a variant above every threshold keeps the sum above them too), and a busy shop's orders do
  not empty every worker's cache. This relies on stock changing only through domain/inventory/stock.py, in
  statements that change nothing else.
"""

from __future__ import annotations

import secrets
import sqlite3

from storefront.domain.db import connection, dialect
from storefront.domain.inventory import stock

WATCHED = (
    "category",
    "product",
    "variant",
    "option",
    "option_value",
    "variant_option_value",
    "product_image",
    "category_translation",
    "product_translation",
    "option_translation",
    "option_value_translation",
    # Product pages promise delivery dates from these (cache.Catalogue.shipping).
    "shipping_zone",
    "shipping_method",
    "shipping_rate",
)
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


_reader: tuple[str, sqlite3.Connection] | None = None  # SQLite: (file, this worker's own connection)


def read_here() -> int | None:
    """The version, read on this thread from a SQLite connection of the worker's own, or None where
    that cannot be done (PostgreSQL, an in-memory database, the file busy): then `cache.current` asks
    through the ORM. A query through the ORM's connection hops to aiosqlite's thread and back, a fair
    share of a kept page's whole cost; this read stays on the thread and never waits (timeout 0).
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
