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

from typing import Any

from django.db import transaction

from accounts.exceptions import PermanentEmailError
from accounts.mail_delivery import REMOVED_LINK, email_record
from accounts.models import EmailDelivery
from accounts.task_queue import task_enqueue_transactional
from accounts.tasks import email_deliver


def email_enqueue(*, to: str | list[str], template: str, context: dict[str, Any]) -> EmailDelivery:
    """Render an email and queue it for delivery when the current transaction commits."""
    delivery = email_record(to=to, template=template, context=context)
    email_deliver_later(delivery)
    return delivery


def email_deliver_later(delivery: EmailDelivery) -> None:
    """Queue `delivery` (already recorded) with the current transaction."""
    task_enqueue_transactional(email_deliver, delivery.pk)


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
