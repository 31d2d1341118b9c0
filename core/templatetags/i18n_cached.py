"""Django's `i18n` tag library with `{% translate "constant" %}` rendered once per language,
and `{% blocktranslate %}`'s message id built once per tag.

A signed-in page prints ~75 constant translations (menus, labels, screen-reader text);
each resolves a Variable, calls gettext through the translation machinery and escapes
the result again on every request, which costs more than the rest of the shell. The
text of a constant msgid cannot change while the process runs (catalogues are loaded
once), so the rendered string is kept on the node per (language, autoescape).

Installed as the `i18n` library by the TEMPLATES option `libraries` (config/settings.py),
so templates keep `{% load i18n %}`; every other tag and filter is Django's own.
Translations of variables, with filters or with a variable context are not cached.
The active language is read once per template being rendered (kept in the render
context's frame, which `{% include %}` pushes anew): a thread-local lookup per tag
was about a third of what a constant translation still cost. `{% language %}` drops it
on the way in and out, since it switches the language in the middle of a template.
`{% blocktranslate %}` still translates and fills in its variables on every render; only
the message id, which depends on the tag's own text alone (joined, `%` escaped, trimmed),
is kept.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template.base import FilterExpression, Parser, Token
from django.templatetags import i18n as django_i18n
from django.utils import translation

register = template.Library()
register.tags.update(django_i18n.register.tags)
register.filters.update(django_i18n.register.filters)


_LANGUAGE = "core.i18n_cached.language"  # key in the render context's current frame


def active_language(context: template.Context) -> str | None:
    """`translation.get_language()`, read once per template being rendered."""
    frame = context.render_context.dicts[-1]
    try:
        return frame[_LANGUAGE]
    except KeyError:
        language = frame[_LANGUAGE] = translation.get_language()
        return language


def _is_constant(expression: FilterExpression | None) -> bool:
    return expression is None or (isinstance(expression.var, str) and not expression.filters)


class CachedTranslateNode(django_i18n.TranslateNode):
    """TranslateNode that renders a constant msgid once per language and escaping."""

    def __init__(self, node: django_i18n.TranslateNode) -> None:
        super().__init__(node.filter_expression, node.noop, node.asvar, node.message_context)
        var = self.filter_expression.var
        self.cacheable = (
            getattr(var, "literal", None) is not None
            and not self.filter_expression.filters
            and _is_constant(self.message_context)
        )
        self.rendered: dict[tuple[str | None, bool], Any] = {}

    def render(self, context: template.Context) -> str:
        if not self.cacheable:
            return super().render(context)
        key = (active_language(context), context.autoescape)
        try:
            value = self.rendered[key]
        except KeyError:
            # Kept under the language it was translated in, read afresh: never the words
            # of one language under another's key.
            key = (translation.get_language(), context.autoescape)
            if self.asvar:  # render() stores the value in the context and returns ""
                super().render(context)
                value = context[self.asvar]
            else:
                value = super().render(context)
            self.rendered[key] = value
        if self.asvar:
            context[self.asvar] = value
            return ""
        return value


def do_translate(parser: Parser, token: Token) -> CachedTranslateNode:
    return CachedTranslateNode(django_i18n.do_translate(parser, token))


class CachedBlockTranslateNode(django_i18n.BlockTranslateNode):
    """BlockTranslateNode whose msgid (and its variable names) is built once per tag."""

    msgids: dict[int, tuple[str, list[str]]]

    def render_token_list(self, tokens: list[Any]) -> tuple[str, list[str]]:
        msgids = self.__dict__.setdefault("msgids", {})
        key = 0 if tokens is self.singular else 1
        try:
            msgid, names = msgids[key]
        except KeyError:
            msgid, names = msgids[key] = super().render_token_list(tokens)
        return msgid, list(names)  # render() extends the singular's list with the plural's


def do_block_translate(parser: Parser, token: Token) -> CachedBlockTranslateNode:
    node = django_i18n.do_block_translate(parser, token)
    node.__class__ = CachedBlockTranslateNode  # same attributes, one method more
    return node  # type: ignore[return-value]


class LanguageNode(django_i18n.LanguageNode):
    """`{% language %}`, which forgets the language read for the template around it."""

    def render(self, context: template.Context) -> str:
        frame = context.render_context.dicts[-1]
        outer = frame.pop(_LANGUAGE, None)
        try:
            return super().render(context)
        finally:
            frame.pop(_LANGUAGE, None)
            if outer is not None:
                frame[_LANGUAGE] = outer


def do_language(parser: Parser, token: Token) -> LanguageNode:
    node = django_i18n.language(parser, token)
    node.__class__ = LanguageNode  # same attributes, render() wrapped
    return node  # type: ignore[return-value]


register.tag("translate", do_translate)
register.tag("trans", do_translate)
register.tag("blocktranslate", do_block_translate)
register.tag("blocktrans", do_block_translate)
register.tag("language", do_language)
