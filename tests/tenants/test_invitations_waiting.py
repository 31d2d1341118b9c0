"""Someone invited who signs up or in without the emailed link still finds the
invitation: the sign-in says so, the workspaces page lists it with a Join button. The
button skips the link that proves the address, so only a verified address sees it, and
nobody joins with another person's invitation by guessing its number."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from tenants.invitations import invitation_cancel, invitation_create, invitations_waiting_for
from tenants.models import Invitation, Membership, Role, TeamMember
from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory
from tests.tenants.factories import OrgFactory, make_team

pytestmark = pytest.mark.django_db

LIST = "/account/tenants/"


@pytest.fixture
def invited(acme: Any, owner: Any, django_capture_on_commit_callbacks: Any) -> Invitation:
    """Acme invited grace@example.com as an admin into its Platform team."""
    team = make_team(acme, "Platform")
    with django_capture_on_commit_callbacks(execute=True):
        return invitation_create(
            tenant=acme,
            email="grace@example.com",
            role=Role.objects.get(tenant=acme, key="admin"),
            teams=[team],
            acting_user=owner,
        )


def accept_url(invitation: Invitation) -> str:
    return reverse("workspaces:invitation-accept", args=[invitation.pk])


def sign_in(client: Any, email: str, **extra: str) -> Any:
    return client.post(
        reverse("accounts:sign-in"),
        {"email": email, "password": DEFAULT_PASSWORD, **extra},
        follow=True,
    )


def test_signing_in_says_an_organisation_invited_you_with_a_way_to_the_invitation(
    client: Any, invited: Invitation
) -> None:
    UserFactory(email="grace@example.com")
    page = sign_in(client, "grace@example.com")
    html = " ".join(page.content.decode().split())
    assert "Acme invited you to join as Admin." in html
    assert f'href="{LIST}">See invitations</a>' in html


def test_the_sign_in_notice_is_in_the_persons_language(client: Any, invited: Invitation) -> None:
    """Built while the browser's English was still active: it read in English on a
    German page."""
    UserFactory(email="grace@example.com", language="de")
    page = client.post(
        reverse("accounts:sign-in"),
        {"email": "grace@example.com", "password": DEFAULT_PASSWORD},
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )
    html = " ".join(page.content.decode().split())
    assert "Acme hat Sie eingeladen, als Admin beizutreten." in html
    assert "invited you" not in html


def test_several_invitations_are_counted_in_one_line(
    client: Any, invited: Invitation, owner: Any
) -> None:
    other = OrgFactory(owner=owner, name="Globex")
    invitation_create(
        tenant=other,
        email="grace@example.com",
        role=Role.objects.get(tenant=other, key="member"),
        acting_user=owner,
    )
    UserFactory(email="grace@example.com")
    html = " ".join(sign_in(client, "grace@example.com").content.decode().split())
    assert "2 organisations invited you to join." in html


def test_signing_in_on_the_way_to_the_link_says_nothing_more(
    client: Any, invited: Invitation
) -> None:
    """The invitation's own page follows the sign-in and already shows it."""
    UserFactory(email="grace@example.com")
    page = sign_in(client, "grace@example.com", next="/invites/some-token/")
    assert "invited you to join" not in page.content.decode()


def test_the_workspaces_page_lists_it_and_join_puts_you_in_with_its_role_and_teams(
    client: Any, invited: Invitation, acme: Any
) -> None:
    grace = UserFactory(email="grace@example.com")
    client.force_login(grace)
    listing = " ".join(client.get(LIST).content.decode().split())
    assert "Invitations for you" in listing
    assert "invited you to join as Admin." in listing
    assert f'action="{accept_url(invited)}"' in listing

    joined = client.post(accept_url(invited), follow=True)

    assert joined.redirect_chain[-1][0] == f"/t/{acme.slug}/"
    assert "Welcome to Acme! You joined as Admin." in joined.content.decode()
    membership = Membership.objects.get(tenant=acme, user=grace)
    assert membership.role.key == "admin"
    assert TeamMember.objects.filter(membership=membership, team__name="Platform").exists()
    invited.refresh_from_db()
    assert invited.accepted_by == grace
    assert "Invitations for you" not in client.get(LIST).content.decode()


def test_someone_else_cannot_join_with_an_invitation_by_its_number(
    client: Any, invited: Invitation, acme: Any
) -> None:
    """The attack: ids are sequential, so a signed-in stranger posts to each. Refused
    as if it did not exist: no membership, and neither the address nor the org named."""
    mallory = UserFactory(email="mallory@example.com")
    client.force_login(mallory)
    page = client.post(accept_url(invited), follow=True)
    html = page.content.decode()
    assert "This invitation does not exist, or it is not for you." in html
    assert "grace@example.com" not in html and "Acme" not in html
    assert not Membership.objects.filter(tenant=acme, user=mallory).exists()
    invited.refresh_from_db()
    assert invited.accepted_at is None


def test_an_address_not_yet_verified_sees_nothing_and_cannot_join(
    client: Any, invited: Invitation, acme: Any
) -> None:
    """Without the link, the only proof of the address is its verification."""
    grace = UserFactory(email="grace@example.com", unverified=True)
    assert invitations_waiting_for(user=grace) == []
    client.force_login(grace)
    assert "Invitations for you" not in client.get(LIST).content.decode()
    client.post(accept_url(invited))
    assert not Membership.objects.filter(tenant=acme, user=grace).exists()


def test_expired_cancelled_and_deleted_organisations_invitations_are_not_listed(
    invited: Invitation, acme: Any, owner: Any
) -> None:
    grace = UserFactory(email="grace@example.com")
    assert invitations_waiting_for(user=grace) == [invited]
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        assert invitations_waiting_for(user=grace) == []
    invitation_cancel(tenant=acme, invitation=invited, acting_user=owner)
    assert invitations_waiting_for(user=grace) == []


def test_an_invitation_cancelled_meanwhile_says_so_when_join_is_pressed(
    client: Any, invited: Invitation, acme: Any, owner: Any
) -> None:
    grace = UserFactory(email="grace@example.com")
    client.force_login(grace)
    client.get(LIST)
    invitation_cancel(tenant=acme, invitation=invited, acting_user=owner)
    page = client.post(accept_url(invited), follow=True)
    assert page.redirect_chain[-1][0] == LIST
    assert "cancelled this invitation to Acme" in page.content.decode()
    assert not Membership.objects.filter(tenant=acme, user=grace).exists()


def test_join_answers_only_a_post(client: Any, invited: Invitation) -> None:
    """A mail scanner or a prefetch never joins anyone."""
    client.force_login(UserFactory(email="grace@example.com"))
    assert client.get(accept_url(invited)).status_code == 405
