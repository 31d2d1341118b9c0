"""Processing stored Stripe events (the worker side of webhooks): each event id once.

`billing.tasks.stripe_event_process_task` runs `stripe_event_process` for a delivery
`billing.webhooks.stripe_event_receive` stored; staff replay from the admin and
`replay_stripe_events`. Processing applies state from the event's object with its
timestamp, so deliveries in any order end in the state of the newest one.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accounts.mail import email_enqueue
from accounts.mail_delivery import absolute_url
from accounts.models import User
from billing.backends import billing_backend
from billing.backends.base import LOCAL_ACTOR_KEY
from billing.models import Account, StripeEvent
from billing.selectors import (
    account_billing_emails,
    account_billing_manager_emails,
    account_for_stripe_object,
    account_home_has_billing_contact,
    money_when_shown,
)
from billing.subscriptions import account_seats_sync, account_subscription_apply

logger = logging.getLogger("billing.webhooks")
security_logger = logging.getLogger("billing.security")


class EventNotApplicable(Exception):
    """Processing cannot finish yet (e.g. no account for the customer); retry later."""


def stripe_key_is_live() -> bool:
    """Whether STRIPE_SECRET_KEY is a live-mode key (anything else counts as test mode)."""
    return settings.STRIPE_SECRET_KEY.startswith(("sk_live_", "rk_live_"))


def stripe_event_process(*, event: StripeEvent, force: bool = False) -> str:
    """Apply one verified event (once; `force` re-applies a processed one, for replays).

    Returns the outcome. Errors are stored on the row and re-raised so the task
    backend sees the failure; the row stays unprocessed for `replay_stripe_events`.
    """
    try:
        with transaction.atomic():
            row = StripeEvent.objects.select_for_update().get(pk=event.pk)
            if not row.signature_valid:
                raise ValueError("Unverified deliveries are never processed.")
            if row.is_processed and not force:
                return row.outcome
            if row.livemode != stripe_key_is_live():
                outcome = _refuse_other_mode(row)
            else:
                outcome = _dispatch(json.loads(row.body), replay=row.is_processed)
            row.attempts += 1
            row.processed_at = timezone.now()
            row.error = ""
            row.outcome = outcome[:200]
            row.next_attempt_at = None
            row.save(
                update_fields=["attempts", "error", "processed_at", "outcome", "next_attempt_at"]
            )
    except Exception as exc:
        # Whatever failed is recorded on the row (outside the rolled-back transaction)
        # and re-raised, never swallowed.
        error = f"{exc.__class__.__name__}: {exc}"
        _record_failure(event_pk=event.pk, error=error)
        logger.warning("Stripe event %s failed: %s", event.event_id, error)
        raise
    event.processed_at, event.outcome, event.error = row.processed_at, row.outcome, ""
    return outcome


def stripe_event_retry_delay(attempts: int) -> timedelta:
    """Backoff after the `attempts`-th failure: base × 2^(attempts-1), capped."""
    base = settings.BILLING_EVENT_RETRY_BASE_SECONDS
    return timedelta(
        seconds=min(base * 2 ** (attempts - 1), settings.BILLING_EVENT_RETRY_MAX_SECONDS)
    )


def _record_failure(*, event_pk: int, error: str) -> None:
    """Count the failed attempt, schedule the next one, and email staff once the event
    has failed BILLING_EVENT_ALERT_AFTER times (once per event)."""
    now = timezone.now()
    with transaction.atomic():
        row = StripeEvent.objects.select_for_update().get(pk=event_pk)
        row.attempts += 1
        row.error = error
        more = row.processed_at is None and row.attempts < settings.BILLING_EVENT_MAX_ATTEMPTS
        row.next_attempt_at = now + stripe_event_retry_delay(row.attempts) if more else None
        alert = row.attempts >= settings.BILLING_EVENT_ALERT_AFTER and row.alerted_at is None
        if alert:
            row.alerted_at = now
        row.save(update_fields=["attempts", "error", "next_attempt_at", "alerted_at"])
        if alert:
            _alert_staff(row)


def _alert_staff(row: StripeEvent) -> None:
    emails = list(
        User.objects.filter(is_staff=True, is_active=True).values_list("email", flat=True)
    )
    if not emails:
        logger.error("Stripe event %s keeps failing and no staff can be emailed", row.event_id)
        return
    email_enqueue(
        to=emails,
        template="billing/email/stripe_event_failing",
        context={
            "event_id": row.event_id,
            "event_type": row.type,
            "attempts": row.attempts,
            "error": row.error,
            "next_attempt_at": row.next_attempt_at,
            "admin_url": settings.SITE_URL
            + reverse("admin:billing_stripeevent_change", args=[row.pk]),
        },
    )


def stripe_events_retry_due(*, now: datetime | None = None, limit: int = 100) -> dict[str, int]:
    """Process again the verified, unprocessed events whose retry is due, oldest first,
    and those whose first attempt never happened (its task lost) within 10 minutes.
    Returns {"applied": n, "failed": m}; failures schedule their own next attempt."""
    now = now or timezone.now()
    due = (
        StripeEvent.objects.unprocessed()
        .filter(
            Q(next_attempt_at__lte=now) | Q(attempts=0, received_at__lt=now - timedelta(minutes=10))
        )
        .order_by("created_at_stripe", "received_at")[:limit]
    )
    counts = {"applied": 0, "failed": 0}
    for event in due:
        try:
            stripe_event_process(event=event)
        except Exception:  # recorded on the row by stripe_event_process; next one
            counts["failed"] += 1
        else:
            counts["applied"] += 1
    return counts


def _refuse_other_mode(row: StripeEvent) -> str:
    """A test-mode event must never change a live account (nor the reverse): test-mode
    checkouts cost nothing, and anyone with the test keys can create them. Kept, never
    applied, also on replays."""
    event_mode = "live" if row.livemode else "test"
    key_mode = "live" if stripe_key_is_live() else "test"
    security_logger.warning(
        "Stripe event %s is %s-mode but STRIPE_SECRET_KEY is %s-mode: not applied.",
        row.event_id,
        event_mode,
        key_mode,
    )
    return f"refused: {event_mode}-mode event, {key_mode}-mode key"


def _dispatch(event: dict[str, Any], *, replay: bool) -> str:
    """Run the event's handler. On a replay of an event already processed, state is
    applied again (idempotent) but notices are not sent twice."""
    handler = HANDLERS.get(event["type"])
    if handler is None:
        return f"ignored: {event['type']} is not handled"
    return handler(event, replay=replay)


SECOND = timedelta(seconds=1)


def _event_time(event: dict[str, Any]) -> datetime:
    return datetime.fromtimestamp(int(event["created"]), tz=UTC)


def _account_for(obj: dict[str, Any]) -> Account:
    account = account_for_stripe_object(obj=obj)
    if account is None:
        raise EventNotApplicable(f"No account for customer {obj.get('customer') or '?'}.")
    return account


def _subscription_id_of_invoice(invoice: dict[str, Any]) -> str:
    # Moved under parent.subscription_details in API version 2025-03-31.
    details = (invoice.get("parent") or {}).get("subscription_details") or {}
    sub = invoice.get("subscription") or details.get("subscription") or ""
    return sub.get("id", "") if isinstance(sub, dict) else sub


def _on_checkout_completed(event: dict[str, Any], *, replay: bool) -> str:
    session = event["data"]["object"]
    if session.get("mode") != "subscription" or not session.get("subscription"):
        return "ignored: not a subscription checkout"
    account = _account_for(session)
    subscription = billing_backend().subscription_get(subscription_id=session["subscription"])
    applied = account_subscription_apply(account=account, subscription=subscription, as_of=None)
    _seats_follow_members(account_pk=account.pk)
    return f"account {account.pk}: {'subscription applied' if applied else 'already current'}"


def _on_subscription_event(event: dict[str, Any], *, replay: bool) -> str:
    subscription = event["data"]["object"]
    account = _account_for(subscription)
    event_time = _event_time(event)
    as_of: datetime | None = event_time
    if account.stripe_state_at and event_time <= account.stripe_state_at < event_time + SECOND:
        # Event times are whole seconds: two events of one second (or an event and a
        # fetch within it) cannot be ordered by time. Ask Stripe for the state as it is.
        subscription = billing_backend().subscription_get(subscription_id=subscription["id"])
        as_of = None
    applied = account_subscription_apply(
        account=account, subscription=subscription, as_of=as_of, acting_user=_acting_user(event)
    )
    if not applied:
        return f"account {account.pk}: stale, newer state already applied"
    _seats_follow_members(account_pk=account.pk)
    return f"account {account.pk}: {subscription.get('status')}"


def _acting_user(event: dict[str, Any]) -> User | None:
    """Who made the change, when the provider is the local backend: it is our own portal,
    so it names the person (`LOCAL_ACTOR_KEY`). Stripe's events never do (its portal's
    changes are the provider's, "System"), and the key is read only while the local
    backend is the provider."""
    user_id = event.get(LOCAL_ACTOR_KEY)
    if not isinstance(user_id, int) or not billing_backend().has_local_portal:
        return None
    return User.objects.filter(pk=user_id).first()


def _seats_follow_members(*, account_pk: int) -> None:
    """A per-seat subscription is billed for the seats in use and a flat one for 1,
    whatever quantity it arrived with: Stripe keeps the quantity when a plan changes (a
    flat plan's 1 moving to a per-seat one, or Pro's seats moving to Business) and its
    portal may let a customer type one. A no-op when they already agree; a provider
    error fails the event, which is retried."""
    account_seats_sync(account=Account.objects.get(pk=account_pk))


def _on_invoice_paid(event: dict[str, Any], *, replay: bool) -> str:
    invoice = event["data"]["object"]
    subscription_id = _subscription_id_of_invoice(invoice)
    if not subscription_id:
        return "ignored: invoice without subscription"
    account = _account_for(invoice)
    # The invoice does not carry the subscription's status: read it as it is now.
    subscription = billing_backend().subscription_get(subscription_id=subscription_id)
    account_subscription_apply(account=account, subscription=subscription, as_of=None)
    return f"account {account.pk}: paid, {subscription.get('status')}"


def _on_invoice_payment_failed(event: dict[str, Any], *, replay: bool) -> str:
    invoice = event["data"]["object"]
    account = _account_for(invoice)
    if replay:
        return f"account {account.pk}: payment failed (replay: contacts were emailed before)"
    contacts = account_billing_emails(account=account)
    # Without an active contact in the home workspace nobody who hears can fix the
    # payment: its billing managers hear too, told why.
    managers = []
    if not account_home_has_billing_contact(account=account):
        managers = [e for e in account_billing_manager_emails(account=account) if e not in contacts]
    context = {
        "account_name": account.name,
        "amount_due": ""
        if invoice.get("amount_due") is None
        else money_when_shown(invoice["amount_due"], invoice.get("currency")),
        "next_attempt": _event_datetime(invoice.get("next_payment_attempt")),
        # Stripe's page for the invoice, which anyone with the link may pay; else (the
        # local backend has none) the billing page of the workspace that owns the account.
        "invoice_url": invoice.get("hosted_invoice_url") or "",
        "billing_url": _billing_page_url(account),
    }
    for emails, as_manager in ((contacts, False), (managers, True)):
        if emails:
            email_enqueue(
                to=emails,
                template="billing/email/payment_failed",
                context={**context, "as_manager": as_manager},
            )
    outcome = f"account {account.pk}: payment failed, emailed {len(contacts)} contact(s)"
    if managers:
        outcome += f" and {len(managers)} billing manager(s), no contact in the home workspace"
    return outcome


def _billing_page_url(account: Account) -> str:
    home = account.home_tenant
    if home is None:
        return absolute_url("workspaces:app")
    return absolute_url("billing:overview", tenant_slug=home.slug)


def _event_datetime(value: Any) -> datetime | None:
    return datetime.fromtimestamp(int(value), tz=UTC) if value else None


HANDLERS: dict[str, Callable[..., str]] = {
    "checkout.session.completed": _on_checkout_completed,
    "customer.subscription.created": _on_subscription_event,
    "customer.subscription.updated": _on_subscription_event,
    "customer.subscription.deleted": _on_subscription_event,
    "invoice.paid": _on_invoice_paid,
    "invoice.payment_failed": _on_invoice_payment_failed,
}


def stripe_events_replay(
    *, since: datetime | None = None, event_id: str | None = None
) -> list[tuple[StripeEvent, str]]:
    """Re-process stored verified events (oldest first); returns (event, outcome or error).

    With `event_id` that one event is re-applied even if processed; otherwise only
    events received since `since` are, processed or not. Stale state is still ignored.
    """
    events = StripeEvent.objects.verified().order_by("created_at_stripe", "received_at")
    if event_id:
        events = events.filter(event_id=event_id)
    if since:
        events = events.filter(received_at__gte=since)
    results = []
    for event in events:
        try:
            results.append((event, stripe_event_process(event=event, force=True)))
        except Exception as exc:  # reported per event; the row holds the error too
            results.append((event, f"error: {exc}"))
    return results
