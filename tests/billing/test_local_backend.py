"""The local billing backend: its state lives in the database, and its portal cancels,
resumes, changes plan and simulates payments, each through the same
webhook-shaped processing as Stripe's events."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command

from billing.backends.local import LocalBillingBackend
from billing.models import Account, LocalBillingObject, StripeEvent
from core.models import AuditEvent
from tests.accounts.factories import UserFactory
from tests.billing.test_views import flash, url
from tests.tenants.factories import OrgFactory, add_member


@pytest.fixture
def subscribed(
    local_billing: Any, owner_client: Any, acme: Any, django_capture_on_commit_callbacks: Any
) -> Account:
    """Acme on Business through the local checkout."""
    with django_capture_on_commit_callbacks(execute=True):
        checkout = owner_client.post(url(acme, "checkout/"), {"plan": "business"})
        owner_client.get(checkout.url)
    return Account.objects.get(pk=acme.account_id)


def act(client: Any, acme: Any, capture: Any, **data: Any) -> Any:
    with capture(execute=True):
        return client.post(url(acme, "portal/local/act/"), data)


def test_checkout_state_is_stored_in_the_database_and_read_back(
    subscribed: Account, acme: Any
) -> None:
    assert (subscribed.plan, subscribed.status) == ("business", "active")
    kinds = set(LocalBillingObject.objects.values_list("kind", flat=True))
    assert kinds == {"customer", "subscription", "checkout.session", "invoice"}
    # Another process (a fresh backend instance) sees the same provider state.
    sub = LocalBillingBackend().subscription_get(subscription_id=subscribed.stripe_subscription_id)
    assert sub["status"] == "active"
    assert StripeEvent.objects.filter(type="checkout.session.completed").get().is_processed


def test_sync_stripe_and_reconciliation_work_under_the_local_backend(
    subscribed: Account, capsys: Any
) -> None:
    Account.objects.filter(pk=subscribed.pk).update(plan="free", status="")

    call_command("sync_stripe")

    assert Account.objects.get(pk=subscribed.pk).plan == "business"
    assert "repaired plan 'free' → 'business'" in capsys.readouterr().out


def test_cancel_at_period_end_then_resume(
    subscribed: Account,
    owner_client: Any,
    acme: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    response = act(owner_client, acme, django_capture_on_commit_callbacks, action="cancel")

    assert flash(response)[-1] == "The subscription ends with the current period."
    subscribed.refresh_from_db()
    assert subscribed.cancel_at_period_end and subscribed.plan == "business"
    event = StripeEvent.objects.filter(type="customer.subscription.updated").latest("pk")
    assert event.is_processed and event.signature_valid

    act(owner_client, acme, django_capture_on_commit_callbacks, action="resume")

    subscribed.refresh_from_db()
    assert not subscribed.cancel_at_period_end


def test_a_cancelled_subscription_ends_with_the_period_and_the_account_is_free_again(
    subscribed: Account, owner_client: Any, acme: Any, django_capture_on_commit_callbacks: Any
) -> None:
    act(owner_client, acme, django_capture_on_commit_callbacks, action="cancel")
    act(owner_client, acme, django_capture_on_commit_callbacks, action="renew")

    subscribed.refresh_from_db()
    assert (subscribed.status, subscribed.plan) == ("canceled", "free")
    assert StripeEvent.objects.filter(type="customer.subscription.deleted").get().is_processed


def test_downgrade_to_pro_changes_the_plan_and_is_audited(
    subscribed: Account, owner_client: Any, acme: Any, django_capture_on_commit_callbacks: Any
) -> None:
    act(owner_client, acme, django_capture_on_commit_callbacks, action="change_plan", plan="pro")

    subscribed.refresh_from_db()
    assert (subscribed.plan, subscribed.status) == ("pro", "active")
    change = AuditEvent.objects.filter(tenant=acme, action="billing.plan_changed").latest("pk")
    assert (change.before, change.after["plan"]) == ({"plan": "business"}, "pro")


def quantity_at_provider(account: Account) -> int:
    sub = LocalBillingBackend().subscription_get(subscription_id=account.stripe_subscription_id)
    return int(sub["items"]["data"][0]["quantity"])


def test_a_per_seat_plan_is_billed_for_the_members_after_a_flat_plan(
    subscribed: Account, owner_client: Any, acme: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """Business is flat (quantity 1); moving back to Pro must not leave the per-seat
    subscription billed for that one seat while three people hold one."""
    add_member(acme)
    add_member(acme)

    act(owner_client, acme, django_capture_on_commit_callbacks, action="change_plan", plan="pro")

    subscribed.refresh_from_db()
    assert (subscribed.plan, subscribed.seats, quantity_at_provider(subscribed)) == ("pro", 3, 3)

    act(
        owner_client,
        acme,
        django_capture_on_commit_callbacks,
        action="change_plan",
        plan="business",
    )
    act(owner_client, acme, django_capture_on_commit_callbacks, action="change_plan", plan="pro")

    subscribed.refresh_from_db()
    assert (subscribed.seats, quantity_at_provider(subscribed)) == (3, 3)


def test_the_portal_has_no_seat_count_to_type(
    subscribed: Account, owner_client: Any, acme: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """Seats follow the members; a posted count (even a digit int() cannot read) is refused
    as an unknown action, not a server error."""
    act(owner_client, acme, django_capture_on_commit_callbacks, action="change_plan", plan="pro")

    response = act(
        owner_client, acme, django_capture_on_commit_callbacks, action="change_seats", seats="²"
    )

    assert flash(response)[-1] == "Unknown portal action “change_seats”."
    assert Account.objects.get(pk=subscribed.pk).seats == 1
    page = owner_client.get(url(acme, "portal/local/"))
    assert 'name="seats"' not in page.content.decode()


def test_reconciliation_sets_a_drifted_seat_count_back_to_the_members(
    subscribed: Account,
    owner_client: Any,
    acme: Any,
    django_capture_on_commit_callbacks: Any,
    capsys: Any,
) -> None:
    """A quantity changed at the provider without an event we processed (a lost webhook,
    the Stripe dashboard) is repaired by the daily reconciliation."""
    add_member(acme)
    act(owner_client, acme, django_capture_on_commit_callbacks, action="change_plan", plan="pro")
    backend = LocalBillingBackend()
    sub = backend.subscription_get(subscription_id=subscribed.stripe_subscription_id)
    sub["items"]["data"][0]["quantity"] = 9
    backend.subscription_save(sub)  # no event: the change was never announced

    call_command("sync_stripe")

    subscribed.refresh_from_db()
    assert (subscribed.seats, quantity_at_provider(subscribed)) == (2, 2)
    assert "repaired seats 9 → 2" in capsys.readouterr().out


def test_a_failed_payment_makes_the_account_past_due_and_emails_contacts_until_paid(
    subscribed: Account,
    owner_client: Any,
    acme: Any,
    mailoutbox: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    mailoutbox.clear()
    act(owner_client, acme, django_capture_on_commit_callbacks, action="fail_payment")

    subscribed.refresh_from_db()
    assert subscribed.status == "past_due"
    assert StripeEvent.objects.filter(type="invoice.payment_failed").get().is_processed
    assert [m.subject for m in mailoutbox] == [f"Payment failed for {subscribed.name}"]
    # No provider page for the invoice: the link is the workspace's billing page.
    assert f"{settings.SITE_URL}/t/{acme.slug}/billing/\n" in mailoutbox[0].body
    assert f'href="{settings.SITE_URL}/t/{acme.slug}/billing/"' in mailoutbox[0].alternatives[0][0]
    portal = owner_client.get(url(acme, "portal/local/")).content.decode()
    assert "Open" in portal and "The customer pays" in portal

    act(owner_client, acme, django_capture_on_commit_callbacks, action="pay")

    subscribed.refresh_from_db()
    assert subscribed.status == "active"
    assert StripeEvent.objects.filter(type="invoice.paid").get().is_processed


def test_the_billing_page_lists_the_local_invoices(
    subscribed: Account, owner_client: Any, acme: Any
) -> None:
    page = owner_client.get(url(acme)).content.decode()

    assert "LOCAL-0001" in page
    assert "299.00 USD" in page
    assert url(acme, "portal/local/") in page  # "Manage billing" opens our portal


def test_only_billing_managers_of_the_home_workspace_may_act(
    subscribed: Account, client: Any, acme: Any, django_capture_on_commit_callbacks: Any
) -> None:
    member = add_member(acme)
    client.force_login(member.user)

    page = client.get(url(acme, "portal/local/"))
    refused = act(client, acme, django_capture_on_commit_callbacks, action="cancel")

    assert (page.status_code, refused.status_code) == (403, 403)
    assert not Account.objects.get(pk=subscribed.pk).cancel_at_period_end


def test_an_unknown_action_is_refused(
    subscribed: Account, owner_client: Any, acme: Any, django_capture_on_commit_callbacks: Any
) -> None:
    response = act(owner_client, acme, django_capture_on_commit_callbacks, action="refund_all")

    assert flash(response)[-1] == "Unknown portal action “refund_all”."


def test_without_the_local_backend_the_portal_page_leads_back_to_billing(
    billing_settings: Any, owner_client: Any, acme: Any, django_capture_on_commit_callbacks: Any
) -> None:
    page = owner_client.get(url(acme, "portal/local/"))
    response = act(owner_client, acme, django_capture_on_commit_callbacks, action="cancel")

    assert page.status_code == 302 and page.url == url(acme)
    assert flash(response)[-1] == "The local billing portal only exists with the local backend."


def test_a_trial_starts_trialing_without_an_invoice(
    local_billing: Any, owner_client: Any, acme: Any, django_capture_on_commit_callbacks: Any
) -> None:
    local_billing.BILLING_TRIAL_DAYS = 14
    assert "14-day free trial" in owner_client.get(url(acme)).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        checkout = owner_client.post(url(acme, "checkout/"), {"plan": "pro"})
        owner_client.get(checkout.url)

    account = Account.objects.get(pk=acme.account_id)
    assert (account.plan, account.status) == ("pro", "trialing")
    assert not LocalBillingObject.objects.filter(kind="invoice").exists()


def test_a_forged_checkout_id_on_the_return_page_is_told_in_the_readers_words(
    subscribed: Account, owner_client: Any, acme: Any, caplog: Any
) -> None:
    """As Stripe would refuse it: no provider text (ids, object kinds) reaches people."""
    owner_client.cookies["pacetrack-language"] = "de"
    owner_client.get("/")
    response = owner_client.get(url(acme, "success/?session_id=cs_forged"), follow=True)

    said = flash(response)[-1]
    assert "cs_forged" not in said and "checkout.session" not in said
    assert said.startswith("Unser Zahlungsanbieter konnte diese Anfrage nicht verarbeiten.")
    assert "no such checkout.session: cs_forged" in caplog.text
    assert Account.objects.get(pk=subscribed.pk).plan == "business"


def test_the_portal_of_an_account_paid_from_another_workspace_says_why_it_is_refused(
    subscribed: Account, acme: Any, client: Any
) -> None:
    """Beta's owner may manage Beta's billing, but Acme's account pays for Beta: the 403
    page names the reason instead of blaming their role."""
    beta_owner = UserFactory()
    beta = OrgFactory(owner=beta_owner, name="Beta")
    beta.account = subscribed
    beta.save()
    client.force_login(beta_owner)

    response = client.get(url(beta, "portal/local/"))

    assert response.status_code == 403
    page = response.content.decode()
    assert "Only the billing managers of this account can open its portal." in page
    assert "Your role does not allow this action" not in page
