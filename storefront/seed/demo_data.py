"""The Bottega demo shop's products, section by section, and the fixed numbers that make it repeatable.

VAT follows the Italian rates: pasta, oil, passata and books 4% (super-reduced); sweets, honey, jams and sauces
10% (reduced); roasted coffee, vinegar, wine, spirits and everything that is not food 22% (standard).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from storefront.domain.models import TaxClass

STANDARD, REDUCED, SUPER_REDUCED = TaxClass.STANDARD, TaxClass.REDUCED, TaxClass.SUPER_REDUCED


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
# The catalogue tables are laid out by hand, one product per entry, so the formatter leaves them be.
# fmt: off
APPAREL = "xs s m l xl"
CLOTHING_CARE = (
    "Machine wash cold and dry flat.", "Wash at 30 °C, inside out.", "Gentle machine wash; iron while damp.",
)
KNIT_CARE = ("Hand wash cold and dry flat.", "Wool wash at 30 °C, dry flat away from heat.")

DEMO: list[Section] = [
    Section("shirts", "shirt", 240, CLOTHING_CARE, sizes=APPAREL, items=[
        I("Camicia in lino", 69, "Biella, Piedmont",
          "A relaxed shirt in washed linen that gets softer with every wash.",
          "bianco blu sabbia verde-salvia", gaps=True),
        I("Camicia Oxford button-down", 79, "Castelfranco Veneto",
          "A button-down collar and a sturdy Oxford weave for every day of the week.", "bianco celeste blu"),
        I("Camicia in popeline di cotone", 89, "Naples, Campania",
          "Crisp two-ply poplin with hand-sewn buttons and a soft collar.", "bianco celeste"),
        I("Camicia a righe Portofino", 75, "Como, Lombardy",
          "Fine blue and white stripes inspired by the harbour of Portofino.", ink="#3b6fb6"),
        I("Camicia in chambray", 72, "Prato, Tuscany",
          "A light chambray shirt woven on shuttle looms and garment-dyed.", "celeste blu"),
        I("Camicia coreana in lino", 74, "Biella, Piedmont",
          "A band-collar linen shirt cut a little longer, to wear untucked.",
          "bianco terracotta verde-salvia sabbia", gaps=True),
        I("Camicia di flanella a quadri", 85, "Schio, Veneto",
          "Brushed cotton flannel in a small check, warm without bulk.", "bordeaux blu verde-salvia"),
        I("Camicia in seta lavata", 149, "Como, Lombardy",
          "Sand-washed silk with a matte finish that drapes beautifully.", "nero sabbia bordeaux"),
        I("Blusa in cotone ricamata", 92, "Positano, Campania",
          "A loose blouse with white-on-white embroidery at the yoke.", sizes="xs s m l", ink="#f5f5f0"),
    ]),
    Section("t-shirts", "tee", 180, CLOTHING_CARE, sizes=APPAREL, items=[
        I("Maglietta in lino", 39, "Biella, Piedmont",
          "A light linen T-shirt with a relaxed fit, made for long summers.",
          "bianco blu nero verde-salvia terracotta sabbia", gaps=True),
        I("Maglietta in cotone biologico", 29, "Carpi, Emilia-Romagna",
          "Soft organic cotton jersey with a clean crew neck.", "bianco nero blu sabbia"),
        I("T-shirt marinière a righe", 35, "La Spezia, Liguria",
          "The classic sailor stripe in heavy cotton jersey.", ink="#1e3a8a"),
        I("Polo in piqué", 55, "Carpi, Emilia-Romagna",
          "A piqué polo with mother-of-pearl buttons and a knitted collar.",
          "bianco blu verde-salvia bordeaux", gaps=True),
        I("Canotta in cotone a coste", 22, "Carpi, Emilia-Romagna",
          "A ribbed cotton tank top that keeps its shape.", "bianco nero sabbia"),
        I("Maglietta a maniche lunghe", 42, "Treviso, Veneto",
          "A long-sleeved tee in slub cotton, good for layering.", "bianco blu terracotta"),
        I("T-shirt Amalfi con limoni", 34, "Amalfi, Campania",
          "Screen-printed by hand with the lemons of the Amalfi Coast.", ink="#e6c229"),
        I("Polo in maglia di cotone", 65, "Perugia, Umbria",
          "A knitted cotton polo, half jumper and half shirt.", "sabbia blu verde-salvia"),
        I("Maglietta girocollo in jersey", 25, "Carpi, Emilia-Romagna",
          "An everyday crew-neck tee in combed cotton jersey.", "bianco nero blu celeste sabbia", gaps=True),
    ]),
    Section("knitwear", "knit", 420, KNIT_CARE, sizes=APPAREL, items=[
        I("Maglione di lana merino", 129, "Biella, Piedmont",
          "A fine-gauge merino jumper that is warm, light and never itchy.",
          "blu nero verde-salvia bordeaux sabbia", gaps=True),
        I("Cardigan in cashmere", 290, "Solomeo, Umbria",
          "Pure cashmere spun and knitted in Umbria, finished by hand.", "sabbia nero blu"),
        I("Dolcevita in lana merino", 119, "Biella, Piedmont",
          "A slim roll-neck in extra-fine merino, the backbone of a winter wardrobe.", "nero blu bianco bordeaux"),
        I("Maglione a trecce", 139, "Val di Fiemme, Trentino",
          "A chunky cable-knit jumper in undyed mountain wool.", "bianco sabbia"),
        I("Gilet in lana", 89, "Prato, Tuscany",
          "A V-neck vest knitted from recycled Prato wool.", "sabbia verde-salvia blu"),
        I("Maglione in cotone a coste", 79, "Perugia, Umbria",
          "A ribbed cotton jumper for cool evenings by the sea.", "bianco blu terracotta"),
        I("Cardigan in lana d'alpaca", 159, "Arezzo, Tuscany",
          "A brushed alpaca blend, airy and remarkably warm.", "sabbia terracotta nero"),
        I("Felpa in cotone garzato", 69, "Treviso, Veneto",
          "A brushed-back cotton sweatshirt with ribbed cuffs.", "blu nero verde-salvia sabbia", gaps=True),
        I("Maglione girocollo in cashmere", 249, "Solomeo, Umbria",
          "A classic crew neck in two-ply cashmere.", "blu sabbia bordeaux nero"),
    ]),
    Section("trousers", "trousers", 380, CLOTHING_CARE, sizes=APPAREL, items=[
        I("Pantaloni in lino", 89, "Biella, Piedmont",
          "Drawstring linen trousers with a wide, easy leg.", "bianco sabbia nero"),
        I("Chino in cotone", 95, "Castelfranco Veneto",
          "Garment-dyed cotton twill chinos with a tapered leg.", "sabbia blu verde-salvia"),
        I("Bermuda in lino", 59, "Biella, Piedmont",
          "Knee-length linen shorts for the hottest days.", "sabbia blu bianco"),
        I("Gonna plissé", 110, "Como, Lombardy",
          "A pleated midi skirt in fluid satin.", "nero bordeaux verde-salvia", sizes="xs s m l"),
        I("Pantaloni palazzo in seta", 189, "Como, Lombardy",
          "Wide silk trousers that move with every step.", "nero sabbia"),
        I("Pantaloni di velluto a coste", 105, "Schio, Veneto",
          "Corduroy trousers with a fine wale, soft and hard-wearing.", "terracotta verde-salvia blu", gaps=True),
    ]),
    Section("ceramics", "cup", 400, ("Dishwasher safe; hand washing keeps the glaze bright.",
                                     "Each piece is painted by hand, so no two are quite alike."), items=[
        I("Tazzina in ceramica di Deruta", 18, "Deruta, Umbria",
          "An espresso cup hand-painted with a traditional Deruta pattern.", "blu verde-salvia terracotta bianco"),
        I("Piatto fondo di Vietri", 32, "Vietri sul Mare, Campania",
          "A deep pasta plate glazed in the bright colours of the Amalfi Coast.",
          "blu terracotta verde-salvia", shape="plate"),
        I("Ciotola in gres", 24, "Nove, Veneto",
          "A stoneware bowl with a speckled reactive glaze.", "sabbia verde-salvia nero", shape="bowl"),
        I("Brocca in terracotta dell'Impruneta", 58, "Impruneta, Tuscany",
          "A water jug thrown from the iron-rich clay of Impruneta.", ink="#c8553d", shape="vase"),
        I("Vaso di Caltagirone", 95, "Caltagirone, Sicily",
          "A hand-painted vase with Sicilian lemons and blue scrolls.", "blu bianco", shape="vase"),
        I("Tazza da cappuccino", 22, "Deruta, Umbria",
          "A generous cappuccino cup with its saucer, glazed inside and out.", "bianco celeste sabbia terracotta"),
        I("Piatto da portata di Faenza", 78, "Faenza, Emilia-Romagna",
          "A large serving platter in Faenza majolica.", "blu bianco", shape="plate"),
        I("Teiera in ceramica", 64, "Bassano del Grappa, Veneto",
          "A round teapot that pours four cups.", "bianco verde-salvia celeste", shape="vase"),
        I("Portauovo in maiolica", 12, "Faenza, Emilia-Romagna",
          "An egg cup in hand-painted majolica.", "blu verde-salvia"),
        I("Vassoio in ceramica di Grottaglie", 46, "Grottaglie, Apulia",
          "A tray painted with the cockerel motif of Grottaglie.", "bianco blu", shape="plate"),
    ]),
    Section("linens", "cloth", 450, ("Machine wash at 40 °C; linen softens with every wash.",
                                     "Woven on looms that have run for generations."), items=[
        I("Tovaglia in lino", 89, "Busto Arsizio, Lombardy",
          "A heavy linen tablecloth for six, hemmed by hand.", "bianco sabbia celeste verde-salvia"),
        I("Strofinacci in lino (set di 3)", 29, "Busto Arsizio, Lombardy",
          "Three striped linen tea towels that dry glasses without lint.", ink="#d8c3a5"),
        I("Cuscino in velluto", 49, "Como, Lombardy",
          "A cotton velvet cushion with a feather filling.", "terracotta verde-salvia blu bordeaux"),
        I("Plaid in lana", 139, "Biella, Piedmont",
          "A soft throw in lambswool with a fringed edge.", "sabbia blu terracotta"),
        I("Runner da tavola in canapa", 39, "Carmagnola, Piedmont",
          "A rustic hemp table runner from the old hemp town of Carmagnola.", ink="#c2b280"),
        I("Tovaglioli in lino (set di 4)", 36, "Busto Arsizio, Lombardy",
          "Four stone-washed linen napkins.", "bianco sabbia celeste"),
        I("Grembiule da cucina in lino", 34, "Busto Arsizio, Lombardy",
          "A full-length linen apron with a deep front pocket.", "nero sabbia terracotta blu"),
        I("Telo mare a righe", 45, "Rimini, Emilia-Romagna",
          "A striped cotton beach towel, thick and quick to dry.", "blu terracotta verde-salvia"),
    ]),
    Section("kitchen", "board", 600, ("Built to last a lifetime of daily use.", "Hand wash and dry straight away."),
            ink="#b08d57", items=[
        I("Caffettiera moka 3 tazze", 34, "Omegna, Piedmont",
          "The eight-sided aluminium moka pot, made in its home town.", ink="#9ca3af", shape="moka"),
        I("Caffettiera moka 6 tazze", 42, "Omegna, Piedmont",
          "The family-size moka pot for six small cups.", ink="#9ca3af", shape="moka"),
        I("Tagliere in legno d'ulivo", 48, "Spoleto, Umbria",
          "A chopping board cut from a single piece of olive wood."),
        I("Mattarello in faggio", 19, "Belluno, Veneto",
          "A long beech rolling pin, the kind used for fresh pasta sheets."),
        I("Grattugia per parmigiano", 16, "Lumezzane, Lombardy",
          "A stainless steel grater with a wooden handle.", ink="#9ca3af"),
        I("Pentola in rame martellato", 240, "Agnone, Molise",
          "A hammered copper pot lined with tin.", ink="#b87333", shape="pot"),
        I("Oliera in vetro soffiato", 38, "Murano, Veneto",
          "A mouth-blown glass cruet that pours without dripping.", ink="#6b8e23", shape="bottle"),
        I("Macchina per la pasta", 89, "Turin, Piedmont",
          "A chrome-plated pasta machine with nine thickness settings.", ink="#9ca3af", shape="box"),
    ]),
    Section("coffee", "packet", 30, ("Roasted every week and shipped within days.",
                                     "Keep sealed in a cool, dark place."),
            formats="250g 500g 1kg", ink="#6f4e37", items=[
        I("Caffè Espresso Napoletano", 7.9, "Naples, Campania",
          "A dark, full-bodied roast for a thick crema, as they make it in Naples."),
        I("Caffè Moka Miscela Oro", 8.5, "Turin, Piedmont",
          "A smooth arabica blend roasted for the moka pot.", ink="#a0522d"),
        I("Caffè decaffeinato", 8.9, "Trieste, Friuli Venezia Giulia",
          "Water-processed decaf with notes of cocoa.", ink="#3f6e5a"),
        I("Caffè in grani Miscela Bar", 13.9, "Verona, Veneto",
          "Whole beans blended for espresso machines.", formats="500g 1kg", ink="#3b2a20"),
        I("Caffè Arabica 100%", 9.5, "Trieste, Friuli Venezia Giulia",
          "Single-origin arabica roasted light for a sweet, floral cup.", ink="#b5651d"),
        I("Caffè macinato Roma", 6.5, "Rome, Lazio", "A classic ground blend for every coffee maker.", ink="#7b1e3a"),
    ]),
    Section("pasta-rice", "box", 30, ("Cook in plenty of salted water and save a cup of the cooking water.",
                                      "Made with durum wheat semolina grown in Italy."),
            formats="500g 1kg", tax=SUPER_REDUCED, ink="#1e3a8a", items=[
        I("Spaghetti di Gragnano IGP", 3.2, "Gragnano, Campania",
          "Bronze-drawn and slowly dried, with a rough surface that holds the sauce.", shape="packet", ink="#1e3a8a"),
        I("Paccheri di Gragnano", 3.5, "Gragnano, Campania",
          "Wide tubes of bronze-drawn pasta, perfect with ragù.", ink="#b91c1c"),
        I("Trofie liguri", 3.9, "Recco, Liguria",
          "Little twists of pasta made for pesto.", formats="500g", ink="#3f6212"),
        I("Orecchiette pugliesi", 3.6, "Bari, Apulia",
          "Ear-shaped pasta rolled with a knife, as in the old town of Bari.", ink="#c8553d"),
        I("Pici toscani", 4.2, "Montepulciano, Tuscany",
          "Thick hand-rolled spaghetti from southern Tuscany.", formats="500g", ink="#7b1e3a"),
        I("Tagliatelle all'uovo", 4.8, "Bologna, Emilia-Romagna",
          "Egg tagliatelle rolled thin and dried in nests.", formats="250g 500g", ink="#d4a017"),
        I("Fusilli di grano antico", 4.5, "Altamura, Apulia",
          "Fusilli made from Senatore Cappelli heritage wheat.", ink="#8a6f4d"),
        I("Riso Carnaroli", 5.9, "Vercelli, Piedmont",
          "The king of risotto rice, aged for a year.", formats="1kg", ink="#87a96b"),
    ]),
    Section("oil-vinegar", "bottle", 350, ("Store away from light and heat.", "Harvested and pressed in the autumn."),
            formats="500ml 750ml", tax=SUPER_REDUCED, ink="#556b2f", items=[
        I("Olio extravergine di oliva", 12.9, "Bitonto, Apulia",
          "A green, peppery extra virgin oil pressed from Coratina olives.", formats="500ml 750ml 3l"),
        I("Olio extravergine Taggiasca", 16.5, "Imperia, Liguria",
          "A delicate, buttery oil from small Taggiasca olives.", ink="#808000"),
        I("Olio extravergine toscano IGP", 18.9, "Greve in Chianti, Tuscany",
          "A bold Tuscan oil with notes of artichoke and almond.", ink="#3f6212"),
        I("Olio nuovo di Sicilia", 14.9, "Castelvetrano, Sicily",
          "New-season Nocellara oil, bottled unfiltered.", formats="750ml", ink="#6b8e23"),
        I("Olio al peperoncino", 6.9, "Diamante, Calabria",
          "Extra virgin oil infused with Calabrian chilli.", formats="250ml", ink="#b91c1c"),
        I("Aceto balsamico di Modena IGP", 11.9, "Modena, Emilia-Romagna",
          "Aged in oak barrels for a sweet, dense balsamic.", formats="250ml 500ml", ink="#3b2a20", tax=STANDARD),
    ]),
    Section("sweets", "box", 40, ("Baked without preservatives; best within a few weeks.",
                                  "Wrapped by hand, ready to give."),
            formats="250g 500g", tax=REDUCED, ink="#c8553d", items=[
        I("Cantucci alle mandorle", 6.9, "Prato, Tuscany",
          "Twice-baked almond biscuits for dipping in vin santo.", ink="#b5651d"),
        I("Panettone artigianale", 35, "Milan, Lombardy",
          "A tall Milanese panettone leavened for three days.", formats="1kg", ink="#7b1e3a"),
        I("Baci di dama", 7.5, "Tortona, Piedmont",
          "Hazelnut biscuits joined by a kiss of dark chocolate.", ink="#c8553d"),
        I("Torrone morbido", 9.9, "Cremona, Lombardy", "Soft nougat with honey and whole almonds.", ink="#d8c3a5"),
        I("Amaretti morbidi", 8.5, "Sassello, Liguria",
          "Soft almond amaretti with a crackled sugar crust.", ink="#e6c229"),
        I("Crema di pistacchio di Bronte", 12.5, "Bronte, Sicily",
          "A spreadable cream of Bronte pistachios.", formats="250g", shape="jar", ink="#87a96b"),
        I("Cioccolato di Modica IGP", 4.5, "Modica, Sicily",
          "Cold-worked chocolate with a grainy, crunchy bite.", formats="100g", ink="#3b2a20"),
    ]),
    Section("preserves", "jar", 220, ("Once opened, keep in the fridge.",
                                      "Made in small batches in the summer months."),
            formats="250g 500g", tax=REDUCED, ink="#c8553d", items=[
        I("Passata di pomodoro San Marzano", 4.2, "Sarno Valley, Campania",
          "Sieved San Marzano tomatoes, bottled the day they are picked.",
          formats="500g 1kg", tax=SUPER_REDUCED, ink="#b91c1c", shape="bottle"),
        I("Pesto alla genovese", 6.9, "Genoa, Liguria",
          "Basil, pine nuts and Ligurian oil, pounded the traditional way.", formats="100g", ink="#3f6212"),
        I("Pomodori secchi sott'olio", 7.5, "Manduria, Apulia",
          "Sun-dried tomatoes in extra virgin oil with capers.", formats="250g", ink="#c8553d"),
        I("Miele di castagno", 9.5, "Lunigiana, Tuscany", "A dark, slightly bitter chestnut honey.", ink="#b5651d"),
        I("Marmellata di arance di Sicilia", 5.9, "Ribera, Sicily",
          "Bitter-sweet marmalade of Sicilian oranges.", ink="#e07b22"),
        I("Colatura di alici di Cetara", 14.9, "Cetara, Campania",
          "The amber anchovy essence of the Amalfi Coast.", formats="100ml", ink="#d4a017", shape="bottle"),
    ]),
    Section("wine", "wine", 500, ("Serve at 16–18 °C.", "Lay the bottle down and keep it away from light."),
            formats="750ml 1-5l", ink="#7b1e3a", items=[
        I("Chianti Classico DOCG", 16.9, "Greve in Chianti, Tuscany", "A bright Sangiovese with cherry and violet."),
        I("Barolo DOCG", 49, "La Morra, Piedmont", "Nebbiolo aged three years, firm and fragrant with roses and tar."),
        I("Prosecco Superiore Valdobbiadene DOCG", 14.5, "Valdobbiadene, Veneto",
          "A dry sparkling wine from the steep Valdobbiadene hills.", formats="750ml", ink="#3f6212"),
        I("Primitivo di Manduria DOC", 15.9, "Manduria, Apulia", "A rich, ripe red from the heel of Italy."),
        I("Vermentino di Gallura DOCG", 17.5, "Gallura, Sardinia",
          "A crisp white with a salty, herbal finish.", formats="750ml", ink="#c9b037"),
        I("Brunello di Montalcino DOCG", 62, "Montalcino, Tuscany", "Pure Sangiovese aged five years before release."),
    ]),
    Section("spirits", "wine", 450, ("Serve chilled after dinner.", "Keeps for years once opened."),
            formats="500ml", ink="#7b1e3a", items=[
        I("Limoncello di Sorrento", 19.9, "Sorrento, Campania",
          "Made from the peel of Sorrento lemons.", ink="#e6c229"),
        I("Amaro siciliano", 24.5, "Caltanissetta, Sicily",
          "A bitter-sweet digestif of herbs and citrus.", formats="750ml", ink="#3b2a20"),
        I("Grappa di Brunello", 38, "Montalcino, Tuscany",
          "Distilled from the pomace of Brunello grapes.", ink="#d8c3a5"),
        I("Vermouth di Torino rosso", 22, "Turin, Piedmont",
          "Red vermouth with wormwood and vanilla, for a proper negroni.", formats="750ml", ink="#7b1e3a"),
        I("Nocino di Modena", 26, "Modena, Emilia-Romagna",
          "A walnut liqueur from green walnuts picked on St John's night.", ink="#3b2a20"),
    ]),
    Section("bags", "bag", 700, ("The leather darkens beautifully with use.", "Comes in a cotton dust bag."), items=[
        I("Borsa in pelle fiorentina", 380, "Florence, Tuscany",
          "A structured handbag in vegetable-tanned calfskin.", "nero terracotta sabbia"),
        I("Shopper in tela", 45, "Prato, Tuscany",
          "A roomy canvas tote with leather handles.", "sabbia blu nero verde-salvia"),
        I("Zaino in pelle", 260, "Florence, Tuscany", "A leather backpack with a padded laptop sleeve.", "nero sabbia"),
        I("Portafoglio in pelle", 89, "Florence, Tuscany",
          "A slim bifold wallet with eight card slots.", "nero terracotta blu"),
        I("Cestino in paglia", 59, "Signa, Tuscany",
          "A woven straw basket bag from the straw-weaving town of Signa.", ink="#d8b86a"),
        I("Pochette in raffia", 69, "Positano, Campania",
          "A summer clutch in hand-crocheted raffia.", "sabbia terracotta"),
    ]),
    Section("scarves-hats", "scarf", 150, ("Dry clean or hand wash cold.", "Comes in a gift box."), items=[
        I("Sciarpa in cashmere", 149, "Biella, Piedmont",
          "A long scarf in brushed cashmere.", "sabbia blu bordeaux verde-salvia"),
        I("Foulard in seta di Como", 95, "Como, Lombardy",
          "A printed silk square with hand-rolled edges.", "blu terracotta verde-salvia"),
        I("Cravatta in seta", 85, "Como, Lombardy",
          "A seven-fold silk tie, lined and finished by hand.", "blu bordeaux verde-salvia nero"),
        I("Cappello Panama", 145, "Montappone, Marche",
          "A straw hat from the hat-making town of Montappone.", sizes="s m l xl", ink="#e9dcc0", shape="hat"),
        I("Berretto in lana", 39, "Biella, Piedmont",
          "A ribbed wool beanie with a deep cuff.", "nero blu terracotta sabbia", shape="hat"),
        I("Cintura in cuoio", 69, "Florence, Tuscany", "A full-grain leather belt with a brass buckle.",
          "nero terracotta", sizes="s m l xl", gaps=True, shape="belt"),
        I("Occhiali da sole in acetato", 165, "Cadore, Veneto",
          "Handmade acetate frames with polarised lenses.", "nero terracotta sabbia", shape="glasses"),
    ]),
    Section("notebooks", "notebook", 300, ("Acid-free paper that takes ink without bleeding.",
                                           "Bound by hand, stitch by stitch."), items=[
        I("Quaderno rilegato in pelle", 42, "Florence, Tuscany",
          "A leather-bound journal with hand-stitched pages.", "terracotta nero blu"),
        I("Taccuino in carta di Amalfi", 28, "Amalfi, Campania",
          "A small notebook of deckle-edged Amalfi paper.", ink="#e9dcc0"),
        I("Agenda settimanale 2027", 24, "Fabriano, Marche",
          "A week-to-view diary on Fabriano paper.", "nero blu bordeaux verde-salvia"),
        I("Carta da lettere di Amalfi", 32, "Amalfi, Campania",
          "Twenty sheets and envelopes of handmade cotton paper.", ink="#f5f5f0", shape="cloth"),
        I("Quaderno a righe Fabriano", 9.5, "Fabriano, Marche",
          "A lined exercise book with a linen-textured cover.", "celeste terracotta verde-salvia sabbia"),
    ]),
    Section("pens-ink", "pen", 60, ("Comes in a gift box.", "Made to be refilled, not thrown away."), items=[
        I("Penna stilografica in celluloide", 145, "Turin, Piedmont",
          "A celluloid fountain pen with a steel nib.", "nero bordeaux blu"),
        I("Inchiostro seppia", 12, "Florence, Tuscany",
          "A warm sepia ink in a 50 ml glass bottle.", ink="#704214", shape="jar"),
        I("Matite colorate (set di 12)", 14, "Bologna, Emilia-Romagna",
          "Twelve cedar-wood colouring pencils in a tin.", ink="#c8553d", shape="box"),
        I("Ceralacca e sigillo", 29, "Florence, Tuscany",
          "A brass seal with a lily and three sticks of sealing wax.", ink="#b91c1c", shape="box"),
        I("Pennino in vetro di Murano", 35, "Murano, Veneto",
          "A twisted glass dip pen blown in Murano.", "blu verde-salvia bordeaux"),
    ]),
    Section("books", "book", 600, ("Printed on FSC paper.", "Illustrated throughout."),
            tax=SUPER_REDUCED, ink="#1e3a8a", items=[
        I("Ricettario della cucina toscana", 28, "Florence, Tuscany",
          "Two hundred family recipes from the Tuscan countryside.", ink="#c8553d"),
        I("Guida alle trattorie di Roma", 19.5, "Rome, Lazio",
          "An opinionated guide to where Romans really eat.", ink="#b91c1c"),
        I("Atlante dei formaggi italiani", 34, "Bra, Piedmont",
          "Every Italian cheese, region by region.", ink="#d4a017"),
        I("Storia del caffè napoletano", 18, "Naples, Campania",
          "How coffee became a ritual in Naples, from the cuccuma to the moka.", ink="#6f4e37"),
        I("I vini d'Italia", 32, "Verona, Veneto", "A map of Italian wine, grape by grape.", ink="#7b1e3a"),
    ]),
    Section("beauty", "soap", 150, ("Not tested on animals.", "Free of parabens and silicones."), ink="#87a96b", items=[
        I("Sapone all'olio d'oliva", 6.5, "Florence, Tuscany", "A gentle soap cured for two months.", ink="#a3b18a"),
        I("Acqua di colonia agli agrumi", 48, "Florence, Tuscany",
          "A bright eau de cologne of bergamot, lemon and neroli.",
          formats="50ml 100ml", ink="#e6c229", shape="bottle"),
        I("Crema mani alla mandorla", 14, "Noto, Sicily",
          "A rich hand cream with Sicilian almond oil.", formats="50ml 100ml", ink="#f5e6d3", shape="jar"),
        I("Olio corpo al fico d'India", 26, "Catania, Sicily",
          "A light dry oil pressed from prickly pear seeds.", formats="100ml", ink="#c8553d", shape="bottle"),
        I("Sapone da barba", 18, "Parma, Emilia-Romagna",
          "A shaving soap that whips into a dense lather.", ink="#f5f5f0", shape="jar"),
        I("Spazzola in legno di faggio", 32, "Belluno, Veneto",
          "A beech hairbrush with natural bristles.", ink="#b08d57", shape="board"),
        I("Sapone al limone di Amalfi", 7.5, "Amalfi, Campania",
          "A fresh soap scented with Amalfi lemons.", ink="#e6c229"),
        I("Profumo per ambienti al fico", 39, "Florence, Tuscany",
          "A reed diffuser with the green scent of fig leaves.", formats="250ml", ink="#3f6212", shape="bottle"),
        I("Candela profumata al bergamotto", 34, "Reggio Calabria, Calabria",
          "A soy wax candle scented with Calabrian bergamot.", ink="#d4a017", shape="jar"),
    ]),
    Section("toys", "top", 300, ("Finished with non-toxic paints.", "Suitable from three years."),
            ink="#c8553d", items=[
        I("Trottola in legno", 12, "Val Gardena, South Tyrol",
          "A spinning top turned on a lathe in Val Gardena.", ink="#c8553d"),
        I("Pinocchio in legno", 29, "Collodi, Tuscany",
          "The puppet who wanted to be a boy, carved in Collodi.", ink="#1e3a8a"),
        I("Puzzle della Toscana (500 pezzi)", 24, "Florence, Tuscany",
          "A 500-piece puzzle of the Val d'Orcia at dawn.", ink="#87a96b", shape="box"),
        I("Carte da gioco napoletane", 6.5, "Naples, Campania",
          "The forty-card Neapolitan deck for scopa and briscola.", ink="#b91c1c", shape="box"),
        I("Scacchiera in legno d'ulivo", 120, "Spoleto, Umbria",
          "A folding chessboard inlaid in olive wood and maple.", ink="#b08d57", shape="board"),
        I("Tombola tradizionale", 19.9, "Naples, Campania",
          "The Christmas bingo of Naples, with ninety numbered tokens.", ink="#7b1e3a", shape="box"),
        I("Barchetta in legno", 22, "Chioggia, Veneto",
          "A little wooden sailing boat painted in lagoon colours.", ink="#1e3a8a"),
    ]),
]
# fmt: on
del I

ORIGIN_PHRASES = ("Made in {}.", "Made by a family workshop in {}.", "Crafted in small batches in {}.", "From {}.")
FOOD_ORIGIN_PHRASES = ("Produced in {}.", "From a small producer in {}.", "Made in {} to a family recipe.")
FOOD = {"coffee", "pasta-rice", "oil-vinegar", "sweets", "preserves", "wine", "spirits"}

DEMO_SEED = 20261101
DEMO_NEWEST = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)  # fixed, so "newest" never depends on the clock
DEMO_SPAN = timedelta(weeks=10)
DEMO_SALE_SHARE = 0.15
DEMO_SOLD_OUT = 3  # products with every variant sold out
