"""The catalogue in the shopper's language, in SQL.

A category's, product's, option's or option value's own columns hold the shop's language
(settings.language); another language's text is a row of its `<table>_translation` table (models.py).
A page reads each text through here: the translation when there is one, else the shop's text, so a
product not yet translated still shows, in the shop's language, rather than a blank. The shop's own
language has no translation rows, so its pages read the columns themselves through the same join.
"""

from __future__ import annotations

from dataclasses import dataclass

from storefront.domain.db import Sql

# What each table's translation is keyed by: table -> (translation table, its reference to the row).
_TABLES = {
    "category": ("category_translation", "category_id"),
    "product": ("product_translation", "product_id"),
    '"option"': ("option_translation", "option_id"),
    "option_value": ("option_value_translation", "option_value_id"),
}


def join(sql: Sql, table: str, alias: str, language: str | None) -> str:
    """The LEFT JOIN of the translation of `alias` (a row of `table`) into `language`, as `<alias>t`; None,
    for callers with no page language (a test, the benchmark), joins nothing: the texts as stored."""
    translation, key = _TABLES[table]
    t = f"{alias}t"
    return f" LEFT JOIN {translation} {t} ON {t}.{key} = {alias}.id AND {t}.language = {sql.param(language or '')}"


def text(alias: str, column: str) -> str:
    """`alias.column` in the joined language: the translation unless it is blank or missing."""
    return f"COALESCE(NULLIF({alias}t.{column}, ''), {alias}.{column})"


def row_with_slug(sql: Sql, table: str, slug: str) -> str:
    """The id of the row that has `slug` in any language, as a scalar subquery (each part an index lookup):
    a link in the other language, or from before a slug was translated, still finds its page."""
    translation, key = _TABLES[table]
    s = sql.param(slug)
    own, translated = (
        f"SELECT id FROM {table} WHERE slug = {s}",
        f"SELECT MIN({key}) FROM {translation} WHERE slug = {s}",
    )
    return f"COALESCE(({own}), ({translated}))"


@dataclass(frozen=True)
class Slugs:
    """A category's or product's slugs: its own (in the shop's language) and its translations'."""

    own: str
    translated: tuple[tuple[str, str], ...] = ()  # (language, slug)

    def of(self, language: str) -> str:
        """The slug of its page in `language`: the translation's, else its own."""
        return dict(self.translated).get(language) or self.own

    def __contains__(self, slug: object) -> bool:
        return slug == self.own or slug in dict(self.translated).values()

    @classmethod
    def of_rows(cls, own: str, rows: list[dict]) -> Slugs:
        """From rows of LEFT JOINed translations (`alias_language`, `alias_slug`, None when there is none)."""
        found = {(r["alias_language"], r["alias_slug"]) for r in rows if r["alias_slug"]}
        return cls(own, tuple(sorted(found)))
