"""An organisation always keeps an owner who can act, and its contacts are people who
can. An owner the directory suspended (SCIM) cannot open the workspace, so they do not
count: the last active owner cannot leave, be removed, be demoted or delete their
account, and ownership cannot be handed to a suspended member, even when a suspended
owner is still on the books. Someone deactivated is neither primary nor billing
contact, and gets no billing email. An account staff deactivated in the admin counts
for no more than a suspended membership."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from accounts.exceptions import LastOwnerOfOrgsError
from accounts.services_lifecycle import account_delete
from billing.selectors import (
    account_billing_emails,
    account_billing_manager_emails,
    account_home_has_billing_contact,
    billing_contact_list,
)
from tenants.exceptions import (
    BillingContactError,
    LastOwnerError,
    NotAMemberError,
    PrimaryContactError,
)
from tenants.models import Membership, Role
from tenants.selectors import orgs_blocking_deletion
from tenants.services import (
    membership_change_role,
    membership_leave,
    membership_remove,
    membership_set_billing_contact,
    membership_set_primary_contact,
    membership_suspend,
    ownership_transfer,
)
from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory
from tests.tenants.factories import add_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def bob(acme: Any) -> Membership:
    """A second owner of Acme, whom the directory has since deactivated."""
    bob = add_member(acme, UserFactory(email="bob@example.com", name="Bob"), "owner")
    assert membership_suspend(tenant=acme, membership=bob, acting_user=None)
    bob.refresh_from_db()
    return bob


def alice(acme: Any, owner: Any) -> Membership:
    return Membership.objects.select_related("role").get(tenant=acme, user=owner)


def test_the_last_active_owner_cannot_leave(acme: Any, owner: Any, bob: Membership) -> None:
    with pytest.raises(LastOwnerError):
        membership_leave(tenant=acme, membership=alice(acme, owner))
    assert alice(acme, owner).role.is_owner


def test_the_directory_cannot_demote_the_last_active_owner(
    acme: Any, owner: Any, bob: Membership
) -> None:
    member = Role.objects.get(tenant=acme, key=Role.Key.MEMBER)
    with pytest.raises(LastOwnerError):
        membership_change_role(
            tenant=acme, membership=alice(acme, owner), role=member, acting_user=None
        )
    with pytest.raises(LastOwnerError):
        membership_remove(tenant=acme, membership=alice(acme, owner), acting_user=None)
    assert alice(acme, owner).role.is_owner


def test_ownership_cannot_go_to_a_suspended_member(
    acme: Any, owner: Any, bob: Membership, owner_client: Client
) -> None:
    with pytest.raises(NotAMemberError, match="deactivated by your identity provider"):
        ownership_transfer(tenant=acme, to_membership=bob, acting_user=owner)

    # Not offered beside an active member, and refused when posted anyway.
    add_member(acme, UserFactory(email="dan@example.com"))
    settings_page = owner_client.get(f"/t/{acme.slug}/settings/").content.decode()
    assert "bob@example.com" not in settings_page
    response = owner_client.post(
        f"/t/{acme.slug}/settings/transfer/",
        {"membership": bob.pk, "password": DEFAULT_PASSWORD},
    )
    assert response.status_code == 400
    assert "Choose a member of this workspace." in response.content.decode()
    assert alice(acme, owner).role.is_owner and alice(acme, owner).suspended_at is None

    suggest = f"/t/{acme.slug}/settings/transfer/candidates/"  # a large organisation's
    assert b"dan@example.com" in owner_client.get(suggest, {"membership": "example"}).content
    assert b"bob@example.com" not in owner_client.get(suggest, {"membership": "bob"}).content


def test_the_members_page_says_why_the_last_active_owner_cannot_leave(
    acme: Any, owner: Any, bob: Membership, owner_client: Client
) -> None:
    html = owner_client.get(f"/t/{acme.slug}/members/").content.decode()
    assert "The last owner cannot leave or be removed. Transfer ownership first." in html
    response = owner_client.post(f"/t/{acme.slug}/members/leave/", follow=True)
    assert alice(acme, owner).role.is_owner
    assert "The last owner cannot leave" in response.content.decode()


def test_a_suspended_owner_may_be_demoted_or_removed(
    acme: Any, owner: Any, bob: Membership
) -> None:
    member = Role.objects.get(tenant=acme, key=Role.Key.MEMBER)
    membership_change_role(tenant=acme, membership=bob, role=member, acting_user=owner)
    assert Membership.objects.get(pk=bob.pk).role.key == Role.Key.MEMBER
    membership_remove(tenant=acme, membership=bob, acting_user=owner)
    assert not Membership.objects.filter(pk=bob.pk).exists()


def test_with_two_active_owners_either_may_still_go(acme: Any, owner: Any) -> None:
    carol = add_member(acme, UserFactory(email="carol@example.com"), "owner")
    membership_leave(tenant=acme, membership=carol)
    assert alice(acme, owner).role.is_owner
    assert not Membership.objects.filter(pk=carol.pk).exists()


def test_the_last_active_owner_cannot_delete_their_account(
    acme: Any, owner: Any, bob: Membership
) -> None:
    assert orgs_blocking_deletion(user=owner) == [acme]
    with pytest.raises(LastOwnerOfOrgsError):
        account_delete(user=owner)
    assert alice(acme, owner).role.is_owner
    # The suspended owner's own account is no one's last hope.
    assert orgs_blocking_deletion(user=bob.user) == []


def test_the_last_active_billing_contact_stays_one_beside_a_suspended_contact(
    acme: Any, owner: Any, owner_client: Client
) -> None:
    """Billing email goes to contacts the directory has not suspended, so one of those
    must remain; a suspended contact may always be taken off."""
    gone = add_member(acme, UserFactory(email="gone@example.com"), "billing_admin")
    membership_set_billing_contact(
        tenant=acme, membership=gone, is_billing_contact=True, acting_user=owner
    )
    membership_suspend(tenant=acme, membership=gone, acting_user=None)
    with pytest.raises(BillingContactError):
        membership_set_billing_contact(
            tenant=acme, membership=alice(acme, owner), is_billing_contact=False, acting_user=owner
        )
    assert alice(acme, owner).is_billing_contact
    assert [m.user.email for m in billing_contact_list(tenant=acme)] == [owner.email]

    membership_set_billing_contact(
        tenant=acme, membership=gone, is_billing_contact=False, acting_user=owner
    )
    assert not Membership.objects.get(pk=gone.pk).is_billing_contact


def test_a_leaving_primary_contact_hands_over_to_an_active_owner(
    acme: Any, owner: Any, bob: Membership
) -> None:
    carol = add_member(acme, UserFactory(email="carol@example.com"), "owner")
    assert alice(acme, owner).is_primary_contact
    account_delete(user=owner)
    assert Membership.objects.get(pk=carol.pk).is_primary_contact
    assert not Membership.objects.get(pk=bob.pk).is_primary_contact


def _by_the_directory(membership: Membership) -> str:
    membership_suspend(tenant=membership.tenant, membership=membership, acting_user=None)
    return "deactivated by your identity provider"


def _by_staff(membership: Membership) -> str:
    membership.user.is_active = False
    membership.user.save(update_fields=["is_active"])
    return "account of gone@example.com was deactivated"


@pytest.mark.parametrize("deactivate", [_by_the_directory, _by_staff])
def test_a_deactivated_member_is_made_neither_primary_nor_billing_contact(
    acme: Any, owner: Any, owner_client: Client, deactivate: Any
) -> None:
    gone = add_member(acme, UserFactory(email="gone@example.com", name="Gone"), "admin")
    reason = deactivate(gone)
    with pytest.raises(PrimaryContactError, match=reason):
        membership_set_primary_contact(tenant=acme, membership=gone, acting_user=owner)
    with pytest.raises(BillingContactError, match="gets no billing email"):
        membership_set_billing_contact(
            tenant=acme, membership=gone, is_billing_contact=True, acting_user=owner
        )
    gone.refresh_from_db()
    assert not gone.is_primary_contact and not gone.is_billing_contact

    # The members page offers neither (and says why); forcing the form is refused.
    html = owner_client.get(f"/t/{acme.slug}/members/").content.decode()
    row = html.split(f'id="member-{gone.pk}"', 1)[1].split("</tr>", 1)[0]
    assert "Make primary" not in row and "Add billing" not in row
    assert "Deactivated by your identity provider" in row or "Account deactivated" in row
    response = owner_client.post(f"/t/{acme.slug}/members/{gone.pk}/primary/", follow=True)
    assert "cannot be the primary contact" in response.content.decode()
    assert not Membership.objects.get(pk=gone.pk).is_primary_contact


def test_deactivating_the_primary_contact_hands_it_to_an_active_owner(
    acme: Any, owner: Any
) -> None:
    carol = add_member(acme, UserFactory(email="carol@example.com"), "owner")
    membership_set_primary_contact(tenant=acme, membership=carol, acting_user=owner)
    membership_suspend(tenant=acme, membership=carol, acting_user=None)
    assert alice(acme, owner).is_primary_contact
    assert not Membership.objects.get(pk=carol.pk).is_primary_contact


# Staff can deactivate an account in the admin (`User.is_active`): Django then refuses
# every sign-in, so that person can act for nobody, though their memberships stay.


def _deactivated_owner(acme: Any, email: str) -> Membership:
    membership = add_member(acme, UserFactory(email=email), "owner")
    membership.user.is_active = False
    membership.user.save(update_fields=["is_active"])
    return membership


def test_an_owner_staff_deactivated_does_not_keep_the_org_owned(acme: Any, owner: Any) -> None:
    _deactivated_owner(acme, "carol@example.com")
    with pytest.raises(LastOwnerError):
        membership_leave(tenant=acme, membership=alice(acme, owner))
    assert orgs_blocking_deletion(user=owner) == [acme]
    with pytest.raises(LastOwnerOfOrgsError):
        account_delete(user=owner)
    assert alice(acme, owner).role.is_owner


def test_deactivating_an_owner_whose_co_owner_left_a_moment_ago_is_refused_under_the_lock(
    acme: Any, owner: Any
) -> None:
    """Staff deactivated Alice while her co-owner Bob left: the account's check, run
    before either held the organisation's lock, counted Bob, and the organisation was
    left with no owner who can act. The hand-over, under the lock, counts again."""
    from tenants.services import membership_contacts_hand_over

    bob = add_member(acme, UserFactory(email="bob@example.com"), "owner")
    as_the_check_saw_alice = alice(acme, owner)  # two owners then
    membership_leave(tenant=acme, membership=bob)  # Bob leaves meanwhile

    with pytest.raises(LastOwnerError, match="is the only owner of Acme who can act"):
        membership_contacts_hand_over(membership=as_the_check_saw_alice)
    assert alice(acme, owner).is_primary_contact


def test_the_last_owner_who_can_act_may_remove_demote_or_suspend_a_deactivated_owner(
    acme: Any, owner: Any
) -> None:
    """The review found the other side of the rule above: Carol, staff-deactivated, was
    "the last owner" for the removal, the demotion and the suspension Alice tried,
    while Alice was the only owner counted."""
    member = Role.objects.get(tenant=acme, key=Role.Key.MEMBER)
    carol = _deactivated_owner(acme, "carol@example.com")
    membership_change_role(tenant=acme, membership=carol, role=member, acting_user=owner)
    assert Membership.objects.get(pk=carol.pk).role == member

    dan = _deactivated_owner(acme, "dan@example.com")
    assert membership_suspend(tenant=acme, membership=dan, acting_user=None)

    erin = _deactivated_owner(acme, "erin@example.com")
    membership_remove(tenant=acme, membership=erin, acting_user=owner)
    assert not Membership.objects.filter(pk=erin.pk).exists()
    assert alice(acme, owner).role.is_owner


def test_a_departing_billing_contact_hands_over_past_a_deactivated_owner(
    acme: Any, owner: Any
) -> None:
    carol = _deactivated_owner(acme, "carol@example.com")  # the longer-standing owner
    dan = add_member(acme, UserFactory(email="dan@example.com"), "owner")
    assert alice(acme, owner).is_billing_contact
    account_delete(user=owner)
    assert Membership.objects.get(pk=dan.pk).is_billing_contact
    assert Membership.objects.get(pk=dan.pk).is_primary_contact
    carol.refresh_from_db()
    assert not carol.is_billing_contact and not carol.is_primary_contact


def test_a_deactivated_billing_contact_gets_no_billing_email(acme: Any, owner: Any) -> None:
    """Nor does it count as the one contact left: the last one who can act stays."""
    carol = add_member(acme, UserFactory(email="carol@example.com"), "billing_admin")
    membership_set_billing_contact(
        tenant=acme, membership=carol, is_billing_contact=True, acting_user=owner
    )
    assert account_billing_emails(account=acme.account) == ["carol@example.com", owner.email]
    carol.user.is_active = False
    carol.user.save(update_fields=["is_active"])

    assert account_billing_emails(account=acme.account) == [owner.email]
    assert [m.user.email for m in billing_contact_list(tenant=acme)] == [owner.email]
    with pytest.raises(BillingContactError):
        membership_set_billing_contact(
            tenant=acme, membership=alice(acme, owner), is_billing_contact=False, acting_user=owner
        )
    assert alice(acme, owner).is_billing_contact

    # With the owner no longer a contact either, the billing managers hear instead.
    Membership.objects.filter(pk=alice(acme, owner).pk).update(is_billing_contact=False)
    assert account_billing_emails(account=acme.account) == []
    assert not account_home_has_billing_contact(account=acme.account)
    assert "carol@example.com" not in account_billing_manager_emails(account=acme.account)
    assert owner.email in account_billing_manager_emails(account=acme.account)


def test_a_billing_contact_staff_deactivated_can_be_taken_off_beside_one_who_can_act(
    acme: Any, owner: Any
) -> None:
    """The owner and Carol were contacts and staff deactivated Carol: unticking her said
    "A workspace needs at least one billing contact" (she was counted as the one left
    while the count, of those who can act, had only the owner)."""
    carol = add_member(acme, UserFactory(email="carol@example.com"), "billing_admin")
    membership_set_billing_contact(
        tenant=acme, membership=carol, is_billing_contact=True, acting_user=owner
    )
    type(owner).objects.filter(pk=carol.user_id).update(is_active=False)
    carol = Membership.objects.select_related("user", "role", "tenant").get(pk=carol.pk)

    membership_set_billing_contact(
        tenant=acme, membership=carol, is_billing_contact=False, acting_user=owner
    )

    assert not Membership.objects.get(pk=carol.pk).is_billing_contact
    assert alice(acme, owner).is_billing_contact


def test_ownership_cannot_go_to_a_member_staff_deactivated(
    acme: Any, owner: Any, owner_client: Client
) -> None:
    """Handing over to them would leave the organisation with no owner who can act."""
    gone = add_member(acme, UserFactory(email="gone@example.com"), "admin")
    gone.user.is_active = False
    gone.user.save(update_fields=["is_active"])
    with pytest.raises(NotAMemberError, match="account of gone@example.com was deactivated"):
        ownership_transfer(tenant=acme, to_membership=gone, acting_user=owner)

    add_member(acme, UserFactory(email="dan@example.com"))
    assert "gone@example.com" not in owner_client.get(f"/t/{acme.slug}/settings/").content.decode()
    response = owner_client.post(
        f"/t/{acme.slug}/settings/transfer/", {"membership": gone.pk, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 400
    assert alice(acme, owner).role.is_owner
    suggest = f"/t/{acme.slug}/settings/transfer/candidates/"
    assert b"gone@example.com" not in owner_client.get(suggest, {"membership": "gone"}).content
