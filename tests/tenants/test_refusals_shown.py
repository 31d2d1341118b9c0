"""Controls that cannot succeed are disabled, with the reason beside them, and that
reason is the very refusal the service gives when one tries anyway: one rule, asked by
the service and by the page."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from django.utils import timezone

from tenants.exceptions import BillingContactError, LastOwnerError, RoleInUseError
from tenants.invitations import invitation_cancel, invitation_create
from tenants.models import Invitation, Membership
from tenants.services import (
    membership_change_role,
    membership_leave,
    membership_set_billing_contact,
    role_delete,
)
from tests.core.forms import asks_in
from tests.tenants.factories import make_role

pytestmark = pytest.mark.django_db


def _described(page: str, button: str) -> str:
    """The text a disabled button's aria-describedby points at."""
    match = re.search(
        rf'<button[^>]*disabled aria-describedby="([^"]+)"[^>]*>{button}</button>', page
    )
    assert match, f"no disabled {button!r} button"
    reason = re.search(rf'id="{match.group(1)}"[^>]*>([^<]*)<', page)
    assert reason
    return html.unescape(reason.group(1)).strip()


def test_the_only_owner_is_shown_why_they_cannot_leave(
    owner_client: Any, acme: Any, owner: Any
) -> None:
    page = owner_client.get(f"/t/{acme.slug}/members/").content.decode()
    mine = Membership.objects.get(tenant=acme, user=owner)

    with pytest.raises(LastOwnerError) as refused:
        membership_leave(tenant=acme, membership=mine)
    assert _described(page, "Leave workspace") == str(refused.value)


def test_a_member_may_leave(client: Any, acme: Any, member_of_acme: Any) -> None:
    client.force_login(member_of_acme)
    page = client.get(f"/t/{acme.slug}/members/").content.decode()

    assert 'action="/t/acme/members/leave/"' in page
    assert "disabled aria-describedby" not in page


def test_the_only_billing_contact_is_shown_why_it_cannot_be_removed(
    owner_client: Any, acme: Any, owner: Any
) -> None:
    page = owner_client.get(f"/t/{acme.slug}/members/").content.decode()
    mine = Membership.objects.get(tenant=acme, user=owner)

    with pytest.raises(BillingContactError) as refused:
        membership_set_billing_contact(
            tenant=acme, membership=mine, is_billing_contact=False, acting_user=owner
        )
    assert _described(page, "Remove billing") == str(refused.value)


def test_a_second_billing_contact_makes_removing_either_possible(
    owner_client: Any, acme: Any, admin_of_acme: Any, owner: Any
) -> None:
    theirs = Membership.objects.get(tenant=acme, user=admin_of_acme)
    membership_set_billing_contact(
        tenant=acme, membership=theirs, is_billing_contact=True, acting_user=owner
    )
    page = owner_client.get(f"/t/{acme.slug}/members/").content.decode()

    assert page.count(">Remove billing</button>") == 2
    assert "Remove billing</button>" in page and 'aria-describedby="billing-reason' not in page


def test_a_role_in_use_is_shown_why_it_cannot_be_deleted(
    owner_client: Any, acme: Any, owner: Any, member_of_acme: Any
) -> None:
    auditor = make_role(acme, "Auditor", ["audit.view"])
    membership_change_role(
        tenant=acme,
        membership=Membership.objects.get(tenant=acme, user=member_of_acme),
        role=auditor,
        acting_user=owner,
    )
    page = owner_client.get(f"/t/{acme.slug}/roles/").content.decode()

    with pytest.raises(RoleInUseError) as refused:
        role_delete(tenant=acme, role=auditor, acting_user=owner)
    assert _described(page, "Delete") == str(refused.value)
    assert f'href="/t/{acme.slug}/members/">Open the members page</a>' in page


@pytest.mark.parametrize("expired", [False, True], ids=["pending", "expired"])
def test_a_role_open_invitations_offer_is_shown_why_it_cannot_be_deleted(
    owner_client: Any, acme: Any, owner: Any, expired: bool
) -> None:
    """Deleting it used to delete the invitations with it: the person waiting on one
    was told their link was mistyped. Expired ones count too: the members page lists
    them, to resend."""
    auditor = make_role(acme, "Auditor", ["audit.view"])
    for email in ("ann@example.com", "bob@example.com"):
        invitation = invitation_create(tenant=acme, email=email, role=auditor, acting_user=owner)
    if expired:
        Invitation.objects.filter(tenant=acme).update(expires_at=timezone.now())
    page = owner_client.get(f"/t/{acme.slug}/roles/").content.decode()

    with pytest.raises(RoleInUseError) as refused:
        role_delete(tenant=acme, role=auditor, acting_user=owner)
    assert str(refused.value) == (
        "“Auditor” is offered by 2 open invitations. Cancel them on the members page first."
    )
    assert _described(page, "Delete") == str(refused.value)
    # The page it names is a click away, at its invitations.
    assert f'href="/t/{acme.slug}/members/#invite-panel">Open the members page</a>' in page
    assert Invitation.objects.filter(tenant=acme, role=auditor).count() == 2

    Invitation.objects.filter(tenant=acme).exclude(pk=invitation.pk).update(
        cancelled_at=timezone.now()
    )
    with pytest.raises(RoleInUseError, match="1 open invitation. Cancel it"):
        role_delete(tenant=acme, role=auditor, acting_user=owner)
    invitation_cancel(tenant=acme, invitation=invitation, acting_user=owner)
    role_delete(tenant=acme, role=auditor, acting_user=owner)  # closed ones go with it


def test_an_unused_role_can_be_deleted(owner_client: Any, acme: Any) -> None:
    make_role(acme, "Auditor", ["audit.view"])
    page = owner_client.get(f"/t/{acme.slug}/roles/").content.decode()

    assert "/delete/" in page and "role-delete-reason" not in page
    # Its confirmation promises nothing about invitations: none may offer it by then.
    assert [ask["detail"] for ask in asks_in(page)] == ["This cannot be undone."]
    assert "invitations with this role are cancelled" not in page
