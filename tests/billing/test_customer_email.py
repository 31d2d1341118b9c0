"""Stripe's own receipts and payment reminders go to the billing contact of now. The
customer's email was set once, when it was created: a contact replaced, handed over
or deactivated by the directory kept getting Stripe's emails (invoice links
included). Each change of the home workspace's billing contacts tells Stripe, after
the commit, through the task queue."""

from __future__ import annotations

from typing import Any

import pytest

from billing.backends import billing_backend
from billing.backends.local import Kind
from billing.models import Account, LocalBillingObject
from tenants.models import Membership, Tenant
from tenants.services import (
    membership_set_billing_contact,
    membership_set_primary_contact,
    membership_suspend,
    ownership_transfer,
    tenant_create_org,
)
from tests.accounts.factories import UserFactory
from tests.tenants.factories import add_member

CUSTOMER = "/v1/customers/cus_QX1a2b3c4d5e6f"


@pytest.fixture
def customer(acme: Any) -> Any:
    """Acme's account has a Stripe customer (no subscription needed)."""
    Account.objects.filter(pk=acme.account_id).update(stripe_customer_id="cus_QX1a2b3c4d5e6f")
    acme.account.refresh_from_db()
    return acme


def told(stripe_http: Any) -> list[str]:
    return [call.params["email"] for call in stripe_http.calls("post", CUSTOMER)]


def make_carol_the_contact(acme: Any, capture: Any) -> Membership:
    carol = add_member(acme, UserFactory(email="carol@example.com"), "billing_admin")
    owner = acme.memberships.get(role__key="owner")
    with capture(execute=True):
        membership_set_billing_contact(
            tenant=acme, membership=carol, is_billing_contact=True, acting_user=None
        )
        membership_set_primary_contact(tenant=acme, membership=carol, acting_user=None)
        membership_set_billing_contact(
            tenant=acme, membership=owner, is_billing_contact=False, acting_user=None
        )
    return carol


def test_a_new_first_contact_is_told_to_stripe(
    stripe_http: Any, customer: Any, django_capture_on_commit_callbacks: Any
) -> None:
    stripe_http.add("post", CUSTOMER, {"id": "cus_QX1a2b3c4d5e6f", "object": "customer"})

    make_carol_the_contact(customer, django_capture_on_commit_callbacks)

    assert told(stripe_http)[-1] == "carol@example.com"


def test_a_contact_the_directory_deactivated_stops_getting_stripe_s_emails(
    stripe_http: Any, customer: Any, owner: Any, django_capture_on_commit_callbacks: Any
) -> None:
    stripe_http.add("post", CUSTOMER, {"id": "cus_QX1a2b3c4d5e6f", "object": "customer"})
    carol = make_carol_the_contact(customer, django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        membership_suspend(tenant=customer, membership=carol, acting_user=None)

    assert told(stripe_http)[-1] == owner.email  # handed over to the owner


def test_a_transfer_that_hands_over_the_primary_contact_tells_stripe(
    stripe_http: Any, customer: Any, owner: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """The primary contact comes first among the billing contacts Stripe is told: the
    transfer moved it without a word to Stripe."""
    stripe_http.add("post", CUSTOMER, {"id": "cus_QX1a2b3c4d5e6f", "object": "customer"})
    ada = add_member(customer, UserFactory(email="ada@example.com"))
    membership_set_billing_contact(
        tenant=customer, membership=ada, is_billing_contact=True, acting_user=owner
    )

    with django_capture_on_commit_callbacks(execute=True):
        ownership_transfer(tenant=customer, to_membership=ada, acting_user=owner)

    assert told(stripe_http) == ["ada@example.com"]


def test_a_workspace_the_account_only_pays_for_tells_stripe_nothing(
    stripe_http: Any, customer: Any, django_capture_on_commit_callbacks: Any
) -> None:
    leech = tenant_create_org(owner=UserFactory(), name="Leech")
    Tenant.objects.filter(pk=leech.pk).update(account=customer.account)
    leech.refresh_from_db()
    lee = add_member(leech, UserFactory(email="lee@example.com"), "billing_admin")

    with django_capture_on_commit_callbacks(execute=True):
        membership_set_billing_contact(
            tenant=leech, membership=lee, is_billing_contact=True, acting_user=None
        )

    assert stripe_http.requests == []


def test_the_local_provider_keeps_the_new_address_too(
    local_billing: Any, acme: Any, owner: Any, django_capture_on_commit_callbacks: Any
) -> None:
    customer_id = billing_backend().customer_create(
        account_id=acme.account_id, email=owner.email, name="Acme", idempotency_key="k1"
    )
    Account.objects.filter(pk=acme.account_id).update(stripe_customer_id=customer_id)
    acme.account.refresh_from_db()

    make_carol_the_contact(acme, django_capture_on_commit_callbacks)

    stored = LocalBillingObject.objects.get(kind=Kind.CUSTOMER, object_id=customer_id)
    assert stored.data["email"] == "carol@example.com"


def test_the_contact_changing_their_own_address_is_told_to_stripe(
    stripe_http: Any, customer: Any, owner: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """The owner (the first billing contact) moved to a new address: Stripe's receipts
    and reminders kept going to the old one, a mailbox they may no longer control."""
    from accounts.models import EmailToken
    from accounts.services_email import email_verify
    from accounts.tokens import email_token_issue

    stripe_http.add("post", CUSTOMER, {"id": "cus_QX1a2b3c4d5e6f", "object": "customer"})
    raw = email_token_issue(
        user=owner, purpose=EmailToken.Purpose.EMAIL_CHANGE, email="owner.new@example.com"
    )

    with django_capture_on_commit_callbacks(execute=True):
        email_verify(raw_token=raw, signed_in_user_id=owner.pk)

    assert told(stripe_http) == ["owner.new@example.com"]


def test_a_member_who_is_no_contact_changing_their_address_tells_stripe_nothing(
    stripe_http: Any, customer: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from accounts.models import EmailToken
    from accounts.services_email import email_verify
    from accounts.tokens import email_token_issue

    mia = add_member(customer, UserFactory(email="mia@example.com"), "member")
    raw = email_token_issue(
        user=mia.user, purpose=EmailToken.Purpose.EMAIL_CHANGE, email="mia.new@example.com"
    )

    with django_capture_on_commit_callbacks(execute=True):
        email_verify(raw_token=raw, signed_in_user_id=mia.user_id)

    assert stripe_http.requests == []
