"""`{{ key|serve_url }}`: the link to a stored avatar, logo or file, for any template."""

from __future__ import annotations

from django import template

from uploads.keys import upload_url

register = template.Library()


@register.filter
def serve_url(key: str) -> str:
    return upload_url(key)
