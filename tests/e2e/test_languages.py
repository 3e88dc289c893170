"""An Italian phone browser sees an Italian shop end to end — browse, search, cart, checkout, card payment,
email, order page — with JavaScript and without; switching to English keeps the cart. (The suite's shop
has English at the root, so the Italian shop is under /it/, where the first visit is sent.)"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import _shopper

ANNA = {
    "Email": "",
    "Nome e cognome": "Anna Rossi",
    "Via e numero civico": "Via dei Servi 12",
    "CAP": "50122",
    "Città": "Firenze",
    "Provincia": "FI",
}


@pytest.fixture(params=["phone", "nojs"])
def italian(request, browser: Browser, playwright, base_url) -> Page:
    context, page = _shopper(request.param, browser, playwright, base_url, locale="it-IT")
    yield page
    context.close()


def test_an_italian_phone_buys_in_italian_and_can_switch_to_english(italian: Page, inbox):
    page = italian
    email = f"italiano-{page.profile}@example.com"
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/it/$"))  # the first visit, sent to the browser's language
    expect(page.locator("html")).to_have_attribute("lang", "it")

    page.get_by_label("Cerca prodotti").fill("maglieta")  # a typo
    page.get_by_role("button", name="Cerca", exact=True).click()
    expect(page.get_by_text("Forse cercavi")).to_be_visible()
    page.get_by_role("link", name="Maglietta in lino").first.click()
    page.get_by_role("button", name="Aggiungi al carrello").click()
    expect(page.locator("#cart-badge .badge")).to_have_text("1 articolo")

    # The same cart in English, and back.
    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#cart-badge .badge")).to_have_text("1 item")
    page.get_by_role("link", name="Italiano").click()
    expect(page.locator("html")).to_have_attribute("lang", "it")

    page.get_by_role("link", name=re.compile("articolo")).click()
    expect(page.get_by_role("heading", level=1, name="Il tuo carrello")).to_be_visible()
    page.get_by_role("link", name="Vai alla cassa").click()
    for label, value in {**ANNA, "Email": email}.items():
        page.get_by_label(label, exact=True).fill(value)
    page.locator(".methods").get_by_text("Carta", exact=True).click()
    if page.profile == "nojs":
        page.get_by_role("button", name="Aggiorna riepilogo").click()
    page.get_by_role("button", name="Conferma l'ordine").click()

    expect(page.locator("html")).to_have_attribute("lang", "it")  # the payment page speaks the order's language
    page.get_by_label("Numero della carta").fill("4242 4242 4242 4242")
    page.get_by_label(re.compile("^Data di scadenza")).fill("12/30")
    page.get_by_label(re.compile("^Codice di sicurezza")).fill("123")
    page.get_by_label("Nome sulla carta").fill("Anna Rossi")
    page.get_by_role("button", name=re.compile(r"^Paga \d")).click()

    expect(page.get_by_role("heading", name="Grazie, Anna!")).to_be_visible()
    expect(page.get_by_text("Pagato — in preparazione")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/it/orders/BT-"))
    number = re.search(r"BT-[A-Z0-9]{6}", page.url).group(0)
    text = inbox.find(email, number).get_body(("plain",)).get_content()
    assert "Grazie" in text and re.search(r"/it/orders/" + number + r"\?key=", text)
    assert re.search(r"\d+,\d\d\xa0€", text)  # prices as Italians write them
