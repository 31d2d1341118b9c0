"""replay_stripe_events and sync_stripe."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from billing.models import Account, StripeEvent
from tests.billing.stripe_transport import event, recorded


@pytest.fixture
def account(acme: Any) -> Account:
    Account.objects.filter(pk=acme.account_id).update(stripe_customer_id="cus_QX1a2b3c4d5e6f")
    return Account.objects.get(pk=acme.account_id)


def stored(evt: dict[str, Any]) -> StripeEvent:
    return StripeEvent.objects.create(
        event_id=evt["id"], type=evt["type"], body=json.dumps(evt), signature_valid=True
    )


def test_replay_applies_an_event_that_failed_before(
    stripe_http: Any, account: Account, capsys: Any
) -> None:
    evt = event("customer.subscription.updated", recorded("subscription"))
    row = stored(evt)
    row.error = "No account for customer cus_QX1a2b3c4d5e6f."
    row.save()

    call_command("replay_stripe_events", "--event", evt["id"])

    row.refresh_from_db()
    assert row.is_processed and row.error == ""
    assert Account.objects.get(pk=account.pk).plan == "pro"
    assert "Replayed 1 event(s), 0 failed." in capsys.readouterr().out


def test_replay_since_skips_older_deliveries_and_unverified_ones(
    stripe_http: Any, account: Account, capsys: Any
) -> None:
    old = stored(event("customer.subscription.updated", recorded("subscription"), id="evt_old"))
    StripeEvent.objects.filter(pk=old.pk).update(received_at="2020-01-01T00:00:00Z")
    StripeEvent.objects.create(body="{}", signature_valid=False, error="bad signature")
    recent = stored(event("customer.tax_id.created", {"id": "txi_1"}, id="evt_recent"))

    call_command("replay_stripe_events", "--since", "1d")

    out = capsys.readouterr().out
    assert "evt_recent" in out and "evt_old" not in out
    recent.refresh_from_db()
    assert recent.is_processed
    assert not StripeEvent.objects.get(pk=old.pk).is_processed


def test_replay_reports_failures(stripe_http: Any, db: None) -> None:
    evt = event(
        "customer.subscription.updated", recorded("subscription", customer="cus_x", metadata={})
    )
    stored(evt)

    with pytest.raises(CommandError, match="1 event"):
        call_command("replay_stripe_events", "--event", evt["id"])


def test_replay_needs_a_selection(db: None) -> None:
    with pytest.raises(CommandError, match="--since and/or --event"):
        call_command("replay_stripe_events")
    with pytest.raises(CommandError, match="No verified event evt_nope"):
        call_command("replay_stripe_events", "--event", "evt_nope")
    with pytest.raises(CommandError, match="ISO date"):
        call_command("replay_stripe_events", "--since", "yesterday")
    with pytest.raises(CommandError, match="ISO date"):  # was "month must be in 1..12"
        call_command("replay_stripe_events", "--since", "2026-13-45")


def test_sync_stripe_repairs_local_state(stripe_http: Any, account: Account, capsys: Any) -> None:
    Account.objects.filter(pk=account.pk).update(
        stripe_subscription_id="sub_1QX9z8y7x6w5v4",
        plan="free",
        status="past_due",
    )
    stripe_http.add("get", "/v1/subscriptions/sub_1QX9z8y7x6w5v4", recorded("subscription"))

    call_command("sync_stripe", "--account", str(account.pk))

    account.refresh_from_db()
    assert (account.plan, account.status) == ("pro", "active")
    assert "pro, active, 1 seat(s)" in capsys.readouterr().out


def test_sync_stripe_finds_a_subscription_by_customer(stripe_http: Any, account: Account) -> None:
    stripe_http.add(
        "get",
        "/v1/subscriptions",
        {
            "object": "list",
            "data": [recorded("subscription")],
            "has_more": False,
            "url": "/v1/subscriptions",
        },
    )

    call_command("sync_stripe")

    (listing,) = stripe_http.calls("get", "/v1/subscriptions")
    assert listing.params["customer"] == "cus_QX1a2b3c4d5e6f"
    assert Account.objects.get(pk=account.pk).stripe_subscription_id == "sub_1QX9z8y7x6w5v4"


def test_sync_stripe_explains_bad_input(no_billing: Any, db: None) -> None:
    with pytest.raises(CommandError, match="Billing is not configured"):
        call_command("sync_stripe")


def test_sync_stripe_says_when_there_is_nothing_to_sync(
    billing_settings: Any, db: None, capsys: Any
) -> None:
    """It printed nothing and exited 0: a run that did its work looked the same."""
    call_command("sync_stripe")

    assert "No billing account has a Stripe customer: nothing to sync." in capsys.readouterr().out


def test_sync_stripe_unknown_account(billing_settings: Any, db: None) -> None:
    with pytest.raises(CommandError, match="No billing account with id 999999"):
        call_command("sync_stripe", "--account", "999999")


def test_replayed_stale_events_stay_ignored(stripe_http: Any, account: Account) -> None:
    now = int(time.time())
    newer = event("customer.subscription.updated", recorded("subscription"), created=now)
    older = event(
        "customer.subscription.updated",
        recorded("subscription", status="past_due"),
        created=now - 3600,
        id="evt_older",
    )
    stored(newer)
    stored(older)

    call_command("replay_stripe_events", "--since", "1h")

    assert Account.objects.get(pk=account.pk).status == "active"
