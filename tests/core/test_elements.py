"""`{% meter %}` (core/templatetags/elements.py) draws exactly what the include it replaced
drew: the same <progress>, its colour by tone, the label escaped, the text inside in the
active language."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.utils import translation

# templates/elements/meter.html as it was, the reference the tag is held to.
FORMER_INCLUDE = (
    "{% load i18n %}"
    '<progress class="block h-2 w-full appearance-none overflow-hidden rounded-full '
    "bg-slate-100 [&::-webkit-progress-bar]:bg-slate-100 [&::-webkit-progress-value]:rounded-full "
    "[&::-moz-progress-bar]:rounded-full {% if tone == 'full' %}"
    "[&::-webkit-progress-value]:bg-red-600 [&::-moz-progress-bar]:bg-red-600"
    "{% elif tone == 'warn' %}[&::-webkit-progress-value]:bg-amber-500 "
    "[&::-moz-progress-bar]:bg-amber-500{% else %}[&::-webkit-progress-value]:bg-brand-600 "
    '[&::-moz-progress-bar]:bg-brand-600{% endif %}{% if class %} {{ class }}{% endif %}" '
    'value="{{ value }}" max="{{ max }}" aria-label="{{ label }}">'
    "{% blocktranslate trimmed %}{{ value }} of {{ max }}{% endblocktranslate %}</progress>"
)
TAG = "{% load elements %}{% meter value max label tone=tone css=class %}"


def both(language: str, **context: object) -> tuple[str, str]:
    with translation.override(language):
        return (
            Template(TAG).render(Context(context)),
            Template(FORMER_INCLUDE).render(Context(context)),
        )


@pytest.mark.parametrize("tone", ["", "warn", "full"])
def test_each_tone_draws_what_the_include_drew(tone: str) -> None:
    tag, former = both("en", value=3, max=5, label="Members used", tone=tone, **{"class": "mt-4"})
    assert tag == former
    assert 'value="3" max="5"' in tag and ">3 of 5</progress>" in tag


def test_without_spacing_classes_nothing_is_added() -> None:
    tag, former = both("en", value=0, max=100, label="Storage used", tone="", **{"class": ""})
    assert tag == former
    assert 'bg-brand-600" value="0"' in tag


def test_the_label_is_escaped() -> None:
    tag, former = both("en", value=1, max=2, label='<b>"x"</b>', tone="", **{"class": ""})
    assert tag == former
    assert 'aria-label="&lt;b&gt;&quot;x&quot;&lt;/b&gt;"' in tag


@pytest.mark.parametrize(("language", "text"), [("de", "3 von 5"), ("ar", "3 من 5")])
def test_the_text_inside_is_in_the_active_language(language: str, text: str) -> None:
    tag, former = both(language, value=3, max=5, label="x", tone="warn", **{"class": ""})
    assert tag == former
    assert f">{text}</progress>" in tag
