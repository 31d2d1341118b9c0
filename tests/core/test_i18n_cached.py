"""`{% load i18n %}` is Django's library with constant `{% translate %}` kept per language
(core/templatetags/i18n_cached.py): the same words as Django's, in whichever language is
active when the page renders, never the language of an earlier request."""

from __future__ import annotations

import pytest
from django.core.checks import Warning
from django.template import Context, Template
from django.templatetags import i18n as django_i18n
from django.test import override_settings
from django.utils import translation

from core.checks import check_template_library_names
from core.templatetags.i18n_cached import CachedBlockTranslateNode, CachedTranslateNode


def render(template: Template, language: str, **context: object) -> str:
    with translation.override(language):
        return template.render(Context(context))


def test_the_i18n_library_is_the_cached_one() -> None:
    template = Template('{% load i18n %}{% translate "Sign out" %}')
    assert isinstance(template.nodelist[-1], CachedTranslateNode)


def test_one_compiled_template_follows_the_active_language_on_every_render() -> None:
    template = Template('{% load i18n %}{% translate "Sign out" %}|{% trans "Dismiss" %}')
    assert render(template, "de") == "Abmelden|Ausblenden"
    assert render(template, "ar") == "تسجيل الخروج|إخفاء"
    assert render(template, "en") == "Sign out|Dismiss"
    assert render(template, "de") == "Abmelden|Ausblenden"


def test_a_message_context_picks_its_translation() -> None:
    template = Template('{% load i18n %}{% translate "Open" context "invoice status" %}')
    assert render(template, "de") == "Offen"
    assert render(template, "en") == "Open"


def test_as_variable_is_set_on_every_render_not_only_the_first() -> None:
    template = Template('{% load i18n %}{% translate "Dismiss" as label %}[{{ label }}]')
    assert render(template, "de") == "[Ausblenden]"
    assert render(template, "de") == "[Ausblenden]"
    assert render(template, "en") == "[Dismiss]"


def test_a_variable_is_translated_afresh_each_time() -> None:
    template = Template("{% load i18n %}{% translate word %}")
    assert render(template, "de", word="Dismiss") == "Ausblenden"
    assert render(template, "de", word="Sign out") == "Abmelden"
    assert render(template, "de", word="<b>") == "&lt;b&gt;"


def test_filters_and_a_variable_context_are_not_cached() -> None:
    template = Template(
        '{% load i18n %}{% translate "Open" context ctx %}{% translate "x"|upper %}'
    )
    assert render(template, "de", ctx="invoice status") == "OffenX"
    assert render(template, "de", ctx="something else") == "OpenX"


def test_output_matches_djangos_own_translate_node() -> None:
    template = Template(
        '{% load i18n %}{% translate "Open" context "invoice status" %}{% translate "50%% off" %}'
    )
    nodes = [n for n in template.nodelist if isinstance(n, CachedTranslateNode)]
    assert len(nodes) == 2
    for language in ("en", "de", "ar"):
        with translation.override(language):
            for node in nodes:
                stock = django_i18n.TranslateNode(
                    node.filter_expression, node.noop, node.asvar, node.message_context
                )
                assert node.render(Context()) == stock.render(Context())


def test_the_override_raises_no_warning_but_a_real_clash_still_does() -> None:
    assert check_template_library_names() == []
    clash = {"links": "core.templatetags.capture"}
    with override_settings(
        TEMPLATES=[
            {
                "BACKEND": "django.template.backends.django.DjangoTemplates",
                "OPTIONS": {"libraries": clash},
            }
        ]
    ):
        warnings = check_template_library_names()
    assert [w.id for w in warnings] == ["core.W003"]
    assert isinstance(warnings[0], Warning)
    assert "'links'" in warnings[0].msg


@pytest.mark.parametrize("language", ["de", "ar"])
def test_autoescape_off_renders_the_same_words(language: str) -> None:
    template = Template(
        '{% load i18n %}{% autoescape off %}{% translate "Dismiss" %}{% endautoescape %}'
    )
    with translation.override(language):
        expected = translation.gettext("Dismiss")
    assert render(template, language) == expected


def test_blocktranslate_fills_in_new_values_each_render_in_the_active_language() -> None:
    template = Template(
        "{% load i18n %}{% blocktranslate trimmed count counter=n %}"
        "  {{ counter }} member {% plural %} {{ counter }} members{% endblocktranslate %}"
    )
    node = template.nodelist[-1]
    assert isinstance(node, CachedBlockTranslateNode)
    assert render(template, "en", n=1) == "1 member"
    assert render(template, "en", n=3) == "3 members"
    with translation.override("de"):
        expected = translation.ngettext("%(counter)s member", "%(counter)s members", 3)
    assert render(template, "de", n=3) == expected % {"counter": 3}
    assert render(template, "en", n=3) == "3 members"


def test_blocktranslate_output_matches_djangos_own_node() -> None:
    template = Template(
        "{% load i18n %}{% blocktranslate trimmed with name=who %}Leave {{ name }}?"
        "{% endblocktranslate %}|{% blocktranslate with a=x asvar out %}50% of {{ a }}"
        "{% endblocktranslate %}{{ out }}"
    )
    for language in ("en", "de", "ar"):
        for who in ("Acme", "<b>Evil</b>"):
            with translation.override(language):
                ours = template.render(Context({"who": who, "x": 2}))
                for node in template.nodelist:
                    if isinstance(node, CachedBlockTranslateNode):
                        node.__class__ = django_i18n.BlockTranslateNode
                stock = template.render(Context({"who": who, "x": 2}))
                for node in template.nodelist:
                    if isinstance(node, django_i18n.BlockTranslateNode):
                        node.__class__ = CachedBlockTranslateNode
            assert ours == stock
            assert "&lt;b&gt;Evil&lt;/b&gt;" in ours or "Evil" not in ours


def test_a_language_block_switches_the_words_inside_it_and_back_after_it() -> None:
    """The language is read once per template; `{% language %}` changes it mid-template,
    in the template itself and in what it includes."""
    template = Template(
        '{% load i18n %}{% translate "Sign out" %}|'
        '{% language other %}{% translate "Sign out" %}|{% include inner %}{% endlanguage %}|'
        '{% translate "Sign out" %}'
    )
    inner = Template('{% load i18n %}{% translate "Dismiss" %}')
    german = "Sign out|Abmelden|Ausblenden|Sign out"
    arabic = "Sign out|تسجيل الخروج|إخفاء|Sign out"
    assert render(template, "en", other="de", inner=inner) == german
    assert render(template, "en", other="ar", inner=inner) == arabic
    assert render(template, "de", other="en", inner=inner) == "Abmelden|Sign out|Dismiss|Abmelden"


def test_a_language_block_nested_in_another_restores_the_outer_one() -> None:
    template = Template(
        '{% load i18n %}{% language outer %}{% translate "Dismiss" %}|'
        '{% language inner %}{% translate "Dismiss" %}{% endlanguage %}|'
        '{% translate "Dismiss" %}{% endlanguage %}|{% translate "Dismiss" %}'
    )
    assert render(template, "ar", outer="de", inner="en") == "Ausblenden|Dismiss|Ausblenden|إخفاء"
    assert render(template, "ar", outer="en", inner="de") == "Dismiss|Ausblenden|Dismiss|إخفاء"
    assert render(template, "en", outer="de", inner="ar") == "Ausblenden|إخفاء|Ausblenden|Dismiss"
