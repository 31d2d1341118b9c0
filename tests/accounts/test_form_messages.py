"""Form errors say what to do, sit where assistive technology finds them, and offer the way out."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client


def _field(html: str, name: str) -> str:
    match = re.search(rf'<input[^>]* name="{name}"[^>]*>', html)
    assert match, f"no {name} input"
    return match.group(0)


def _described_by(html: str, name: str) -> list[str]:
    """The text of every element the field's aria-describedby names."""
    ids = re.search(r'aria-describedby="([^"]+)"', _field(html, name))
    assert ids, f"{name} has no aria-describedby"
    texts = []
    for id_ in ids.group(1).split():
        element = re.search(rf'<(\w+)[^>]* id="{id_}"[^>]*>(.*?)</\1>', html, re.S)
        assert element, f"aria-describedby names #{id_}, which is not on the page"
        texts.append(re.sub(r"<[^>]+>", "", element.group(2)).strip())
    return texts


def test_an_invalid_field_is_marked_and_described_by_its_help_and_its_message(
    client: Client,
) -> None:
    html = client.post("/auth/sign-up/", {"name": "Ada", "email": "a@example.com"}).content
    page = html.decode()
    assert 'aria-invalid="true"' in _field(page, "password")
    assert _described_by(page, "password") == [
        "At least 10 characters, not too common and not like your name or email.",
        "Choose a password.",
    ]
    assert "aria-invalid" not in _field(page, "name")


def test_a_taken_address_on_instant_sign_up_links_to_sign_in(
    client: Client, user: Any, settings: Any
) -> None:
    settings.ACCOUNTS_SIGNUP_EMAIL_CONFIRMATION = False
    page = client.post(
        "/auth/sign-up/",
        {"name": "Ada", "email": user.email, "password": "analytical-engine-1843", "next": "/app/"},
    ).content.decode()
    assert _described_by(page, "email") == [
        "An account with this email already exists. Sign in instead"
    ]
    link = re.search(r'<a [^>]*href="([^"]+)"[^>]*>Sign in instead</a>', page)
    assert link and link.group(1) == "/auth/sign-in/?next=%2Fapp%2F"
