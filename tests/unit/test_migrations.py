"""The committed migrations build the same schema as the models (tests build schemas from models)."""

from __future__ import annotations

import sqlite3

import pytest
from tortoise.context import TortoiseContext
from tortoise.migrations.autodetector import MigrationAutodetector

from storefront import cli
from storefront.domain import db
from storefront.settings import Settings, tortoise_config


async def test_models_have_no_changes_missing_from_the_migrations(tmp_path):
    config = tortoise_config(f"sqlite:///{tmp_path / 'detect.db'}")
    async with TortoiseContext() as ctx:
        await ctx.init(config=config)
        writers = await MigrationAutodetector(ctx.apps, config["apps"]).changes()
    assert writers == [], "run: tortoise -c storefront.settings.TORTOISE_ORM makemigrations"


def schema(path) -> dict:
    conn = sqlite3.connect(path)
    try:
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            " AND name NOT LIKE 'tortoise_%' AND name NOT LIKE 'product_fts%'")]
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
    await db.init(f"sqlite:///{generated}", create_schema=True)
    await db.close()
    assert schema(migrated) == schema(generated)
    assert "product_fts" in {r[0] for r in sqlite3.connect(migrated).execute("SELECT name FROM sqlite_master")}
