"""What shoppers browse: categories, listings with filters and facets, search, and product pages.

A listing costs the same few queries whatever the page size or catalogue size: each query returns
a whole page (or a whole facet) at once, never one row per product.

What shoppers' pages read comes back as plain rows in small dataclasses, not as ORM models: Tortoise
builds its SQL and a model per row on every query, which costs more than the round trip itself, and
these queries run on every page view (docs/benchmarks.md, changes 7, 11 and 12).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from storefront.domain import money, translations, vat
from storefront.domain.catalogue import search
from storefront.domain.db import Sql
from storefront.domain.errors import NotFound
from storefront.domain.inventory.stock import Availability, availability, can_buy_sql, sellable_sql
from storefront.domain.translations import text

PER_PAGE = 24
MAX_PAGE = 400
SORTS = ("relevance", "newest", "price_asc", "price_desc")


# --- categories ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CategoryNode:
    """A category as the navigation needs it (every page reads them all)."""

    id: int
    parent_id: int | None
    slug: str
    name: str
    description: str
    position: int
    slugs: translations.Slugs  # in every language, for links to the page in another and from old ones


@dataclass(frozen=True)
class CategoryTree:
    """All categories, loaded in one query: small, and needed by every page's navigation."""

    categories: list[CategoryNode]

    @property
    def top(self) -> list[CategoryNode]:
        return [c for c in self.categories if c.parent_id is None]

    def by_slug(self, slug: str) -> CategoryNode:
        """The category with this slug in the tree's language, or in another (its page then redirects)."""
        for c in self.categories:
            if c.slug == slug:
                return c
        for c in self.categories:
            if slug in c.slugs:
                return c
        raise NotFound(slug)

    def children(self, category: CategoryNode) -> list[CategoryNode]:
        return [c for c in self.categories if c.parent_id == category.id]

    def descendant_ids(self, category: CategoryNode) -> list[int]:
        ids, todo = [], [category]
        while todo:
            current = todo.pop()
            ids.append(current.id)
            todo.extend(self.children(current))
        return ids

    def ancestor_ids(self, category_id: int) -> frozenset[int]:
        """The category and every category above it: promotions on "Clothing" cover "Shirts" too."""
        by_id = {c.id: c for c in self.categories}
        ids, current = set(), by_id.get(category_id)
        while current is not None:
            ids.add(current.id)
            current = by_id.get(current.parent_id) if current.parent_id is not None else None
        return frozenset(ids)

    def trail(self, category_id: int) -> list[CategoryNode]:
        """The category and those above it, from the top."""
        by_id = {c.id: c for c in self.categories}
        trail = [by_id[category_id]]
        while trail[0].parent_id is not None:
            trail.insert(0, by_id[trail[0].parent_id])
        return trail


CATEGORY_ORDER = "c.position, c.id"


def category_columns(sql: Sql, language: str | None) -> tuple[str, str]:
    """The columns and joins that read the categories (`c`) in `language` for tree_of: a row per
    category and translation, so the tree also knows every slug a category has in another language."""
    columns = (
        f"c.id, c.parent_id, {text('c', 'slug')} AS slug, {text('c', 'name')} AS name,"
        f" {text('c', 'description')} AS description, c.position, c.slug AS own_slug,"
        " ca.language AS alias_language, ca.slug AS alias_slug"
    )
    joins = translations.join(sql, "category", "c", language) + (
        " LEFT JOIN category_translation ca ON ca.category_id = c.id"
    )
    return columns, joins


async def category_tree(language: str | None = None) -> CategoryTree:
    sql = Sql()
    columns, joins = category_columns(sql, language)
    return tree_of(await sql.rows(f"SELECT {columns} FROM category c {joins} ORDER BY {CATEGORY_ORDER}"))


def tree_of(rows: list[dict]) -> CategoryTree:
    by_id: dict[int, list[dict]] = defaultdict(list)  # ordered as the rows: the tree's order
    for row in rows:
        by_id[row["id"]].append(row)
    return CategoryTree(
        [
            CategoryNode(
                **{k: rows[0][k] for k in ("id", "parent_id", "slug", "name", "description", "position")},
                slugs=translations.Slugs.of_rows(rows[0]["own_slug"], rows),
            )
            for rows in by_id.values()
        ]
    )


# --- listings -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListingQuery:
    category_ids: list[int] | None = None
    text: str | None = None  # a search
    price_min: int | None = None  # cents
    price_max: int | None = None
    options: dict[str, list[str]] = field(default_factory=dict)  # option slug -> value slugs
    in_stock: bool = False
    on_sale: bool = False
    sort: str = "newest"
    page: int = 1
    per_page: int = PER_PAGE

    @property
    def filters(self) -> tuple:
        """What the listing matches, whatever its order and page, as a key for what is kept of it."""
        options = tuple(sorted((k, tuple(sorted(v))) for k, v in self.options.items()))
        ids = tuple(self.category_ids) if self.category_ids is not None else None
        return (ids, self.text, self.price_min, self.price_max, options, self.in_stock, self.on_sale)


@dataclass(frozen=True)
class Card:
    id: int
    slug: str
    name: str
    price: int
    price_varies: bool
    compare_at_price: int | None
    availability: Availability
    image: str | None
    image_alt: str
    only_variant: int | None = None  # set when the product comes in one version only

    @property
    def on_sale(self) -> bool:
        return money.on_sale(self.price, self.compare_at_price)


@dataclass(frozen=True)
class FacetValue:
    slug: str
    name: str
    swatch: str | None
    count: int
    selected: bool


@dataclass(frozen=True)
class Facet:
    slug: str
    name: str
    values: list[FacetValue]


@dataclass(frozen=True)
class Listing:
    query: ListingQuery
    cards: list[Card]
    total: int
    facets: list[Facet]

    @property
    def has_more(self) -> bool:
        return self.query.page * self.query.per_page < self.total


class _Where:
    """The product and variant conditions of a listing, written once and reused by every query."""

    def __init__(
        self,
        sql: Sql,
        q: ListingQuery,
        values: dict[str, dict[str, _Value]],
        skip_option: str | None = None,
        counting: bool = True,
    ):
        self.sql = sql
        variant = [sellable_sql(variant="v")]
        if q.price_min is not None:
            variant.append(f"v.price >= {sql.param(q.price_min)}")
        if q.price_max is not None:
            variant.append(f"v.price <= {sql.param(q.price_max)}")
        if q.in_stock:
            variant.append(can_buy_sql("v.stock"))
        if q.on_sale:
            variant.append(money.on_sale_sql("v.price", "v.compare_at_price"))
        for option_slug, value_slugs in q.options.items():
            if option_slug == skip_option:
                continue
            ids = [values[option_slug][s].id for s in value_slugs if s in values.get(option_slug, {})]
            if not ids:
                continue
            variant.append(
                "EXISTS (SELECT 1 FROM variant_option_value vov WHERE vov.variant_id = v.id"
                f" AND vov.optionvalue_id IN ({sql.params_in(ids)}))"
            )
        self.variant = " AND ".join(variant)
        product = [sellable_sql(product="p")]
        if q.category_ids is not None:
            product.append(f"p.category_id IN ({sql.params_in(q.category_ids)})")
        self.product = " AND ".join(product)
        self.search = ""
        if q.text is not None:
            # A query without searchable words matches nothing.
            # Only the page sorted by relevance needs the rank; counts and other sorts skip computing it.
            ranked = q.sort == "relevance" and not counting
            matched = search.matches(sql, q.text, ranked) or "SELECT 0 AS product_id, 0 AS rank WHERE 1 = 0"
            self.search = f"JOIN ({matched}) s ON s.product_id = p.id"

    @property
    def tables(self) -> str:
        return f"product p {self.search} JOIN variant v ON v.product_id = p.id AND {self.variant}"


@dataclass(frozen=True)
class _Axis:
    """An option as listings filter on it (every listing reads all of them)."""

    id: int
    slug: str
    name: str
    position: int


@dataclass(frozen=True)
class _Value:
    id: int
    option_id: int
    slug: str
    name: str
    swatch: str | None
    position: int


async def _option_values(language: str | None) -> tuple[list[_Axis], dict[str, dict[str, _Value]]]:
    sql = Sql()
    rows = await sql.rows(
        f"SELECT o.id AS o_id, o.slug AS o_slug, {text('o', 'name')} AS o_name, o.position AS o_position,"
        f" ov.id, ov.slug, {text('ov', 'name')} AS name, ov.swatch, ov.position"
        ' FROM option_value ov JOIN "option" o ON o.id = ov.option_id'
        + translations.join(sql, '"option"', "o", language)
        + translations.join(sql, "option_value", "ov", language)
    )
    options: dict[int, _Axis] = {}
    by_slug: dict[str, dict[str, _Value]] = defaultdict(dict)
    for r in rows:
        axis = options.setdefault(r["o_id"], _Axis(r["o_id"], r["o_slug"], r["o_name"], r["o_position"]))
        by_slug[axis.slug][r["slug"]] = _Value(r["id"], axis.id, r["slug"], r["name"], r["swatch"], r["position"])
    return sorted(options.values(), key=lambda o: (o.position, o.id)), by_slug


# Each sort as (key, direction): the key is computed once per matching product, so a page is picked
# without aggregating the variants of every product the listing matches.
def _sort_key(q: ListingQuery, where: _Where) -> tuple[str, str]:
    if q.sort == "relevance" and where.search:
        return "s.rank", "ASC"
    if q.sort in ("price_asc", "price_desc"):
        cheapest = f"(SELECT MIN(v.price) FROM variant v WHERE v.product_id = p.id AND {where.variant})"
        return cheapest, "ASC" if q.sort == "price_asc" else "DESC"
    return "p.created_at", "DESC"


async def listing(
    q: ListingQuery, with_facets: bool = True, kept_counts: dict | None = None, language: str | None = None
) -> Listing:
    """A page of the listing with its total and facets, named in `language` (None: the shop's, as the
    rows hold it); `kept_counts`: see _counts."""
    options, values = await _option_values(language) if (with_facets or q.options) else ([], {})
    cards = await _page(q, values, language)
    total, counts = await _counts(q, values, len(cards), with_facets, kept_counts)
    return Listing(q, cards, total, _facets(q, options, values, counts) if with_facets else [])


async def _page(q: ListingQuery, values, language: str | None) -> list[Card]:
    """One page of cards in two steps: the page's products are picked first (by an index on the sort
    where there is one, stopping after the page), then only their variants are aggregated."""
    sql = Sql()
    where = _Where(sql, q, values, counting=False)
    key, direction = _sort_key(q, where)
    # Ties go by id, newest first when the key is the date (products created in one import share it).
    tie = "DESC" if key == "p.created_at" else "ASC"
    rows = await sql.rows(
        f"SELECT {_CARD_COLUMNS} FROM ("
        f" SELECT p.id AS id, {key} AS sort_key FROM product p {where.search} WHERE {where.product}"
        f" AND EXISTS (SELECT 1 FROM variant v WHERE v.product_id = p.id AND {where.variant})"
        f" ORDER BY sort_key {direction}, p.id {tie} LIMIT {q.per_page} OFFSET {(q.page - 1) * q.per_page}"
        f") page JOIN product p ON p.id = page.id JOIN variant v ON v.product_id = p.id AND {where.variant}"
        f"{translations.join(sql, 'product', 'p', language)}"
        f" GROUP BY p.id, p.slug, p.name, pt.slug, pt.name, page.sort_key"
        f" ORDER BY page.sort_key {direction}, p.id {tie}"
    )
    images = await _first_images([r["id"] for r in rows])
    return [_card(r, images) for r in rows]


# A card is "on sale" when its cheapest variant is; it is then shown against the lowest "was" price
# among the variants on sale (sale prices and "was" prices rise together across sizes and formats).
_ON_SALE = money.on_sale_sql("v.price", "v.compare_at_price")
_CARD_COLUMNS = (
    f"p.id, {text('p', 'slug')} AS slug, {text('p', 'name')} AS name, MIN(v.price) AS price, MAX(v.price) AS price_max,"
    f" MIN(CASE WHEN {_ON_SALE} THEN v.price END) AS sale_price,"
    f" MIN(CASE WHEN {_ON_SALE} THEN v.compare_at_price END) AS compare_at_price,"
    " SUM(v.stock) AS stock, MAX(v.low_stock_threshold) AS low,"
    # The variant of a product sold in one version only, so its card can add it to the cart directly.
    f" (SELECT MIN(v2.id) FROM variant v2 WHERE v2.product_id = p.id AND {sellable_sql(variant='v2')}"
    " HAVING COUNT(*) = 1)"
    " AS only_variant"
)


def _card(row: dict, images: dict[int, tuple[str, str]]) -> Card:
    image, alt = images.get(row["id"], (None, row["name"]))
    cheapest_on_sale = row["sale_price"] is not None and row["sale_price"] == row["price"]
    return Card(
        id=row["id"],
        slug=row["slug"],
        name=row["name"],
        price=row["price"],
        price_varies=row["price_max"] != row["price"],
        compare_at_price=row["compare_at_price"] if cheapest_on_sale else None,
        availability=availability(int(row["stock"]), int(row["low"])),
        image=image,
        image_alt=alt,
        only_variant=row["only_variant"],
    )


async def _counts(
    q: ListingQuery, values, shown: int, with_facets: bool, kept: dict | None
) -> tuple[int, dict[int, int]]:
    """The listing's total and, when asked, products per option value. They cost what the products a
    listing matches cost, not what the page shows (a big category's are slow), so a caller may keep
    them (`kept`, by filters) for the other pages and sorts of the same listing."""
    key = (q.filters, with_facets)
    if kept is not None and key in kept:
        return kept[key]
    offset = (q.page - 1) * q.per_page
    if 0 < shown < q.per_page or (shown == 0 and q.page == 1):
        total = offset + shown  # the last page: no need to count
    else:
        sql = Sql()
        where = _Where(sql, q, values)
        total = (
            await sql.rows(
                f"SELECT COUNT(*) AS n FROM product p {where.search} WHERE {where.product}"
                f" AND EXISTS (SELECT 1 FROM variant v WHERE v.product_id = p.id AND {where.variant})"
            )
        )[0]["n"]
    counts = await _facet_counts(q, values) if with_facets and total else {}
    if kept is not None:
        kept[key] = (total, counts)
    return total, counts


async def _facet_counts(q: ListingQuery, values) -> dict[int, int]:
    """Products per option value id, in one query. A selected option is counted without its own filter,
    so a shopper sees how many products each other size would add (the usual faceted-search rule)."""
    sql = Sql()
    option_id = {slug: next(iter(by_value.values())).option_id for slug, by_value in values.items()}
    selected = [slug for slug in q.options if slug in values]
    parts = []
    for skip in [None, *selected]:
        where = _Where(sql, q, values, skip_option=skip)
        if skip is not None:
            restrict = f"ov.option_id = {sql.param(option_id[skip])}"
        elif selected:
            restrict = f"ov.option_id NOT IN ({sql.params_in([option_id[s] for s in selected])})"
        else:
            restrict = "1 = 1"
        parts.append(
            f"SELECT ov.id AS value_id, COUNT(DISTINCT p.id) AS n FROM {where.tables}"
            " JOIN variant_option_value vov ON vov.variant_id = v.id"
            f" JOIN option_value ov ON ov.id = vov.optionvalue_id AND {restrict}"
            f" WHERE {where.product} GROUP BY ov.id"
        )
    return {r["value_id"]: r["n"] for r in await sql.rows(" UNION ALL ".join(parts))}


def _facets(q: ListingQuery, options: list[_Axis], values, counts: dict[int, int]) -> list[Facet]:
    facets = []
    for option in options:
        chosen = set(q.options.get(option.slug, []))
        facet_values = [
            FacetValue(v.slug, v.name, v.swatch, counts.get(v.id, 0), v.slug in chosen)
            for v in sorted(values[option.slug].values(), key=lambda v: (v.position, v.id))
            if counts.get(v.id) or v.slug in chosen
        ]
        if facet_values:
            facets.append(Facet(option.slug, option.name, facet_values))
    return facets


async def _first_images(product_ids: list[int]) -> dict[int, tuple[str, str]]:
    if not product_ids:
        return {}
    sql = Sql()
    rows = await sql.rows(
        f"SELECT product_id, path, alt FROM product_image"
        f" WHERE product_id IN ({sql.params_in(product_ids)}) ORDER BY position DESC, id DESC"
    )
    # Ordered last-first, so the dict keeps each product's first image.
    return {row["product_id"]: (row["path"], row["alt"]) for row in rows}


# --- product page -------------------------------------------------------------------------------


async def variant_options(variant_ids: list[int], language: str | None = None) -> list[dict]:
    """The option values of these variants, in the options' order and `language`, in one query.

    Read from the link table by variant id (its index), not from OptionValue through the relation: on
    100,000 products the ORM's join made SQLite build a temporary index of the whole link table on every
    call (docs/benchmarks.md, change 2).
    """
    if not variant_ids:
        return []
    sql = Sql()
    return await sql.rows(
        f"SELECT vov.variant_id, ov.id, ov.slug, {text('ov', 'name')} AS name, ov.swatch, ov.position,"
        f' o.slug AS "option__slug", {text("o", "name")} AS "option__name", o.position AS "option__position"'
        " FROM variant_option_value vov JOIN option_value ov ON ov.id = vov.optionvalue_id"
        ' JOIN "option" o ON o.id = ov.option_id'
        + translations.join(sql, "option_value", "ov", language)
        + translations.join(sql, '"option"', "o", language)
        + f" WHERE vov.variant_id IN ({sql.params_in(variant_ids)})"
        " ORDER BY o.position, o.id, ov.position, ov.id"
    )


@dataclass(frozen=True)
class Choice:
    """One value of one option on the product page, and whether picking it leads anywhere."""

    slug: str
    name: str
    swatch: str | None
    selected: bool
    status: str  # "available" | "sold_out" | "unavailable" (no such combination)


@dataclass(frozen=True)
class Axis:
    slug: str
    name: str
    choices: list[Choice]


@dataclass(frozen=True)
class ProductInfo:
    id: int
    slug: str
    name: str
    description: str
    category_id: int
    tax_class: str
    slugs: translations.Slugs


@dataclass(frozen=True)
class VariantInfo:
    id: int
    sku: str
    price: int
    compare_at_price: int | None
    stock: int
    low_stock_threshold: int

    @property
    def availability(self) -> Availability:
        return availability(self.stock, self.low_stock_threshold)

    @property
    def on_sale(self) -> bool:
        return money.on_sale(self.price, self.compare_at_price)


@dataclass(frozen=True)
class Photo:
    id: int
    path: str
    alt: str
    position: int
    colour: str | None  # the slug of the option value it shows, if any


@dataclass(frozen=True)
class ProductPage:
    product: ProductInfo
    axes: list[Axis]
    variant: VariantInfo | None  # None: the chosen combination does not exist
    availability: Availability
    images: list[Photo]
    vat_rate: int

    @property
    def on_sale(self) -> bool:
        return self.variant is not None and self.variant.on_sale


async def product_page(
    slug: str, chosen: dict[str, str], variant_id: int | None = None, language: str | None = None
) -> ProductPage:
    """The product with the variant the shopper chose (by option value slugs, or by id), in `language`.
    `slug` may be the product's in any language: the page's `product.slug` is the one to link to."""
    sql = Sql()
    rows = await sql.rows(
        f"SELECT p.id, {text('p', 'slug')} AS slug, {text('p', 'name')} AS name,"
        f" {text('p', 'description')} AS description, p.category_id, p.tax_class, v.id AS v_id, v.sku, v.price,"
        " v.compare_at_price, v.stock, v.low_stock_threshold, p.slug AS own_slug,"
        " pa.language AS alias_language, pa.slug AS alias_slug"
        f" FROM product p LEFT JOIN variant v ON v.product_id = p.id AND {sellable_sql(variant='v')}"
        + translations.join(sql, "product", "p", language)
        # Its slugs in every language: a row per variant and translation (one per language at most).
        + " LEFT JOIN product_translation pa ON pa.product_id = p.id"
        + f" WHERE p.id = {translations.row_with_slug(sql, 'product', slug)} AND {sellable_sql(product='p')}"
        " ORDER BY v.position, v.id"
    )
    if not rows:
        raise NotFound(slug)
    product = ProductInfo(
        **{k: rows[0][k] for k in ("id", "slug", "name", "description", "category_id", "tax_class")},
        slugs=translations.Slugs.of_rows(rows[0]["own_slug"], rows),
    )
    once = {r["v_id"]: r for r in rows if r["v_id"] is not None}  # in order, without the translations' repeats
    variants = [
        VariantInfo(r["v_id"], r["sku"], r["price"], r["compare_at_price"], r["stock"], r["low_stock_threshold"])
        for r in once.values()
    ]
    links = await variant_options([v.id for v in variants], language)
    sql = Sql()
    images = [
        Photo(**row)
        for row in await sql.rows(
            "SELECT i.id, i.path, i.alt, i.position, ov.slug AS colour FROM product_image i"
            f" LEFT JOIN option_value ov ON ov.id = i.option_value_id WHERE i.product_id = {sql.param(product.id)}"
        )
    ]

    combo: dict[int, dict[str, str]] = defaultdict(dict)  # variant id -> option slug -> value slug
    axis_info: dict[str, tuple[int, str]] = {}
    value_info: dict[str, dict[str, dict]] = defaultdict(dict)
    for link in links:
        combo[link["variant_id"]][link["option__slug"]] = link["slug"]
        axis_info[link["option__slug"]] = (link["option__position"], link["option__name"])
        value_info[link["option__slug"]][link["slug"]] = link
    axis_order = sorted(axis_info, key=lambda s: axis_info[s])

    if variant_id in combo:
        chosen = combo[variant_id]
    chosen = {a: chosen[a] for a in axis_order if chosen.get(a)}
    # Options the shopper did not choose come from the best variant that fits what they did choose.
    fitting = [v for v in variants if chosen.items() <= combo[v.id].items()] or variants
    default = next((v for v in fitting if v.availability.can_buy), fitting[0] if fitting else None)
    selection = {a: chosen.get(a) or (combo[default.id].get(a) if default else None) for a in axis_order}
    variant = next((v for v in variants if combo[v.id] == selection), None) if axis_order else default

    def status(axis: str, value: str) -> str:
        wanted = {**selection, axis: value}
        match = next((v for v in variants if combo[v.id] == wanted), None)
        if match is None:
            return "unavailable"
        return "available" if match.availability.can_buy else "sold_out"

    axes = [
        Axis(
            slug=a,
            name=axis_info[a][1],
            choices=[
                Choice(s, i["name"], i["swatch"], selection[a] == s, status(a, s))
                for s, i in sorted(value_info[a].items(), key=lambda kv: (kv[1]["position"], kv[1]["id"]))
            ],
        )
        for a in axis_order
    ]
    # The chosen colour's own photo first.
    chosen_values = set(selection.values())
    images.sort(key=lambda img: (img.colour is None or img.colour not in chosen_values, img.position, img.id))
    return ProductPage(
        product=product,
        axes=axes,
        variant=variant,
        availability=variant.availability if variant else availability(0, 0),
        images=images,
        vat_rate=vat.rate(product.tax_class),
    )


async def home(language: str | None = None) -> tuple[list[Card], list[Card]]:
    """New arrivals and items on sale for the home page.

    "On sale" means a shopper can buy it at a sale price now: a variant both reduced and in stock. (A
    variant selling out always raises the catalogue version, so the kept home page drops it at once.)"""
    new = await _page(ListingQuery(sort="newest", per_page=8), {}, language)
    sale = await _page(ListingQuery(sort="newest", on_sale=True, in_stock=True, per_page=8), {}, language)
    return new, sale


async def product_names(product_ids: list[int], language: str | None = None) -> dict[int, tuple[str, str]]:
    """The name and slug of each of these products in `language`, in one query (a cart's lines)."""
    if not product_ids:
        return {}
    sql = Sql()
    rows = await sql.rows(
        f"SELECT p.id, {text('p', 'name')} AS name, {text('p', 'slug')} AS slug FROM product p"
        + translations.join(sql, "product", "p", language)
        + f" WHERE p.id IN ({sql.params_in(sorted(set(product_ids)))})"
    )
    return {r["id"]: (r["name"], r["slug"]) for r in rows}


async def product_slug_of(variant_id: int, language: str | None = None) -> str | None:
    """The slug, in `language`, of the product page a variant is on; None when there is no such variant."""
    sql = Sql()
    rows = await sql.rows(
        f"SELECT {text('p', 'slug')} AS slug FROM variant v JOIN product p ON p.id = v.product_id"
        + translations.join(sql, "product", "p", language)
        + f" WHERE v.id = {sql.param(variant_id)}"
    )
    return rows[0]["slug"] if rows else None
