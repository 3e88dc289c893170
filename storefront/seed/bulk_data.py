"""The vocabulary of the generated benchmark catalogues: nouns per category, adjectives and places."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from storefront.domain.models import TaxClass
from storefront.seed.demo_data import DEMO_NEWEST, DEMO_SPAN, REDUCED, STANDARD, SUPER_REDUCED

# Names are "<noun> <adjective> <place>". Places are drawn with Zipf-like weights, so searching a
# common place matches thousands of products and a rare one a handful.


@dataclass(frozen=True)
class BulkCategory:
    nouns: str  # "Camicia/f Maglione/m Spaghetti/mp"
    shape: str
    ink: str
    price: tuple[int, int]  # euros, for the first format
    weight: int
    kind: str  # "apparel" | "sized" | "colour" | "format" | "single"
    formats: str = ""
    tax: TaxClass = STANDARD


BULK: dict[str, BulkCategory] = {
    "shirts": BulkCategory("Camicia/f Blusa/f Camicetta/f", "shirt", "#9cc3e6", (39, 160), 240, "apparel"),
    "t-shirts": BulkCategory("Maglietta/f Polo/f Canotta/f", "tee", "#c8553d", (15, 70), 180, "apparel"),
    "knitwear": BulkCategory("Maglione/m Cardigan/m Dolcevita/m Gilet/m", "knit", "#87a96b", (59, 320), 420, "apparel"),
    "trousers": BulkCategory(
        "Pantaloni/mp Gonna/f Bermuda/fp Chino/mp", "trousers", "#d8c3a5", (45, 190), 380, "sized"
    ),
    "ceramics": BulkCategory("Tazza/f Ciotola/f Piatto/m Vaso/m Brocca/f", "cup", "#1e3a8a", (9, 120), 400, "colour"),
    "linens": BulkCategory("Tovaglia/f Cuscino/m Plaid/m Tovaglioli/mp", "cloth", "#d8c3a5", (19, 150), 450, "colour"),
    "kitchen": BulkCategory("Tagliere/m Mestolo/m Caffettiera/f Oliera/f", "moka", "#9ca3af", (9, 240), 600, "single"),
    "coffee": BulkCategory("Caffè/m Miscela/f", "packet", "#6f4e37", (5, 14), 30, "format", "250g 500g 1kg"),
    "pasta-rice": BulkCategory(
        "Spaghetti/mp Fusilli/mp Paccheri/mp Riso/m Orecchiette/fp",
        "box",
        "#1e3a8a",
        (2, 7),
        30,
        "format",
        "500g 1kg",
        SUPER_REDUCED,
    ),
    "oil-vinegar": BulkCategory(
        "Olio/m Aceto/m", "bottle", "#556b2f", (6, 25), 350, "format", "250ml 500ml 750ml", SUPER_REDUCED
    ),
    "sweets": BulkCategory(
        "Biscotti/mp Torrone/m Cioccolato/m Cantucci/mp",
        "box",
        "#c8553d",
        (4, 20),
        40,
        "format",
        "100g 250g 500g",
        REDUCED,
    ),
    "preserves": BulkCategory(
        "Miele/m Marmellata/f Passata/f Pesto/m Crema/f",
        "jar",
        "#d4a017",
        (4, 18),
        220,
        "format",
        "250g 500g 1kg",
        REDUCED,
    ),
    "wine": BulkCategory("Vino/m Spumante/m Rosato/m", "wine", "#7b1e3a", (8, 70), 500, "format", "750ml 1-5l"),
    "spirits": BulkCategory("Liquore/m Grappa/f Amaro/m", "wine", "#e6c229", (15, 60), 450, "format", "500ml 750ml"),
    "bags": BulkCategory("Borsa/f Zaino/m Pochette/f Shopper/f", "bag", "#c8553d", (35, 450), 700, "colour"),
    "scarves-hats": BulkCategory(
        "Sciarpa/f Foulard/m Cravatta/f Berretto/m", "scarf", "#1e3a8a", (25, 180), 150, "colour"
    ),
    "notebooks": BulkCategory("Quaderno/m Taccuino/m Agenda/f", "notebook", "#c8553d", (6, 45), 300, "colour"),
    "pens-ink": BulkCategory("Penna/f Matita/f Pennino/m", "pen", "#7b1e3a", (3, 160), 60, "colour"),
    "books": BulkCategory(
        "Ricettario/m Guida/f Atlante/m", "book", "#1e3a8a", (12, 45), 600, "single", tax=SUPER_REDUCED
    ),
    "beauty": BulkCategory(
        "Sapone/m Crema/f Profumo/m Olio/m", "soap", "#87a96b", (5, 60), 150, "format", "50ml 100ml 250ml"
    ),
    "toys": BulkCategory("Trottola/f Puzzle/m Gioco/m Barchetta/f", "top", "#c8553d", (6, 120), 300, "single"),
}

# Nouns taxed unlike the rest of their category: vinegar is standard-rate, the olive oil beside it is not.
NOUN_TAX = {"Aceto": STANDARD}

# Masculine, feminine, masculine plural, feminine plural.
ADJECTIVES = [
    a.split()
    for a in (
        "classico classica classici classiche",
        "rustico rustica rustici rustiche",
        "antico antica antichi antiche",
        "artigianale artigianale artigianali artigianali",
        "nobile nobile nobili nobili",
        "fine fine fini fini",
        "moderno moderna moderni moderne",
        "tradizionale tradizionale tradizionali tradizionali",
        "speciale speciale speciali speciali",
        "pregiato pregiata pregiati pregiate",
        "semplice semplice semplici semplici",
        "elegante elegante eleganti eleganti",
        "leggero leggera leggeri leggere",
        "morbido morbida morbidi morbide",
        "prezioso preziosa preziosi preziose",
        "genuino genuina genuini genuine",
    )
]
GENDER = {"m": 0, "f": 1, "mp": 2, "fp": 3}
PLACES = (
    "Roma Milano Napoli Firenze Venezia Torino Bologna Genova Palermo Verona Siena Pisa Lucca Bari Lecce Como "
    "Parma Modena Perugia Assisi Amalfi Positano Sorrento Capri Portofino Cortona Montepulciano Orvieto Spoleto "
    "Urbino Ravenna Ferrara Mantova Bergamo Brescia Trieste Udine Trento Bolzano Aosta Asti Alba Cuneo Biella "
    "Vicenza Padova Treviso Bassano Chioggia Rimini Pesaro Ancona Macerata Ascoli Pescara Sulmona Matera Potenza "
    "Cosenza Tropea Reggio Messina Taormina Catania Siracusa Noto Ragusa Modica Agrigento Trapani Marsala Cagliari "
    "Alghero Sassari Nuoro Olbia Gubbio Todi Montalcino Pienza Volterra Arezzo Viterbo Tivoli Gaeta Ischia Procida "
    "Caserta Benevento Avellino Foggia Trani Ostuni Otranto Gallipoli Manduria Altamura Gragnano Deruta Vietri "
    "Faenza Caltagirone Grottaglie Murano Burano Bagnoregio Civita Sabbioneta Castelmezzano Craco Pitigliano"
).split()
BULK_NEWEST = DEMO_NEWEST - DEMO_SPAN - timedelta(days=1)  # behind the demo, so the home page stays the demo's
BULK_SPAN_SECONDS = 365 * 24 * 3600
BULK_BATCH = 2000  # products per transaction
