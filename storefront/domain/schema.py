"""The schema beyond what the models describe: the search index and the catalogue version with its
triggers. Above db, search and the catalogue version, so that none of them imports another to install it."""

from __future__ import annotations

from tortoise import Tortoise

from storefront.domain import db
from storefront.domain.catalogue import search, version


async def install_extras() -> None:
    """Idempotent; run by `storefront migrate` and by the tests' set-up."""
    await version.install()
    await search.install()  # a rebuilt index raises the catalogue version


async def create(database_url: str) -> None:
    """A database straight from the models, without migrations (tests that compare the two use it)."""
    await db.init(database_url)
    await Tortoise.generate_schemas(safe=True)
    await install_extras()
