"""Stripe webhook deliveries: verify, store raw, queue each event id once.

The view calls `stripe_event_receive`, which stores the delivery before anything
acts on it and hands verified, not-yet-processed events to a background task
(`billing.tasks.stripe_event_process_task`, which runs `billing.webhook_processing`).
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import stripe
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from billing.models import StripeEvent
from billing.tasks import stripe_event_process_task

security_logger = logging.getLogger("billing.security")

# Bodies of unverified deliveries are kept only this long: enough to debug a
# misconfigured secret, not a way for anyone to fill the database.
_UNVERIFIED_BODY_LIMIT = 10_000


def stripe_event_receive(*, payload: bytes, signature: str) -> StripeEvent:
    """Verify and record one delivery; enqueue processing when it is new.

    Returns the stored row; `row.signature_valid` False means the caller answers 400.
    """
    text = payload.decode("utf-8", errors="replace")
    secrets = webhook_secrets()
    if not secrets:
        return _record_unverified(text, "STRIPE_WEBHOOK_SECRET is not set: delivery refused.")
    if not signature:
        return _record_unverified(text, "Missing Stripe-Signature header.")
    try:
        event = _construct_event(text, signature, secrets)
    except stripe.SignatureVerificationError as exc:
        return _record_unverified(text, f"Signature verification failed: {exc.user_message}")
    except ValueError:
        return _record_unverified(text, "Body is not valid JSON.")
    return _record_verified(
        event_id=event.id,
        event_type=event.type,
        livemode=bool(event.livemode),
        created=event.created,
        text=text,
    )


def stripe_event_record_local(*, event: dict[str, Any]) -> StripeEvent:
    """Record and queue an event the local billing backend made (it is its own
    provider, so there is no signature to check): the same processing as Stripe's."""
    return _record_verified(
        event_id=event["id"],
        event_type=event["type"],
        livemode=bool(event.get("livemode")),
        created=int(event["created"]),
        text=json.dumps(event),
    )


def _record_verified(
    *, event_id: str, event_type: str, livemode: bool, created: int, text: str
) -> StripeEvent:
    try:
        with transaction.atomic():
            row = StripeEvent.objects.create(
                event_id=event_id,
                type=event_type,
                body=text,
                signature_valid=True,
                livemode=livemode,
                created_at_stripe=datetime.fromtimestamp(created, tz=UTC),
            )
    except IntegrityError:
        # A replay (Stripe retries, or an attacker resending a captured delivery
        # within the signature tolerance): acknowledged, never processed twice.
        row = StripeEvent.objects.get(event_id=event_id, signature_valid=True)
        if row.is_processed:
            return row
    transaction.on_commit(lambda: stripe_event_process_task.enqueue(row.pk))
    return row


def webhook_secrets() -> list[str]:
    """The signing secrets accepted: STRIPE_WEBHOOK_SECRET is a comma-separated list, so
    a secret can be rotated with an overlap (add the new one, deploy, roll the endpoint's
    secret in Stripe, drop the old one)."""
    return [s.strip() for s in settings.STRIPE_WEBHOOK_SECRET.split(",") if s.strip()]


def _construct_event(text: str, signature: str, secrets: list[str]) -> Any:
    """The verified event if any accepted secret signed it; else the last secret's error."""
    error: stripe.SignatureVerificationError | None = None
    for secret in secrets:
        try:
            return stripe.Webhook.construct_event(text, signature, secret)
        except stripe.SignatureVerificationError as exc:
            error = exc
    assert error is not None  # secrets is never empty here
    raise error


def _record_unverified(text: str, reason: str) -> StripeEvent:
    """Keep refused deliveries for operators, but only so many an hour: the endpoint is
    public and exempt from rate limiting, so junk posts must not fill the table or the
    log. Past the cap the delivery is refused the same way and not stored."""
    row = StripeEvent(body=text[:_UNVERIFIED_BODY_LIMIT], signature_valid=False, error=reason)
    recent = StripeEvent.objects.filter(
        signature_valid=False, received_at__gte=timezone.now() - timedelta(hours=1)
    ).count()
    if recent >= settings.BILLING_UNVERIFIED_EVENTS_PER_HOUR:
        security_logger.debug("Refused Stripe webhook delivery (not stored): %s", reason)
        return row
    security_logger.warning("Refused Stripe webhook delivery: %s", reason)
    row.save()
    return row
