"""Per-seat subscriptions follow membership changes at once (through the task queue)."""

from __future__ import annotations

from typing import Any

import pytest

from billing.models import Account
from tenants.models import Membership
from tenants.services import membership_remove
from tests.billing.stripe_transport import recorded, subscription_with
from tests.tenants.factories import add_member

SUB = "/v1/subscriptions/sub_1QX9z8y7x6w5v4"


@pytest.fixture
def subscribed(acme: Any) -> Any:
    """The org pays for Pro (per seat) with one seat: its owner."""
    Account.objects.filter(pk=acme.account_id).update(
        plan="pro",
        status="active",
        seats=1,
        stripe_customer_id="cus_QX1a2b3c4d5e6f",
        stripe_subscription_id="sub_1QX9z8y7x6w5v4",
    )
    acme.account.refresh_from_db()
    return acme


def join(acme: Any, capture: Any) -> Membership:
    with capture(execute=True):
        return add_member(acme)


def test_adding_a_member_raises_the_quantity(
    stripe_http: Any, subscribed: Any, django_capture_on_commit_callbacks: Any
) -> None:
    stripe_http.add("get", SUB, subscription_with(1))
    stripe_http.add("post", SUB, subscription_with(2))

    join(subscribed, django_capture_on_commit_callbacks)

    (update,) = stripe_http.calls("post", SUB)
    assert update.params["items[0][id]"] == "si_RA1b2C3d4E5f"
    assert update.params["items[0][quantity]"] == "2"
    assert Account.objects.get(pk=subscribed.account_id).seats == 2


def test_removing_a_member_lowers_the_quantity(
    stripe_http: Any, subscribed: Any, django_capture_on_commit_callbacks: Any
) -> None:
    stripe_http.add("get", SUB, subscription_with(2))
    stripe_http.add("post", SUB, subscription_with(1))
    membership = add_member(subscribed)
    Account.objects.filter(pk=subscribed.account_id).update(seats=2)

    with django_capture_on_commit_callbacks(execute=True):
        membership_remove(tenant=membership.tenant, membership=membership, acting_user=None)

    (update,) = stripe_http.calls("post", SUB)
    assert update.params["items[0][quantity]"] == "1"
    assert Account.objects.get(pk=subscribed.account_id).seats == 1


def test_a_flat_plan_never_touches_the_quantity(
    stripe_http: Any, subscribed: Any, django_capture_on_commit_callbacks: Any
) -> None:
    Account.objects.filter(pk=subscribed.account_id).update(plan="business")

    join(subscribed, django_capture_on_commit_callbacks)

    assert stripe_http.requests == []


def test_the_free_plan_never_calls_stripe(
    stripe_http: Any, acme: Any, django_capture_on_commit_callbacks: Any
) -> None:
    join(acme, django_capture_on_commit_callbacks)

    assert stripe_http.requests == []


def test_without_keys_membership_changes_just_work(
    no_billing: Any, subscribed: Any, django_capture_on_commit_callbacks: Any
) -> None:
    membership = join(subscribed, django_capture_on_commit_callbacks)

    assert membership.pk is not None
    assert Account.objects.get(pk=subscribed.account_id).seats == 1


def test_a_stripe_failure_does_not_break_adding_the_member(
    stripe_http: Any, subscribed: Any, django_capture_on_commit_callbacks: Any
) -> None:
    stripe_http.add("get", SUB, recorded("error_no_such_subscription"), status=404)

    membership = join(subscribed, django_capture_on_commit_callbacks)

    assert Membership.objects.filter(pk=membership.pk).exists()
    assert Account.objects.get(pk=subscribed.account_id).seats == 1  # sync_stripe fixes it later


def test_people_in_several_tenants_of_one_account_take_one_seat(
    stripe_http: Any, subscribed: Any, owner: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from billing.selectors import account_seats_used
    from tenants.services import tenant_create_org

    second = tenant_create_org(owner=owner, name="Sister org", account=subscribed.account)
    add_member(second)

    assert account_seats_used(account=subscribed.account) == 2


def test_deleting_a_sister_organisation_frees_its_seats_and_restoring_it_takes_them_again(
    stripe_http: Any, subscribed: Any, owner: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from tenants.services import tenant_create_org, tenant_delete, tenant_restore

    second = tenant_create_org(owner=owner, name="Sister org", account=subscribed.account)
    add_member(second)
    Account.objects.filter(pk=subscribed.account_id).update(seats=2)
    stripe_http.add("get", SUB, subscription_with(2))
    stripe_http.add("post", SUB, subscription_with(1))

    with django_capture_on_commit_callbacks(execute=True):
        tenant_delete(tenant=second, acting_user=owner)

    assert stripe_http.calls("post", SUB)[-1].params["items[0][quantity]"] == "1"
    stripe_http.add("get", SUB, subscription_with(1))
    stripe_http.add("post", SUB, subscription_with(2))

    with django_capture_on_commit_callbacks(execute=True):
        tenant_restore(tenant=second, acting_user=None)

    assert stripe_http.calls("post", SUB)[-1].params["items[0][quantity]"] == "2"
    assert Account.objects.get(pk=subscribed.account_id).seats == 2


# --- Suspended members (SCIM `active: false`) hold no seat --------------------------------


def test_suspending_a_member_lowers_the_quantity_and_reactivating_raises_it(
    stripe_http: Any, subscribed: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from billing.selectors import account_seats_used
    from tenants.services import membership_reactivate, membership_suspend

    membership = add_member(subscribed)
    Account.objects.filter(pk=subscribed.account_id).update(seats=2)
    stripe_http.add("get", SUB, subscription_with(2))
    stripe_http.add("post", SUB, subscription_with(1))

    with django_capture_on_commit_callbacks(execute=True):
        membership_suspend(tenant=subscribed, membership=membership, acting_user=None)

    assert account_seats_used(account=subscribed.account) == 1
    (lowered,) = stripe_http.calls("post", SUB)
    assert lowered.params["items[0][quantity]"] == "1"
    stripe_http.add("get", SUB, subscription_with(1))
    stripe_http.add("post", SUB, subscription_with(2))

    with django_capture_on_commit_callbacks(execute=True):
        membership_reactivate(tenant=subscribed, membership=membership, acting_user=None)

    assert account_seats_used(account=subscribed.account) == 2
    assert stripe_http.calls("post", SUB)[-1].params["items[0][quantity]"] == "2"
    assert Account.objects.get(pk=subscribed.account_id).seats == 2


def test_suspended_members_count_nowhere_as_members(acme: Any, owner: Any) -> None:
    """The plan's cap, the account's seats, the workspace lists and the overview all
    ask one rule (core.members.seat_holders)."""
    from billing.selectors import account_seats_used, account_tenant_list
    from tenants.selectors import membership_list_for_user_with_counts, tenant_seats_taken
    from tenants.selectors_overview import overview_get
    from tenants.services import membership_suspend, tenant_create_org

    sister = tenant_create_org(owner=owner, name="Sister org", account=acme.account)
    suspended = add_member(sister)
    add_member(sister)
    membership_suspend(tenant=sister, membership=suspended, acting_user=None)
    owner_membership = Membership.objects.select_related("tenant", "role").get(
        tenant=sister, user=owner
    )

    assert tenant_seats_taken(tenant=sister) == 2
    assert account_seats_used(account=acme.account) == 2  # the owner and one member
    assert [t.member_count for t in account_tenant_list(account=acme.account)] == [2]
    counts = {m.tenant_id: m.member_count for m in membership_list_for_user_with_counts(user=owner)}
    assert counts[sister.pk] == 2
    assert overview_get(membership=owner_membership, user=owner).member_count == 2


def test_a_suspended_member_frees_a_seat_under_the_cap_and_reactivation_needs_one(
    acme: Any, settings: Any
) -> None:
    """Suspending and reactivating cannot be a way around the plan's member cap."""
    from billing.exceptions import PlanLimitReached
    from billing.plans import plan_check_members
    from tenants.selectors import tenant_seats_taken
    from tenants.services import membership_reactivate, membership_suspend

    plans = {name: dict(plan) for name, plan in settings.BILLING_PLANS.items()}
    plans["free"]["max_members"] = 2
    settings.BILLING_PLANS = plans
    suspended = add_member(acme)  # the owner and this member: full
    membership_suspend(tenant=acme, membership=suspended, acting_user=None)
    plan_check_members(tenant=acme, taken=tenant_seats_taken(tenant=acme), adding=1)
    add_member(acme)  # took the freed seat

    with pytest.raises(PlanLimitReached):
        membership_reactivate(tenant=acme, membership=suspended, acting_user=None)

    suspended.refresh_from_db()
    assert suspended.suspended_at is not None
