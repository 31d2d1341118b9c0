"""`{% link "tenant:members" tenant.slug %}`: `{% url %}` for the page chrome, from
the per-process templates of core/links.py (slug and id arguments only)."""

from __future__ import annotations

from typing import Any

from django import template

from core.links import link as _link

register = template.Library()


@register.simple_tag(name="link")
def link(name: str, *args: Any) -> str:
    return _link(name, *args)
