"""The Stripe webhook: verified by signature, stored raw first, each event applied once,
in whatever order Stripe delivers them."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from billing.models import Account, StripeEvent
from core.permissions import BILLING_MANAGE
from tenants.models import Tenant
from tenants.services import membership_suspend, tenant_create_org
from tests.accounts.factories import UserFactory
from tests.billing.conftest import BUSINESS_PRICE, WEBHOOK_SECRET
from tests.billing.stripe_transport import event, recorded, sign, subscription_with
from tests.tenants.factories import add_member, make_role

URL = "/billing/stripe/webhook/"


@pytest.fixture
def account(acme: Any) -> Account:
    account = acme.account
    account.stripe_customer_id = "cus_QX1a2b3c4d5e6f"
    account.save()
    return account


def deliver(
    client: Any, payload: dict | str, *, signature: str | None = None, capture: Any = None
) -> Any:
    body = payload if isinstance(payload, str) else json.dumps(payload)
    headers = {}
    if signature is None:
        signature = sign(body, WEBHOOK_SECRET)
    if signature:
        headers["HTTP_STRIPE_SIGNATURE"] = signature
    with capture(execute=True):
        return client.post(URL, body, content_type="application/json", **headers)


def subscription(**overrides: Any) -> dict[str, Any]:
    return recorded("subscription", **overrides)


@pytest.fixture
def post(client: Any, django_capture_on_commit_callbacks: Any) -> Any:
    def _post(payload: dict | str, signature: str | None = None) -> Any:
        return deliver(
            client, payload, signature=signature, capture=django_capture_on_commit_callbacks
        )

    return _post


def test_a_signed_subscription_event_is_stored_and_applied(
    stripe_http: Any, account: Account, post: Any
) -> None:
    evt = event("customer.subscription.created", subscription())

    response = post(evt)

    assert response.status_code == 200
    account.refresh_from_db()
    assert account.plan == "pro"
    assert account.status == "active"
    assert account.stripe_subscription_id == "sub_1QX9z8y7x6w5v4"
    assert account.current_period_end is not None
    stored = StripeEvent.objects.get(event_id=evt["id"])
    assert stored.signature_valid and stored.is_processed
    assert json.loads(stored.body)["id"] == evt["id"]
    assert stored.type == "customer.subscription.created"


def test_a_tampered_body_is_refused_with_400_and_changes_nothing(
    stripe_http: Any, account: Account, post: Any
) -> None:
    original = json.dumps(event("customer.subscription.created", subscription()))
    tampered = original.replace('"quantity": 1', '"quantity": 500')

    response = post(tampered, signature=sign(original, WEBHOOK_SECRET))

    assert response.status_code == 400
    account.refresh_from_db()
    assert account.plan == "free" and account.stripe_subscription_id == ""
    stored = StripeEvent.objects.get()
    assert stored.signature_valid is False
    assert stored.event_id == "" and not stored.is_processed
    assert "Signature verification failed" in stored.error


def test_a_missing_signature_is_refused(stripe_http: Any, account: Account, post: Any) -> None:
    response = post(event("customer.subscription.created", subscription()), signature="")

    assert response.status_code == 400
    assert StripeEvent.objects.get().error == "Missing Stripe-Signature header."
    account.refresh_from_db()
    assert account.stripe_subscription_id == ""


def test_refused_deliveries_are_stored_only_up_to_an_hourly_cap(
    stripe_http: Any, account: Account, post: Any, settings: Any
) -> None:
    """The endpoint is public and not rate limited: junk must not fill the table."""
    settings.BILLING_UNVERIFIED_EVENTS_PER_HOUR = 3
    junk = event("customer.subscription.created", subscription())

    statuses = [post(junk, signature="").status_code for _ in range(5)]

    assert statuses == [400] * 5
    assert StripeEvent.objects.filter(signature_valid=False).count() == 3


def test_a_signature_with_another_secret_is_refused(
    stripe_http: Any, account: Account, post: Any
) -> None:
    body = json.dumps(event("customer.subscription.created", subscription()))

    response = post(body, signature=sign(body, "whsec_someone_else"))

    assert response.status_code == 400
    assert Account.objects.get(pk=account.pk).plan == "free"


def test_an_expired_timestamp_is_refused_even_with_a_correct_signature(
    stripe_http: Any, account: Account, post: Any
) -> None:
    body = json.dumps(event("customer.subscription.created", subscription()))
    ten_minutes_ago = int(time.time()) - 600  # the library's tolerance is 5 minutes

    response = post(body, signature=sign(body, WEBHOOK_SECRET, timestamp=ten_minutes_ago))

    assert response.status_code == 400
    assert "Timestamp outside the tolerance zone" in StripeEvent.objects.get().error
    assert Account.objects.get(pk=account.pk).plan == "free"


def test_without_a_webhook_secret_every_delivery_is_refused(
    stripe_http: Any, account: Account, post: Any, settings: Any
) -> None:
    settings.STRIPE_WEBHOOK_SECRET = ""

    response = post(event("customer.subscription.created", subscription()))

    assert response.status_code == 400
    assert "STRIPE_WEBHOOK_SECRET is not set" in response.content.decode()
    assert Account.objects.get(pk=account.pk).plan == "free"


def test_the_webhook_needs_no_csrf_token(
    stripe_http: Any, account: Account, django_capture_on_commit_callbacks: Any
) -> None:
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = deliver(
        strict,
        event("ping.unknown", {"object": "ping"}),
        capture=django_capture_on_commit_callbacks,
    )

    assert response.status_code == 200


def test_a_replayed_event_is_acknowledged_and_not_applied_again(
    stripe_http: Any, account: Account, post: Any
) -> None:
    evt = event("customer.subscription.created", subscription())
    post(evt)
    # Someone fixes the seat count by hand after the event was applied.
    Account.objects.filter(pk=account.pk).update(seats=7)

    response = post(evt)

    assert response.status_code == 200
    assert Account.objects.get(pk=account.pk).seats == 7
    stored = StripeEvent.objects.get(event_id=evt["id"])
    assert stored.attempts == 1


def test_out_of_order_delivery_ends_in_the_newest_state(
    stripe_http: Any, account: Account, post: Any
) -> None:
    for _ in range(3):  # four people hold a seat, as Stripe bills
        add_member(account.home_tenant)
    now = int(time.time())
    created = event(
        "customer.subscription.created",
        subscription(status="incomplete"),
        created=now - 120,
    )
    sub = subscription(status="active")
    sub["items"]["data"][0]["quantity"] = 4
    updated = event("customer.subscription.updated", sub, created=now - 60)

    post(updated)  # Stripe delivers the later event first
    post(created)

    account.refresh_from_db()
    assert account.status == "active"
    assert account.seats == 4
    stale = StripeEvent.objects.get(event_id=created["id"])
    assert stale.is_processed and "stale" in stale.outcome


def test_a_plan_change_that_kept_the_old_quantity_is_billed_for_the_seats_in_use(
    stripe_http: Any, account: Account, post: Any
) -> None:
    """Stripe keeps the quantity when a plan changes: a move from a flat plan (one) to
    Pro arrives billed for one seat while three people hold one."""
    add_member(account.home_tenant)
    add_member(account.home_tenant)
    moved = subscription(status="active")
    assert moved["items"]["data"][0]["quantity"] == 1
    stripe_http.add("get", f"/v1/subscriptions/{moved['id']}", moved)
    stripe_http.add("post", f"/v1/subscriptions/{moved['id']}", subscription_with(3))

    post(event("customer.subscription.updated", moved))

    (update,) = stripe_http.calls("post", f"/v1/subscriptions/{moved['id']}")
    assert update.params["items[0][quantity]"] == "3"
    assert Account.objects.get(pk=account.pk).seats == 3


def test_a_move_from_pro_to_a_flat_plan_is_billed_once_not_for_each_seat(
    stripe_http: Any, account: Account, post: Any
) -> None:
    """Stripe's portal swaps the price and keeps the quantity: Pro for three people
    arrives as Business three times over, and is set back to one."""
    add_member(account.home_tenant)
    add_member(account.home_tenant)
    moved = subscription_with(3, price=BUSINESS_PRICE)
    on_business_once = subscription_with(1, price=BUSINESS_PRICE)
    stripe_http.add("get", f"/v1/subscriptions/{moved['id']}", moved)
    stripe_http.add("post", f"/v1/subscriptions/{moved['id']}", on_business_once)

    post(event("customer.subscription.updated", moved))

    (update,) = stripe_http.calls("post", f"/v1/subscriptions/{moved['id']}")
    assert update.params["items[0][quantity]"] == "1"
    account.refresh_from_db()
    assert (account.plan, account.seats) == ("business", 1)


def test_events_of_the_same_second_are_settled_by_asking_stripe(
    stripe_http: Any, account: Account, post: Any
) -> None:
    """Event times are whole seconds: `updated` (active) delivered before `created`
    (incomplete) of the same second cannot be ordered by time, so Stripe is asked."""
    now = int(time.time())
    active = subscription(status="active")
    stripe_http.add("get", f"/v1/subscriptions/{active['id']}", active)

    post(event("customer.subscription.updated", active, created=now))
    post(event("customer.subscription.created", subscription(status="incomplete"), created=now))

    account.refresh_from_db()
    assert account.status == "active"
    assert len(stripe_http.calls("get", f"/v1/subscriptions/{active['id']}")) == 1


def test_replaying_a_payment_failure_does_not_email_the_contacts_again(
    stripe_http: Any, account: Account, post: Any, mailoutbox: list
) -> None:
    from billing.webhook_processing import stripe_events_replay

    invoice = {"id": "in_3", "object": "invoice", "customer": "cus_QX1a2b3c4d5e6f"}
    post(event("invoice.payment_failed", invoice, created=int(time.time())))
    assert len(mailoutbox) == 1

    results = stripe_events_replay(since=timezone.now() - timedelta(hours=1))

    assert len(results) == 1 and "replay" in results[0][1]
    assert len(mailoutbox) == 1


def test_an_unknown_event_type_is_acknowledged_and_recorded(
    stripe_http: Any, account: Account, post: Any
) -> None:
    evt = event("customer.tax_id.created", {"id": "txi_1", "object": "tax_id"})

    response = post(evt)

    assert response.status_code == 200
    stored = StripeEvent.objects.get(event_id=evt["id"])
    assert stored.is_processed
    assert stored.outcome.startswith("ignored")


def test_subscription_deleted_puts_the_account_back_on_free(
    stripe_http: Any, account: Account, post: Any
) -> None:
    now = int(time.time())
    post(event("customer.subscription.created", subscription(), created=now - 60))

    post(event("customer.subscription.deleted", subscription(status="canceled"), created=now))

    account.refresh_from_db()
    assert account.plan == "free"
    assert account.status == "canceled"
    assert not account.has_live_subscription


def test_checkout_completed_fetches_the_subscription_and_applies_it(
    stripe_http: Any, account: Account, post: Any
) -> None:
    stripe_http.add("get", "/v1/subscriptions/sub_1QX9z8y7x6w5v4", subscription())
    session = recorded("checkout_session_complete", metadata={"account_id": str(account.pk)})

    response = post(event("checkout.session.completed", session))

    assert response.status_code == 200
    assert len(stripe_http.calls("get", "/v1/subscriptions/sub_1QX9z8y7x6w5v4")) == 1
    account.refresh_from_db()
    assert (account.plan, account.status) == ("pro", "active")


def test_checkout_completed_matches_a_new_customer_by_the_account_id_in_metadata(
    stripe_http: Any, acme: Any, post: Any
) -> None:
    stripe_http.add("get", "/v1/subscriptions/sub_1QX9z8y7x6w5v4", subscription())
    session = recorded("checkout_session_complete", metadata={"account_id": str(acme.account_id)})

    post(event("checkout.session.completed", session))

    acme.account.refresh_from_db()
    assert acme.account.stripe_customer_id == "cus_QX1a2b3c4d5e6f"
    assert acme.account.plan == "pro"


def test_invoice_paid_rereads_the_subscription(
    stripe_http: Any, account: Account, post: Any
) -> None:
    Account.objects.filter(pk=account.pk).update(
        stripe_subscription_id="sub_1QX9z8y7x6w5v4", plan="pro", status="past_due"
    )
    stripe_http.add("get", "/v1/subscriptions/sub_1QX9z8y7x6w5v4", subscription())
    invoice = {
        "id": "in_1",
        "object": "invoice",
        "customer": "cus_QX1a2b3c4d5e6f",
        "parent": {"subscription_details": {"subscription": "sub_1QX9z8y7x6w5v4"}},
        "status": "paid",
    }

    post(event("invoice.paid", invoice))

    assert Account.objects.get(pk=account.pk).status == "active"


def test_payment_failed_emails_every_billing_contact(
    stripe_http: Any, account: Account, acme: Any, post: Any, mailoutbox: list
) -> None:
    pytest.importorskip("accounts.mail")
    second = add_member(acme, role_key="billing_admin")
    second.is_billing_contact = True
    second.save()
    add_member(acme)  # an ordinary member gets nothing
    invoice = {
        "id": "in_2",
        "object": "invoice",
        "customer": "cus_QX1a2b3c4d5e6f",
        "amount_due": 3600,
        "currency": "usd",
        "hosted_invoice_url": "https://invoice.stripe.com/i/acct_1/test_in_2",
        "next_payment_attempt": int(time.time()) + 3 * 86400,
    }

    response = post(event("invoice.payment_failed", invoice))

    assert response.status_code == 200
    recipients = sorted(addr for m in mailoutbox for addr in m.to)
    owner_email = acme.memberships.get(role__key="owner").user.email
    assert recipients == sorted([owner_email, second.user.email])
    message = mailoutbox[0]
    assert "Payment failed" in message.subject
    assert "36.00 USD" in message.body
    assert "https://invoice.stripe.com/i/acct_1/test_in_2" in message.body


def test_the_failed_amount_is_written_in_each_readers_numbers(
    stripe_http: Any, account: Account, acme: Any, post: Any, mailoutbox: list
) -> None:
    """One email per reader's language, each with its own decimal comma or point."""
    german = add_member(acme, role_key="billing_admin")
    german.is_billing_contact = True
    german.save()
    german.user.language = "de"
    german.user.save(update_fields=["language"])
    invoice = {
        "id": "in_3",
        "object": "invoice",
        "customer": "cus_QX1a2b3c4d5e6f",
        "amount_due": 123456,
        "currency": "eur",
    }

    post(event("invoice.payment_failed", invoice))

    bodies = {tuple(m.to): m.body for m in mailoutbox}
    assert "1.234,56 EUR" in bodies[(german.user.email,)]
    assert "1,234.56 EUR" in next(b for to, b in bodies.items() if german.user.email not in to)


def test_a_billing_contact_the_directory_deactivated_gets_no_more_invoices(
    stripe_http: Any, account: Account, acme: Any, post: Any, mailoutbox: list
) -> None:
    """Someone deprovisioned by the identity provider (SCIM `active: false`) has left
    the company: the payment-failed email and its invoice link go to the others only."""
    pytest.importorskip("accounts.mail")
    gone = add_member(acme, role_key="billing_admin")
    gone.is_billing_contact = True
    gone.save()
    membership_suspend(tenant=acme, membership=gone, acting_user=None)
    invoice = {
        "id": "in_3",
        "object": "invoice",
        "customer": "cus_QX1a2b3c4d5e6f",
        "amount_due": 3600,
        "currency": "usd",
        "hosted_invoice_url": "https://invoice.stripe.com/i/acct_1/test_in_3",
    }

    assert post(event("invoice.payment_failed", invoice)).status_code == 200

    recipients = sorted(addr for m in mailoutbox for addr in m.to)
    assert recipients == [acme.memberships.get(role__key="owner").user.email]
    assert gone.user.email not in recipients


def test_with_no_billing_contact_left_those_who_may_manage_billing_hear_instead(
    stripe_http: Any, account: Account, acme: Any, post: Any, mailoutbox: list
) -> None:
    """No billing contact who can act (a workspace from before contacts were handed
    over, or its only contact deactivated with nobody to take over): a failed payment
    must still reach someone who can fix it before the plan lapses. Everyone active whose
    role in the home workspace includes billing.manage gets it, told why; nobody else."""
    pytest.importorskip("accounts.mail")
    account.plan, account.status = "business", "active"  # room for six and custom roles
    account.stripe_subscription_id = "sub_1QX9z8y7x6w5v4"
    account.save()
    owner = acme.memberships.get(role__key="owner")
    billing_admin = add_member(acme, role_key="billing_admin")
    finance = add_member(acme, role=make_role(acme, "Finance", [BILLING_MANAGE]))
    add_member(acme)  # an ordinary member: still nothing
    gone_admin = add_member(acme, role_key="billing_admin")
    membership_suspend(tenant=acme, membership=gone_admin, acting_user=None)
    acme.memberships.update(is_billing_contact=False)  # as stored before the hand-over
    invoice = {
        "id": "in_4",
        "object": "invoice",
        "customer": "cus_QX1a2b3c4d5e6f",
        "amount_due": 3600,
        "currency": "usd",
    }

    assert post(event("invoice.payment_failed", invoice)).status_code == 200

    recipients = sorted(addr for m in mailoutbox for addr in m.to)
    assert recipients == sorted(m.user.email for m in (owner, billing_admin, finance))
    body = mailoutbox[0].body
    assert "you can manage billing for" in body and "no active billing contact" in body
    assert "you are a billing contact" not in body
    stored = StripeEvent.objects.get(type="invoice.payment_failed")
    assert stored.is_processed and "3 billing manager(s)" in stored.outcome


def test_a_contact_only_in_a_paid_for_workspace_is_not_enough(
    stripe_http: Any, account: Account, acme: Any, owner: Any, post: Any, mailoutbox: list
) -> None:
    """Acme's account also pays for Leech, whose contact hears as a contact; but nobody
    there can change how the account pays, so Acme's billing managers hear too."""
    pytest.importorskip("accounts.mail")
    leech = tenant_create_org(owner=UserFactory(email="lee@example.com"), name="Leech")
    Tenant.objects.filter(pk=leech.pk).update(account=account)
    acme.memberships.update(is_billing_contact=False)  # as stored before the hand-over
    invoice = {"id": "in_6", "object": "invoice", "customer": "cus_QX1a2b3c4d5e6f"}

    assert post(event("invoice.payment_failed", invoice)).status_code == 200

    told = {addr: m.body for m in mailoutbox for addr in m.to}
    assert set(told) == {"lee@example.com", owner.email}
    assert "you are a billing contact" in told["lee@example.com"]
    assert "you can manage billing for" in told[owner.email]
    stored = StripeEvent.objects.get(type="invoice.payment_failed")
    assert "1 contact(s) and 1 billing manager(s)" in stored.outcome


def test_the_contacts_alone_hear_while_one_can_act(
    stripe_http: Any, account: Account, acme: Any, post: Any, mailoutbox: list
) -> None:
    """The fallback is only a fallback: a billing contact who can act is enough."""
    pytest.importorskip("accounts.mail")
    add_member(acme, role_key="billing_admin")
    invoice = {"id": "in_5", "object": "invoice", "customer": "cus_QX1a2b3c4d5e6f"}

    assert post(event("invoice.payment_failed", invoice)).status_code == 200

    recipients = [addr for m in mailoutbox for addr in m.to]
    assert recipients == [acme.memberships.get(role__key="owner").user.email]
    assert "you are a billing contact" in mailoutbox[0].body


def test_an_event_for_an_unknown_customer_is_kept_with_its_error_for_replay(
    stripe_http: Any, post: Any, db: None
) -> None:
    evt = event("customer.subscription.updated", subscription(customer="cus_nobody", metadata={}))

    response = post(evt)

    assert response.status_code == 200  # Stripe must not retry forever; the row is kept
    stored = StripeEvent.objects.get(event_id=evt["id"])
    assert not stored.is_processed
    assert "No account for customer cus_nobody" in stored.error


# --- Live and test mode; rotating the signing secret ------------------------------------


def test_a_test_mode_checkout_cannot_upgrade_a_live_account(
    stripe_http: Any, acme: Any, post: Any, settings: Any, caplog: Any
) -> None:
    """Test-mode checkouts cost nothing; one signed with a secret we accept (a test
    endpoint's secret added by mistake) must not hand a live account a paid plan."""
    settings.STRIPE_SECRET_KEY = "sk_live_pacetrack"
    stripe_http.add("get", "/v1/subscriptions/sub_1QX9z8y7x6w5v4", subscription())
    session = recorded("checkout_session_complete", metadata={"account_id": str(acme.account_id)})
    evt = event("checkout.session.completed", session)  # livemode: false

    response = post(evt)

    assert response.status_code == 200  # acknowledged: Stripe must not retry it
    stored = StripeEvent.objects.get(event_id=evt["id"])
    assert stored.signature_valid and not stored.livemode
    assert stored.outcome == "refused: test-mode event, live-mode key"
    acme.account.refresh_from_db()
    assert (acme.account.plan, acme.account.stripe_customer_id) == ("free", "")
    assert stripe_http.requests == []
    assert "not applied" in caplog.text


def test_a_live_mode_event_is_recorded_but_not_applied_with_a_test_key(
    stripe_http: Any, account: Account, post: Any
) -> None:
    evt = event("customer.subscription.created", subscription())
    evt["livemode"] = True

    response = post(evt)

    assert response.status_code == 200
    stored = StripeEvent.objects.get(event_id=evt["id"])
    assert stored.livemode and stored.is_processed
    assert stored.outcome == "refused: live-mode event, test-mode key"
    assert Account.objects.get(pk=account.pk).stripe_subscription_id == ""


def test_replaying_an_event_of_the_other_mode_still_does_not_apply_it(
    stripe_http: Any, account: Account, post: Any
) -> None:
    from billing.webhook_processing import stripe_events_replay

    evt = event("customer.subscription.created", subscription())
    evt["livemode"] = True
    post(evt)

    ((_, outcome),) = stripe_events_replay(event_id=evt["id"])

    assert outcome == "refused: live-mode event, test-mode key"
    assert Account.objects.get(pk=account.pk).stripe_subscription_id == ""


def test_the_signing_secret_can_be_rotated_with_an_overlap(
    stripe_http: Any, account: Account, post: Any, settings: Any
) -> None:
    settings.STRIPE_WEBHOOK_SECRET = f"whsec_rotated_0123456789, {WEBHOOK_SECRET}"
    old_body = json.dumps(event("customer.subscription.created", subscription(), id="evt_old"))
    new_body = json.dumps(event("customer.subscription.updated", subscription(), id="evt_new"))
    forged_body = json.dumps(event("customer.subscription.updated", subscription(), id="evt_x"))

    old = post(old_body, signature=sign(old_body, WEBHOOK_SECRET))
    new = post(new_body, signature=sign(new_body, "whsec_rotated_0123456789"))
    forged = post(forged_body, signature=sign(forged_body, "whsec_someone_else"))

    assert (old.status_code, new.status_code, forged.status_code) == (200, 200, 400)
    verified = StripeEvent.objects.verified().values_list("event_id", flat=True)
    assert sorted(verified) == ["evt_new", "evt_old"]


def test_a_secret_list_of_only_separators_counts_as_unset(
    stripe_http: Any, account: Account, post: Any, settings: Any
) -> None:
    settings.STRIPE_WEBHOOK_SECRET = " , "

    response = post(event("customer.subscription.created", subscription()))

    assert response.status_code == 400
    assert "STRIPE_WEBHOOK_SECRET is not set" in response.content.decode()
