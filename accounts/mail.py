"""Outgoing email: render, record, and hand to the task queue.

`email_enqueue` never talks to a provider. It renders the message, stores an
`EmailDelivery` row and enqueues `accounts.tasks.email_deliver` in the caller's
transaction, so a rolled-back change sends nothing and a committed one always
has its email on record. The worker sends it (`accounts.mail_delivery`); transient
provider errors are retried with exponential backoff, permanent ones are kept as
`failed` for an administrator to look at and retry from the admin. A failed
delivery keeps no live one-time link: those are removed from its bodies
(`without_live_links`), and the person asks for a new email instead.

This is the enqueue side: it imports `accounts.tasks`, which imports only the
worker side, so the imports point one way.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.exceptions import PermanentEmailError
from accounts.mail_delivery import REMOVED_LINK, email_record
from accounts.models import EmailDelivery
from accounts.task_queue import task_enqueue_transactional
from accounts.tasks import email_deliver


def email_enqueue(
    *, to: str | list[str], template: str, context: dict[str, Any]
) -> list[EmailDelivery]:
    """Render an email and queue it for delivery when the current transaction commits:
    in each recipient's language and time zone (one delivery per language among them,
    see `accounts.mail_delivery.recipient_locales`)."""
    deliveries = email_record(to=to, template=template, context=context)
    for delivery in deliveries:
        email_deliver_later(delivery)
    return deliveries


def email_deliver_later(delivery: EmailDelivery) -> None:
    """Queue `delivery` (already recorded) with the current transaction."""
    task_enqueue_transactional(email_deliver, delivery.pk)


def email_deliveries_resume(*, stale_after: timedelta | None) -> int:
    """Queue again the unsent deliveries whose task was lost: a worker killed mid-task,
    or the database restarting between a failed attempt and the record of its retry.

    `stale_after=None` takes every queued or retrying delivery (right after the worker
    restarts, when none of its tasks can be running); otherwise only those due for
    longer than that. Each is queued for its own due time. A delivery queued twice is
    sent once: the attempt locks the row and skips what was sent meanwhile."""
    pending = EmailDelivery.objects.filter(
        status__in=[EmailDelivery.Status.QUEUED, EmailDelivery.Status.RETRYING]
    )
    if stale_after is not None:
        cutoff = timezone.now() - stale_after
        pending = pending.filter(
            Q(next_attempt_at__lt=cutoff) | Q(next_attempt_at__isnull=True, created_at__lt=cutoff)
        )
    can_defer = email_deliver.get_backend().supports_defer
    resumed = 0
    with transaction.atomic():
        for delivery in pending.order_by("pk"):
            due = delivery.next_attempt_at if can_defer else None
            task_enqueue_transactional(email_deliver, delivery.pk, run_after=due)
            resumed += 1
    return resumed


def email_delivery_retry(*, delivery: EmailDelivery) -> None:
    """Queue a failed delivery again (the admin's "retry" action)."""
    with transaction.atomic():
        delivery = EmailDelivery.objects.select_for_update().get(pk=delivery.pk)
        if delivery.status == EmailDelivery.Status.SENT:
            return
        if not delivery.body_text:
            raise PermanentEmailError(f"Delivery {delivery.pk} has no body left to send.")
        if REMOVED_LINK in delivery.body_text:
            raise PermanentEmailError(
                f"Delivery {delivery.pk} carried a one-time link, removed when it failed: "
                "ask the person to request a new email."
            )
        delivery.status = EmailDelivery.Status.QUEUED
        delivery.attempts = 0
        delivery.next_attempt_at = None
        delivery.save(update_fields=["status", "attempts", "next_attempt_at"])
        email_deliver_later(delivery)
