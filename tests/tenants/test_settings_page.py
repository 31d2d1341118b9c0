"""The workspace settings page as each role sees it."""

from __future__ import annotations

from typing import Any

import pytest

from tests.tenants.factories import add_member

pytestmark = pytest.mark.django_db


def test_the_read_only_settings_note_does_not_name_owners_and_admins_alone(
    client: Any, acme: Any
) -> None:
    """A custom role may be given "Edit workspace settings": the note said only owners
    and admins could change them."""
    member = add_member(acme)
    client.force_login(member.user)

    html = client.get(f"/t/{acme.slug}/settings/").content.decode()

    assert "Your role cannot change these settings." in html
    assert "Only owners and admins" not in html
