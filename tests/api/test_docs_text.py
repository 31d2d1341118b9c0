"""The reference page renders an OpenAPI description's paragraphs and `code` spans, and
nothing else of its markdown: the rest is escaped text."""

from __future__ import annotations

from api.templatetags.api_docs import doc_text


def test_code_spans_become_code_and_wrapped_lines_one_paragraph() -> None:
    text = (
        "Send `Authorization: Bearer\n  pt_live_…` with\nevery request.\n\n"
        "Lists have `next_cursor`."
    )
    assert doc_text(text) == (
        "<p>Send <code>Authorization: Bearer pt_live_…</code> with every request.</p>"
        "<p>Lists have <code>next_cursor</code>.</p>"
    )


def test_everything_else_is_escaped_text() -> None:
    assert doc_text("<script>x</script> `<b>`") == (
        "<p>&lt;script&gt;x&lt;/script&gt; <code>&lt;b&gt;</code></p>"
    )
    assert doc_text("An unpaired ` backtick & more") == "<p>An unpaired ` backtick &amp; more</p>"
    assert doc_text("") == ""
