"""`{% memo value… %}…{% endmemo %}`: print what the block rendered before for the same values.

The header costs every signed-in page the same few hundred template nodes (two menus,
the workspace list, the account links) although, for one person in one workspace, it
only changes when one of its inputs does. `{% memo %}` keys the block's HTML on the
values it lists plus the active language, so the key *is* the input: there is nothing
to invalidate and nothing can be stale, as long as the tag lists every value the block
reads (tests/core/test_memo.py renders the header with and without the tag while each
input changes). Everything the header reads is loaded on every request anyway (the
user's row, the membership statement's switcher and tenant), so no extra query.

Unlike Django's `{% cache %}`, it never stores a CSRF token: the block renders with a
placeholder in `csrf_token`, and each request's own token replaces it on the way out.
Without a token (a template rendered outside a request) the block is simply rendered.

The HTML lives in the compiled template's node, in process: a changed template
(development's reloading loader) starts empty and a changed setting empties every node.
Each node keeps at most TEMPLATE_MEMO_MAX_MB million characters of HTML (the header is
about 7,500 per person and workspace), the least recently used dropped first; 0 turns
the tag off. Values must be hashable (a list is read as a tuple); a block whose values
are not is rendered every time.
"""

from __future__ import annotations

import secrets
import threading
import weakref
from collections import OrderedDict
from typing import Any

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.template.base import FilterExpression, Parser, Token
from django.template.context import Context
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

register = template.Library()

# Alphanumeric like a real token, so escaping leaves it whole; new in every process.
_CSRF_SLOT = "memo" + secrets.token_hex(16)

_NODES: weakref.WeakSet[MemoNode] = weakref.WeakSet()


def _forget_all(**kwargs: Any) -> None:
    """A changed setting (tests' override_settings) may change what a block renders."""
    for node in list(_NODES):
        with node.lock:
            node.store.clear()
            node.chars = 0


setting_changed.connect(_forget_all)


class MemoNode(template.Node):
    def __init__(self, nodelist: template.NodeList, values: list[FilterExpression]) -> None:
        self.nodelist = nodelist
        self.values = values
        # Least recently used first; `chars` is the length of every block kept.
        self.store: OrderedDict[tuple[Any, ...], str] = OrderedDict()
        self.chars = 0
        self.lock = threading.Lock()
        _NODES.add(self)

    def render(self, context: Context) -> str:
        token = context.get("csrf_token")
        token = "" if token is None else str(token)
        limit = settings.TEMPLATE_MEMO_MAX_MB * 1_000_000
        if not token or token == "NOTPROVIDED" or not limit:  # nothing to substitute, or off
            return self.nodelist.render(context)
        try:
            key = (get_language(), *(self._hashable(v.resolve(context)) for v in self.values))
            hash(key)
        except TypeError:
            return self.nodelist.render(context)
        html = self.store.get(key)
        if html is None:
            with context.push(csrf_token=_CSRF_SLOT):
                html = self.nodelist.render(context)
            self._keep(key, html, limit)
        else:
            with self.lock:
                if key in self.store:
                    self.store.move_to_end(key)
        return mark_safe(html.replace(_CSRF_SLOT, escape(token)))  # noqa: S308 (rendered, so escaped)

    def _keep(self, key: tuple[Any, ...], html: str, limit: int) -> None:
        with self.lock:
            if key in self.store:  # another thread rendered it meanwhile
                return
            while self.store and self.chars + len(html) > limit:
                self.chars -= len(self.store.popitem(last=False)[1])
            if len(html) <= limit:
                self.store[key] = html
                self.chars += len(html)

    @staticmethod
    def _hashable(value: Any) -> Any:
        return tuple(value) if isinstance(value, list) else value


@register.tag
def memo(parser: Parser, token: Token) -> MemoNode:
    bits = token.split_contents()[1:]
    if not bits:
        raise template.TemplateSyntaxError("{% memo %} takes the values its block depends on")
    nodelist = parser.parse(("endmemo",))
    parser.delete_first_token()
    return MemoNode(nodelist, [parser.compile_filter(bit) for bit in bits])
