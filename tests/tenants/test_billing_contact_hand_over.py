"""An organisation keeps a billing contact who can act, without blocking anyone's way
out: when its last active billing contact leaves, is removed, deletes their account or
is deactivated by the directory, the longest-standing owner who can act becomes one
(with an audit event), so a failed payment still reaches someone. Un-ticking the last
one is refused instead (tests/tenants/test_owners_who_can_act.py)."""

from __future__ import annotations

from typing import Any

import pytest

from accounts.services_lifecycle import account_delete
from billing.selectors import billing_contact_list
from core.models import AuditEvent
from tenants.models import Membership
from tenants.services import (
    membership_leave,
    membership_remove,
    membership_set_billing_contact,
    membership_suspend,
)
from tests.accounts.factories import UserFactory
from tests.tenants.factories import add_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(acme: Any, owner: Any) -> Membership:
    return Membership.objects.select_related("role", "user").get(tenant=acme, user=owner)


@pytest.fixture
def carol(acme: Any, alice: Membership) -> Membership:
    """Acme's billing admin, its only billing contact: Alice (the owner) handed it over."""
    carol = add_member(acme, UserFactory(email="carol@example.com"), "billing_admin")
    membership_set_billing_contact(
        tenant=acme, membership=carol, is_billing_contact=True, acting_user=None
    )
    membership_set_billing_contact(
        tenant=acme, membership=alice, is_billing_contact=False, acting_user=None
    )
    assert contacts(acme) == ["carol@example.com"]
    return carol


def contacts(tenant: Any) -> list[str]:
    return [m.user.email for m in billing_contact_list(tenant=tenant)]


def test_deactivating_the_last_billing_contact_makes_the_first_active_owner_one(
    acme: Any, alice: Membership, carol: Membership
) -> None:
    assert membership_suspend(tenant=acme, membership=carol, acting_user=None)

    assert contacts(acme) == [alice.user.email]
    handed = AuditEvent.objects.filter(tenant=acme, action="member.contact_changed").latest("pk")
    assert handed.target_id == str(alice.pk) and handed.after == {"billing_contact": True}
    assert handed.actor_id is None  # the system, not a person


@pytest.mark.parametrize("way_out", ["removed", "leaves", "deletes their account"])
def test_the_last_billing_contact_going_hands_it_to_the_first_active_owner(
    acme: Any, alice: Membership, carol: Membership, way_out: str
) -> None:
    if way_out == "removed":
        membership_remove(tenant=acme, membership=carol, acting_user=alice.user)
    elif way_out == "leaves":
        membership_leave(tenant=acme, membership=carol)
    else:
        account_delete(user=carol.user)

    assert not Membership.objects.filter(pk=carol.pk).exists()
    assert contacts(acme) == [alice.user.email]


def test_a_suspended_owner_is_passed_over_for_the_next_who_can_act(
    acme: Any, alice: Membership, carol: Membership
) -> None:
    """Bob joined before Dave, but the directory deactivated him."""
    bob = add_member(acme, UserFactory(email="bob@example.com"), "owner")
    dave = add_member(acme, UserFactory(email="dave@example.com"), "owner")
    membership_suspend(tenant=acme, membership=bob, acting_user=None)
    membership_suspend(tenant=acme, membership=alice, acting_user=None)

    membership_leave(tenant=acme, membership=carol)

    assert contacts(acme) == [dave.user.email]


def test_nobody_is_added_while_another_active_contact_remains(
    acme: Any, alice: Membership, carol: Membership
) -> None:
    erin = add_member(acme, UserFactory(email="erin@example.com"), "billing_admin")
    membership_set_billing_contact(
        tenant=acme, membership=erin, is_billing_contact=True, acting_user=None
    )

    membership_leave(tenant=acme, membership=carol)

    assert contacts(acme) == ["erin@example.com"]
    assert not Membership.objects.get(pk=alice.pk).is_billing_contact


def test_a_deactivated_contact_going_changes_nothing(
    acme: Any, alice: Membership, carol: Membership
) -> None:
    """Carol was suspended (Alice took over); her removal later moves nobody again."""
    membership_suspend(tenant=acme, membership=carol, acting_user=None)
    before = AuditEvent.objects.filter(tenant=acme, action="member.contact_changed").count()

    membership_remove(tenant=acme, membership=carol, acting_user=None)

    assert contacts(acme) == [alice.user.email]
    after = AuditEvent.objects.filter(tenant=acme, action="member.contact_changed").count()
    assert after == before
