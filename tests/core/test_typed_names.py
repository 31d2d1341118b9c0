"""A name people type is shown to others: a right-to-left override in it would reorder
what follows it ("\u202eEvil Adam" read "madA livE" in the header, the file list and the
members list), so names are stored without bidi controls, whichever way they arrive."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from accounts.models import User
from core.text import typed_name
from tenants.models import Team, Tenant
from tenants.services import team_create, tenant_rename
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db
RLO = "\u202e"


def test_bidi_controls_and_control_characters_go_joiners_stay() -> None:
    assert typed_name(f" {RLO}Evil\u2066 Adam\u2069\x07 ") == "Evil Adam"
    assert typed_name("می\u200cخواهم 👩\u200d💻") == "می\u200cخواهم 👩\u200d💻"


def test_an_account_name_with_an_override_is_saved_without_it(client: Client) -> None:
    user = UserFactory()
    client.force_login(user)

    client.post("/account/", {"name": f"{RLO}Evil Adam", "language": "en", "time_zone": "UTC"})

    user.refresh_from_db()
    assert user.name == "Evil Adam"


def test_a_name_of_controls_only_is_refused(client: Client) -> None:
    user = UserFactory(name="Adam")
    client.force_login(user)

    response = client.post("/account/", {"name": RLO * 3, "language": "en", "time_zone": "UTC"})

    assert "Your name can&#x27;t be empty." in response.content.decode()
    user.refresh_from_db()
    assert user.name == "Adam"


def test_names_set_by_any_service_are_stored_without_controls(acme: Any, owner: Any) -> None:
    """SSO claims and SCIM set a person's name without a form: the model cleans it."""
    person = User.objects.create_user(email="sso@example.com", password=None, name=f"{RLO}Eve")
    team = team_create(tenant=acme, name=f"{RLO}Ops", acting_user=owner)
    tenant_rename(tenant=acme, name=f"Acme{RLO} Corp", acting_user=owner)

    assert User.objects.get(pk=person.pk).name == "Eve"
    assert Team.objects.get(pk=team.pk).name == "Ops"
    assert Tenant.objects.get(pk=acme.pk).name == "Acme Corp"
