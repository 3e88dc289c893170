"""What every seeded catalogue is sorted and varied by: the category tree and the option values.

The demo shop and the benchmark catalogues share both, so a bulk catalogue can sit on top of the demo.
"""

import re

# --- options ------------------------------------------------------------------------------------
# Option slugs become query parameters of filtered listings (?size=m&colour=blu), so they must not
# collide with the listing's own parameters.
RESERVED_PARAMS = {"q", "sort", "page", "min", "max", "stock", "v"}

# (slug, name, SKU code, swatch)
COLOURS = [
    ("bianco", "Bianco", "BIA", "#f5f5f0"),
    ("sabbia", "Sabbia", "SAB", "#d8c3a5"),
    ("celeste", "Celeste", "CEL", "#9cc3e6"),
    ("blu", "Blu", "BLU", "#1e3a8a"),
    ("verde-salvia", "Verde salvia", "SAL", "#87a96b"),
    ("terracotta", "Terracotta", "TER", "#c8553d"),
    ("bordeaux", "Bordeaux", "BOR", "#7b1e3a"),
    ("nero", "Nero", "NER", "#111111"),
]
# (slug, name, SKU code)
SIZES = [("xs", "XS", "XS"), ("s", "S", "S"), ("m", "M", "M"), ("l", "L", "L"), ("xl", "XL", "XL")]
# (slug, name, SKU code, grams or millilitres); listed smallest first, which is also their position.
FORMATS = [
    ("50ml", "50 ml", "50ML", 50),
    ("100g", "100 g", "100G", 100),
    ("100ml", "100 ml", "100ML", 100),
    ("250g", "250 g", "250G", 250),
    ("250ml", "250 ml", "250ML", 250),
    ("500g", "500 g", "500G", 500),
    ("500ml", "500 ml", "500ML", 500),
    ("750ml", "750 ml", "750ML", 750),
    ("1kg", "1 kg", "1KG", 1000),
    ("1l", "1 l", "1L", 1000),
    ("1-5l", "1.5 l", "1500ML", 1500),
    ("3l", "3 l", "3L", 3000),
]
# (slug, name, values); the position orders the axes on the product page: colour, then size.
OPTIONS: list[tuple[str, str, list[tuple[str, str, str, str | None]]]] = [
    ("colour", "Colour", [(s, n, c, sw) for s, n, c, sw in COLOURS]),
    ("size", "Size", [(s, n, c, None) for s, n, c in SIZES]),
    ("format", "Format", [(s, n, c, None) for s, n, c, _ in FORMATS]),
]
assert not {slug for slug, _, _ in OPTIONS} & RESERVED_PARAMS

SWATCH = {slug: swatch for slug, _, _, swatch in COLOURS}
VALUE_NAME = {(o, s): n for o, _, values in OPTIONS for s, n, _, _ in values}
VALUE_CODE = {(o, s): c for o, _, values in OPTIONS for s, _, c, _ in values}
AMOUNT = {slug: amount for slug, _, _, amount in FORMATS}
SKU_ORDER = {"size": 0, "colour": 1, "format": 2}  # "MAG-LINO-M-BLU"

# --- categories ---------------------------------------------------------------------------------
# English names (shoppers are international); product names keep their Italian flavour.
# (slug, name, description, [(child slug, child name)])
CATEGORIES = [
    (
        "clothing",
        "Clothing",
        "Shirts, knitwear and everyday pieces cut and sewn by family workshops from Biella to Naples.",
        [("shirts", "Shirts"), ("t-shirts", "T-shirts"), ("knitwear", "Knitwear"), ("trousers", "Trousers & Skirts")],
    ),
    (
        "home",
        "Home",
        "Tableware, linens and kitchen tools from Italy's historic ceramic towns and textile mills.",
        [("ceramics", "Ceramics"), ("linens", "Linens"), ("kitchen", "Kitchen")],
    ),
    (
        "pantry",
        "Pantry",
        "Coffee, pasta, olive oil and sweets from small producers, each with the place it comes from.",
        [
            ("coffee", "Coffee"),
            ("pasta-rice", "Pasta & Rice"),
            ("oil-vinegar", "Oil & Vinegar"),
            ("sweets", "Sweets"),
            ("preserves", "Preserves"),
        ],
    ),
    (
        "wine-spirits",
        "Wine & Spirits",
        "Bottles from vineyards and distilleries we visit ourselves, shipped carefully packed.",
        [("wine", "Wine"), ("spirits", "Spirits & Liqueurs")],
    ),
    (
        "accessories",
        "Accessories",
        "Leather, silk and straw, finished by hand in Florence, Como and the Marche.",
        [("bags", "Bags"), ("scarves-hats", "Scarves, Hats & Belts")],
    ),
    (
        "stationery",
        "Stationery & Books",
        "Paper from Amalfi and Fabriano, pens and books for slow correspondence.",
        [("notebooks", "Notebooks & Paper"), ("pens-ink", "Pens & Ink"), ("books", "Books")],
    ),
    ("beauty", "Beauty", "Soaps, colognes and creams from Italian herbalists, made with Mediterranean oils.", []),
    ("toys", "Games & Toys", "Wooden toys and classic games, made to be handed down.", []),
]

# --- Italian ------------------------------------------------------------------------------------
# The shop is bilingual. The tables above are English (colour names Italian); these add the other language.
# Every category slug, parents and children -> (Italian slug, Italian name, Italian description); children
# have no description.
CATEGORIES_IT: dict[str, tuple[str, str, str]] = {
    "clothing": (
        "abbigliamento",
        "Abbigliamento",
        "Camicie, maglieria e capi di tutti i giorni, tagliati e cuciti da laboratori di famiglia, da Biella a Napoli.",
    ),
    "shirts": ("camicie", "Camicie", ""),
    "t-shirts": ("magliette", "Magliette", ""),
    "knitwear": ("maglieria", "Maglieria", ""),
    "trousers": ("pantaloni-gonne", "Pantaloni e gonne", ""),
    "home": (
        "casa",
        "Casa",
        "Stoviglie, biancheria e utensili da cucina dalle città storiche della ceramica e dalle tessiture italiane.",
    ),
    "ceramics": ("ceramiche", "Ceramiche", ""),
    "linens": ("biancheria", "Biancheria", ""),
    "kitchen": ("cucina", "Cucina", ""),
    "pantry": (
        "dispensa",
        "Dispensa",
        "Caffè, pasta, olio d'oliva e dolci di piccoli produttori, ognuno con il luogo da cui proviene.",
    ),
    "coffee": ("caffe", "Caffè", ""),
    "pasta-rice": ("pasta-riso", "Pasta e riso", ""),
    "oil-vinegar": ("olio-aceto", "Olio e aceto", ""),
    "sweets": ("dolci", "Dolci", ""),
    "preserves": ("conserve", "Conserve", ""),
    "wine-spirits": (
        "vini-liquori",
        "Vini e liquori",
        "Bottiglie da vigne e distillerie che visitiamo di persona, spedite con un imballaggio accurato.",
    ),
    "wine": ("vini", "Vini", ""),
    "spirits": ("distillati-liquori", "Distillati e liquori", ""),
    "accessories": (
        "accessori",
        "Accessori",
        "Pelle, seta e paglia, rifinite a mano a Firenze, a Como e nelle Marche.",
    ),
    "bags": ("borse", "Borse", ""),
    "scarves-hats": ("sciarpe-cappelli-cinture", "Sciarpe, cappelli e cinture", ""),
    "stationery": (
        "cartoleria-libri",
        "Cartoleria e libri",
        "Carta di Amalfi e di Fabriano, penne e libri per una corrispondenza senza fretta.",
    ),
    "notebooks": ("quaderni-carta", "Quaderni e carta", ""),
    "pens-ink": ("penne-inchiostri", "Penne e inchiostri", ""),
    "books": ("libri", "Libri", ""),
    "beauty": (
        "bellezza",
        "Bellezza",
        "Saponi, acque di colonia e creme delle erboristerie italiane, preparati con oli del Mediterraneo.",
    ),
    "toys": ("giochi", "Giochi e giocattoli", "Giocattoli in legno e giochi classici, fatti per essere tramandati."),
}
# Colour slug -> English name (the names in COLOURS are Italian).
COLOUR_EN: dict[str, str] = {
    "bianco": "White",
    "sabbia": "Sand",
    "celeste": "Sky blue",
    "blu": "Blue",
    "verde-salvia": "Sage green",
    "terracotta": "Terracotta",
    "bordeaux": "Burgundy",
    "nero": "Black",
}
# Option slug -> Italian name (the names in OPTIONS are English).
OPTION_IT: dict[str, str] = {"colour": "Colore", "size": "Taglia", "format": "Formato"}
# Format slug -> Italian name, only where it differs from the name in FORMATS (Italian writes a decimal comma).
FORMAT_IT: dict[str, str] = {"1-5l": "1,5 l"}

_SLUGS = [s for slug, _, _, children in CATEGORIES for s in (slug, *(child for child, _ in children))]
_SLUGS_IT = [slug_it for slug_it, _, _ in CATEGORIES_IT.values()]
assert set(CATEGORIES_IT) == set(_SLUGS), set(_SLUGS) ^ set(CATEGORIES_IT)
assert len(set(_SLUGS_IT)) == len(_SLUGS_IT), "Italian category slugs must be unique"
assert not set(_SLUGS_IT) & set(_SLUGS), set(_SLUGS_IT) & set(_SLUGS)
assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug) for slug in _SLUGS_IT), _SLUGS_IT
assert all(CATEGORIES_IT[child][2] == "" for _, _, _, children in CATEGORIES for child, _ in children)
assert set(COLOUR_EN) == {slug for slug, *_ in COLOURS}, "every colour needs an English name"
assert set(OPTION_IT) == {slug for slug, _, _ in OPTIONS}
assert set(FORMAT_IT) <= {slug for slug, *_ in FORMATS}
del _SLUGS, _SLUGS_IT
