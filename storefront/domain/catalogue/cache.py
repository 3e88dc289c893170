"""What shoppers' pages read of the catalogue, kept in each worker until the catalogue changes.

Between two changes every shopper sees the same category tree, listings and product pages, and
reading them was half of a page's cost (docs/benchmarks.md, change 14). So each request reads the
catalogue version (version.py: raised by triggers with every change a shopper could see) once and
reuses what this worker read under it.

Nothing kept here depends on the time of day (promotions apply in the cart; the shipping tables are
kept, the delivery dates a product page promises from them are computed per request), so the version and
the page's language are the whole key: each language has its own copy, its names read in it.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import TypeVar

from storefront.domain.catalogue import browse, search, version
from storefront.domain.db import Sql
from storefront.domain.shipping import rates

# Per worker, at most ~20 MB and ~7 MB: a listing page of 24 cards takes ~21 KB, a product page ~3 KB
# (tracemalloc, 1,000-product demo catalogue).
KEEP_LISTINGS = 1000
KEEP_PRODUCTS = 2000

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
    """The catalogue as of one version, in one language: the tree at once, listings and product pages as
    they are asked for."""

    def __init__(self, version: int, language: str, tree: browse.CategoryTree) -> None:
        self.version, self.language, self.tree = version, language, tree
        self._listings = _Kept(KEEP_LISTINGS)
        self._counts = _Kept(KEEP_LISTINGS)  # a listing's total and facets, shared by its pages and sorts
        self._products = _Kept(KEEP_PRODUCTS)
        self._home: tuple[list[browse.Card], list[browse.Card]] | None = None
        self._shipping: rates.Tables | None = None
        self._vocabulary: frozenset[str] | None = None
        self._skus = _Kept(KEEP_LISTINGS)  # what each search text opened, if it was a SKU

    async def listing(self, q: browse.ListingQuery) -> browse.Listing:
        key = (q.filters, q.sort, q.page, q.per_page)
        if key in self._listings:
            return self._listings[key]
        return self._listings.keep(key, await browse.listing(q, kept_counts=self._counts, language=self.language))

    async def product_page(
        self, slug: str, chosen: dict[str, str], variant_id: int | None = None
    ) -> browse.ProductPage:
        """As browse.product_page; an unknown product raises NotFound each time (nothing is kept)."""
        key = (slug, tuple(sorted(chosen.items())), variant_id)
        if key in self._products:
            return self._products[key]
        return self._products.keep(key, await browse.product_page(slug, chosen, variant_id, self.language))

    async def home(self) -> tuple[list[browse.Card], list[browse.Card]]:
        if self._home is None:
            self._home = await browse.home(self.language)
        return self._home

    async def by_sku(self, text: str) -> tuple[str, int] | None:
        """As search.by_sku: the product page a search for an exact SKU opens."""
        key = text.strip().casefold()
        if key not in self._skus:
            self._skus[key] = await search.by_sku(text)
        return self._skus[key]

    async def vocabulary(self) -> frozenset[str]:
        """The catalogue's words, for a search that found nothing to suggest the closest ones."""
        if self._vocabulary is None:
            self._vocabulary = await search.vocabulary()
        return self._vocabulary

    async def shipping(self) -> rates.Tables:
        """The shipping rows, for the delivery dates product pages promise."""
        if self._shipping is None:
            self._shipping = await rates.tables(self.language)
        return self._shipping


_current: dict[str, Catalogue] = {}  # by language


async def current(language: str) -> Catalogue:
    """The catalogue as of now in `language`: this worker's copy if nothing changed since it was read, else
    a new one.

    One query at most: the version, joined to the category tree only when the version is not the one
    kept, so a new tree is exactly the version's. What is read later under this version can only
    be newer, never older, than the version says. Pages call it outside any transaction: a version read
    inside one might never commit."""
    kept = _current.get(language)
    if kept is not None and version.read_here() == kept.version:
        return kept
    sql = Sql()
    columns, joins = browse.category_columns(sql, language)
    seen = kept.version if kept else -1  # versions are never negative
    rows = await sql.rows(
        f"SELECT cv.version, {columns} FROM catalogue_version cv"
        f" LEFT JOIN category c ON cv.version <> {sql.param(seen)} {joins} ORDER BY {browse.CATEGORY_ORDER}"
    )
    now = rows[0]["version"]
    if kept is None or kept.version != now:
        kept = _current[language] = Catalogue(now, language, browse.tree_of([r for r in rows if r["id"] is not None]))
    return kept
