"""`{% capture name %}…{% endcapture %}`: render markup once, print it several times.

The header shows the same workspace list and account links in two menus (the wide
screens' switcher and user menu, and the phone menu): rendering them once into a
variable and printing `{{ name }}` twice halves the layout's template work on every
signed-in page, and the HTML is byte for byte what two renderings gave.

The variable is set in the current context scope (like `{% with %}` would, but for
the rest of the template and what it includes), and is marked safe: its content was
escaped when it was rendered.
"""

from __future__ import annotations

from django import template
from django.template.base import Parser, Token
from django.template.context import Context
from django.utils.safestring import mark_safe

register = template.Library()


class CaptureNode(template.Node):
    def __init__(self, nodelist: template.NodeList, name: str) -> None:
        self.nodelist = nodelist
        self.name = name

    def render(self, context: Context) -> str:
        context[self.name] = mark_safe(self.nodelist.render(context))  # noqa: S308 (rendered, so escaped)
        return ""


@register.tag
def capture(parser: Parser, token: Token) -> CaptureNode:
    bits = token.split_contents()
    if len(bits) != 2:  # noqa: PLR2004
        raise template.TemplateSyntaxError("{% capture name %} takes one variable name")
    nodelist = parser.parse(("endcapture",))
    parser.delete_first_token()
    return CaptureNode(nodelist, bits[1])
