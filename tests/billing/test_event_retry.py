"""Failed webhook events are retried automatically with backoff (the scheduler's
stripe_events_retry job), and staff hear about an event that keeps failing. The clock
is time-machine's; Stripe's HTTP edge is the recorded transport."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine

from billing.jobs import stripe_events_retry
from billing.models import Account, StripeEvent
from scheduler.models import ScheduledRun
from scheduler.services import schedule_tick
from tests.billing.stripe_transport import event, recorded
from tests.billing.test_webhooks import deliver

T0 = datetime(2026, 3, 1, 10, 1, 0, tzinfo=UTC)
CUSTOMER = "cus_QX1a2b3c4d5e6f"


@pytest.fixture
def retry_settings(billing_settings: Any) -> Any:
    billing_settings.BILLING_EVENT_RETRY_BASE_SECONDS = 60
    billing_settings.BILLING_EVENT_RETRY_MAX_SECONDS = 3600
    billing_settings.BILLING_EVENT_MAX_ATTEMPTS = 5
    billing_settings.BILLING_EVENT_ALERT_AFTER = 3
    billing_settings.SCHEDULE = {
        "stripe_events_retry": {"task": "billing.jobs.stripe_events_retry", "every": "1m"}
    }
    return billing_settings


def orphan_event() -> dict[str, Any]:
    """A subscription event for a customer no account has yet (e.g. delivered before the
    checkout's own customer id was saved): processing fails until the account exists."""
    return event("customer.subscription.created", recorded("subscription", metadata={}))


def tick(capture: Any) -> None:
    with capture(execute=True):
        schedule_tick(claimed_by="test")


def test_a_failing_event_is_retried_by_the_scheduler_once_its_backoff_has_passed(
    retry_settings: Any,
    stripe_http: Any,
    acme: Any,
    client: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with time_machine.travel(T0, tick=False) as clock:
        deliver(client, orphan_event(), capture=django_capture_on_commit_callbacks)
        stored = StripeEvent.objects.get()
        assert (stored.attempts, stored.processed_at) == (1, None)
        assert stored.next_attempt_at == T0 + timedelta(seconds=60)

        # The customer gets linked; the next scheduler tick comes before the backoff ends.
        Account.objects.filter(pk=acme.account_id).update(stripe_customer_id=CUSTOMER)
        clock.move_to(T0 + timedelta(seconds=59))
        tick(django_capture_on_commit_callbacks)
        assert StripeEvent.objects.get().processed_at is None

        clock.move_to(T0 + timedelta(seconds=60))
        tick(django_capture_on_commit_callbacks)

    stored.refresh_from_db()
    assert stored.is_processed and stored.attempts == 2 and stored.next_attempt_at is None
    assert Account.objects.get(pk=acme.account_id).plan == "pro"
    run = ScheduledRun.objects.get(slot=T0 + timedelta(seconds=60))
    assert run.outcome == "Retried 1 event(s): 1 applied, 0 failed again."


def test_the_backoff_doubles_and_stops_after_the_last_attempt(
    retry_settings: Any,
    stripe_http: Any,
    client: Any,
    db: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    waits = []
    with time_machine.travel(T0, tick=False) as clock:
        deliver(client, orphan_event(), capture=django_capture_on_commit_callbacks)
        for _ in range(6):
            row = StripeEvent.objects.get()
            if row.next_attempt_at is None:
                break
            waits.append((row.next_attempt_at - datetime.now(tz=UTC)).total_seconds())
            clock.move_to(row.next_attempt_at)
            stripe_events_retry()

    assert waits == [60, 120, 240, 480]
    row = StripeEvent.objects.get()
    assert (row.attempts, row.next_attempt_at, row.processed_at) == (5, None, None)
    assert "No account for customer" in row.error
    with time_machine.travel(T0 + timedelta(days=1), tick=False):
        assert stripe_events_retry() == "Retried 0 event(s): 0 applied, 0 failed again."


def test_staff_are_emailed_once_when_an_event_has_failed_n_times(
    retry_settings: Any,
    stripe_http: Any,
    client: Any,
    db: None,
    staff: Any,
    user: Any,
    mailoutbox: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with time_machine.travel(T0, tick=False) as clock:
        deliver(client, orphan_event(), capture=django_capture_on_commit_callbacks)
        for _ in range(3):
            clock.move_to(StripeEvent.objects.get().next_attempt_at)
            with django_capture_on_commit_callbacks(execute=True):
                stripe_events_retry()
            if StripeEvent.objects.get().attempts == 3:
                assert len(mailoutbox) == 1

    assert StripeEvent.objects.get().attempts == 4
    assert len(mailoutbox) == 1  # the 4th failure does not email again
    alert = mailoutbox[0]
    assert alert.to == [staff.email]  # staff only, not the ordinary user
    assert "keeps failing (3 attempts)" in alert.subject
    assert "No account for customer" in alert.body
    assert f"/admin/billing/stripeevent/{StripeEvent.objects.get().pk}/change/" in alert.body


def test_an_event_whose_first_attempt_never_ran_is_picked_up_after_ten_minutes(
    retry_settings: Any, stripe_http: Any, acme: Any, settings: Any
) -> None:
    """A delivery stored while the worker was down and whose task got lost."""
    Account.objects.filter(pk=acme.account_id).update(stripe_customer_id=CUSTOMER)
    with time_machine.travel(T0, tick=False) as clock:
        evt = orphan_event()
        StripeEvent.objects.create(
            event_id=evt["id"],
            type=evt["type"],
            body=json.dumps(evt),
            signature_valid=True,
            created_at_stripe=T0,
        )
        clock.move_to(T0 + timedelta(minutes=9))
        assert stripe_events_retry().startswith("Retried 0")
        clock.move_to(T0 + timedelta(minutes=11))
        assert stripe_events_retry().startswith("Retried 1 event(s): 1 applied")
