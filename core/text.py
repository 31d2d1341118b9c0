"""Text people type for others to read (names of people, workspaces, teams, roles)."""

from __future__ import annotations

import unicodedata

# Explicit embeddings, overrides and isolates: one in a name reorders what follows it
# ("\u202eEvil Adam" shows as "madA livE"). Zero-width joiners and non-joiners stay:
# Persian words and emoji sequences need them.
_BIDI_CONTROLS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))


def typed_name(text: str) -> str:
    """`text` without bidi controls and control characters, stripped. Uploaded file
    names go further (`uploads.services._safe_filename`: nothing unprintable)."""
    kept = text.translate(_BIDI_CONTROLS)
    return "".join(ch for ch in kept if unicodedata.category(ch) != "Cc").strip()


def left_to_right(value: str) -> str:
    """`value` (an address, a DNS name, a code) isolated as left-to-right text inside a
    sentence, for plain text that cannot carry `<bdi dir="ltr">` (a message, a form
    error): on an Arabic page "_pacetrack-challenge.example.com" kept its leading
    underscore at the far end. Invisible elsewhere."""
    return f"\u2066{value}\u2069"


def isolated(value: str) -> str:
    """`value` (a name someone typed: a file, a workspace) isolated in a sentence of
    plain text, in its own direction: an Arabic file name in a German message ("2026
    تقرير.txt wurde hochgeladen") took the sentence's words into its right-to-left run.
    Invisible elsewhere."""
    return f"\u2068{value}\u2069"


def name_initial(word: str) -> str:
    """The letter a word of a name is known by, for an avatar or a badge: its first,
    upper-cased, except in Arabic script, where the article "ال" is no letter of the
    name ("الحسن" → "ح", not "ا")."""
    if word.startswith("ال") and len(word) > 2:
        return word[2]
    return word[:1].upper()


def is_arabic_letter(letter: str) -> bool:
    return "\u0600" <= letter <= "\u06ff"
