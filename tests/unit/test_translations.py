"""Every message the shop shows is in every language's catalogue, translated and checked by a person (not
fuzzy), with the same placeholders, compiled as written; and no template shows text outside gettext."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from jinja2 import Environment

from storefront import languages, templating

ROOT = Path(__file__).resolve().parents[2]
TRANSLATED = [code for code in languages.LANGUAGES if code != "en"]  # English is the source
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%%")


def extracted() -> dict[str, tuple[str, ...]]:
    """What `make messages` extracts, read the way it reads it (babel.cfg, N_ for labels kept in Python)."""
    with open(ROOT / "babel.cfg") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found: dict[str, tuple[str, ...]] = {}
    for filename, _, message, _, _ in extract_from_dir(
        ROOT, method_map, options_map, keywords={**DEFAULT_KEYWORDS, "N_": None}
    ):
        ids = (message,) if isinstance(message, str) else tuple(message)
        # One msgid may be said alone in one template and with a plural in another: gettext keeps one entry.
        found[ids[0]] = max(found.get(ids[0], ()), ids, key=len)
        assert filename.startswith("storefront/")
    return found


@pytest.fixture(scope="module")
def messages() -> dict[str, tuple[str, ...]]:
    found = extracted()
    assert len(found) > 800  # the extraction found the templates
    return found


def catalogue(code: str):
    with open(templating.LOCALES / code / "LC_MESSAGES" / "messages.po", "rb") as po:
        return read_po(po)


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_message_is_translated_checked_and_keeps_its_placeholders(code, messages):
    po = catalogue(code)
    problems = []
    for msgid, ids in messages.items():
        entry = po.get(msgid)
        strings = () if entry is None else (entry.string if isinstance(entry.string, tuple) else (entry.string,))
        if entry is None or not all(strings):
            problems.append(f"untranslated: {msgid!r}")
        elif entry.fuzzy:
            problems.append(f"fuzzy (check it, then drop the flag): {msgid!r}")
        else:
            wanted = sorted(PLACEHOLDER.findall(ids[-1]))
            for string in strings:
                got = sorted(PLACEHOLDER.findall(string))
                # A plural's singular may say "one" in words instead of the count.
                if got != wanted and not (len(ids) > 1 and set(got) <= set(wanted)):
                    problems.append(f"placeholders {got} for {wanted}: {msgid!r}")
    assert not problems, "\n".join(problems[:40])


@pytest.mark.parametrize("code", TRANSLATED)
def test_the_shop_reads_the_catalogue_as_written(code):
    """The compiled catalogue (`make` compiles each .po) says what the .po says: none is stale."""
    translations = templating.translations(code)
    for entry in catalogue(code):
        if entry.id and not entry.pluralizable and not entry.fuzzy:
            assert translations.gettext(entry.id) == entry.string, f"{code}: run make (the .mo is stale)"


# Words a template may show as they are: names and codes that are the same in every language.
AS_THEY_ARE = {"IBAN", "BIC", "CVC", "BT", "XXXXXX", "Sandbox", "Pay"}
# Attributes a person reads or hears; the rest (class, name, hx-*) are for the machine.
READ = re.compile(r'\s(?:alt|title|placeholder|aria-label|aria-description)="([^"]*)"')


def text_outside_gettext(source: str) -> list[str]:
    """The words a template would show that no {% trans %} or _() holds: its text between tags and in the
    attributes people read, with Jinja's own parts, comments, scripts and styles taken out."""
    env = Environment(extensions=["jinja2.ext.i18n"])
    document: list[str] = []
    in_trans, after = False, None
    for token in env.lexer.tokenize(source):
        if after == "block_begin" and token.type == "name":
            in_trans = {"trans": True, "endtrans": False}.get(token.value, in_trans)
        after = token.type
        if token.type == "data" and not in_trans:
            document.append(token.value)
        elif token.type in ("variable_begin", "block_begin"):
            document.append("\x00")  # an expression: it may hold a tag's attributes, never the text
    text = "".join(document)
    text = re.sub(r"<!--.*?-->|<(script|style)\b.*?</\1>", " ", text, flags=re.S)
    read = READ.findall(text)
    text = re.sub(r"<[^>]*>", " ", text, flags=re.S)
    # Markup assembled in pieces ({% set attrs %}...): attribute=value pairs and bare attribute words.
    text = re.sub(r'[\w-]+="[^"]*"|\b(required|checked|selected|disabled|open|hidden)\b', " ", text)
    words = [w for piece in [text, *read] for w in re.findall(r"[^\W\d_]{2,}", piece)]
    return [w for w in words if w not in AS_THEY_ARE]


TEMPLATES = sorted(
    path.relative_to(ROOT)
    for path in [*(ROOT / "storefront").rglob("*.html"), *(ROOT / "storefront").rglob("*.txt")]
    if "static" not in path.parts
)


@pytest.mark.parametrize("path", TEMPLATES, ids=str)
def test_templates_show_no_text_outside_gettext(path):
    assert text_outside_gettext((ROOT / path).read_text()) == []


@pytest.mark.parametrize(
    "source",
    [
        "<p>Free returns</p>",
        '<img alt="A shirt" src="{{ x }}">',
        '<input placeholder="Search">',
        "{% if x %}<b>{{ x }}</b> left{% endif %}",
    ],
)
def test_the_check_sees_text_outside_gettext(source):
    assert text_outside_gettext(source)


def test_the_check_leaves_messages_markup_and_code_alone():
    source = (
        '<!-- note --><p class="a" data-x="y">{% trans %}Free returns{% endtrans %}</p>'
        '<img alt="{{ _("A shirt") }}"> <script>var a = "b";</script>{{ name }} IBAN · 12 €'
    )
    assert text_outside_gettext(source) == []
