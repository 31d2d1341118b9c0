"""An account shut or deleted while its organisations change at the same moment: each
organisation is checked again under its lock, on the member as stored then. Needs
PostgreSQL (concurrent connections)."""

from __future__ import annotations

import pytest
from django.db import connection

from accounts.exceptions import LastOwnerOfOrgsError
from accounts.services_lifecycle import account_deactivate, account_delete
from tenants.exceptions import LastOwnerError
from tenants.models import Membership
from tenants.services import membership_leave, membership_remove
from tests.accounts.factories import UserFactory
from tests.core.concurrency import first_holds_then_second
from tests.tenants.factories import OrgFactory, add_member

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrent connections need PostgreSQL"
)


def test_deactivating_an_owner_while_the_co_owner_leaves_leaves_the_org_an_owner(
    transactional_db: None,
) -> None:
    """Staff shut Alice's account while Bob, the other owner, left: the account's check
    (before any lock) still counted Bob, and Acme was left with no owner who can act."""
    alice = UserFactory(email="alice@example.com")
    acme = OrgFactory(owner=alice, name="Acme")
    bob = add_member(acme, UserFactory(email="bob@example.com"), "owner")

    left, shut = first_holds_then_second(
        lambda: membership_leave(tenant=acme, membership=bob),
        lambda: account_deactivate(user=type(alice).objects.get(pk=alice.pk)),
        hold=3,  # the second's check (no lock) runs while Bob's leave is not committed
    )

    assert left is None, left
    # Refused under the lock (LastOwnerError); on a machine so slow that the second
    # started after the first committed, by the account's own check (no race to lose).
    assert isinstance(shut, LastOwnerError | LastOwnerOfOrgsError), shut
    alice.refresh_from_db()
    assert alice.is_active
    assert Membership.objects.get(tenant=acme, user=alice).role.is_owner


def test_deleting_an_account_while_an_admin_removes_it_from_an_org_deletes_it(
    transactional_db: None,
) -> None:
    """The deletion listed Carol's organisations, then an admin removed her from one:
    leaving it said "no longer a member here" and the whole deletion failed (a 500)."""
    acme = OrgFactory(name="Acme")
    owner = Membership.objects.get(tenant=acme, role__key="owner").user
    carol = add_member(acme, UserFactory(email="carol@example.com"), "member")

    removed, deleted = first_holds_then_second(
        lambda: membership_remove(tenant=acme, membership=carol, acting_user=owner),
        lambda: account_delete(user=type(owner).objects.get(pk=carol.user_id)),
    )

    assert removed is None and deleted is None, (removed, deleted)
    carol.user.refresh_from_db()
    assert not carol.user.is_active
    assert not Membership.objects.filter(pk=carol.pk).exists()


def test_the_admins_active_box_during_the_co_owners_departure_is_refused(
    transactional_db: None,
) -> None:
    """The same race through the admin's "Active" box: the organisation keeps an owner
    who can act, and staff are told why on the form."""
    from django.test import Client

    staff = UserFactory(is_staff=True, is_superuser=True)
    alice = UserFactory(email="alice@example.com", name="Alice")
    acme = OrgFactory(owner=alice, name="Acme")
    bob = add_member(acme, UserFactory(email="bob@example.com"), "owner")
    admin = Client()
    admin.force_login(staff)
    form = {
        "email": alice.email,
        "name": alice.name,
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
        "sessions-TOTAL_FORMS": "0",
        "sessions-INITIAL_FORMS": "0",
    }  # "is_active" left out: unticked

    left, page = first_holds_then_second(
        lambda: membership_leave(tenant=acme, membership=bob),
        lambda: admin.post(f"/admin/accounts/user/{alice.pk}/change/", form),
        hold=3,  # a whole admin request
    )

    assert left is None, left
    assert page.status_code in (200, 400), page
    if page.status_code == 200:  # refused on the form
        errors = page.context["adminform"].form.errors
        assert "is the only owner of Acme" in str(errors["is_active"])
    alice.refresh_from_db()
    assert alice.is_active
    assert Membership.objects.get(tenant=acme, user=alice).role.is_owner
