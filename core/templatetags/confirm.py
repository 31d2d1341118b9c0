"""`{% confirm_field question detail=… button=… cancel=… [when="field" equals=value] %}`:
the hidden field that makes a destructive form ask first, with JavaScript in the dialog
and without it on a page of its own (core/confirm.py). The words are written here once:
`{% blocktranslate … asvar question %}` or `_("…")` for each."""

from typing import Any

from django import template
from django.utils.safestring import SafeString

from core.confirm import confirm_field as _confirm_field

register = template.Library()


@register.simple_tag
def confirm_field(question: Any, **words: Any) -> SafeString:
    return _confirm_field(question, **words)
