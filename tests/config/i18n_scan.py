"""Finds user-facing text in templates that is not marked for translation.

The rule (docs: README "Languages and time zones", I18N conventions): no text node
and no user-facing attribute outside {% translate %} / {% blocktranslate %} may
contain a letter, except the brand "Pacetrack", the content of <code>, <pre>, <kbd>,
<script> and <style>, and template variables.

How: Django's own lexer splits the template into text, variables and tags. Every
variable and tag becomes a placeholder without letters (keeping its newlines, so line
numbers stay right), a translate block disappears the same way, and what is left is
read by the standard library's HTML parser: its text nodes and the attributes below
are what a visitor sees.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from django.template.base import DebugLexer, TokenType

BRAND = "Pacetrack"
LETTER = re.compile(r"[^\W\d_]")
# Addresses, links and paths are not prose ("/app/", "https://…", "you@example.com").
NOT_PROSE = re.compile(r"\bhttps?://\S+|\S+@\S+\.\w+|(?<![\w.])/[\w./-]*")
# Elements whose content is code or machine text, not prose.
VERBATIM = {"code", "pre", "kbd", "script", "style"}
# Attributes a visitor reads or hears.
TEXT_ATTRIBUTES = {
    "title",
    "alt",
    "placeholder",
    "label",
    "aria-label",
    "aria-description",
    "aria-placeholder",
    "aria-roledescription",
    "aria-valuetext",
}
# data-* attributes whose text our JavaScript or CSS shows: data-label (the phone
# layout's table labels), data-copied-label…, and data-confirm with its -button, -detail,
# -cancel (none left: the dialog's words are {% confirm_field %}'s, see TEXT_TAGS).
TEXT_DATA_ATTRIBUTE = re.compile(r"^data-(confirm(-[a-z]+)?|([a-z]+-)*(label|text|message))$")
# An <input> of these types shows its value as the button's text (a <button>'s value
# is sent, never shown: its content is the text, checked as a text node).
BUTTON_INPUTS = {"submit", "button", "reset"}
TRANSLATE_BLOCKS = {"blocktranslate": "endblocktranslate", "blocktrans": "endblocktrans"}
# A placeholder for a variable or tag: no letter, not HTML syntax, and allowed in a tag
# (the parser reads `<fieldset{% if x %} …` as text if the tag name runs into a NUL).
HOLE = "\ufffc"


@dataclass(frozen=True)
class Untranslated:
    path: str
    line: int
    where: str  # "text" or the attribute's name
    text: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.where}: {self.text!r}"


def _has_letters(text: str) -> bool:
    """Words, that is: two letters at least (a lone letter is a logo mark or an initial)."""
    prose = NOT_PROSE.sub(" ", text.replace(BRAND, "").replace(HOLE, " "))
    return len(LETTER.findall(prose)) > 1


def _holes_for(source: str) -> str:
    """A stand-in for template syntax: one placeholder (spaced, so it never joins a tag
    name or an attribute name), the same number of lines."""
    return f" {HOLE} " + "\n" * source.count("\n")


def html_of(template_source: str) -> str:
    """The template as the HTML parser should read it: every variable and tag, and
    every translate block and comment block as a whole, replaced by placeholders."""
    out: list[str] = []
    closing: str | None = None  # inside a blocktranslate or comment block until this tag
    for token in DebugLexer(template_source).tokenize():
        start, end = token.position
        source = template_source[start:end]
        if closing is not None:
            out.append(_holes_for(source))
            if token.token_type == TokenType.BLOCK and token.contents.split()[0] == closing:
                closing = None
            continue
        if token.token_type == TokenType.TEXT:
            out.append(source)
            continue
        out.append(_holes_for(source))
        if token.token_type == TokenType.BLOCK:
            name = token.contents.split()[0] if token.contents else ""
            if name in TRANSLATE_BLOCKS:
                closing = TRANSLATE_BLOCKS[name]
            elif name in {"comment", "verbatim"}:
                closing = f"end{name}"
    return "".join(out)


class _Reader(HTMLParser):
    def __init__(self, path: str) -> None:
        super().__init__(convert_charrefs=True)
        self.path = path
        self.found: list[Untranslated] = []
        self.verbatim_depth = 0

    def _flag(self, where: str, text: str, *, line: int | None = None) -> None:
        shown = " ".join(text.replace(HOLE, " … ").split())
        self.found.append(Untranslated(self.path, line or self.getpos()[0], where, shown))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VERBATIM:
            self.verbatim_depth += 1
        # `{% if x %}title="…"{% endif %}` leaves a placeholder next to the name.
        values = {name.strip(HOLE): value or "" for name, value in attrs}
        for name, value in values.items():
            shown = name in TEXT_ATTRIBUTES or TEXT_DATA_ATTRIBUTE.match(name) is not None
            if name == "value" and tag == "input":
                shown = values.get("type", "").lower() in BUTTON_INPUTS
            if shown and _has_letters(value):
                self._flag(name, value)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag in VERBATIM:
            self.verbatim_depth -= 1

    def handle_endtag(self, tag: str) -> None:
        if tag in VERBATIM and self.verbatim_depth:
            self.verbatim_depth -= 1

    def handle_data(self, data: str) -> None:
        if self.verbatim_depth or not _has_letters(data):
            return
        first = self.getpos()[0]
        for offset, line in enumerate(data.split("\n")):  # plain-text emails: one node
            if _has_letters(line):
                self._flag("text", line, line=first + offset)


# Tags whose quoted arguments are words a visitor reads (the confirm dialog's and page's:
# core/templatetags/confirm.py), but for the arguments named here, which name a field.
TEXT_TAGS = {"confirm_field": {"when"}}
TAG_LITERAL = re.compile(r"""(?:(\w+)=)?(_\()?("[^"]*"|'[^']*')""")


def _unmarked_tag_words(template_source: str, path: str) -> list[Untranslated]:
    found = []
    for token in DebugLexer(template_source).tokenize():
        name = token.contents.split()[0] if token.token_type == TokenType.BLOCK else ""
        if name not in TEXT_TAGS:
            continue
        for keyword, marked, literal in TAG_LITERAL.findall(token.contents):
            if not marked and keyword not in TEXT_TAGS[name] and _has_letters(literal[1:-1]):
                found.append(Untranslated(path, token.lineno, name, literal[1:-1]))
    return found


def untranslated_in(template_source: str, *, path: str = "<template>") -> list[Untranslated]:
    """Every piece of unmarked user-facing text in one template."""
    reader = _Reader(path)
    reader.feed(html_of(template_source))
    reader.close()
    return sorted(
        reader.found + _unmarked_tag_words(template_source, path), key=lambda item: item.line
    )


def untranslated_in_tree(root: Path, *, skip: tuple[str, ...] = ()) -> list[Untranslated]:
    """`untranslated_in` over every .html and .txt template under `root`, but the
    folders in `skip` (relative to `root`)."""
    found: list[Untranslated] = []
    for path in sorted(root.rglob("*")):
        if path.suffix not in {".html", ".txt"} or not path.is_file():
            continue
        relative = path.relative_to(root).as_posix()
        if relative.startswith(skip):
            continue
        label = (root.name + "/" + relative) if root.name else relative
        found += untranslated_in(path.read_text(encoding="utf-8"), path=label)
    return found
