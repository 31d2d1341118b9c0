"""The daily reconciliation compares each account with its Stripe subscription, repairs
drift and reports what it changed. Stripe answers through the recorded transport."""

from __future__ import annotations

from typing import Any

import pytest

from billing.jobs import ReconciliationIncomplete, stripe_reconcile
from billing.models import Account
from core.models import AuditEvent
from tests.billing.conftest import BUSINESS_PRICE
from tests.billing.stripe_transport import recorded, subscription_with
from tests.tenants.factories import add_member

SUB = "sub_1QX9z8y7x6w5v4"


@pytest.fixture
def account(acme: Any) -> Account:
    Account.objects.filter(pk=acme.account_id).update(
        stripe_customer_id="cus_QX1a2b3c4d5e6f", stripe_subscription_id=SUB
    )
    return Account.objects.get(pk=acme.account_id)


def test_drift_is_repaired_and_each_changed_field_reported(
    stripe_http: Any, account: Account
) -> None:
    """A lost webhook left the account on Free with a past-due status and one seat,
    while Stripe bills Pro for the three people who hold one."""
    add_member(account.home_tenant)
    add_member(account.home_tenant)
    Account.objects.filter(pk=account.pk).update(plan="free", status="past_due", seats=1)
    stripe_http.add("get", f"/v1/subscriptions/{SUB}", subscription_with(3))

    outcome = stripe_reconcile()

    account.refresh_from_db()
    assert (account.plan, account.status, account.seats) == ("pro", "active", 3)
    first, detail = outcome.split("\n")
    assert first == "Checked 1 account(s): 1 repaired, 0 failed."
    assert f"account {account.pk} (" in detail
    assert "plan 'free' → 'pro'" in detail
    assert "status 'past_due' → 'active'" in detail
    assert "seats 1 → 3" in detail
    # The plan change is in the workspace's audit log, like any plan change.
    assert AuditEvent.objects.filter(tenant=account.home_tenant, action="billing.plan_changed")


def test_a_quantity_set_at_stripe_is_put_back_to_the_seats_in_use(
    stripe_http: Any, account: Account
) -> None:
    """Someone set five seats in the Stripe dashboard for a workspace of one person: the
    per-seat subscription is billed for the one seat in use, and the report says so."""
    stripe_http.add("get", f"/v1/subscriptions/{SUB}", subscription_with(5))
    stripe_http.add("post", f"/v1/subscriptions/{SUB}", subscription_with(1))

    outcome = stripe_reconcile()

    (update,) = stripe_http.calls("post", f"/v1/subscriptions/{SUB}")
    assert update.params["items[0][quantity]"] == "1"
    assert Account.objects.get(pk=account.pk).seats == 1
    assert "seats 5 → 1" in outcome


def test_a_flat_plan_billed_for_several_seats_is_set_back_to_one(
    stripe_http: Any, account: Account
) -> None:
    """Business is a flat price: left billed for the three seats Pro had (the event that
    moved it was lost), it is billed once, and the report says so."""
    add_member(account.home_tenant)
    add_member(account.home_tenant)
    on_business = subscription_with(3, price=BUSINESS_PRICE)
    once = subscription_with(1, price=BUSINESS_PRICE)
    stripe_http.add("get", f"/v1/subscriptions/{SUB}", on_business)
    stripe_http.add("post", f"/v1/subscriptions/{SUB}", once)

    outcome = stripe_reconcile()

    (update,) = stripe_http.calls("post", f"/v1/subscriptions/{SUB}")
    assert update.params["items[0][quantity]"] == "1"
    account.refresh_from_db()
    assert (account.plan, account.seats) == ("business", 1)
    assert "seats 3 → 1" in outcome


def listing(*subscriptions: dict[str, Any]) -> dict[str, Any]:
    """Stripe's list of a customer's subscriptions, newest first."""
    return {
        "object": "list",
        "data": list(subscriptions),
        "has_more": False,
        "url": "/v1/subscriptions",
    }


def test_a_subscription_started_after_the_stored_one_ended_is_followed(
    stripe_http: Any, account: Account
) -> None:
    """The account still points at the cancelled subscription; the customer has paid
    for a new one since, whose checkout webhook was lost. It is found and applied."""
    Account.objects.filter(pk=account.pk).update(status="canceled")
    stripe_http.add("get", f"/v1/subscriptions/{SUB}", recorded("subscription", status="canceled"))
    new = recorded("subscription", id="sub_NEW", status="active")
    stripe_http.add("get", "/v1/subscriptions", listing(new))

    outcome = stripe_reconcile()

    (lookup,) = stripe_http.calls("get", "/v1/subscriptions")
    assert (lookup.params["customer"], lookup.params["status"]) == ("cus_QX1a2b3c4d5e6f", "all")
    account.refresh_from_db()
    assert (account.stripe_subscription_id, account.plan, account.status) == (
        "sub_NEW",
        "pro",
        "active",
    )
    assert f"stripe_subscription_id '{SUB}' → 'sub_NEW'" in outcome
    assert "plan 'free' → 'pro'" in outcome
    # In the workspace's audit log, like the plan change of any repair.
    change = AuditEvent.objects.get(tenant=account.home_tenant, action="billing.plan_changed")
    assert (change.before, change.after) == ({"plan": "free"}, {"plan": "pro", "status": "active"})


def test_the_subscription_paid_for_is_followed_not_a_newer_abandoned_checkout(
    stripe_http: Any, account: Account
) -> None:
    """The newest subscription is a checkout left unpaid (`incomplete_expired`): the one
    before it is the one that grants the plan."""
    Account.objects.filter(pk=account.pk).update(status="canceled")
    stripe_http.add("get", f"/v1/subscriptions/{SUB}", recorded("subscription", status="canceled"))
    abandoned = recorded("subscription", id="sub_ABANDONED", status="incomplete_expired")
    paid = recorded("subscription", id="sub_PAID", status="active")
    stripe_http.add("get", "/v1/subscriptions", listing(abandoned, paid))

    stripe_reconcile()

    account.refresh_from_db()
    assert (account.stripe_subscription_id, account.plan) == ("sub_PAID", "pro")


def test_an_ended_subscription_without_a_successor_stays_ended(
    stripe_http: Any, account: Account
) -> None:
    ended = recorded("subscription", status="canceled")
    Account.objects.filter(pk=account.pk).update(status="canceled")
    stripe_http.add("get", f"/v1/subscriptions/{SUB}", ended)
    stripe_http.add("get", "/v1/subscriptions", listing(ended))
    stripe_reconcile()  # first pass brings the period and the rest in line

    outcome = stripe_reconcile()

    account.refresh_from_db()
    assert (account.stripe_subscription_id, account.plan, account.status) == (
        SUB,
        "free",
        "canceled",
    )
    assert outcome == "Checked 1 account(s): 0 repaired, 0 failed."


def test_an_account_in_sync_is_left_alone(stripe_http: Any, account: Account) -> None:
    stripe_http.add("get", f"/v1/subscriptions/{SUB}", recorded("subscription"))
    stripe_reconcile()  # first pass brings it in line
    stripe_http.requests.clear()

    outcome = stripe_reconcile()

    assert outcome == "Checked 1 account(s): 0 repaired, 0 failed."
    assert len(stripe_http.calls("get", f"/v1/subscriptions/{SUB}")) == 1


def test_an_account_stripe_cannot_answer_for_fails_the_run_with_the_report(
    stripe_http: Any, account: Account
) -> None:
    with pytest.raises(ReconciliationIncomplete) as refused:
        stripe_reconcile()

    assert "Checked 1 account(s): 0 repaired, 1 failed." in refused.value.message
    assert f"account {account.pk}" in refused.value.message
    assert Account.objects.get(pk=account.pk).plan == "free"


def test_without_billing_there_is_nothing_to_reconcile(no_billing: Any, db: None) -> None:
    assert stripe_reconcile() == "Billing is not configured: nothing to reconcile."
