"""`{% capture %}` (core/templatetags/capture.py): markup rendered once, printed where
it is needed, as it would have been rendered in place."""

from __future__ import annotations

from typing import Any

import pytest
from django.template import Context, Engine, TemplateSyntaxError

ENGINE = Engine(libraries={"capture": "core.templatetags.capture"})


def _render(source: str, **context: Any) -> str:
    return ENGINE.from_string("{% load capture %}" + source).render(Context(context))


def test_captured_markup_prints_where_it_is_used_and_nowhere_else() -> None:
    out = _render("[{% capture x %}<b>{{ name }}</b>{% endcapture %}]{{ x }}|{{ x }}", name="A")
    assert out == "[]<b>A</b>|<b>A</b>"


def test_the_content_is_escaped_once_when_captured_not_again_when_printed() -> None:
    out = _render("{% capture x %}<i>{{ name }}</i>{% endcapture %}{{ x }}", name="<script>")
    assert out == "<i>&lt;script&gt;</i>"


def test_the_body_is_rendered_once() -> None:
    calls: list[int] = []

    def counted() -> str:
        calls.append(1)
        return "n"

    _render("{% capture x %}{{ f }}{% endcapture %}{{ x }}{{ x }}{{ x }}", f=counted)
    assert len(calls) == 1


def test_a_capture_needs_exactly_one_name() -> None:
    with pytest.raises(TemplateSyntaxError):
        _render("{% capture %}a{% endcapture %}")
