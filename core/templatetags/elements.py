"""Small page elements as tags rather than includes (templates/elements/ holds the rest).

An `{% include %}` with `with` arguments costs a context push, a template lookup and a
variable lookup per argument, and every argument the include does not get is a missing
variable, the slowest lookup Django templates have. The overview draws three meters, and
`python -m bench.template_parts` shows its plan card among the dearer parts.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.utils.formats import localize
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from core.audit import actor_label_said
from core.text import name_initial

register = template.Library()

_METER_TONES = {
    "full": "[&::-webkit-progress-value]:bg-red-600 [&::-moz-progress-bar]:bg-red-600",
    "warn": "[&::-webkit-progress-value]:bg-amber-500 [&::-moz-progress-bar]:bg-amber-500",
    "": "[&::-webkit-progress-value]:bg-brand-600 [&::-moz-progress-bar]:bg-brand-600",
}


@register.simple_tag
def meter(value: Any, maximum: Any, label: str, *, tone: str = "", css: str = "") -> SafeString:
    """`{% meter used limit label tone="warn" css="mt-4" %}`: a thin progress bar (a native
    `<progress>`) named by `label`; tone "warn" or "full" colours it, `css` adds spacing.
    The text inside ("3 of 5", for browsers without <progress>) is what
    `{% blocktranslate %}{{ value }} of {{ max }}{% endblocktranslate %}` gave."""
    classes = (
        "block h-2 w-full appearance-none overflow-hidden rounded-full bg-slate-100 "
        "[&::-webkit-progress-bar]:bg-slate-100 [&::-webkit-progress-value]:rounded-full "
        "[&::-moz-progress-bar]:rounded-full " + _METER_TONES.get(tone, _METER_TONES[""])
    )
    if css:
        classes += " " + escape(css)
    # Constant classes (Tailwind's `[&::…]` variants) as written, as the template had them.
    classes = SafeString(classes)
    value, maximum = escape(localize(value)), escape(localize(maximum))
    # Like {% blocktranslate %}: the values escaped, the translated sentence as written.
    text = SafeString(gettext("%(value)s of %(max)s") % {"value": value, "max": maximum})
    return format_html(
        '<progress class="{}" value="{}" max="{}" aria-label="{}">{}</progress>',
        classes,
        value,
        maximum,
        label,
        text,
    )


@register.simple_tag
def languages_in_themselves() -> list[tuple[str, str]]:
    """settings.LANGUAGES as written there, each language in itself ("English",
    "Deutsch", "العربية"). Django's `{% get_available_languages %}` translates the names:
    in Arabic "English" read "الإنجليزيّة", so someone who landed there by mistake could
    not find their way back."""
    return list(settings.LANGUAGES)


@register.filter
def initial(name: str) -> str:
    """A workspace's badge letter: `core.text.name_initial` of its first word."""
    words = str(name).split()
    return name_initial(words[0]) if words else ""


@register.filter
def actor_said(label: str) -> str:
    """An audit event's stored actor label in the reader's language (core.audit)."""
    return actor_label_said(label)


@register.filter
def email_wrappable(email: str) -> SafeString:
    """An address that may wrap after its "@" (then anywhere, if a part is still too
    long): on a phone "owner@pacetrack.tes" / "t" read as a different address."""
    local, at, domain = str(email).rpartition("@")
    if not at:
        return escape(email)
    return format_html("{}@<wbr>{}", local, domain)
