"""`{{ key|serve_url }}`: the link to a stored avatar, logo or file, for any template;
`{% avatar person %}`: a person's picture or initials."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from uploads.keys import upload_url

register = template.Library()


@register.filter
def serve_url(key: str) -> str:
    return upload_url(key)


@register.simple_tag
def avatar(person: Any, size: str = "", text: str = "") -> SafeString:
    """`{% avatar user "h-8 w-8" %}`: a person's avatar image, or their initials. `size`
    (Tailwind classes, default h-8 w-8) and `text` (the initials' size, default text-xs).
    A tag rather than an include: the header shows it twice on every page. The name is
    always beside it, so the initials are hidden from screen readers like the picture's
    empty alt, and marked translate="no": a translating browser would make "AM" a time."""
    size = size or "h-8 w-8"
    if person.avatar:
        return format_html(
            '<img src="{}" alt="" class="{} shrink-0 rounded-full object-cover ring-1 '
            'ring-slate-200">',
            upload_url(person.avatar),
            size,
        )
    return format_html(
        '<span class="{} inline-flex shrink-0 items-center justify-center rounded-full '
        'bg-brand-100 {} font-semibold text-brand-700" aria-hidden="true" translate="no">{}</span>',
        size,
        text or "text-xs",
        person.initials,
    )
