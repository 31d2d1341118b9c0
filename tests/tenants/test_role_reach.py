"""Nobody changes what a more powerful member holds: not through the member, not through
the role they hold, and not by withdrawing an invitation an owner sent.

The owner gives a custom role with billing.manage to a member; the admin lacks
billing.manage, so every attack below is an admin reaching past their own role.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from tenants.models import Invitation, Membership, Role
from tenants.services import membership_remove
from tests.tenants.factories import add_member, make_role

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def finance(acme: Any) -> Role:
    """A custom role the owner created: billing plus files."""
    return make_role(acme, "Finance", ["billing.manage", "files.manage"])


@pytest.fixture
def treasurer(acme: Any, finance: Role) -> Membership:
    """A member holding `finance`, given by the owner."""
    return add_member(acme, role=finance)


@pytest.fixture
def admin_of_acme_client(admin_of_acme: Any) -> Client:
    """The admin's own browser (`client` is the owner's)."""
    browser = Client()
    browser.force_login(admin_of_acme)
    return browser


@pytest.fixture
def owners_invitation(
    owner_client: Any, acme: Any, finance: Role, django_capture_on_commit_callbacks: Any
) -> Invitation:
    """The owner invites someone to `finance` through the members page."""
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(
            f"/t/{acme.slug}/members/invites/", {"email": "cfo@example.com", "role": finance.pk}
        )
    assert response.status_code == 302
    return Invitation.objects.get(email="cfo@example.com")


# --- Roles ------------------------------------------------------------------------------


def test_admin_cannot_strip_permissions_from_role_held_by_more_powerful_member(
    admin_of_acme_client: Any, acme: Any, finance: Role, treasurer: Membership
) -> None:
    page = admin_of_acme_client.post(
        f"/t/{acme.slug}/roles/{finance.pk}/",
        {"name": "Finance", "permissions": ["files.manage"]},
        follow=True,
    )
    assert "has permissions your role does not have" in page.content.decode()
    finance.refresh_from_db()
    assert finance.permissions == ["billing.manage", "files.manage"]


def test_admin_cannot_rename_a_role_beyond_their_own(
    admin_of_acme_client: Any, acme: Any, finance: Role, treasurer: Membership
) -> None:
    admin_of_acme_client.post(
        f"/t/{acme.slug}/roles/{finance.pk}/",
        {"name": "Nobody", "permissions": ["billing.manage", "files.manage"]},
    )
    finance.refresh_from_db()
    assert finance.name == "Finance"


def test_admin_cannot_delete_role_held_by_more_powerful_member(
    admin_of_acme_client: Any, acme: Any, finance: Role, treasurer: Membership
) -> None:
    page = admin_of_acme_client.post(f"/t/{acme.slug}/roles/{finance.pk}/delete/", follow=True)
    html = page.content.decode()
    # Refused for the reach, not only because someone still holds the role.
    assert "“Finance” has permissions your role does not have (Manage billing)" in html
    assert Role.objects.filter(pk=finance.pk).exists()


def test_admin_cannot_delete_an_owners_role_to_kill_its_invitations(
    admin_of_acme_client: Any, acme: Any, finance: Role, owners_invitation: Invitation
) -> None:
    page = admin_of_acme_client.post(f"/t/{acme.slug}/roles/{finance.pk}/delete/", follow=True)
    # Refused for its reach, before the open invitation is weighed.
    assert "has permissions your role does not have" in page.content.decode()
    assert Role.objects.filter(pk=finance.pk).exists()
    assert Invitation.objects.get(pk=owners_invitation.pk).status == "pending"


def test_the_edit_page_of_a_role_beyond_reach_is_not_offered(
    admin_of_acme_client: Any, acme: Any, finance: Role, treasurer: Membership
) -> None:
    roles = admin_of_acme_client.get(f"/t/{acme.slug}/roles/").content.decode()
    assert f"/roles/{finance.pk}/" not in roles and "Beyond your role" in roles
    page = admin_of_acme_client.get(f"/t/{acme.slug}/roles/{finance.pk}/", follow=True)
    assert page.redirect_chain and "ask an owner" in page.content.decode()


def test_admin_still_edits_and_deletes_roles_within_their_reach(
    admin_of_acme_client: Any, acme: Any
) -> None:
    helper = make_role(acme, "Helper", ["files.manage"])
    holder = add_member(acme, role=helper)
    admin_of_acme_client.post(
        f"/t/{acme.slug}/roles/{helper.pk}/", {"name": "Helper", "permissions": ["teams.manage"]}
    )
    helper.refresh_from_db()
    assert helper.permissions == ["teams.manage"]
    membership_remove(tenant=holder.tenant, membership=holder, acting_user=None)
    admin_of_acme_client.post(f"/t/{acme.slug}/roles/{helper.pk}/delete/")
    assert not Role.objects.filter(pk=helper.pk).exists()


def test_owner_edits_any_custom_role(
    owner_client: Any, acme: Any, finance: Role, treasurer: Membership
) -> None:
    owner_client.post(
        f"/t/{acme.slug}/roles/{finance.pk}/", {"name": "Finance", "permissions": ["files.manage"]}
    )
    finance.refresh_from_db()
    assert finance.permissions == ["files.manage"]


# --- The members page uses the same rule ---------------------------------------------------


def test_members_page_offers_no_controls_over_a_more_powerful_member(
    admin_of_acme_client: Any, acme: Any, treasurer: Membership, member_of_acme: Any
) -> None:
    html = admin_of_acme_client.get(f"/t/{acme.slug}/members/").content.decode()
    plain = Membership.objects.get(tenant=acme, user=member_of_acme)
    assert f"/members/{plain.pk}/remove/" in html
    assert f"/members/{treasurer.pk}/remove/" not in html
    assert f"/members/{treasurer.pk}/role/" not in html


# --- Invitations ---------------------------------------------------------------------------


def test_admin_cannot_cancel_invitation_for_role_they_cannot_grant(
    admin_of_acme_client: Any, acme: Any, owners_invitation: Invitation
) -> None:
    page = admin_of_acme_client.post(
        f"/t/{acme.slug}/members/invites/{owners_invitation.pk}/cancel/", follow=True
    )
    assert "You cannot grant permissions your own role does not have" in page.content.decode()
    assert Invitation.objects.get(pk=owners_invitation.pk).status == "pending"


def test_admin_cannot_resend_invitation_for_role_they_cannot_grant(
    admin_of_acme_client: Any, acme: Any, owners_invitation: Invitation, mailoutbox: list[Any]
) -> None:
    sent = len(mailoutbox)
    with time_machine.travel(timezone.now() + timedelta(minutes=5)):
        row = admin_of_acme_client.post(
            f"/t/{acme.slug}/members/invites/{owners_invitation.pk}/resend/", **HTMX
        )
    assert "You cannot grant permissions your own role does not have" in row.content.decode()
    invitation = Invitation.objects.get(pk=owners_invitation.pk)
    assert invitation.token_hash == owners_invitation.token_hash
    assert invitation.invited_by_id == owners_invitation.invited_by_id
    assert len(mailoutbox) == sent


def test_the_panel_offers_resend_and_cancel_only_for_invitations_the_actor_could_send(
    admin_of_acme_client: Any,
    acme: Any,
    owners_invitation: Invitation,
    django_capture_on_commit_callbacks: Any,
) -> None:
    member = Role.objects.get(tenant=acme, key="member")
    with django_capture_on_commit_callbacks(execute=True):
        admin_of_acme_client.post(
            f"/t/{acme.slug}/members/invites/", {"email": "new@example.com", "role": member.pk}
        )
    mine = Invitation.objects.get(email="new@example.com")
    html = admin_of_acme_client.get(f"/t/{acme.slug}/members/").content.decode()
    assert f"/invites/{mine.pk}/cancel/" in html
    assert f"/invites/{owners_invitation.pk}/cancel/" not in html
    assert f"/invites/{owners_invitation.pk}/resend/" not in html
    assert "Beyond your role" in html


def test_admin_still_cancels_invitations_they_could_have_sent(
    admin_of_acme_client: Any, acme: Any, owner_client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    member = Role.objects.get(tenant=acme, key="member")
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(
            f"/t/{acme.slug}/members/invites/", {"email": "x@example.com", "role": member.pk}
        )
    invitation = Invitation.objects.get()
    admin_of_acme_client.post(f"/t/{acme.slug}/members/invites/{invitation.pk}/cancel/")
    assert Invitation.objects.get().status == "cancelled"
