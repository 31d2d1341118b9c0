"""`{{ text|doc_text }}`: an OpenAPI description on the reference page.

Descriptions are CommonMark, written for tools that render it. The API's own texts use
paragraphs and `code` spans only, so those are what is rendered; anything else shows as
the plain, escaped text it is. Lines wrapped in the source join into one paragraph.
"""

from __future__ import annotations

import re
from html import escape

from django import template
from django.utils.safestring import SafeString

register = template.Library()

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def _paragraph(text: str) -> str:
    joined = " ".join(text.split())
    parts = joined.split("`")
    if len(parts) % 2 == 0:  # an unpaired backtick: no code spans, the text as it is
        return f"<p>{escape(joined)}</p>"
    spans = (
        escape(part) if i % 2 == 0 else f"<code>{escape(part)}</code>"
        for i, part in enumerate(parts)
    )
    return f"<p>{''.join(spans)}</p>"


@register.filter
def doc_text(text: str) -> SafeString:
    paragraphs = [p for p in _PARAGRAPH_BREAK.split(str(text).strip()) if p.strip()]
    return SafeString("".join(_paragraph(p) for p in paragraphs))
