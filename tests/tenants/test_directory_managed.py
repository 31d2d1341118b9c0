"""Teams synced from the organisation's directory (SCIM) are read-only in the app: the
services refuse with the reason, the teams page shows it instead of the controls.
Suspended members (deactivated by the directory) cannot reach the workspace."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tenants import services
from tenants.exceptions import DirectoryManagedError
from tenants.models import Team
from tests.tenants.factories import add_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def synced(acme: Any) -> Team:
    return services.team_create(
        tenant=acme, name="Engineering", acting_user=None, directory_managed=True
    )


def test_the_app_refuses_to_change_a_synced_team(acme: Any, owner: Any, synced: Team) -> None:
    member = add_member(acme)
    attempts = [
        lambda: services.team_update(
            tenant=acme, team=synced, name="Eng", parent=None, acting_user=owner
        ),
        lambda: services.team_delete(tenant=acme, team=synced, acting_user=owner),
        lambda: services.team_member_add(
            tenant=acme, team=synced, membership=member, acting_user=owner
        ),
        lambda: services.team_member_remove(
            tenant=acme, team=synced, membership=member, acting_user=owner
        ),
    ]

    for attempt in attempts:
        with pytest.raises(DirectoryManagedError, match="identity provider"):
            attempt()

    synced.refresh_from_db()
    assert synced.name == "Engineering" and not synced.members.exists()


def test_the_directory_itself_may_change_it(acme: Any, synced: Team) -> None:
    member = add_member(acme)

    services.team_member_add(
        tenant=acme, team=synced, membership=member, acting_user=None, via_directory=True
    )

    assert list(synced.members.all()) == [member]


def test_the_teams_page_shows_why_instead_of_the_controls(
    owner_client: Client, acme: Any, synced: Team
) -> None:
    add_member(acme)

    html = owner_client.get(f"/t/{acme.slug}/teams/").content.decode()
    card = html.split(f'id="team-{synced.pk}"')[1].split('id="team-')[0]

    assert "Synced from your identity provider" in card
    assert "change it there" in card
    assert "/delete/" not in card and "Add member" not in card


def test_posting_to_a_synced_team_directly_is_refused_with_the_reason(
    owner_client: Client, acme: Any, synced: Team
) -> None:
    answer = owner_client.post(f"/t/{acme.slug}/teams/{synced.pk}/delete/", follow=True)

    assert Team.objects.filter(pk=synced.pk).exists()
    assert "synced from your identity provider" in answer.content.decode()


def test_a_suspended_member_gets_404_and_the_members_page_says_so(
    owner_client: Client, acme: Any
) -> None:
    membership = add_member(acme)
    client = Client()
    client.force_login(membership.user)
    assert client.get(f"/t/{acme.slug}/").status_code == 200

    services.membership_suspend(tenant=acme, membership=membership, acting_user=None)

    assert client.get(f"/t/{acme.slug}/").status_code == 404
    assert client.get(f"/t/{acme.slug}/members/").status_code == 404
    members = owner_client.get(f"/t/{acme.slug}/members/").content.decode()
    assert "Deactivated by your identity provider" in members


def test_reactivating_restores_access_with_the_same_role(client: Client, acme: Any) -> None:
    membership = add_member(acme, role_key="admin")
    client.force_login(membership.user)
    services.membership_suspend(tenant=acme, membership=membership, acting_user=None)

    services.membership_reactivate(tenant=acme, membership=membership, acting_user=None)

    assert client.get(f"/t/{acme.slug}/").status_code == 200
    membership.refresh_from_db()
    assert membership.role.key == "admin" and membership.suspended_at is None
