"""Every page in English, German and Arabic (issue 21, "Languages and time zones").

Templates mark all their text (the scanner in tests/config/i18n_scan.py); the
committed catalogues hold exactly the marked strings (`make messages` leaves nothing
to change) and translate every one of them, in German and in Arabic; the compiled
.mo files are those of the committed .po files.
"""

from __future__ import annotations

import ast
import gettext
import os
import re
import shutil
import subprocess
import sys
import tokenize
from pathlib import Path

import pytest
from django.conf import settings

from tests.config.i18n_scan import untranslated_in, untranslated_in_tree

ROOT = Path(settings.BASE_DIR)
LOCALES = ("de", "ar")
# Django's admin speaks its own translations; our overrides of its pages are staff-only
# internals, which stay English (like API and SCIM errors).
SCAN_SKIP = ("admin/",)
# What `make messages` passes to makemessages (keep the two lists alike).
MESSAGES_IGNORE = [
    "node_modules",
    "static",
    "staticfiles",
    "tests",
    "bench",
    "var",
    "docs",
    "locale",
    "cluster",
]


def _needs_gettext() -> None:
    if shutil.which("xgettext") and shutil.which("msgfmt"):
        return
    if os.environ.get("CI"):
        pytest.fail("GNU gettext is required in CI (apt-get install gettext)")
    pytest.skip("GNU gettext is not installed (apt-get install gettext)")


# --- The template scanner -----------------------------------------------------------

PLANTED = """{% load i18n %}
<h1>Members</h1>
<p>{% translate "Invite people" %} and more</p>
<input type="search" placeholder="Search members">
<button type="button" aria-label="Close menu">×</button>
<a href="#" title="{% if open %}Hide{% else %}Show{% endif %}">{{ label }}</a>
<img src="/x.png" alt="Company logo">
<form data-confirm="Remove this member?"><input type="submit" value="Remove"></form>
<td data-label="Role">{{ role }}</td>
<form>{% confirm_field "Delete it?" detail=_("Gone.") button='Delete' when="role" equals=7 %}</form>
"""

MARKED = """{% load i18n %}{# A comment with words #}
{% comment %}Longer notes with words.{% endcomment %}
<h1>{% translate "Members" %}</h1>
<p>{% blocktranslate trimmed count counter=n %}{{ counter }} member{% plural %}
  {{ counter }} members{% endblocktranslate %}</p>
<input type="search" placeholder="{% translate 'Search members' %}">
<button type="button" aria-label="{% translate 'Close menu' %}">×</button>
<button type="submit" name="action" value="remove">{% translate "Remove" %}</button>
<input type="hidden" name="role" value="member">
{% confirm_field _("Delete it?") detail=detail button=_('Delete') when="role" equals=pk %}
<a href="{% url 'home' %}" class="btn btn-primary" data-testid="home-link">Pacetrack</a>
<p>{{ user.email }} · {{ when|date:"j F Y" }} — 3/10 /app/ https://example.com/a?b=c</p>
<p>you@example.com</p>
<fieldset{% if x %} aria-describedby="{{ x }}"{% endif %} data-testid="groups"></fieldset>
<span class="logo" aria-hidden="true">P</span>
<pre>make messages</pre><code>DATABASE_URL</code><kbd>Esc</kbd>
<script src="/app.js"></script><style>.x { color: red; }</style>
<!-- an HTML comment with words -->
"""


def test_the_scanner_finds_every_kind_of_unmarked_text() -> None:
    found = untranslated_in(PLANTED, path="planted.html")

    assert [str(item) for item in found] == [
        "planted.html:2: text: 'Members'",
        "planted.html:3: text: '… and more'",
        "planted.html:4: placeholder: 'Search members'",
        "planted.html:5: aria-label: 'Close menu'",
        "planted.html:6: title: '… Hide … Show …'",
        "planted.html:7: alt: 'Company logo'",
        "planted.html:8: data-confirm: 'Remove this member?'",
        "planted.html:8: value: 'Remove'",
        "planted.html:9: data-label: 'Role'",
        "planted.html:10: confirm_field: 'Delete it?'",
        "planted.html:10: confirm_field: 'Delete'",
    ]


def test_the_scanner_passes_a_correctly_marked_template() -> None:
    assert untranslated_in(MARKED, path="marked.html") == []


def test_the_scanner_counts_lines_across_multi_line_blocks() -> None:
    source = (
        "{% blocktranslate trimmed %}\n  One\n  two{% endblocktranslate %}\n"
        "{% comment %}\nNotes\n{% endcomment %}\n<p>Left out</p>"
    )
    assert [item.line for item in untranslated_in(source)] == [7]


def test_every_template_marks_its_text_for_translation() -> None:
    """Fails with file:line of each unmarked text (I18N conventions, "Checking your area")."""
    found = untranslated_in_tree(ROOT / "templates", skip=SCAN_SKIP)
    for app_templates in sorted(ROOT.glob("*/templates")):
        if app_templates.parent.name not in {"bench", "node_modules", ".venv"}:
            found += untranslated_in_tree(app_templates)
    assert not found, f"{len(found)} unmarked text(s):\n" + "\n".join(map(str, found))


# --- The catalogues -----------------------------------------------------------------

_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) (".*")$')


def po_entries(path: Path) -> list[dict[str, str]]:
    """The entries of a .po file (header included, obsolete ones left out) as dicts of
    msgctxt/msgid/msgid_plural/msgstr[n] plus "flags"; enough for these checks."""
    entries: list[dict[str, str]] = []
    entry: dict[str, str] = {}
    key = ""
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if "msgid" in entry:
                entries.append(entry)
            entry, key = {}, ""
        elif line.startswith("#,"):
            entry["flags"] = entry.get("flags", "") + line[2:]
        elif line.startswith("#"):
            continue  # comments, locations and obsolete (#~) entries
        elif match := _KEYWORD.match(line):
            key = match.group(1)
            entry[key] = ast.literal_eval(match.group(2))
        elif line.startswith('"') and key:
            entry[key] += ast.literal_eval(line)
    return entries


def _ids(entries: list[dict[str, str]]) -> set[tuple[str, str, str]]:
    return {
        (e.get("msgctxt", ""), e["msgid"], e.get("msgid_plural", "")) for e in entries if e["msgid"]
    }


def test_the_catalogues_hold_exactly_the_marked_strings(tmp_path: Path) -> None:
    """`make messages` would change no msgid: nothing marked is missing, nothing stale."""
    _needs_gettext()
    copy = tmp_path / "tree"
    shutil.copytree(
        ROOT,
        copy,
        ignore=shutil.ignore_patterns(
            ".*", "__pycache__", "*.pyc", "*.egg-info", "locale", *MESSAGES_IGNORE
        ),
    )
    (copy / "locale").mkdir()
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            *(f"-l{lang}" for lang in LOCALES),
            "--no-obsolete",
            "--no-wrap",
            *(f"--ignore={name}" for name in MESSAGES_IGNORE),
        ],
        cwd=copy,
        env={**os.environ, "DEBUG": "true"},
        check=True,
        capture_output=True,
    )
    for lang in LOCALES:
        fresh = _ids(po_entries(copy / "locale" / lang / "LC_MESSAGES" / "django.po"))
        committed = _ids(po_entries(ROOT / "locale" / lang / "LC_MESSAGES" / "django.po"))
        assert sorted(fresh - committed) == [], f"{lang}: marked but not in the catalogue"
        assert sorted(committed - fresh) == [], f"{lang}: in the catalogue but marked nowhere"


@pytest.mark.parametrize("lang", LOCALES)
def test_german_and_arabic_translate_every_string(lang: str) -> None:
    _needs_gettext()
    po = ROOT / "locale" / lang / "LC_MESSAGES" / "django.po"
    entries = po_entries(po)
    untranslated = [
        e["msgid"]
        for e in entries
        if e["msgid"] and any(not v for k, v in e.items() if k.startswith("msgstr"))
    ]
    fuzzy = [e["msgid"] for e in entries if e["msgid"] and "fuzzy" in e.get("flags", "")]
    assert untranslated == [], f"{lang}: {len(untranslated)} untranslated"
    assert fuzzy == [], f"{lang}: {len(fuzzy)} fuzzy"
    header = entries[0]["msgstr"]
    assert f"Language: {lang}\n" in header and "Plural-Forms: nplurals=" in header
    # Placeholders, plural forms and the header, as gettext itself checks them.
    subprocess.run(["msgfmt", "--check", "-o", os.devnull, str(po)], check=True)


@pytest.mark.parametrize("lang", LOCALES)
def test_the_compiled_catalogue_is_the_committed_one(lang: str, tmp_path: Path) -> None:
    """The .mo files are committed (the app needs no gettext to run): they must be
    compiled from the .po next to them (`make messages` does it)."""
    _needs_gettext()
    messages = ROOT / "locale" / lang / "LC_MESSAGES"
    subprocess.run(
        ["msgfmt", "-o", str(tmp_path / "fresh.mo"), str(messages / "django.po")], check=True
    )
    with (tmp_path / "fresh.mo").open("rb") as fresh, (messages / "django.mo").open("rb") as mo:
        assert gettext.GNUTranslations(mo)._catalog == gettext.GNUTranslations(fresh)._catalog  # type: ignore[attr-defined]


PARTS = sorted((ROOT / "locale" / "_parts").glob("*.po"))


@pytest.mark.parametrize("part", PARTS, ids=[part.name for part in PARTS])
def test_every_part_is_complete(part: Path) -> None:
    """Each area's translations (locale/_parts/AREA.LANG.po), before `make messages`."""
    _needs_gettext()
    entries = po_entries(part)
    lang = part.name.split(".")[-2]
    assert f"Language: {lang}\n" in entries[0]["msgstr"]
    empty = [
        e["msgid"]
        for e in entries[1:]
        if any(not v for k, v in e.items() if k.startswith("msgstr"))
    ]
    fuzzy = [e["msgid"] for e in entries[1:] if "fuzzy" in e.get("flags", "")]
    assert (empty, fuzzy) == ([], [])
    subprocess.run(["msgfmt", "--check", "-o", os.devnull, str(part)], check=True)


@pytest.mark.parametrize("lang", LOCALES)
def test_every_translation_in_the_parts_is_of_a_marked_string(lang: str) -> None:
    """A part's entry missing from the catalogue is a translation nobody sees: its
    string was removed, or it is marked where the extractor cannot see it (the walk
    found two English sentences in the German and Arabic billing dialogs, translated in
    the parts but called inside f-strings)."""
    catalogue = _ids(po_entries(ROOT / "locale" / lang / "LC_MESSAGES" / "django.po"))
    unseen = []
    for part in (ROOT / "locale" / "_parts").glob(f"*.{lang}.po"):
        unseen += [(part.name, msgid) for _, msgid, _ in sorted(_ids(po_entries(part)) - catalogue)]
    assert unseen == []


_GETTEXT_CALL = re.compile(r"\b(?:_|gettext|ngettext|pgettext|npgettext|gettext_lazy)\(")


def test_no_string_is_marked_inside_an_f_string() -> None:
    """xgettext does not look inside f-strings: `f"{_('Saved.')}"` is never extracted,
    so it stays English in every language while its translation sits in a part."""
    found = []
    for path in ROOT.rglob("*.py"):
        if any(
            part in MESSAGES_IGNORE or part.startswith(".") for part in path.relative_to(ROOT).parts
        ):
            continue
        with path.open("rb") as source:
            for token in tokenize.tokenize(source.readline):
                if token.type != tokenize.STRING:
                    continue
                prefix = token.string[: token.string.index(token.string.lstrip("rRbBuUfF")[0])]
                if "f" in prefix.lower() and _GETTEXT_CALL.search(token.string):
                    found.append(f"{path.relative_to(ROOT)}:{token.start[0]}")
    assert found == []
