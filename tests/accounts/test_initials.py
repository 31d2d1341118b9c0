"""The letters of a person's avatar when they have no picture."""

from __future__ import annotations

import pytest

from accounts.models import User
from core.templatetags.elements import initial


@pytest.mark.parametrize(
    ("name", "initials"),
    [
        ("Ada Lovelace", "AL"),
        ("grace hopper", "GH"),
        ("Plato", "P"),
        ("", "AE"),  # from the address: ada@example.com
        # "ل" + "ا" drew the lam-alef ligature, the word "no": the article is skipped,
        # and the letters stay apart.
        ("ليلى الحسن", "ل\u200cح"),
        ("عمر", "ع"),
        ("الحسن", "ح"),
        ("Omar الفاروق", "O\u200cف"),
        ("laila الحسن", "L\u200cح"),
    ],
)
def test_initials(name: str, initials: str) -> None:
    assert User(name=name, email="ada@example.com").initials == initials


@pytest.mark.parametrize(
    ("name", "badge"), [("Acme Corp", "A"), ("acme", "A"), ("الشركة العربية", "ش"), ("", "")]
)
def test_a_workspace_badge_is_the_letter_of_its_name(name: str, badge: str) -> None:
    """An Arabic organisation "الشركة" showed "ا", the article's letter."""
    assert initial(name) == badge
