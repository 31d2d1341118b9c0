"""`{% confirm_field question detail=… button=… cancel=… [when="field" equals=value] %}`
(and `tone="primary"` for a choice that destroys nothing): the hidden field that makes a
destructive form ask first, with JavaScript in the dialog
and without it on a page of its own (core/confirm.py). The words are written here once:
`{% blocktranslate … asvar question %}` or `_("…")` for each.

Lists ask on every row (the devices and members pages), so the tag is cheap to repeat:
a constant word (`_("…")` or a plain string) is resolved once per language and kept on
the node, as `core.templatetags.i18n_cached` keeps `{% translate %}`; a field whose
words are all constant is kept whole; the field's HTML is built once per words
(`core.confirm._field`)."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.base import FilterExpression, Parser, Token, Variable
from django.utils import translation
from django.utils.functional import Promise

from core.confirm import confirm_field
from core.templatetags.i18n_cached import active_language

register = template.Library()

_WORDS = ("detail", "button", "cancel", "when", "equals", "tone")


def _constant(expression: FilterExpression) -> bool:
    """A literal: `"…"` or `_("…")`, which the parser keeps as a str or a lazy
    translation (a variable is a Variable)."""
    return not isinstance(expression.var, Variable) and not expression.filters


class ConfirmFieldNode(template.Node):
    def __init__(self, question: FilterExpression, words: dict[str, FilterExpression]) -> None:
        self.arguments = {"question": question, **words}
        self.constant = {name for name, e in self.arguments.items() if _constant(e)}
        self.whole = len(self.constant) == len(self.arguments)
        self.kept: dict[tuple[str | None, str], Any] = {}  # (language, argument) -> value

    def _value(self, name: str, context: template.Context, language: str | None) -> Any:
        if name not in self.constant:
            return self.arguments[name].resolve(context)
        try:
            return self.kept[(language, name)]
        except KeyError:
            # Kept under the language it was translated in, read afresh, as text: a lazy
            # `_("…")` would be translated again at each use.
            value = self.arguments[name].resolve(context)
            if isinstance(value, Promise):
                value = str(value)
            self.kept[(translation.get_language(), name)] = value
            return value

    def render(self, context: template.Context) -> str:
        language = active_language(context)
        if self.whole:
            try:
                return self.kept[(language, "")]
            except KeyError:
                pass
        values = {name: self._value(name, context, language) for name in self.arguments}
        field = confirm_field(values.pop("question"), **values)
        if self.whole:
            self.kept[(translation.get_language(), "")] = field
        return field


@register.tag("confirm_field")
def do_confirm_field(parser: Parser, token: Token) -> ConfirmFieldNode:
    bits = token.split_contents()[1:]
    if not bits or "=" in bits[0]:
        raise template.TemplateSyntaxError("confirm_field takes the question first.")
    words: dict[str, FilterExpression] = {}
    for bit in bits[1:]:
        name, sep, value = bit.partition("=")
        if not sep or name not in _WORDS or name in words:
            raise template.TemplateSyntaxError(
                f"confirm_field: {bit!r} is not one of {', '.join(_WORDS)}=…"
            )
        words[name] = parser.compile_filter(value)
    return ConfirmFieldNode(parser.compile_filter(bits[0]), words)
