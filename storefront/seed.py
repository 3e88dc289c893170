"""Catalogues to start from: the demo shop ("Bottega") and large generated ones for benchmarks.

Both write through the same path: rows are planned in memory, then inserted in batches with
bulk_create inside one transaction per batch. Every unit of stock gets its "initial" ledger row, so
the stock invariant (sum of movements == Variant.stock) holds from the first request.

The demo is deterministic: a fixed random seed and fixed timestamps, so screenshots, end-to-end
tests and "newest first" listings come out the same on every machine.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html import escape
from itertools import accumulate
from pathlib import Path

from tortoise.transactions import in_transaction

from storefront.domain import search
from storefront.domain.db import dialect
from storefront.domain.models import (
    Category,
    Option,
    OptionValue,
    Product,
    ProductImage,
    StockMovement,
    TaxClass,
    Variant,
)
from storefront.domain.search import fold
from storefront.domain.stock import Reason

STANDARD, REDUCED, SUPER_REDUCED = TaxClass.STANDARD, TaxClass.REDUCED, TaxClass.SUPER_REDUCED

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
OPTIONS = [
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
    ("clothing", "Clothing", "Shirts, knitwear and everyday pieces cut and sewn by family workshops from Biella to Naples.",
     [("shirts", "Shirts"), ("t-shirts", "T-shirts"), ("knitwear", "Knitwear"), ("trousers", "Trousers & Skirts")]),
    ("home", "Home", "Tableware, linens and kitchen tools from Italy's historic ceramic towns and textile mills.",
     [("ceramics", "Ceramics"), ("linens", "Linens"), ("kitchen", "Kitchen")]),
    ("pantry", "Pantry", "Coffee, pasta, olive oil and sweets from small producers, each with the place it comes from.",
     [("coffee", "Coffee"), ("pasta-rice", "Pasta & Rice"), ("oil-vinegar", "Oil & Vinegar"),
      ("sweets", "Sweets"), ("preserves", "Preserves")]),
    ("wine-spirits", "Wine & Spirits", "Bottles from vineyards and distilleries we visit ourselves, shipped carefully packed.",
     [("wine", "Wine"), ("spirits", "Spirits & Liqueurs")]),
    ("accessories", "Accessories", "Leather, silk and straw, finished by hand in Florence, Como and the Marche.",
     [("bags", "Bags"), ("scarves-hats", "Scarves, Hats & Belts")]),
    ("stationery", "Stationery & Books", "Paper from Amalfi and Fabriano, pens and books for slow correspondence.",
     [("notebooks", "Notebooks & Paper"), ("pens-ink", "Pens & Ink"), ("books", "Books")]),
    ("beauty", "Beauty", "Soaps, colognes and creams from Italian herbalists, made with Mediterranean oils.", []),
    ("toys", "Games & Toys", "Wooden toys and classic games, made to be handed down.", []),
]

# --- demo products ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """One demo product. Options: space-separated value slugs; sizes None means the section's sizes."""

    name: str
    price: float  # euros, for the first (smallest) format
    origin: str
    detail: str  # the first sentence of the description
    colours: str = ""
    sizes: str | None = None
    formats: str | None = None
    gaps: bool = False  # drop some size/colour combinations (the product page shows "not available")
    ink: str | None = None  # illustration colour when the product has no colour option
    shape: str | None = None
    tax: TaxClass | None = None


@dataclass(frozen=True)
class Section:
    category: str
    shape: str
    weight: int  # grams per unit; for products sold by format, the packaging on top of the contents
    closing: tuple[str, ...]  # one of these ends each description
    items: list[Item]
    sizes: str = ""
    formats: str = ""
    tax: TaxClass = STANDARD
    ink: str = "#8a6f4d"


I = Item  # noqa: E741 -- short, because the tables below are long
APPAREL = "xs s m l xl"
CLOTHING_CARE = ("Machine wash cold and dry flat.", "Wash at 30 °C, inside out.", "Gentle machine wash; iron while damp.")
KNIT_CARE = ("Hand wash cold and dry flat.", "Wool wash at 30 °C, dry flat away from heat.")

DEMO: list[Section] = [
    Section("shirts", "shirt", 240, CLOTHING_CARE, sizes=APPAREL, items=[
        I("Camicia in lino", 69, "Biella, Piedmont", "A relaxed shirt in washed linen that gets softer with every wash.", "bianco blu sabbia verde-salvia", gaps=True),
        I("Camicia Oxford button-down", 79, "Castelfranco Veneto", "A button-down collar and a sturdy Oxford weave for every day of the week.", "bianco celeste blu"),
        I("Camicia in popeline di cotone", 89, "Naples, Campania", "Crisp two-ply poplin with hand-sewn buttons and a soft collar.", "bianco celeste"),
        I("Camicia a righe Portofino", 75, "Como, Lombardy", "Fine blue and white stripes inspired by the harbour of Portofino.", ink="#3b6fb6"),
        I("Camicia in chambray", 72, "Prato, Tuscany", "A light chambray shirt woven on shuttle looms and garment-dyed.", "celeste blu"),
        I("Camicia coreana in lino", 74, "Biella, Piedmont", "A band-collar linen shirt cut a little longer, to wear untucked.", "bianco terracotta verde-salvia sabbia", gaps=True),
        I("Camicia di flanella a quadri", 85, "Schio, Veneto", "Brushed cotton flannel in a small check, warm without bulk.", "bordeaux blu verde-salvia"),
        I("Camicia in seta lavata", 149, "Como, Lombardy", "Sand-washed silk with a matte finish that drapes beautifully.", "nero sabbia bordeaux"),
        I("Blusa in cotone ricamata", 92, "Positano, Campania", "A loose blouse with white-on-white embroidery at the yoke.", sizes="xs s m l", ink="#f5f5f0"),
    ]),
    Section("t-shirts", "tee", 180, CLOTHING_CARE, sizes=APPAREL, items=[
        I("Maglietta in lino", 39, "Biella, Piedmont", "A light linen T-shirt with a relaxed fit, made for long summers.", "bianco blu nero verde-salvia terracotta sabbia", gaps=True),
        I("Maglietta in cotone biologico", 29, "Carpi, Emilia-Romagna", "Soft organic cotton jersey with a clean crew neck.", "bianco nero blu sabbia"),
        I("T-shirt marinière a righe", 35, "La Spezia, Liguria", "The classic sailor stripe in heavy cotton jersey.", ink="#1e3a8a"),
        I("Polo in piqué", 55, "Carpi, Emilia-Romagna", "A piqué polo with mother-of-pearl buttons and a knitted collar.", "bianco blu verde-salvia bordeaux", gaps=True),
        I("Canotta in cotone a coste", 22, "Carpi, Emilia-Romagna", "A ribbed cotton tank top that keeps its shape.", "bianco nero sabbia"),
        I("Maglietta a maniche lunghe", 42, "Treviso, Veneto", "A long-sleeved tee in slub cotton, good for layering.", "bianco blu terracotta"),
        I("T-shirt Amalfi con limoni", 34, "Amalfi, Campania", "Screen-printed by hand with the lemons of the Amalfi Coast.", ink="#e6c229"),
        I("Polo in maglia di cotone", 65, "Perugia, Umbria", "A knitted cotton polo, half jumper and half shirt.", "sabbia blu verde-salvia"),
        I("Maglietta girocollo in jersey", 25, "Carpi, Emilia-Romagna", "An everyday crew-neck tee in combed cotton jersey.", "bianco nero blu celeste sabbia", gaps=True),
    ]),
    Section("knitwear", "knit", 420, KNIT_CARE, sizes=APPAREL, items=[
        I("Maglione di lana merino", 129, "Biella, Piedmont", "A fine-gauge merino jumper that is warm, light and never itchy.", "blu nero verde-salvia bordeaux sabbia", gaps=True),
        I("Cardigan in cashmere", 290, "Solomeo, Umbria", "Pure cashmere spun and knitted in Umbria, finished by hand.", "sabbia nero blu"),
        I("Dolcevita in lana merino", 119, "Biella, Piedmont", "A slim roll-neck in extra-fine merino, the backbone of a winter wardrobe.", "nero blu bianco bordeaux"),
        I("Maglione a trecce", 139, "Val di Fiemme, Trentino", "A chunky cable-knit jumper in undyed mountain wool.", "bianco sabbia"),
        I("Gilet in lana", 89, "Prato, Tuscany", "A V-neck vest knitted from recycled Prato wool.", "sabbia verde-salvia blu"),
        I("Maglione in cotone a coste", 79, "Perugia, Umbria", "A ribbed cotton jumper for cool evenings by the sea.", "bianco blu terracotta"),
        I("Cardigan in lana d'alpaca", 159, "Arezzo, Tuscany", "A brushed alpaca blend, airy and remarkably warm.", "sabbia terracotta nero"),
        I("Felpa in cotone garzato", 69, "Treviso, Veneto", "A brushed-back cotton sweatshirt with ribbed cuffs.", "blu nero verde-salvia sabbia", gaps=True),
        I("Maglione girocollo in cashmere", 249, "Solomeo, Umbria", "A classic crew neck in two-ply cashmere.", "blu sabbia bordeaux nero"),
    ]),
    Section("trousers", "trousers", 380, CLOTHING_CARE, sizes=APPAREL, items=[
        I("Pantaloni in lino", 89, "Biella, Piedmont", "Drawstring linen trousers with a wide, easy leg.", "bianco sabbia nero"),
        I("Chino in cotone", 95, "Castelfranco Veneto", "Garment-dyed cotton twill chinos with a tapered leg.", "sabbia blu verde-salvia"),
        I("Bermuda in lino", 59, "Biella, Piedmont", "Knee-length linen shorts for the hottest days.", "sabbia blu bianco"),
        I("Gonna plissé", 110, "Como, Lombardy", "A pleated midi skirt in fluid satin.", "nero bordeaux verde-salvia", sizes="xs s m l"),
        I("Pantaloni palazzo in seta", 189, "Como, Lombardy", "Wide silk trousers that move with every step.", "nero sabbia"),
        I("Pantaloni di velluto a coste", 105, "Schio, Veneto", "Corduroy trousers with a fine wale, soft and hard-wearing.", "terracotta verde-salvia blu", gaps=True),
    ]),
    Section("ceramics", "cup", 400, ("Dishwasher safe; hand washing keeps the glaze bright.", "Each piece is painted by hand, so no two are quite alike."), items=[
        I("Tazzina in ceramica di Deruta", 18, "Deruta, Umbria", "An espresso cup hand-painted with a traditional Deruta pattern.", "blu verde-salvia terracotta bianco"),
        I("Piatto fondo di Vietri", 32, "Vietri sul Mare, Campania", "A deep pasta plate glazed in the bright colours of the Amalfi Coast.", "blu terracotta verde-salvia", shape="plate"),
        I("Ciotola in gres", 24, "Nove, Veneto", "A stoneware bowl with a speckled reactive glaze.", "sabbia verde-salvia nero", shape="bowl"),
        I("Brocca in terracotta dell'Impruneta", 58, "Impruneta, Tuscany", "A water jug thrown from the iron-rich clay of Impruneta.", ink="#c8553d", shape="vase"),
        I("Vaso di Caltagirone", 95, "Caltagirone, Sicily", "A hand-painted vase with Sicilian lemons and blue scrolls.", "blu bianco", shape="vase"),
        I("Tazza da cappuccino", 22, "Deruta, Umbria", "A generous cappuccino cup with its saucer, glazed inside and out.", "bianco celeste sabbia terracotta"),
        I("Piatto da portata di Faenza", 78, "Faenza, Emilia-Romagna", "A large serving platter in Faenza majolica.", "blu bianco", shape="plate"),
        I("Teiera in ceramica", 64, "Bassano del Grappa, Veneto", "A round teapot that pours four cups.", "bianco verde-salvia celeste", shape="vase"),
        I("Portauovo in maiolica", 12, "Faenza, Emilia-Romagna", "An egg cup in hand-painted majolica.", "blu verde-salvia"),
        I("Vassoio in ceramica di Grottaglie", 46, "Grottaglie, Apulia", "A tray painted with the cockerel motif of Grottaglie.", "bianco blu", shape="plate"),
    ]),
    Section("linens", "cloth", 450, ("Machine wash at 40 °C; linen softens with every wash.", "Woven on looms that have run for generations."), items=[
        I("Tovaglia in lino", 89, "Busto Arsizio, Lombardy", "A heavy linen tablecloth for six, hemmed by hand.", "bianco sabbia celeste verde-salvia"),
        I("Strofinacci in lino (set di 3)", 29, "Busto Arsizio, Lombardy", "Three striped linen tea towels that dry glasses without lint.", ink="#d8c3a5"),
        I("Cuscino in velluto", 49, "Como, Lombardy", "A cotton velvet cushion with a feather filling.", "terracotta verde-salvia blu bordeaux"),
        I("Plaid in lana", 139, "Biella, Piedmont", "A soft throw in lambswool with a fringed edge.", "sabbia blu terracotta"),
        I("Runner da tavola in canapa", 39, "Carmagnola, Piedmont", "A rustic hemp table runner from the old hemp town of Carmagnola.", ink="#c2b280"),
        I("Tovaglioli in lino (set di 4)", 36, "Busto Arsizio, Lombardy", "Four stone-washed linen napkins.", "bianco sabbia celeste"),
        I("Grembiule da cucina in lino", 34, "Busto Arsizio, Lombardy", "A full-length linen apron with a deep front pocket.", "nero sabbia terracotta blu"),
        I("Telo mare a righe", 45, "Rimini, Emilia-Romagna", "A striped cotton beach towel, thick and quick to dry.", "blu terracotta verde-salvia"),
    ]),
    Section("kitchen", "board", 600, ("Built to last a lifetime of daily use.", "Hand wash and dry straight away."), ink="#b08d57", items=[
        I("Caffettiera moka 3 tazze", 34, "Omegna, Piedmont", "The eight-sided aluminium moka pot, made in its home town.", ink="#9ca3af", shape="moka"),
        I("Caffettiera moka 6 tazze", 42, "Omegna, Piedmont", "The family-size moka pot for six small cups.", ink="#9ca3af", shape="moka"),
        I("Tagliere in legno d'ulivo", 48, "Spoleto, Umbria", "A chopping board cut from a single piece of olive wood."),
        I("Mattarello in faggio", 19, "Belluno, Veneto", "A long beech rolling pin, the kind used for fresh pasta sheets."),
        I("Grattugia per parmigiano", 16, "Lumezzane, Lombardy", "A stainless steel grater with a wooden handle.", ink="#9ca3af"),
        I("Pentola in rame martellato", 240, "Agnone, Molise", "A hammered copper pot lined with tin.", ink="#b87333", shape="pot"),
        I("Oliera in vetro soffiato", 38, "Murano, Veneto", "A mouth-blown glass cruet that pours without dripping.", ink="#6b8e23", shape="bottle"),
        I("Macchina per la pasta", 89, "Turin, Piedmont", "A chrome-plated pasta machine with nine thickness settings.", ink="#9ca3af", shape="box"),
    ]),
    Section("coffee", "packet", 30, ("Roasted every week and shipped within days.", "Keep sealed in a cool, dark place."), formats="250g 500g 1kg", tax=REDUCED, ink="#6f4e37", items=[
        I("Caffè Espresso Napoletano", 7.9, "Naples, Campania", "A dark, full-bodied roast for a thick crema, as they make it in Naples."),
        I("Caffè Moka Miscela Oro", 8.5, "Turin, Piedmont", "A smooth arabica blend roasted for the moka pot.", ink="#a0522d"),
        I("Caffè decaffeinato", 8.9, "Trieste, Friuli Venezia Giulia", "Water-processed decaf with notes of cocoa.", ink="#3f6e5a"),
        I("Caffè in grani Miscela Bar", 13.9, "Verona, Veneto", "Whole beans blended for espresso machines.", formats="500g 1kg", ink="#3b2a20"),
        I("Caffè Arabica 100%", 9.5, "Trieste, Friuli Venezia Giulia", "Single-origin arabica roasted light for a sweet, floral cup.", ink="#b5651d"),
        I("Caffè macinato Roma", 6.5, "Rome, Lazio", "A classic ground blend for every coffee maker.", ink="#7b1e3a"),
    ]),
    Section("pasta-rice", "box", 30, ("Cook in plenty of salted water and save a cup of the cooking water.", "Made with durum wheat semolina grown in Italy."), formats="500g 1kg", tax=SUPER_REDUCED, ink="#1e3a8a", items=[
        I("Spaghetti di Gragnano IGP", 3.2, "Gragnano, Campania", "Bronze-drawn and slowly dried, with a rough surface that holds the sauce.", shape="packet", ink="#1e3a8a"),
        I("Paccheri di Gragnano", 3.5, "Gragnano, Campania", "Wide tubes of bronze-drawn pasta, perfect with ragù.", ink="#b91c1c"),
        I("Trofie liguri", 3.9, "Recco, Liguria", "Little twists of pasta made for pesto.", formats="500g", ink="#3f6212"),
        I("Orecchiette pugliesi", 3.6, "Bari, Apulia", "Ear-shaped pasta rolled with a knife, as in the old town of Bari.", ink="#c8553d"),
        I("Pici toscani", 4.2, "Montepulciano, Tuscany", "Thick hand-rolled spaghetti from southern Tuscany.", formats="500g", ink="#7b1e3a"),
        I("Tagliatelle all'uovo", 4.8, "Bologna, Emilia-Romagna", "Egg tagliatelle rolled thin and dried in nests.", formats="250g 500g", ink="#d4a017"),
        I("Fusilli di grano antico", 4.5, "Altamura, Apulia", "Fusilli made from Senatore Cappelli heritage wheat.", ink="#8a6f4d"),
        I("Riso Carnaroli", 5.9, "Vercelli, Piedmont", "The king of risotto rice, aged for a year.", formats="1kg", ink="#87a96b"),
    ]),
    Section("oil-vinegar", "bottle", 350, ("Store away from light and heat.", "Harvested and pressed in the autumn."), formats="500ml 750ml", tax=SUPER_REDUCED, ink="#556b2f", items=[
        I("Olio extravergine di oliva", 12.9, "Bitonto, Apulia", "A green, peppery extra virgin oil pressed from Coratina olives.", formats="500ml 750ml 3l"),
        I("Olio extravergine Taggiasca", 16.5, "Imperia, Liguria", "A delicate, buttery oil from small Taggiasca olives.", ink="#808000"),
        I("Olio extravergine toscano IGP", 18.9, "Greve in Chianti, Tuscany", "A bold Tuscan oil with notes of artichoke and almond.", ink="#3f6212"),
        I("Olio nuovo di Sicilia", 14.9, "Castelvetrano, Sicily", "New-season Nocellara oil, bottled unfiltered.", formats="750ml", ink="#6b8e23"),
        I("Olio al peperoncino", 6.9, "Diamante, Calabria", "Extra virgin oil infused with Calabrian chilli.", formats="250ml", ink="#b91c1c"),
        I("Aceto balsamico di Modena IGP", 11.9, "Modena, Emilia-Romagna", "Aged in oak barrels for a sweet, dense balsamic.", formats="250ml 500ml", ink="#3b2a20", tax=REDUCED),
    ]),
    Section("sweets", "box", 40, ("Baked without preservatives; best within a few weeks.", "Wrapped by hand, ready to give."), formats="250g 500g", tax=REDUCED, ink="#c8553d", items=[
        I("Cantucci alle mandorle", 6.9, "Prato, Tuscany", "Twice-baked almond biscuits for dipping in vin santo.", ink="#b5651d"),
        I("Panettone artigianale", 35, "Milan, Lombardy", "A tall Milanese panettone leavened for three days.", formats="1kg", ink="#7b1e3a"),
        I("Baci di dama", 7.5, "Tortona, Piedmont", "Hazelnut biscuits joined by a kiss of dark chocolate.", ink="#c8553d"),
        I("Torrone morbido", 9.9, "Cremona, Lombardy", "Soft nougat with honey and whole almonds.", ink="#d8c3a5"),
        I("Amaretti morbidi", 8.5, "Sassello, Liguria", "Soft almond amaretti with a crackled sugar crust.", ink="#e6c229"),
        I("Crema di pistacchio di Bronte", 12.5, "Bronte, Sicily", "A spreadable cream of Bronte pistachios.", formats="250g", shape="jar", ink="#87a96b"),
        I("Cioccolato di Modica IGP", 4.5, "Modica, Sicily", "Cold-worked chocolate with a grainy, crunchy bite.", formats="100g", ink="#3b2a20"),
    ]),
    Section("preserves", "jar", 220, ("Once opened, keep in the fridge.", "Made in small batches in the summer months."), formats="250g 500g", tax=REDUCED, ink="#c8553d", items=[
        I("Passata di pomodoro San Marzano", 4.2, "Sarno Valley, Campania", "Sieved San Marzano tomatoes, bottled the day they are picked.", formats="500g 1kg", tax=SUPER_REDUCED, ink="#b91c1c", shape="bottle"),
        I("Pesto alla genovese", 6.9, "Genoa, Liguria", "Basil, pine nuts and Ligurian oil, pounded the traditional way.", formats="100g", ink="#3f6212"),
        I("Pomodori secchi sott'olio", 7.5, "Manduria, Apulia", "Sun-dried tomatoes in extra virgin oil with capers.", formats="250g", ink="#c8553d"),
        I("Miele di castagno", 9.5, "Lunigiana, Tuscany", "A dark, slightly bitter chestnut honey.", ink="#b5651d"),
        I("Marmellata di arance di Sicilia", 5.9, "Ribera, Sicily", "Bitter-sweet marmalade of Sicilian oranges.", ink="#e07b22"),
        I("Colatura di alici di Cetara", 14.9, "Cetara, Campania", "The amber anchovy essence of the Amalfi Coast.", formats="100ml", ink="#d4a017", shape="bottle"),
    ]),
    Section("wine", "wine", 500, ("Serve at 16–18 °C.", "Lay the bottle down and keep it away from light."), formats="750ml 1-5l", ink="#7b1e3a", items=[
        I("Chianti Classico DOCG", 16.9, "Greve in Chianti, Tuscany", "A bright Sangiovese with cherry and violet."),
        I("Barolo DOCG", 49, "La Morra, Piedmont", "Nebbiolo aged three years, firm and fragrant with roses and tar."),
        I("Prosecco Superiore Valdobbiadene DOCG", 14.5, "Valdobbiadene, Veneto", "A dry sparkling wine from the steep Valdobbiadene hills.", formats="750ml", ink="#3f6212"),
        I("Primitivo di Manduria DOC", 15.9, "Manduria, Apulia", "A rich, ripe red from the heel of Italy."),
        I("Vermentino di Gallura DOCG", 17.5, "Gallura, Sardinia", "A crisp white with a salty, herbal finish.", formats="750ml", ink="#c9b037"),
        I("Brunello di Montalcino DOCG", 62, "Montalcino, Tuscany", "Pure Sangiovese aged five years before release."),
    ]),
    Section("spirits", "wine", 450, ("Serve chilled after dinner.", "Keeps for years once opened."), formats="500ml", ink="#7b1e3a", items=[
        I("Limoncello di Sorrento", 19.9, "Sorrento, Campania", "Made from the peel of Sorrento lemons.", ink="#e6c229"),
        I("Amaro siciliano", 24.5, "Caltanissetta, Sicily", "A bitter-sweet digestif of herbs and citrus.", formats="750ml", ink="#3b2a20"),
        I("Grappa di Brunello", 38, "Montalcino, Tuscany", "Distilled from the pomace of Brunello grapes.", ink="#d8c3a5"),
        I("Vermouth di Torino rosso", 22, "Turin, Piedmont", "Red vermouth with wormwood and vanilla, for a proper negroni.", formats="750ml", ink="#7b1e3a"),
        I("Nocino di Modena", 26, "Modena, Emilia-Romagna", "A walnut liqueur from green walnuts picked on St John's night.", ink="#3b2a20"),
    ]),
    Section("bags", "bag", 700, ("The leather darkens beautifully with use.", "Comes in a cotton dust bag."), items=[
        I("Borsa in pelle fiorentina", 380, "Florence, Tuscany", "A structured handbag in vegetable-tanned calfskin.", "nero terracotta sabbia"),
        I("Shopper in tela", 45, "Prato, Tuscany", "A roomy canvas tote with leather handles.", "sabbia blu nero verde-salvia"),
        I("Zaino in pelle", 260, "Florence, Tuscany", "A leather backpack with a padded laptop sleeve.", "nero sabbia"),
        I("Portafoglio in pelle", 89, "Florence, Tuscany", "A slim bifold wallet with eight card slots.", "nero terracotta blu"),
        I("Cestino in paglia", 59, "Signa, Tuscany", "A woven straw basket bag from the straw-weaving town of Signa.", ink="#d8b86a"),
        I("Pochette in raffia", 69, "Positano, Campania", "A summer clutch in hand-crocheted raffia.", "sabbia terracotta"),
    ]),
    Section("scarves-hats", "scarf", 150, ("Dry clean or hand wash cold.", "Comes in a gift box."), items=[
        I("Sciarpa in cashmere", 149, "Biella, Piedmont", "A long scarf in brushed cashmere.", "sabbia blu bordeaux verde-salvia"),
        I("Foulard in seta di Como", 95, "Como, Lombardy", "A printed silk square with hand-rolled edges.", "blu terracotta verde-salvia"),
        I("Cravatta in seta", 85, "Como, Lombardy", "A seven-fold silk tie, lined and finished by hand.", "blu bordeaux verde-salvia nero"),
        I("Cappello Panama", 145, "Montappone, Marche", "A straw hat from the hat-making town of Montappone.", sizes="s m l xl", ink="#e9dcc0", shape="hat"),
        I("Berretto in lana", 39, "Biella, Piedmont", "A ribbed wool beanie with a deep cuff.", "nero blu terracotta sabbia", shape="hat"),
        I("Cintura in cuoio", 69, "Florence, Tuscany", "A full-grain leather belt with a brass buckle.", "nero terracotta", sizes="s m l xl", gaps=True, shape="belt"),
        I("Occhiali da sole in acetato", 165, "Cadore, Veneto", "Handmade acetate frames with polarised lenses.", "nero terracotta sabbia", shape="glasses"),
    ]),
    Section("notebooks", "notebook", 300, ("Acid-free paper that takes ink without bleeding.", "Bound by hand, stitch by stitch."), items=[
        I("Quaderno rilegato in pelle", 42, "Florence, Tuscany", "A leather-bound journal with hand-stitched pages.", "terracotta nero blu"),
        I("Taccuino in carta di Amalfi", 28, "Amalfi, Campania", "A small notebook of deckle-edged Amalfi paper.", ink="#e9dcc0"),
        I("Agenda settimanale 2027", 24, "Fabriano, Marche", "A week-to-view diary on Fabriano paper.", "nero blu bordeaux verde-salvia"),
        I("Carta da lettere di Amalfi", 32, "Amalfi, Campania", "Twenty sheets and envelopes of handmade cotton paper.", ink="#f5f5f0", shape="cloth"),
        I("Quaderno a righe Fabriano", 9.5, "Fabriano, Marche", "A lined exercise book with a linen-textured cover.", "celeste terracotta verde-salvia sabbia"),
    ]),
    Section("pens-ink", "pen", 60, ("Comes in a gift box.", "Made to be refilled, not thrown away."), items=[
        I("Penna stilografica in celluloide", 145, "Turin, Piedmont", "A celluloid fountain pen with a steel nib.", "nero bordeaux blu"),
        I("Inchiostro seppia", 12, "Florence, Tuscany", "A warm sepia ink in a 50 ml glass bottle.", ink="#704214", shape="jar"),
        I("Matite colorate (set di 12)", 14, "Bologna, Emilia-Romagna", "Twelve cedar-wood colouring pencils in a tin.", ink="#c8553d", shape="box"),
        I("Ceralacca e sigillo", 29, "Florence, Tuscany", "A brass seal with a lily and three sticks of sealing wax.", ink="#b91c1c", shape="box"),
        I("Pennino in vetro di Murano", 35, "Murano, Veneto", "A twisted glass dip pen blown in Murano.", "blu verde-salvia bordeaux"),
    ]),
    Section("books", "book", 600, ("Printed on FSC paper.", "Illustrated throughout."), tax=SUPER_REDUCED, ink="#1e3a8a", items=[
        I("Ricettario della cucina toscana", 28, "Florence, Tuscany", "Two hundred family recipes from the Tuscan countryside.", ink="#c8553d"),
        I("Guida alle trattorie di Roma", 19.5, "Rome, Lazio", "An opinionated guide to where Romans really eat.", ink="#b91c1c"),
        I("Atlante dei formaggi italiani", 34, "Bra, Piedmont", "Every Italian cheese, region by region.", ink="#d4a017"),
        I("Storia del caffè napoletano", 18, "Naples, Campania", "How coffee became a ritual in Naples, from the cuccuma to the moka.", ink="#6f4e37"),
        I("I vini d'Italia", 32, "Verona, Veneto", "A map of Italian wine, grape by grape.", ink="#7b1e3a"),
    ]),
    Section("beauty", "soap", 150, ("Not tested on animals.", "Free of parabens and silicones."), ink="#87a96b", items=[
        I("Sapone all'olio d'oliva", 6.5, "Florence, Tuscany", "A gentle soap cured for two months.", ink="#a3b18a"),
        I("Acqua di colonia agli agrumi", 48, "Florence, Tuscany", "A bright eau de cologne of bergamot, lemon and neroli.", formats="50ml 100ml", ink="#e6c229", shape="bottle"),
        I("Crema mani alla mandorla", 14, "Noto, Sicily", "A rich hand cream with Sicilian almond oil.", formats="50ml 100ml", ink="#f5e6d3", shape="jar"),
        I("Olio corpo al fico d'India", 26, "Catania, Sicily", "A light dry oil pressed from prickly pear seeds.", formats="100ml", ink="#c8553d", shape="bottle"),
        I("Sapone da barba", 18, "Parma, Emilia-Romagna", "A shaving soap that whips into a dense lather.", ink="#f5f5f0", shape="jar"),
        I("Spazzola in legno di faggio", 32, "Belluno, Veneto", "A beech hairbrush with natural bristles.", ink="#b08d57", shape="board"),
        I("Sapone al limone di Amalfi", 7.5, "Amalfi, Campania", "A fresh soap scented with Amalfi lemons.", ink="#e6c229"),
        I("Profumo per ambienti al fico", 39, "Florence, Tuscany", "A reed diffuser with the green scent of fig leaves.", formats="250ml", ink="#3f6212", shape="bottle"),
        I("Candela profumata al bergamotto", 34, "Reggio Calabria, Calabria", "A soy wax candle scented with Calabrian bergamot.", ink="#d4a017", shape="jar"),
    ]),
    Section("toys", "top", 300, ("Finished with non-toxic paints.", "Suitable from three years."), ink="#c8553d", items=[
        I("Trottola in legno", 12, "Val Gardena, South Tyrol", "A spinning top turned on a lathe in Val Gardena.", ink="#c8553d"),
        I("Pinocchio in legno", 29, "Collodi, Tuscany", "The puppet who wanted to be a boy, carved in Collodi.", ink="#1e3a8a"),
        I("Puzzle della Toscana (500 pezzi)", 24, "Florence, Tuscany", "A 500-piece puzzle of the Val d'Orcia at dawn.", ink="#87a96b", shape="box"),
        I("Carte da gioco napoletane", 6.5, "Naples, Campania", "The forty-card Neapolitan deck for scopa and briscola.", ink="#b91c1c", shape="box"),
        I("Scacchiera in legno d'ulivo", 120, "Spoleto, Umbria", "A folding chessboard inlaid in olive wood and maple.", ink="#b08d57", shape="board"),
        I("Tombola tradizionale", 19.9, "Naples, Campania", "The Christmas bingo of Naples, with ninety numbered tokens.", ink="#7b1e3a", shape="box"),
        I("Barchetta in legno", 22, "Chioggia, Veneto", "A little wooden sailing boat painted in lagoon colours.", ink="#1e3a8a"),
    ]),
]
del I

ORIGIN_PHRASES = ("Made in {}.", "Made by a family workshop in {}.", "Crafted in small batches in {}.", "From {}.")
FOOD_ORIGIN_PHRASES = ("Produced in {}.", "From a small producer in {}.", "Made in {} to a family recipe.")
FOOD = {"coffee", "pasta-rice", "oil-vinegar", "sweets", "preserves", "wine", "spirits"}

DEMO_SEED = 20261101
DEMO_NEWEST = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)  # fixed, so "newest" never depends on the clock
DEMO_SPAN = timedelta(weeks=10)
DEMO_SALE_SHARE = 0.15
DEMO_SOLD_OUT = 3  # products with every variant sold out

# --- bulk catalogue vocabulary ------------------------------------------------------------------
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
    "trousers": BulkCategory("Pantaloni/mp Gonna/f Bermuda/fp Chino/mp", "trousers", "#d8c3a5", (45, 190), 380, "sized"),
    "ceramics": BulkCategory("Tazza/f Ciotola/f Piatto/m Vaso/m Brocca/f", "cup", "#1e3a8a", (9, 120), 400, "colour"),
    "linens": BulkCategory("Tovaglia/f Cuscino/m Plaid/m Tovaglioli/mp", "cloth", "#d8c3a5", (19, 150), 450, "colour"),
    "kitchen": BulkCategory("Tagliere/m Mestolo/m Caffettiera/f Oliera/f", "moka", "#9ca3af", (9, 240), 600, "single"),
    "coffee": BulkCategory("Caffè/m Miscela/f", "packet", "#6f4e37", (5, 14), 30, "format", "250g 500g 1kg", REDUCED),
    "pasta-rice": BulkCategory("Spaghetti/mp Fusilli/mp Paccheri/mp Riso/m Orecchiette/fp", "box", "#1e3a8a", (2, 7), 30, "format", "500g 1kg", SUPER_REDUCED),
    "oil-vinegar": BulkCategory("Olio/m Aceto/m", "bottle", "#556b2f", (6, 25), 350, "format", "250ml 500ml 750ml", SUPER_REDUCED),
    "sweets": BulkCategory("Biscotti/mp Torrone/m Cioccolato/m Cantucci/mp", "box", "#c8553d", (4, 20), 40, "format", "100g 250g 500g", REDUCED),
    "preserves": BulkCategory("Miele/m Marmellata/f Passata/f Pesto/m Crema/f", "jar", "#d4a017", (4, 18), 220, "format", "250g 500g 1kg", REDUCED),
    "wine": BulkCategory("Vino/m Spumante/m Rosato/m", "wine", "#7b1e3a", (8, 70), 500, "format", "750ml 1-5l"),
    "spirits": BulkCategory("Liquore/m Grappa/f Amaro/m", "wine", "#e6c229", (15, 60), 450, "format", "500ml 750ml"),
    "bags": BulkCategory("Borsa/f Zaino/m Pochette/f Shopper/f", "bag", "#c8553d", (35, 450), 700, "colour"),
    "scarves-hats": BulkCategory("Sciarpa/f Foulard/m Cravatta/f Berretto/m", "scarf", "#1e3a8a", (25, 180), 150, "colour"),
    "notebooks": BulkCategory("Quaderno/m Taccuino/m Agenda/f", "notebook", "#c8553d", (6, 45), 300, "colour"),
    "pens-ink": BulkCategory("Penna/f Matita/f Pennino/m", "pen", "#7b1e3a", (3, 160), 60, "colour"),
    "books": BulkCategory("Ricettario/m Guida/f Atlante/m", "book", "#1e3a8a", (12, 45), 600, "single", tax=SUPER_REDUCED),
    "beauty": BulkCategory("Sapone/m Crema/f Profumo/m Olio/m", "soap", "#87a96b", (5, 60), 150, "format", "50ml 100ml 250ml"),
    "toys": BulkCategory("Trottola/f Puzzle/m Gioco/m Barchetta/f", "top", "#c8553d", (6, 120), 300, "single"),
}

# Masculine, feminine, masculine plural, feminine plural.
ADJECTIVES = [a.split() for a in (
    "classico classica classici classiche", "rustico rustica rustici rustiche", "antico antica antichi antiche",
    "artigianale artigianale artigianali artigianali", "nobile nobile nobili nobili", "fine fine fini fini",
    "moderno moderna moderni moderne", "tradizionale tradizionale tradizionali tradizionali",
    "speciale speciale speciali speciali", "pregiato pregiata pregiati pregiate", "semplice semplice semplici semplici",
    "elegante elegante eleganti eleganti", "leggero leggera leggeri leggere", "morbido morbida morbidi morbide",
    "prezioso preziosa preziosi preziose", "genuino genuina genuini genuine",
)]
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

# --- illustrations ------------------------------------------------------------------------------
# Each shape is SVG markup for a 300x300 canvas, drawn inside a group that fills with {c} and
# outlines with {d}; {l} is a lighter tint for details, {t} an optional label word.
PAPER = "#fffdf7"
GOLD = "#c9a227"
SHAPES: dict[str, str] = {
    "shirt": '<path d="M106 68 128 58Q150 70 172 58L194 68 240 104 222 136 200 122V246H100V122L78 136 60 104Z"/>'
    '<path d="M128 58 150 92 172 58 162 52Q150 62 138 52Z" fill="{l}"/><path d="M150 92V246M166 132H188V152Q177 158 166 152Z" fill="none"/>'
    '<g fill="{d}" stroke="none"><circle cx="150" cy="120" r="3"/><circle cx="150" cy="152" r="3"/><circle cx="150" cy="184" r="3"/><circle cx="150" cy="216" r="3"/></g>',
    "tee": '<path d="M112 62Q150 88 188 62L240 92 222 130 198 118V246H102V118L78 130 60 92Z"/>'
    '<path d="M124 66Q150 86 176 66M84 118 96 124M216 118 204 124" fill="none" stroke="{l}" stroke-width="5"/>',
    "knit": '<path d="M110 64Q150 84 190 64L230 84 254 204 228 210 204 124V238H96V124L72 210 46 204 70 84Z"/>'
    '<path d="M96 224H204M50 190 74 196M250 190 226 196M122 72Q150 94 178 72" fill="none"/>'
    '<path d="M126 112V210M150 112V210M174 112V210" fill="none" stroke="{l}" stroke-width="4" stroke-dasharray="7 6"/>',
    "trousers": '<path d="M104 56H196L208 248H160L150 118 140 248H92Z"/><path d="M104 76H196M150 76V118M122 76 116 104M178 76 184 104" fill="none"/>',
    "cup": '<ellipse cx="150" cy="222" rx="88" ry="18"/><path d="M202 144Q246 140 238 174Q230 198 194 196" fill="none" stroke-width="14"/>'
    '<path d="M202 144Q246 140 238 174Q230 198 194 196" fill="none" stroke="{c}" stroke-width="7"/>'
    '<path d="M92 126H208Q204 218 150 218Q96 218 92 126Z"/><ellipse cx="150" cy="126" rx="58" ry="12" fill="{l}"/>'
    '<path d="M100 158Q150 176 200 158" fill="none" stroke="{l}" stroke-width="6"/>',
    "plate": '<circle cx="150" cy="150" r="104"/><circle cx="150" cy="150" r="70" fill="{l}"/>'
    '<circle cx="150" cy="150" r="87" fill="none" stroke="{l}" stroke-width="5" stroke-dasharray="2 11"/>',
    "bowl": '<path d="M60 128H240Q236 236 150 236Q64 236 60 128Z"/><ellipse cx="150" cy="128" rx="90" ry="20" fill="{l}"/>'
    '<path d="M78 168Q150 196 222 168" fill="none" stroke="{l}" stroke-width="6"/>',
    "vase": '<path d="M124 60H176L172 96Q226 130 216 192Q206 248 150 250Q94 248 84 192Q74 130 128 96Z"/>'
    '<ellipse cx="150" cy="60" rx="26" ry="6" fill="{d}"/>'
    '<path d="M94 164Q150 190 206 164M100 200Q150 222 200 200" fill="none" stroke="{l}" stroke-width="6"/>',
    "cloth": '<rect x="66" y="172" width="168" height="62" rx="10"/><rect x="74" y="120" width="152" height="58" rx="10"/>'
    '<rect x="82" y="70" width="136" height="56" rx="10"/>'
    '<path d="M90 98H210M82 148H218M74 202H226" fill="none" stroke="{l}" stroke-width="5"/>',
    "moka": '<path d="M112 150 100 246H200L188 150Z"/><path d="M118 150H182L194 78H106Z"/>'
    '<path d="M106 78 150 62 194 78Z" fill="{d}"/><circle cx="150" cy="56" r="7" fill="{d}"/>'
    '<path d="M194 92Q234 96 228 150Q224 176 194 182" fill="none" stroke="{d}" stroke-width="12"/>'
    '<path d="M106 80 86 94" stroke-width="7"/><path d="M110 150H190" stroke-width="7"/>'
    '<path d="M150 82V146M150 156V240" stroke="{l}" stroke-width="4"/>',
    "board": '<rect x="128" y="44" width="44" height="64" rx="22"/><rect x="70" y="92" width="160" height="152" rx="30"/>'
    '<circle cx="150" cy="70" r="9" fill="' + PAPER + '"/>'
    '<path d="M98 132Q150 120 202 136M98 172Q150 162 202 178M98 210Q150 200 202 214" fill="none" stroke-width="2" opacity=".45"/>',
    "pot": '<path d="M54 128H90M210 128H246" stroke-width="14"/><rect x="80" y="114" width="140" height="122" rx="16"/>'
    '<path d="M92 114Q150 70 208 114Z" fill="{l}"/><path d="M70 114H230" stroke-width="8"/><circle cx="150" cy="84" r="8" fill="{d}"/>'
    '<path d="M96 156H204M96 196H204" stroke="{l}" stroke-width="4" stroke-dasharray="10 8"/>',
    "bottle": '<rect x="136" y="36" width="28" height="20" rx="4" fill="{d}"/>'
    '<path d="M138 56H162V96Q196 112 196 144V240Q196 250 186 250H114Q104 250 104 240V144Q104 112 138 96Z"/>'
    '<rect x="112" y="152" width="76" height="62" rx="6" fill="' + PAPER + '"/>{t}',
    "wine": '<rect x="138" y="30" width="24" height="26" rx="3" fill="{d}"/>'
    '<path d="M140 56H160V110Q184 124 184 152V244Q184 252 176 252H124Q116 252 116 244V152Q116 124 140 110Z"/>'
    '<rect x="122" y="168" width="56" height="52" rx="4" fill="' + PAPER + '"/>{t}',
    "packet": '<path d="M92 92H208L220 248H80Z"/><path d="M92 64H208V92H92Z" fill="{d}"/>'
    '<path d="M92 72H208M92 80H208" stroke="{l}" stroke-width="2"/><circle cx="150" cy="118" r="7" fill="{d}"/>'
    '<rect x="102" y="140" width="96" height="70" rx="8" fill="' + PAPER + '"/>{t}',
    "box": '<path d="M78 92 112 62H230L196 92Z" fill="{l}"/><path d="M196 92 230 62V218L196 248Z" fill="{d}"/>'
    '<rect x="78" y="92" width="118" height="156"/><rect x="88" y="134" width="98" height="54" rx="6" fill="' + PAPER + '"/>{t}',
    "jar": '<rect x="104" y="70" width="92" height="30" rx="6" fill="{d}"/>'
    '<path d="M98 100H202Q214 100 214 114V234Q214 248 200 248H100Q86 248 86 234V114Q86 100 98 100Z"/>'
    '<rect x="98" y="146" width="104" height="58" rx="6" fill="' + PAPER + '"/>{t}',
    "bag": '<path d="M112 118Q112 56 150 56Q188 56 188 118" fill="none" stroke="{d}" stroke-width="10"/>'
    '<path d="M74 112H226L242 246H58Z"/><path d="M74 112 150 164 226 112Z" fill="{l}"/><circle cx="150" cy="164" r="7" fill="{d}"/>',
    "scarf": '<path d="M104 52Q150 80 196 52L188 120Q150 142 112 120Z"/><path d="M126 122 106 244H150L160 132Z"/>'
    '<path d="M162 130 178 236H220L188 118Z"/><path d="M112 200H152M176 200H214" stroke="{l}" stroke-width="6"/>'
    '<path d="M110 246v12M120 246v12M130 246v12M140 246v12M182 238v12M192 238v12M202 238v12M212 238v12" stroke-width="2"/>',
    "hat": '<ellipse cx="150" cy="196" rx="114" ry="30"/><path d="M98 194Q94 104 150 98Q206 104 202 194Z"/>'
    '<path d="M97 166Q150 184 203 166V190Q150 206 97 190Z" fill="{d}"/>',
    "belt": '<rect x="40" y="128" width="226" height="42" rx="8"/>'
    '<rect x="46" y="116" width="58" height="66" rx="8" fill="none" stroke="' + GOLD + '" stroke-width="8"/>'
    '<path d="M56 149H112" stroke="' + GOLD + '" stroke-width="6"/>'
    '<g fill="{d}" stroke="none"><circle cx="156" cy="149" r="4"/><circle cx="184" cy="149" r="4"/><circle cx="212" cy="149" r="4"/></g>',
    "glasses": '<path d="M58 138 30 124M242 138 270 124" stroke-width="8"/><path d="M136 146Q150 128 164 146" fill="none" stroke-width="8"/>'
    '<rect x="50" y="116" width="90" height="70" rx="30"/><rect x="160" y="116" width="90" height="70" rx="30"/>'
    '<g fill="#334155" stroke="none" opacity=".8"><rect x="60" y="126" width="70" height="50" rx="22"/><rect x="170" y="126" width="70" height="50" rx="22"/></g>',
    "notebook": '<rect x="86" y="52" width="134" height="196" rx="10"/><rect x="86" y="52" width="20" height="196" rx="6" fill="{d}"/>'
    '<path d="M198 52V248" stroke="{d}" stroke-width="6"/><rect x="120" y="92" width="62" height="30" rx="4" fill="' + PAPER + '"/>',
    "pen": '<g transform="rotate(35 150 150)"><rect x="138" y="36" width="24" height="172" rx="12"/>'
    '<path d="M138 208H162L150 258Z" fill="' + GOLD + '"/><rect x="132" y="66" width="8" height="64" rx="3" fill="' + GOLD + '"/>'
    '<path d="M138 186H162" stroke="' + GOLD + '" stroke-width="5"/></g>',
    "book": '<path d="M82 60H210Q220 60 220 70V248H94Q82 248 82 236Z"/><path d="M94 248V230H220" fill="' + PAPER + '"/>'
    '<rect x="100" y="90" width="104" height="52" rx="4" fill="' + PAPER + '"/>{t}'
    '<path d="M112 170H192M112 188H176" stroke="{l}" stroke-width="5"/>',
    "soap": '<rect x="66" y="120" width="168" height="100" rx="34"/>'
    '<ellipse cx="150" cy="170" rx="48" ry="22" fill="none" stroke="{l}" stroke-width="5"/>'
    '<g fill="#fff" stroke-width="2" opacity=".85"><circle cx="206" cy="96" r="13"/><circle cx="230" cy="68" r="7"/><circle cx="92" cy="100" r="9"/></g>',
    "top": '<path d="M150 40V78" stroke-width="10"/><path d="M150 76Q224 90 236 150Q190 200 150 256Q110 200 64 150Q76 90 150 76Z"/>'
    '<path d="M70 140Q150 170 230 140" fill="none" stroke="{l}" stroke-width="10"/>'
    '<path d="M98 192Q150 210 202 192" fill="none" stroke="{d}" stroke-width="6"/>',
}
# Where each shape's label sits: (x, y, width available).
LABELS = {
    "bottle": (150, 189, 70), "wine": (150, 200, 54), "packet": (150, 181, 88), "box": (137, 167, 90),
    "jar": (150, 181, 96), "book": (152, 122, 96),
}
# Positions (dx, dy) of a product drawn in several colours: the first colour in front.
GROUP = {2: [(85, 45), (15, 60)], 3: [(95, 35), (-5, 35), (45, 60)]}


def _mix(colour: str, other: str, t: float) -> str:
    """colour moved a share t towards other."""
    a = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    b = [int(other[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(x + (y - x) * t):02x}" for x, y in zip(a, b))


def _label(shape: str, text: str) -> str:
    if shape not in LABELS or not text:
        return ""
    x, y, width = LABELS[shape]
    size = min(16, int(width / (0.68 * len(text))))  # bold sans-serif is about 0.68 em per capital
    return (
        f'<text x="{x}" y="{y}" font-family="sans-serif" font-size="{size}" font-weight="700" '
        f'text-anchor="middle" fill="{{d}}" stroke="none">{escape(text)}</text>'
    )


def svg(shape: str, colours: list[str], label: str = "") -> str:
    """A stylised product illustration: the shape in each colour (up to three), on a soft tint."""
    colours = colours[:3]
    first = colours[0]
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 300 300" width="300" height="300">',
        f'<rect width="300" height="300" fill="{_mix(first, "#faf7f2", 0.82)}"/>',
        '<circle cx="150" cy="146" r="120" fill="#fff" fill-opacity=".45"/>',
        '<ellipse cx="150" cy="262" rx="96" ry="10" fill="#000" fill-opacity=".08"/>',
    ]
    text = _label(shape, label)
    placed = [(c, None) for c in colours] if len(colours) == 1 else list(zip(reversed(colours), GROUP[len(colours)]))
    for colour, offset in placed:
        dark, light = _mix(colour, "#000000", 0.45), _mix(colour, "#ffffff", 0.55)
        body = (SHAPES[shape].replace("{t}", text) if offset is None else SHAPES[shape].replace("{t}", "")).format(
            c=colour, d=dark, l=light
        )
        move = f' transform="translate({offset[0]} {offset[1]}) scale(.7)"' if offset else ""
        parts.append(
            f'<g{move} fill="{colour}" stroke="{dark}" stroke-width="3" stroke-linejoin="round" '
            f'stroke-linecap="round">{body}</g>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _write_image(media_dir: Path, relative: str, content: str) -> None:
    path = media_dir / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    # Unchanged files are left alone, so re-seeding keeps browser caches and mtimes valid.
    if not path.exists() or path.read_text() != content:
        path.write_text(content)


# --- planned rows -------------------------------------------------------------------------------


@dataclass
class VariantRow:
    sku: str
    price: int
    compare_at_price: int | None
    weight_grams: int
    stock: int
    values: list[int]  # OptionValue ids


@dataclass
class ImageRow:
    path: str
    alt: str
    option_value_id: int | None = None


@dataclass
class ProductRow:
    category_id: int
    slug: str
    name: str
    description: str
    tax_class: TaxClass
    created_at: datetime
    variants: list[VariantRow] = field(default_factory=list)
    images: list[ImageRow] = field(default_factory=list)


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")


def _retail(cents: float) -> int:
    """A shelf price: to 10 cents below €10, else a whole euro minus 10 cents (€39.90)."""
    if cents < 1000:
        return max(10, round(cents / 10) * 10)
    return round(cents / 100) * 100 - 10


def _was_price(price: int, rng: random.Random) -> int:
    """The "compare at" price of a sale: 15-40% off, rounded up (to 10 cents below €10, else to a euro)."""
    off = rng.choice((0.15, 0.2, 0.25, 0.3, 0.4))
    unit = 10 if price < 1000 else 100
    return -(-round(price / (1 - off)) // unit) * unit


def _stock(rng: random.Random) -> int:
    r = rng.random()
    if r < 0.07:
        return 0
    if r < 0.17:
        return rng.randint(1, 3)  # "only 2 left": at or below the low-stock threshold
    return rng.randint(5, 40)


def _format_price(base_cents: float, amount: int, first_amount: int) -> float:
    # Bigger packs cost less per kilo, as in any shop.
    return base_cents * (amount / first_amount) ** 0.85


# --- shared set-up --------------------------------------------------------------------------------


async def is_empty() -> bool:
    """No products yet: `storefront seed --demo --if-empty` seeds only then."""
    return not await Product.exists()


async def _ensure_categories() -> dict[str, int]:
    """The category tree, created where missing (existing categories are left as they are)."""
    ids = {c.slug: c.id for c in await Category.all()}
    for position, (slug, name, description, children) in enumerate(CATEGORIES):
        if slug not in ids:
            ids[slug] = (await Category.create(slug=slug, name=name, description=description, position=position)).id
        for child_position, (child_slug, child_name) in enumerate(children):
            if child_slug not in ids:
                child = await Category.create(
                    slug=child_slug, name=child_name, parent_id=ids[slug], position=child_position
                )
                ids[child_slug] = child.id
    return ids


async def _ensure_options() -> dict[tuple[str, str], int]:
    """Option values by (option slug, value slug), created where missing."""
    options = {o.slug: o for o in await Option.all()}
    values = {(v.option.slug, v.slug): v.id for v in await OptionValue.all().select_related("option")}
    for position, (slug, name, option_values) in enumerate(OPTIONS):
        if slug not in options:
            options[slug] = await Option.create(slug=slug, name=name, position=position)
        for value_position, (value_slug, value_name, _, swatch) in enumerate(option_values):
            if (slug, value_slug) not in values:
                value = await OptionValue.create(
                    option=options[slug], slug=value_slug, name=value_name, swatch=swatch, position=value_position
                )
                values[(slug, value_slug)] = value.id
    return values


def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _through_insert() -> str:
    """The raw INSERT for Variant.option_values: executemany is ~50x faster than ORM add() per variant."""
    m2m = Variant._meta.fields_map["option_values"]
    a, b = ("$1", "$2") if dialect() == "postgres" else ("?", "?")
    return f'INSERT INTO "{m2m.through}" ("{m2m.backward_key}", "{m2m.forward_key}") VALUES ({a}, {b})'


async def _insert(products: list[ProductRow]) -> list[int]:
    """Insert planned products with their variants, option links, images and initial ledger rows.

    One transaction per call; returns the new product ids. bulk_create does not report the new ids,
    so they are read back by the natural keys (product slug, variant SKU), a few hundred at a time.
    """
    async with in_transaction() as conn:
        await Product.bulk_create(
            [
                Product(
                    category_id=p.category_id, slug=p.slug, name=p.name, description=p.description,
                    tax_class=p.tax_class, created_at=p.created_at,
                )
                for p in products
            ],
            using_db=conn,
        )
        product_ids: dict[str, int] = {}
        for chunk in _chunks([p.slug for p in products], 900):
            product_ids.update(await Product.filter(slug__in=chunk).using_db(conn).values_list("slug", "id"))

        await Variant.bulk_create(
            [
                Variant(
                    product_id=product_ids[p.slug], sku=v.sku, price=v.price, compare_at_price=v.compare_at_price,
                    weight_grams=v.weight_grams, stock=v.stock, low_stock_threshold=3, position=position,
                )
                for p in products
                for position, v in enumerate(p.variants)
            ],
            using_db=conn,
        )
        variant_ids: dict[str, int] = {}
        for chunk in _chunks(list(product_ids.values()), 900):
            variant_ids.update(await Variant.filter(product_id__in=chunk).using_db(conn).values_list("sku", "id"))

        links = [(variant_ids[v.sku], value) for p in products for v in p.variants for value in v.values]
        if links:
            await conn.execute_many(_through_insert(), links)
        await StockMovement.bulk_create(
            [
                StockMovement(
                    variant_id=variant_ids[v.sku], delta=v.stock, reason=Reason.INITIAL, reference="seed",
                    created_at=p.created_at,
                )
                for p in products
                for v in p.variants
                if v.stock > 0
            ],
            using_db=conn,
        )
        await ProductImage.bulk_create(
            [
                ProductImage(
                    product_id=product_ids[p.slug], option_value_id=img.option_value_id, path=img.path,
                    alt=img.alt, position=position,
                )
                for p in products
                for position, img in enumerate(p.images)
            ],
            using_db=conn,
        )
    return list(product_ids.values())


async def _insert_and_index(products: list[ProductRow]) -> None:
    # Only the new products are indexed, batch by batch, rather than one search.index() of
    # everything at the end: a full re-index loads the whole catalogue into memory at once, and its
    # id list passes PostgreSQL's 32,767-parameter limit (the demo on top of a bulk catalogue).
    await search.index(await _insert(products))


# --- the demo shop --------------------------------------------------------------------------------


def _sku_stem(name: str, used: set[str]) -> str:
    """"Maglietta in lino" -> "MAG-LINO": the first word abbreviated, then the next ones, until unique."""
    stop = {"in", "di", "da", "del", "della", "dell", "dei", "d", "a", "al", "alla", "all", "con", "e", "per", "set", "i"}
    words = [w for w in slugify(name).split("-") if w not in stop]
    parts = [words[0][:3].upper()]
    for word in words[1:]:
        parts.append(word[:4].upper())
        if len(parts) >= 2 and "-".join(parts) not in used:
            break
    stem, n = "-".join(parts), 2
    while stem in used:
        stem, n = f"{'-'.join(parts)}{n}", n + 1
    used.add(stem)
    return stem


def _sku(stem: str, combo: list[tuple[str, str]]) -> str:
    return "-".join([stem] + [VALUE_CODE[ov] for ov in sorted(combo, key=lambda ov: SKU_ORDER[ov[0]])])


def _demo_description(section: Section, item: Item, rng: random.Random) -> str:
    phrases = FOOD_ORIGIN_PHRASES if section.category in FOOD else ORIGIN_PHRASES
    return f"{item.detail} {rng.choice(phrases).format(item.origin)} {rng.choice(section.closing)}"


def _demo_combinations(item: Item, section: Section, rng: random.Random) -> list[list[tuple[str, str]]]:
    """Every variant of the item as a list of (option slug, value slug); colour first, then size."""
    colours = item.colours.split()
    sizes = (section.sizes if item.sizes is None else item.sizes).split()
    formats = (item.formats if item.formats is not None else section.formats).split()
    axes = [[("colour", c) for c in colours], [("size", s) for s in sizes], [("format", f) for f in formats]]
    combos: list[list[tuple[str, str]]] = [[]]
    for axis in axes:
        if axis:
            combos = [combo + [value] for combo in combos for value in axis]
    if item.gaps and colours and sizes:
        # Some colours are not made in every size; M always exists, so each colour has a variant.
        combos = [c for c in combos if dict(c)["size"] == "m" or rng.random() > 0.3]
    return combos


def _demo_product(
    section: Section, item: Item, category_id: int, created_at: datetime, on_sale: bool, sold_out: bool,
    values: dict[tuple[str, str], int], stems: set[str], rng: random.Random,
) -> tuple[ProductRow, dict[str, str]]:
    """The planned product and its illustrations (path -> SVG)."""
    slug = slugify(item.name)
    stem = _sku_stem(item.name, stems)
    shape = item.shape or section.shape
    product = ProductRow(
        category_id=category_id, slug=slug, name=item.name, description=_demo_description(section, item, rng),
        tax_class=item.tax or section.tax, created_at=created_at,
    )
    combos = _demo_combinations(item, section, rng)
    first_amount = min((AMOUNT[v] for combo in combos for o, v in combo if o == "format"), default=1)
    for combo in combos:
        amount = next((AMOUNT[v] for o, v in combo if o == "format"), None)
        cents = item.price * 100 if amount is None else _format_price(item.price * 100, amount, first_amount)
        price = _retail(cents)
        product.variants.append(
            VariantRow(
                sku=_sku(stem, combo),
                price=price,
                compare_at_price=_was_price(price, rng) if on_sale else None,
                weight_grams=section.weight + (amount or 0),
                stock=0 if sold_out else _stock(rng),
                values=[values[ov] for ov in combo],
            )
        )

    # The first image shows every colour; each colour then has its own, shown when it is picked.
    colours = item.colours.split()
    label = next(w for w in item.name.split() if len(w) > 2).upper() if shape in LABELS else ""
    inks = [SWATCH[c] for c in colours] or [item.ink or section.ink]
    images = {f"products/{slug}.svg": svg(shape, inks, label)}
    names = [VALUE_NAME[("colour", c)] for c in colours]
    alt = f"{item.name} in {', '.join(names[:-1])} and {names[-1]}" if len(names) > 1 else item.name
    product.images.append(ImageRow(f"products/{slug}.svg", alt))
    if len(colours) > 1:
        for colour, name in zip(colours, names):
            path = f"products/{slug}-{colour}.svg"
            images[path] = svg(shape, [SWATCH[colour]], label)
            product.images.append(ImageRow(path, f"{item.name} in {name}", values[("colour", colour)]))
    return product, images


async def demo(media_dir: Path) -> None:
    """The Bottega demo shop: the same categories, products, stock and pictures on every run."""
    rng = random.Random(DEMO_SEED)
    categories = await _ensure_categories()
    values = await _ensure_options()
    items = [(section, item) for section in DEMO for item in section.items]

    # Arrival order is shuffled, so "newest" mixes categories; sales and sell-outs are drawn once.
    arrival = list(range(len(items)))
    rng.shuffle(arrival)
    step = DEMO_SPAN / len(items)
    on_sale = set(rng.sample(range(len(items)), round(len(items) * DEMO_SALE_SHARE)))
    sold_out = set(rng.sample(sorted(set(range(len(items))) - on_sale), DEMO_SOLD_OUT))

    stems: set[str] = set()
    products: list[ProductRow] = []
    for index, (section, item) in enumerate(items):
        product, images = _demo_product(
            section, item, categories[section.category], DEMO_NEWEST - arrival[index] * step,
            index in on_sale, index in sold_out, values, stems, rng,
        )
        products.append(product)
        for path, content in images.items():
            _write_image(media_dir, path, content)
    await _insert_and_index(products)


# --- benchmark catalogues -------------------------------------------------------------------------


def _bulk_images() -> dict[str, str]:
    """One shared illustration per category: path -> SVG."""
    return {
        f"products/generic/{slug}.svg": svg(spec.shape, [spec.ink], spec.nouns.split("/")[0].upper())
        for slug, spec in BULK.items()
    }


def _bulk_products(
    first_serial: int, n: int, categories: dict[str, int], values: dict[tuple[str, str], int], rng: random.Random
) -> Iterator[ProductRow]:
    """n generated products; the serial keeps slugs and SKUs unique across runs."""
    slugs = list(BULK)
    nouns = {slug: [noun.split("/") for noun in spec.nouns.split()] for slug, spec in BULK.items()}
    cum_weights = list(accumulate(1 / rank for rank in range(1, len(PLACES) + 1)))  # Zipf: "Roma" common, "Craco" rare
    colours = [slug for slug, *_ in COLOURS]
    sizes = [slug for slug, *_ in SIZES]

    for serial in range(first_serial, first_serial + n):
        category = slugs[serial % len(slugs)]
        spec = BULK[category]
        noun, gender = rng.choice(nouns[category])
        adjective = rng.choice(ADJECTIVES)[GENDER[gender]]
        place = rng.choices(PLACES, cum_weights=cum_weights)[0]
        name = f"{noun} {adjective} {place}"
        created_at = BULK_NEWEST - timedelta(seconds=rng.randrange(BULK_SPAN_SECONDS))
        product = ProductRow(
            category_id=categories[category], slug=f"{slugify(name)}-{serial}", name=name,
            description=f"{noun} {adjective}, inspired by {place}. Made in Italy in small batches.",
            tax_class=spec.tax, created_at=created_at,
        )
        if spec.kind == "apparel":
            combos = [[("colour", c), ("size", s)] for c, s in rng.sample([(c, s) for c in colours for s in sizes], 3)]
        elif spec.kind == "sized":
            combos = [[("size", s)] for s in rng.sample(sizes, 3)]
        elif spec.kind == "colour":
            combos = [[("colour", c)] for c in rng.sample(colours, 3)]
        elif spec.kind == "format":
            combos = [[("format", f)] for f in spec.formats.split()]
        else:
            combos = [[]]
        base = rng.uniform(*spec.price) * 100
        first_amount = AMOUNT[spec.formats.split()[0]] if spec.formats else 1
        sale = rng.random() < 0.15
        stem = f"{fold(noun)[:3].upper()}{serial}"
        for combo in combos:
            amount = AMOUNT[combo[0][1]] if spec.kind == "format" else None
            price = _retail(base if amount is None else _format_price(base, amount, first_amount))
            product.variants.append(
                VariantRow(
                    sku=_sku(stem, combo),
                    price=price,
                    compare_at_price=_was_price(price, rng) if sale else None,
                    weight_grams=spec.weight + (amount or 0),
                    stock=_stock(rng),
                    values=[values[ov] for ov in combo],
                )
            )
        product.images.append(ImageRow(f"products/generic/{category}.svg", name))
        yield product


async def bulk(n: int, media_dir: Path) -> None:
    """n generated products (about three variants each) for benchmarks, added to what exists."""
    categories = await _ensure_categories()
    values = await _ensure_options()
    for path, content in _bulk_images().items():
        _write_image(media_dir, path, content)
    # Serials start past the highest product id, so slugs and SKUs of earlier runs never clash.
    last = await Product.all().order_by("-id").first()
    first_serial = (last.id if last else 0) + 1
    rng = random.Random(first_serial)
    batch: list[ProductRow] = []
    for product in _bulk_products(first_serial, n, categories, values, rng):
        batch.append(product)
        if len(batch) == BULK_BATCH:
            await _insert_and_index(batch)
            batch = []
    if batch:
        await _insert_and_index(batch)

