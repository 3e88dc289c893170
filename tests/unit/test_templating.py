"""The shop's `gettext` for templates (templating.quick_gettext) says what Jinja's own new-style one says."""

from __future__ import annotations

import pytest
from jinja2 import Environment

from storefront.templating import quick_gettext

ITALIAN = {
    "Add to cart": "Aggiungi al carrello",
    "Only %(n)s left": "Solo %(n)s rimasti",
    "50%% off": "-50%%",
    "Hi %(name)s": "Ciao %(name)s",
}
TEMPLATES = [
    "{% trans %}Add to cart{% endtrans %}",
    "{% trans n=2 %}Only {{ n }} left{% endtrans %}",
    "{{ _('50%% off') }} {% trans %}100% sure{% endtrans %}",
    "{% trans name=name %}Hi {{ name }}{% endtrans %}",  # the variable is escaped, the message is not
    "{{ gettext('Hi %(name)s', name=name) }} {{ _('Add to cart') }}",
    "{% trans count=3 %}{{ count }} item{% pluralize %}{{ count }} items{% endtrans %}",
]


def environments(autoescape: bool) -> tuple[Environment, Environment]:
    def translate(message: str) -> str:
        return ITALIAN.get(message, message)

    def ntranslate(singular: str, plural: str, n: int) -> str:
        return singular if n == 1 else plural

    jinja, ours = (Environment(autoescape=autoescape, extensions=["jinja2.ext.i18n"]) for _ in range(2))
    for env in (jinja, ours):
        env.install_gettext_callables(translate, ntranslate, newstyle=True)
    ours.globals["gettext"] = quick_gettext(translate)
    return jinja, ours


@pytest.mark.parametrize("autoescape", [True, False])
@pytest.mark.parametrize("source", TEMPLATES)
def test_templates_say_what_jinjas_own_gettext_says(source, autoescape):
    jinja, ours = environments(autoescape)
    for _ in range(2):  # the second time from what it remembered
        expected = jinja.from_string(source).render(name="<b>Anna</b>")
        assert ours.from_string(source).render(name="<b>Anna</b>") == expected


def test_messages_are_translated_and_only_the_variables_escaped():
    _, ours = environments(autoescape=True)
    page = ours.from_string(TEMPLATES[0] + " " + TEMPLATES[2] + " " + TEMPLATES[3]).render(name="<b>Anna</b>")
    assert page == "Aggiungi al carrello -50% 100% sure Ciao &lt;b&gt;Anna&lt;/b&gt;"
