"""What shoppers read in their language: the catalogue (in SQL), shipping methods and promotions.

A row's own columns hold the shop's language (settings.language). Another language's words are, for a
category, product, option or option value, a row of its `<table>_translation` table (models.py: slugs
must be unique per language, and pages read them in SQL); for a shipping method or a promotion, a few
words read with the row, its `translations` ({"en": {"name": ...}}). Either way a text is read through
here: the translation when there is one, else the shop's text, so what is not yet translated still shows,
in the shop's language, rather than a blank. The shop's own language has no translations, so its pages
read the columns themselves through the same code.
"""

from __future__ import annotations

from dataclasses import dataclass

from storefront.domain.db import Sql
from storefront.domain.forms import Reader

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


def word(row, column: str, language: str | None) -> str:
    """A shipping method's or promotion's `column` in `language`: its translation unless blank or missing."""
    return (row.translations or {}).get(language or "", {}).get(column) or getattr(row, column)


def read_words(r: Reader, languages: tuple[str, ...], limits: dict[str, int]) -> dict[str, dict[str, str]]:
    """A form's words in the other `languages` (name_en, description_en: `limits` by column), as a shipping
    method's or promotion's `translations`; blank ones are none."""
    words = {}
    for language in languages:
        typed = {column: r.text(f"{column}_{language}", limit) for column, limit in limits.items()}
        if any(typed.values()):
            words[language] = {column: text for column, text in typed.items() if text}
    return words
