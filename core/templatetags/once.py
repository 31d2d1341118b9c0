"""`{% once_field %}`: the hidden field core/sent_once.py reads."""

from django import template
from django.utils.safestring import SafeString

from core.sent_once import once_field as _once_field

register = template.Library()


@register.simple_tag
def once_field() -> SafeString:
    return _once_field()
