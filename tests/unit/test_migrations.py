"""The committed migrations build the same schema as the models (tests build schemas from models)."""

from __future__ import annotations

import sqlite3

import pytest
from tortoise.context import TortoiseContext
from tortoise.migrations.autodetector import MigrationAutodetector

from storefront import cli
from storefront.domain import db, schema
from storefront.settings import Settings, tortoise_config


async def test_models_have_no_changes_missing_from_the_migrations(tmp_path):
    config = tortoise_config(f"sqlite:///{tmp_path / 'detect.db'}")
    async with TortoiseContext() as ctx:
        await ctx.init(config=config)
        writers = await MigrationAutodetector(ctx.apps, config["apps"]).changes()
    assert writers == [], "run: tortoise -c storefront.settings.TORTOISE_ORM makemigrations"


def layout(path) -> dict:
    conn = sqlite3.connect(path)
    try:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                " AND name NOT LIKE 'tortoise_%' AND name NOT LIKE 'product_fts%'"
            )
        ]
        result = {}
        for table in tables:
            columns = sorted((c[1], c[2].upper(), c[3], c[5]) for c in conn.execute(f'PRAGMA table_info("{table}")'))
            indexes = sorted(
                (tuple(c[2] for c in conn.execute(f'PRAGMA index_info("{i[1]}")')), i[2])
                for i in conn.execute(f'PRAGMA index_list("{table}")')
            )
            result[table] = (columns, indexes)
        return result
    finally:
        conn.close()


@pytest.mark.sqlite_only
async def test_migrations_build_the_schema_the_models_describe(tmp_path):
    migrated, generated = tmp_path / "migrated.db", tmp_path / "generated.db"
    await cli.migrate(Settings(database_url=f"sqlite:///{migrated}", secret_key="x"))
    await schema.create(f"sqlite:///{generated}")
    await db.close()
    assert layout(migrated) == layout(generated)
    assert "product_fts" in {r[0] for r in sqlite3.connect(migrated).execute("SELECT name FROM sqlite_master")}


@pytest.mark.sqlite_only
async def test_migrating_keeps_the_rows_of_rebuilt_tables_and_their_children(tmp_path):
    """SQLite rebuilds a table to alter it (DROP + CREATE): with foreign keys on, that would
    cascade-delete child rows. `storefront migrate` runs with them off; this holds it."""
    from tortoise import Tortoise
    from tortoise.migrations.api.migrate import migrate as run_migrations

    path = tmp_path / "shop.db"
    url = cli._migration_url(f"sqlite:///{path}")
    await run_migrations(config=tortoise_config(url), target="models.0003_checkout_orders")
    await Tortoise.close_connections()
    conn = sqlite3.connect(path)
    conn.executescript(
        "INSERT INTO category (id, slug, name, description, position) VALUES (1, 'c', 'C', '', 0);"
        "INSERT INTO product (id, category_id, slug, name, description, tax_class, active, created_at)"
        " VALUES (1, 1, 'p', 'P', '', 'standard', 1, '2026-11-01 00:00:00');"
        "INSERT INTO variant (id, product_id, sku, price, weight_grams, stock, low_stock_threshold, active, position)"
        " VALUES (1, 1, 'SKU', 100, 0, 1, 3, 1, 0);"
        "INSERT INTO cart (id, token, codes, created_at, updated_at) VALUES (1, 't', '[]', '2026-11-01', '2026-11-01');"
        "INSERT INTO cart_line (id, cart_id, variant_id, quantity, added_at) VALUES (1, 1, 1, 2, '2026-11-01');"
    )
    conn.commit()
    conn.close()
    await cli.migrate(Settings(database_url=f"sqlite:///{path}", secret_key="x"))
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT cart_id, quantity FROM cart_line").fetchall() == [(1, 2)]
    conn.close()
