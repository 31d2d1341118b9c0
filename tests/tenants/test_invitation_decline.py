"""Someone invited may say no: from the link (signed out, or signed in as the invited
address) or from the workspaces page. The link stops working and says it was declined,
the seat is freed, the members page stops listing it as waiting, and the organisation's
audit log and webhooks hear of it. Nobody declines another person's invitation."""

from __future__ import annotations

import html
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse

from core.models import AuditEvent
from tenants.invitations import invitation_create
from tenants.models import Invitation, Role
from tenants.selectors import tenant_seats_taken
from tests.accounts.factories import UserFactory
from tests.accounts.mailtools import link_in

pytestmark = pytest.mark.django_db

CONFIRMED = {"confirmed": "1"}  # as the confirmation dialog sends it


@pytest.fixture
def invited(
    acme: Any, owner: Any, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> tuple[Invitation, str]:
    """Acme invited grace@example.com; the invitation and its emailed link."""
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invitation_create(
            tenant=acme,
            email="grace@example.com",
            role=Role.objects.get(tenant=acme, key="member"),
            acting_user=owner,
        )
    return invitation, link_in(mailoutbox[-1])


def test_the_link_offers_to_decline_and_declining_closes_it(
    acme: Any, owner_client: Any, invited: tuple[Invitation, str]
) -> None:
    invitation, link = invited
    client = Client()  # the invitee's browser, signed out
    seats = tenant_seats_taken(tenant=acme)

    offer = client.get(link).content.decode()
    response = client.post(f"{link}decline/", CONFIRMED, follow=True)
    members = owner_client.get(f"/t/{acme.slug}/members/").content.decode()

    assert 'data-testid="invite-decline"' in offer
    assert response.status_code == 200  # a calm confirmation, not the link's problem page
    page = " ".join(response.content.decode().split())
    assert "You declined the invitation to Acme." in page
    assert "Changed your mind? Ask " in page and " to invite you again." in page
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.DECLINED
    assert tenant_seats_taken(tenant=acme) == seats - 1
    assert "grace@example.com" not in members
    event = AuditEvent.objects.get(tenant=acme, action="invitation.declined")
    assert event.target_label == "grace@example.com"
    # Declined is final: the link cannot be used to join afterwards, and says why.
    again = client.get(link)
    assert again.status_code == 410
    assert "This invitation was declined" in again.content.decode()


def test_someone_signed_in_as_another_address_cannot_decline_it(
    client: Any, invited: tuple[Invitation, str]
) -> None:
    invitation, link = invited
    client.force_login(UserFactory(email="mallory@example.com"))

    response = client.post(f"{link}decline/", CONFIRMED, follow=True)

    assert "Sign out and continue as grace@example.com" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.PENDING


def test_an_accepted_invitation_cannot_be_declined_afterwards(
    client: Any, acme: Any, invited: tuple[Invitation, str]
) -> None:
    invitation, link = invited
    client.force_login(UserFactory(email="grace@example.com"))
    client.post(link)

    response = client.post(f"{link}decline/", CONFIRMED, follow=True)

    assert response.status_code == 410
    assert "already been accepted" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.ACCEPTED
    assert acme.memberships.filter(user__email="grace@example.com").exists()


def test_the_workspaces_page_declines_only_the_persons_own_invitation(
    client: Any, invited: tuple[Invitation, str]
) -> None:
    invitation, _ = invited
    url = reverse("workspaces:invitation-decline", args=[invitation.pk])
    client.force_login(UserFactory(email="mallory@example.com"))
    guessed = client.post(url, CONFIRMED, follow=True)
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.PENDING
    assert "does not exist, or it is not for you" in guessed.content.decode()

    client.force_login(UserFactory(email="grace@example.com"))
    listed = client.get(reverse("workspaces:list")).content.decode()
    declined = client.post(url, CONFIRMED, follow=True)

    assert f'action="{url}"' in listed
    assert "You declined the invitation to Acme." in declined.content.decode()
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.DECLINED
    event = AuditEvent.objects.get(action="invitation.declined")
    assert event.actor is not None and event.actor.email == "grace@example.com"
    assert 'data-testid="waiting-invitations"' not in declined.content.decode()


def test_declining_without_the_confirmation_asks_first(
    client: Any, invited: tuple[Invitation, str]
) -> None:
    """A mis-tap without JavaScript declines nothing (core.confirm)."""
    invitation, link = invited
    offer = client.get(link).content.decode()
    ask = html.unescape(offer.split('name="confirm-ask" value="', 1)[1].split('"', 1)[0])

    response = client.post(
        f"{link}decline/",
        urlencode({"confirm-ask": ask}),
        content_type="application/x-www-form-urlencoded",  # as a browser's form sends it
    )

    assert response.status_code == 200
    assert "Decline the invitation to Acme?" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.PENDING


def test_resending_a_declined_invitation_says_it_was_declined_not_cancelled(
    acme: Any, owner_client: Any, invited: tuple[Invitation, str], mailoutbox: list[Any]
) -> None:
    """A tab still showing the invitation as waiting: its Resend is refused, and the
    admin is told the invitee declined (they were told someone here cancelled it)."""
    invitation, link = invited
    Client().post(f"{link}decline/", CONFIRMED)
    sent = len(mailoutbox)

    page = owner_client.post(
        f"/t/{acme.slug}/members/invites/{invitation.pk}/resend/", follow=True
    ).content.decode()

    assert "grace@example.com declined this invitation." in html.unescape(page)
    assert "was cancelled" not in page
    assert len(mailoutbox) == sent
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.DECLINED
