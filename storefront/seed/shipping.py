"""The demo shop's shipping: three methods over three zones, priced by weight bands."""

from __future__ import annotations

from storefront.domain import vat
from storefront.domain.models import ShippingMethod, ShippingRate, ShippingZone
from storefront.seed.inserts import OTHER

EU = sorted(vat.EU_MEMBERS - {"IT"})  # Italy is a zone of its own

# (code, name, description, carrier, tracking URL, min days, max days, pickup)
METHODS = [
    (
        "standard",
        "Standard courier",
        "Tracked delivery to your door",
        "BRT",
        "https://vas.brt.it/vas/sped_numspe_par.htm?sped_num={number}",
        2,
        4,
        False,
    ),
    (
        "express",
        "Express courier",
        "Tracked, signature on delivery",
        "DHL Express",
        "https://www.dhl.com/it-en/home/tracking.html?tracking-id={number}",
        1,
        2,
        False,
    ),
    ("pickup", "Pick up in our Florence shop", "Via dei Servi 12, Florence — ready in a day", "", "", 1, 1, True),
]
# The methods' name and description in Italian (METHODS writes them in English).
METHODS_IT = {
    "standard": ("Corriere standard", "Consegna tracciata a domicilio"),
    "express": ("Corriere espresso", "Tracciata, con firma alla consegna"),
    "pickup": ("Ritiro nel nostro negozio di Firenze", "Via dei Servi 12, Firenze: pronto in un giorno"),
}
# zone -> method -> (business days in transit there, or None for the method's own, which are Italy's;
#                    [(max grams or None, price in cents)])
RATES: dict[str, dict[str, tuple[tuple[int, int] | None, list[tuple[int | None, int]]]]] = {
    "Italy": {
        "standard": (None, [(2000, 490), (10000, 790), (None, 1290)]),
        "express": (None, [(2000, 990), (None, 1590)]),
        "pickup": (None, [(None, 0)]),
    },
    "European Union": {"standard": ((3, 6), [(2000, 1290), (None, 1990)]), "express": ((1, 3), [(None, 2990)])},
    "Rest of the world": {"standard": ((5, 10), [(2000, 2490), (None, 3990)]), "express": ((2, 5), [(None, 5490)])},
}
ZONES = [("Italy", ["IT", "SM", "VA"]), ("European Union", EU), ("Rest of the world", ["*"])]


async def ensure_shipping(language: str) -> None:
    """Create the demo methods, zones and rates unless the shop has its own; the methods named in the
    shop's `language`, and in the other."""
    if await ShippingMethod.exists():
        return
    zones = {
        name: await ShippingZone.create(name=name, countries=countries, position=i)
        for i, (name, countries) in enumerate(ZONES)
    }
    methods = {}
    for i, (code, name, description, carrier, tracking, low, high, pickup) in enumerate(METHODS):
        words = {"en": {"name": name, "description": description}}
        words["it"] = dict(zip(("name", "description"), METHODS_IT[code], strict=True))
        other = OTHER[language]
        methods[code] = await ShippingMethod.create(
            code=code,
            name=words[language]["name"],
            description=words[language]["description"],
            translations={other: words[other]},
            carrier=carrier,
            tracking_url=tracking,
            min_days=low,
            max_days=high,
            pickup=pickup,
            position=i,
        )
    await ShippingRate.bulk_create(
        [
            ShippingRate(
                method=methods[code],
                zone=zones[zone],
                max_weight_grams=grams,
                price=price,
                min_days=transit[0] if transit else None,
                max_days=transit[1] if transit else None,
            )
            for zone, by_method in RATES.items()
            for code, (transit, bands) in by_method.items()
            for grams, price in bands
        ]
    )
